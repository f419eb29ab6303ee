"""Every benchmark behind one command, measured in one run, printed as one table of ratios.

    python bench/run_all.py            # about 3–5 minutes on 2 cores
    python bench/run_all.py --quick    # browser rows only (no Keras, activations, reruns)

Rows: engine summary vs building the model in Keras; the activation viewer's
all-layer extraction and image → first grid vs a bare forward pass (from
``bench/activations.py``); server time of page reruns in AppTest (from
``bench/page_reruns.py``); app start (``streamlit run`` → ``/_stcore/health`` →
first page rendered in Chromium); per page, the time of a browser rerun and the
bytes one view transfers (websocket messages plus images, without the
JavaScript bundle, which the browser caches). The table is also written to
``bench/results/run_all.md``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from components.ui.navigation import PAGES
from tests.browser.harness import (
    APP_BUSY,
    CHROMIUM_ARGS,
    VIEWPORT,
    chromium_executable,
    exit_on_sigterm,
    start_server,
    wait_for_run,
)

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "bench" / "results"
ACTIVATION_LINE = re.compile(r"^(?P<label>.+?)\s+(?P<ms>[\d.]+) ms\s+(?P<ratio>[\d.]+)×")
SIZE_LINE = re.compile(r"largest layer view .*?: (?P<mb>[\d.]+) MB")
PEAK_LINE = re.compile(r"peak resident memory: (?P<gb>[\d.]+) GB")


@dataclass
class Row:
    """One measurement against its reference: ``ratio = value / reference``."""

    name: str
    value: float
    unit: str
    reference: float | None = None
    ref_name: str = ""
    goal: str = ""

    @property
    def ratio(self) -> float | None:
        return self.value / self.reference if self.reference else None


def engine_rows() -> list[Row]:
    """Engine analysis + table vs Keras building the same model (``bench/engine_vs_keras.py``)."""
    from bench.engine_vs_keras import cli_seconds, engine_seconds, keras_seconds

    rows = []
    for arch in ("vgg16", "vgg19"):
        engine, keras = engine_seconds(arch), keras_seconds(arch)
        rows.append(
            Row(f"{arch}: Keras build vs engine summary", keras * 1e3, "ms", engine * 1e3,
                "engine", "≥ 1000×")
        )  # fmt: skip
    rows.append(Row("CLI summary vgg19, whole process", cli_seconds(), "s", goal="< 1.5 s"))
    return rows


def activation_rows() -> list[Row]:
    """``bench/activations.py`` in its own process (it builds VGG16), its printout parsed."""
    out = subprocess.run(
        [sys.executable, "bench/activations.py"], cwd=ROOT, capture_output=True, text=True,
        check=True, timeout=900,
    ).stdout  # fmt: skip
    lines = {m["label"].strip(): m for m in map(ACTIVATION_LINE.match, out.splitlines()) if m}
    forward = float(lines["bare model(x) forward"]["ms"])
    rows = [
        Row(f"VGG16 224²: {label} vs forward", float(lines[label]["ms"]), "ms", forward,
            "forward", goal)
        for label, goal in (
            ("all layers in one pass", "≤ 1.2×"),
            ("image → first grid (16 maps)", "≤ 1.5×"),
        )
        if label in lines
    ]  # fmt: skip
    if size := SIZE_LINE.search(out):
        rows.append(Row("largest layer view, bytes", float(size["mb"]), "MB", 1.0, "1 MB", "< 1×"))
    if peak := PEAK_LINE.search(out):
        rows.append(Row("activation bench peak memory", float(peak["gb"]), "GB", 2.0, "2 GB",
                        "< 1×"))  # fmt: skip
    return rows


# Every picture the page shows has arrived (Streamlit serves them over HTTP after the run).
IMAGES_LOADED = "() => [...document.images].every(image => image.complete)"
RERUN_LINE = re.compile(r"^(?P<view>/\S+)\s+(?P<ms>[\d.]+)\s+(?P<ratio>[\d,]+)×\s*(?P<goal>.*)$")
ENGINE_LINE = re.compile(r"engine analysis of VGG19: (?P<ms>[\d.]+) ms")


def rerun_rows() -> list[Row]:
    """``bench/page_reruns.py`` (AppTest server time per page view), its printout parsed."""
    out = subprocess.run(
        [sys.executable, "bench/page_reruns.py"], cwd=ROOT, capture_output=True, text=True,
        check=True, timeout=600,
    ).stdout  # fmt: skip
    engine = ENGINE_LINE.search(out)
    reference = float(engine["ms"]) if engine else None
    return [
        Row(f"{m['view']}: server rerun vs engine analysis", float(m["ms"]), "ms", reference,
            "VGG19 analysis", m["goal"].strip())
        for m in map(RERUN_LINE.match, out.splitlines())
        if m
    ]  # fmt: skip


class Traffic:
    """Bytes a tab receives: websocket messages and HTTP bodies other than the JS/CSS bundle."""

    def __init__(self, page) -> None:
        self.websocket = 0
        self.requests: list = []
        page.on("websocket", self._socket)
        page.on("requestfinished", lambda request: self.requests.append(request))

    def _socket(self, socket) -> None:
        socket.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        self.websocket += len(payload)

    def total(self) -> int:
        """Read after the view (a blocking call inside an event handler would deadlock)."""
        media = sum(
            request.sizes()["responseBodySize"]
            for request in self.requests
            if "/static/" not in request.url
            and request.resource_type not in ("script", "stylesheet", "font")
        )
        return self.websocket + media


def rerun_seconds(page) -> float:
    """Press R (Streamlit's rerun shortcut) and time the rerun until the script is idle."""
    page.evaluate("document.activeElement && document.activeElement.blur()")  # no input has focus
    start = time.perf_counter()
    page.keyboard.press("r")
    page.wait_for_selector(APP_BUSY, state="attached", timeout=10_000)
    wait_for_run(page)
    return time.perf_counter() - start


def browser_rows() -> list[Row]:
    from playwright.sync_api import sync_playwright

    RESULTS.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
        start = time.perf_counter()  # the browser is up already: time the app alone
        server = start_server(RESULTS / "run_all_server.log")
        healthy = time.perf_counter() - start
        rows.append(Row("app start: streamlit run → health ok", healthy, "s"))
        try:
            for entry in PAGES:
                rows += page_rows(browser, server.url, entry.url_path, start, healthy)
        finally:
            server.stop()
            browser.close()
    return rows


def page_rows(browser, url: str, path: str, start: float, healthy: float) -> list[Row]:
    """One view of a page in a fresh tab: bytes it received, then a timed rerun."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(300_000)
    traffic = Traffic(page)
    opened = time.perf_counter()
    page.goto(f"{url}/{path}", wait_until="domcontentloaded")
    wait_for_run(page)
    first = time.perf_counter() - opened
    rows = []
    if path == "":
        shown = time.perf_counter() - start
        rows.append(Row("app start: streamlit run → first page shown", shown, "s", healthy,
                        "health ok"))  # fmt: skip
    page.wait_for_function(IMAGES_LOADED)  # late image requests have finished
    rows.append(Row(f"/{path}: bytes per view (no JS bundle)", traffic.total() / 1e6, "MB", 1.0,
                    "1 MB"))  # fmt: skip
    rows.append(Row(f"/{path}: browser rerun vs first view", rerun_seconds(page), "s", first,
                    "first view"))  # fmt: skip
    context.close()
    return rows


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return f"{text} {unit}".strip()


def table(rows: list[Row]) -> str:
    lines = [
        "| measurement | value | reference | ratio | goal |",
        "|---|---:|---:|---:|---|",
    ]
    for row in rows:
        reference = f"{number(row.reference, row.unit)} ({row.ref_name})" if row.reference else ""
        ratio = f"{number(row.ratio)}×" if row.ratio is not None else ""
        lines.append(
            f"| {row.name} | {number(row.value, row.unit)} | {reference} | {ratio} | {row.goal} |"
        )
    return "\n".join(lines)


def main() -> None:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="browser rows only")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = browser_rows()  # first, while no TensorFlow is loaded in this process
    if not args.quick:
        rows = activation_rows() + engine_rows() + rerun_rows() + rows
    text = table(rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "run_all.md").write_text(text + "\n")
    print(text)
    print(f"\nmeasured in one run of {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
