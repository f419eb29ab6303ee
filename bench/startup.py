"""Start-up: from ``streamlit run`` to the architecture page's numbers painted in Chromium.

Against a one-line Streamlit app in the same run (the floor: Streamlit's own start
and first page). Each round starts a fresh server for each app, in turn, and opens
it in a Chromium launched beforehand (its start is not counted); the clock runs from
``streamlit run`` to the page showing VGG16's total parameter count (the bare app: its
one line). Also reports the two halves: server up (``/_stcore/health`` ok) and first
page (link opened → numbers painted). Loopback only; servers stop after each round.

    python bench/startup.py              # 3 rounds
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from playwright.sync_api import sync_playwright

from components.engine.analysis import analyze
from components.engine.vgg import vgg_spec
from tests.browser.harness import (
    CHROMIUM_ARGS,
    Server,
    chromium_executable,
    exit_on_sigterm,
    free_port,
    health_ok,
    streamlit_command,
)

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "bench" / "results"
BARE_TEXT = "hello, class"
BARE_APP = f'import streamlit as st\n\nst.write("{BARE_TEXT}")\n'
TIMEOUT = 180.0


@dataclass
class Start:
    app: str
    server_up: float  # s from `streamlit run` to /_stcore/health ok
    first_page: float  # s from opening the link to the numbers painted
    total: float


def painted(script: Path, path: str, text: str, selector: str, browser) -> Start:
    """One cold start of ``script``: the server, then the page until ``text`` is shown."""
    port = free_port()
    command = streamlit_command(port)
    command[command.index("app.py")] = str(script)
    log = RESULTS / f"startup_{script.stem}.log"
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        while not health_ok(server.url):
            if process.poll() is not None or time.perf_counter() - started > TIMEOUT:
                raise RuntimeError(f"{script.name} did not start:\n{server.output()}")
            time.sleep(0.05)
        up = time.perf_counter()
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(server.url + path, wait_until="commit")
        page.locator(selector).filter(has_text=text).first.wait_for(timeout=TIMEOUT * 1000)
        done = time.perf_counter()
        context.close()
    finally:
        server.stop()
    return Start(script.stem, up - started, done - up, done - started)


def main() -> None:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="cold starts of each app (3)")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    total = f"{analyze(vgg_spec('vgg16')).total_params:,}"
    runs: list[Start] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        bare = Path(tmp) / "bare_app.py"
        bare.write_text(BARE_APP)
        browser = p.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
        try:
            for _ in range(max(1, args.rounds)):
                runs.append(painted(bare, "/", BARE_TEXT, '[data-testid="stMarkdown"]', browser))
                runs.append(painted(ROOT / "app.py", "/", total, ".vx-metrics", browser))
        finally:
            browser.close()
    (RESULTS / "startup.json").write_text(json.dumps([asdict(r) for r in runs], indent=2))

    def median(app: str, part: str) -> float:
        return statistics.median(getattr(r, part) for r in runs if r.app == app)

    print(f"Cold start → numbers painted in Chromium, median of {args.rounds} (each run: s)")
    print("| app | server up s | first page s | total s | runs |")
    print("|---|---|---|---|---|")
    for app, label in (("bare_app", "one-line app"), ("app", "VGG Explorer /")):
        each = ", ".join(f"{r.total:.1f}" for r in runs if r.app == app)
        print(
            f"| {label} | {median(app, 'server_up'):.1f} | {median(app, 'first_page'):.1f} "
            f"| {median(app, 'total'):.1f} | {each} |"
        )
    ratio = median("app", "total") / median("bare_app", "total")
    print(f"ratio app / bare app: {ratio:.2f}× (goal ≤ 1.2×)")


if __name__ == "__main__":
    main()
