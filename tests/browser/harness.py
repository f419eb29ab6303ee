"""Driving the app in a real browser: start/stop the server, launch Chromium, wait, check.

Shared by the browser tests (through their fixtures) and the classroom load
benchmark. The server runs ``streamlit run app.py`` on a free loopback port in
its own process group, so stopping it stops every child it started. Waiting
follows Streamlit's own e2e tests: the app's root element says when it is
connected and when the script has stopped running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / ".artifacts" / "browser"
SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
START_TIMEOUT = 120.0  # s; a loaded 2-core machine imports Streamlit slowly
RUN_TIMEOUT = 120_000  # ms; a script run may build a Keras model
VIEWPORT = {"width": 1280, "height": 900}
APP_CONNECTED = '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
APP_BUSY = '[data-testid="stApp"]:not([data-test-script-state="notRunning"])'
STALE = '[data-testid="stElementContainer"][data-stale="true"]'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def streamlit_command(port: int, script: str = "app.py") -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip


def group_members(pgid: int) -> list[int]:
    """Live processes of a process group (read from /proc; zombies do not count)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(stat.parent.name))
    return members


@dataclass
class Server:
    """A running ``streamlit run``: its URL, its process and where its output goes."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        """SIGTERM the whole group, SIGKILL what is left after 10 s, then check none remain."""
        pgid = self.process.pid
        for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline:
                self.process.poll()
                if not group_members(pgid):
                    break
                time.sleep(0.1)
            else:
                continue
            break
        self.process.wait(timeout=5)
        left = group_members(pgid)
        assert not left, f"streamlit server left processes behind: {left}"


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so ``finally`` blocks stop the server (scripts, not pytest)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def health_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except OSError:
        return False


def start_server(log: Path, timeout: float = START_TIMEOUT, script: str = "app.py") -> Server:
    """Start ``streamlit run <script>`` and return once ``/_stcore/health`` says ok."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            streamlit_command(port, script),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + timeout
    while not health_ok(server.url):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            reason = f"exited with {process.returncode}" if process.returncode else "timed out"
            raise RuntimeError(f"streamlit server {reason}; its output:\n{server.output()}")
        time.sleep(0.25)
    return server


def chromium_executable() -> str | None:
    """Debian's Chromium when installed, else Playwright's own build, else None."""
    if SYSTEM_CHROMIUM.is_file():
        return str(SYSTEM_CHROMIUM)
    with sync_playwright() as p:
        own = Path(p.chromium.executable_path)
    return str(own) if own.is_file() else None


def screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main area, so grow the viewport to fit."""
    height = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll(
            '[data-testid="stMain"], [data-testid="stSidebarContent"]')].map(e => e.scrollHeight),
            window.innerHeight)"""
    )
    page.set_viewport_size({"width": page.viewport_size["width"], "height": min(height, 12000)})
    painted(page)  # the re-flow at the new size
    page.screenshot(path=path, full_page=True)


def painted(page) -> None:
    """Wait until the browser has laid out and painted a whole frame (two animation frames)."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def wait_for_run(page, timeout: float = RUN_TIMEOUT) -> None:
    """Wait until the app is connected and its script (and fragments) stopped running."""
    page.wait_for_selector(APP_CONNECTED, state="attached", timeout=timeout)
    page.wait_for_selector(APP_IDLE, state="attached", timeout=timeout)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout)
    # The last deltas: elements of the previous run are gone, the new ones painted.
    page.wait_for_selector(STALE, state="detached", timeout=timeout)
    painted(page)


def after_action(page, timeout: float = RUN_TIMEOUT) -> None:
    """Wait for the rerun an interaction triggers (it may start a moment later)."""
    with contextlib.suppress(PlaywrightTimeout):  # the rerun may already be over
        page.wait_for_selector(APP_BUSY, state="attached", timeout=3000)
    wait_for_run(page, timeout)


def open_page(page, path: str = "/") -> None:
    """Load ``path`` of the app and wait for its first run to finish."""
    page.goto(page.base_url + path, wait_until="domcontentloaded")
    wait_for_run(page)


def assert_no_error(page, *, alerts: bool = True) -> None:
    """No exception element, no traceback text and (unless allowed) no st.error box."""
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
    body = page.locator("body").inner_text()
    assert "Traceback" not in body, body[:2000]
    if alerts:
        errors = page.locator('[data-testid="stAlertContentError"]')
        assert errors.count() == 0, errors.first.inner_text()


def select_grid_cell(page, grid, column: int) -> None:
    """Select row 1's cell ``column`` (0 = the row number) of a data editor (a canvas grid).

    The grid handles one key per frame; its accessible table says which cell holds the
    selection, so the click waits until row 1's first cell has it (a selection left from
    earlier typing may still show meanwhile) and each arrow key until the selection has moved.
    """
    grid.wait_for()
    box = grid.bounding_box()
    assert box is not None
    clicked = grid.locator('td[role="gridcell"]').first  # row 1, its row-number cell
    target = clicked.get_attribute("id") or ""  # glide-cell-<col>-<row>
    page.mouse.click(box["x"] + 48, box["y"] + 52)
    selected = grid.locator('td[role="gridcell"][aria-selected="true"]')
    expect(selected).to_have_id(target)
    first = int(target.split("-")[2])
    for step in range(1, column + 1):
        page.keyboard.press("ArrowRight")
        expect(selected).to_have_id(f"glide-cell-{first + step}-0")


def edit_grid_cell(page) -> None:
    """Open the selected cell's editor and select its text, once the editor has the focus."""
    page.keyboard.press("Enter")
    expect(page.locator(".gdg-input")).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()
