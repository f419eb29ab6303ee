# VGG Explorer: one replica. Build: docker build -t vgg-explorer .
# Run:   docker run -p 8501:8501 -v vgg-weights:/weights -e STREAMLIT_SERVER_COOKIE_SECRET=... vgg-explorer
#        (add -e VGGX_MODELS=8 for a class spread over all of VGG11…19 ± BN: ~7 GB)
# Several replicas: the same image behind a balancer with cookie affinity (see deploy/, README).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TF_CPP_MIN_LOG_LEVEL=3 \
    # ImageNet weights live in a volume: fetched once (see README), shared by replicas
    KERAS_HOME=/weights \
    # production flags (the rest is in .streamlit/config.toml)
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_SERVER_PORT=8501 \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_SERVER_RUN_ON_SAVE=false \
    STREAMLIT_RUNNER_POST_SCRIPT_GC=false \
    STREAMLIT_CLIENT_SHOW_ERROR_DETAILS=none \
    STREAMLIT_CLIENT_TOOLBAR_MODE=viewer \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

RUN useradd --create-home --uid 10001 app \
    && mkdir -p /weights/models && chown -R app:app /weights
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY --chown=app:app app.py ./
COPY --chown=app:app .streamlit ./.streamlit
COPY --chown=app:app components ./components
COPY --chown=app:app pages ./pages
COPY --chown=app:app assets ./assets

USER app
VOLUME ["/weights"]
EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u, sys; sys.exit(u.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read().strip() != b'ok')"]
CMD ["python", "-m", "streamlit", "run", "app.py"]
