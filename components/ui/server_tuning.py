"""Process-wide settings of the Streamlit server that the app's shared models rely on.

After every script run (fragment reruns included) Streamlit calls
``keras.backend.clear_session()`` once Keras is imported, for apps that build a
model per run. This app builds each model once and shares it (``st.cache_resource``),
so the call only costs: a full garbage collection over TensorFlow's heap (holding
the GIL, so every other session waits), TensorFlow's kernel cache thrown away (the
next forward pass rebuilds it), and Keras' global state swapped under any build
running in another session's thread. Measured with ``bench/load_ws.py``: most of a
layer-slider rerun's server time went there.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

STREAMLIT_CLEANUP: list[Callable[[], None]] = []  # what keep_keras_session replaced


def _clean_without_keras() -> None:
    """What Streamlit's post-run cleanup does besides Keras: close pyplot's figures."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def keep_keras_session() -> None:
    """Stop Streamlit clearing Keras' session after each run (idempotent, once per process)."""
    from streamlit.runtime.scriptrunner import script_runner

    current = getattr(script_runner, "_clean_problem_modules", None)
    if current is not None and current is not _clean_without_keras:
        STREAMLIT_CLEANUP.append(current)  # Streamlit's own, for the tests that check it
        script_runner._clean_problem_modules = _clean_without_keras
