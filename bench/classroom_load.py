"""A class at once: N browser sessions against ONE local server (loopback only), bounded in time.

Each student opens the activation viewer on a network (VGG16 or VGG19 in turn,
through the share link), waits for the first feature maps, then uploads their
own PNG and waits for its feature maps. Reports whether every session rendered
without an error, p50/p95 times, and the server's peak memory (resident set of
the server's whole process group, sampled from /proc): the goal is one copy of
each model, not one per session. Without the activation viewer it opens the
architecture page instead. The run stops by itself after ``--timeout`` seconds.

    python bench/classroom_load.py                # 10 students
    python bench/classroom_load.py --students 30
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import statistics
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PIL import Image
from playwright.async_api import async_playwright

from components.ui.navigation import PAGES
from tests.browser.harness import (
    APP_CONNECTED,
    APP_IDLE,
    CHROMIUM_ARGS,
    Server,
    chromium_executable,
    exit_on_sigterm,
    group_members,
    start_server,
)

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "bench" / "results"
NETWORKS = ("vgg16", "vgg19")
SAMPLES = sorted((ROOT / "assets" / "samples").glob("*.jpg"))
UPLOAD = '[data-testid="stFileUploaderDropzoneInput"]'
# True once the script is idle, ``name`` is on the page and every channel tile has loaded.
MAPS_SHOWN = """name => {
    const app = document.querySelector('[data-testid="stApp"]');
    const main = document.querySelector('[data-testid="stMain"]');
    if (!app || app.dataset.testScriptState !== 'notRunning' || !main) return false;
    if (name && !main.innerText.includes(name)) return false;
    const tiles = [...main.querySelectorAll('[data-testid="stImageContainer"]')].filter(c =>
        /^#\\d+$/.test(c.querySelector('[data-testid="stImageCaption"]')?.innerText ?? ''));
    return tiles.length > 0 && tiles.every(c => c.querySelector('img')?.naturalWidth > 0);
}"""
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


@dataclass
class Session:
    student: int
    network: str
    first_view: float | None = None  # s from opening the link to the first feature maps
    upload_to_maps: float | None = None  # s from choosing the file to its feature maps
    error: str = ""


@dataclass
class Report:
    students: int
    page: str
    all_ok: bool
    failed: list[str]
    first_view_p50: float | None
    first_view_p95: float | None
    upload_to_maps_p50: float | None
    upload_to_maps_p95: float | None
    server_rss_idle_mb: float
    server_rss_peak_mb: float
    wall_seconds: float
    sessions: list[Session] = field(default_factory=list)


def group_rss_bytes(pgid: int) -> int:
    """Resident memory of every process in the group (VmRSS from /proc/<pid>/status)."""
    total = 0
    for pid in group_members(pgid):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


class PeakMemory(threading.Thread):
    """Samples the server group's resident memory every 0.2 s; keeps the peak."""

    def __init__(self, pgid: int) -> None:
        super().__init__(daemon=True)
        self.pgid, self.peak, self.done = pgid, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            self.peak = max(self.peak, group_rss_bytes(self.pgid))


def student_png(student: int) -> bytes:
    """A different real photo per student (so every upload is a real forward pass)."""
    sample = SAMPLES[student % len(SAMPLES)]
    image = Image.open(sample).convert("RGB").resize((300 + student, 240))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def percentile(values: list[float], q: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def check_errors(page) -> str:
    if await page.locator(ERRORS).count():
        return (await page.locator(ERRORS).first.inner_text())[:200]
    if "Traceback" in await page.locator("body").inner_text():
        return "Traceback text on the page"
    return ""


async def student(browser, url: str, session: Session, viewer: bool, timeout_ms: float) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(timeout_ms)
    try:
        start = time.perf_counter()
        path = f"/activations?arch={session.network}" if viewer else f"/?arch={session.network}"
        await page.goto(url + path, wait_until="domcontentloaded")
        await page.wait_for_selector(APP_CONNECTED, state="attached")
        if viewer:
            await page.wait_for_function(MAPS_SHOWN, arg="", polling=100)
        else:
            await page.wait_for_selector(APP_IDLE, state="attached")
            await page.wait_for_selector('[data-testid="stDataFrame"]')
        session.first_view = time.perf_counter() - start
        if (error := await check_errors(page)) or not viewer:
            session.error = error
            return
        name = f"student-{session.student}.png"
        png = {"name": name, "mimeType": "image/png", "buffer": student_png(session.student)}
        start = time.perf_counter()
        await page.locator(UPLOAD).set_input_files(png)
        await page.wait_for_function(MAPS_SHOWN, arg=name, polling=100)
        session.upload_to_maps = time.perf_counter() - start
        session.error = await check_errors(page)
    except Exception as error:  # a timeout or a crash is this session's result, not the run's
        session.error = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
    finally:
        await context.close()


async def classroom(server: Server, students: int, viewer: bool, timeout: float) -> list[Session]:
    sessions = [Session(i, NETWORKS[i % len(NETWORKS)]) for i in range(students)]
    executable = chromium_executable()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            runs = [student(browser, server.url, s, viewer, timeout * 1000) for s in sessions]
            await asyncio.wait_for(asyncio.gather(*runs), timeout)
        except TimeoutError:
            for s in sessions:
                if s.error == "" and (s.first_view is None or s.upload_to_maps is None):
                    s.error = f"not finished within the {timeout:.0f} s limit"
        finally:
            await browser.close()
    return sessions


def run(students: int, timeout: float) -> Report:
    viewer = "activations" in {page.url_path for page in PAGES}
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    server = start_server(RESULTS / "classroom_server.log")
    sampler = PeakMemory(server.process.pid)
    try:
        idle = group_rss_bytes(server.process.pid)
        sampler.start()
        sessions = asyncio.run(classroom(server, students, viewer, timeout))
    finally:
        sampler.done.set()
        server.stop()
    firsts = [s.first_view for s in sessions if s.first_view is not None]
    uploads = [s.upload_to_maps for s in sessions if s.upload_to_maps is not None]
    failed = [f"student {s.student} ({s.network}): {s.error}" for s in sessions if s.error]
    if not viewer:
        failed += [f"student {s.student}: no page" for s in sessions if s.first_view is None]
    elif any(s.upload_to_maps is None and not s.error for s in sessions):
        failed.append("some sessions did not finish")
    return Report(
        students=students,
        page="/activations" if viewer else "/",
        all_ok=not failed,
        failed=failed,
        first_view_p50=percentile(firsts, 50),
        first_view_p95=percentile(firsts, 95),
        upload_to_maps_p50=percentile(uploads, 50),
        upload_to_maps_p95=percentile(uploads, 95),
        server_rss_idle_mb=idle / 2**20,
        server_rss_peak_mb=max(sampler.peak, idle) / 2**20,
        wall_seconds=time.perf_counter() - started,
        sessions=sessions,
    )


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"


def main() -> None:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=10, help="concurrent sessions (10)")
    parser.add_argument("--timeout", type=float, default=600, help="global limit in s (600)")
    args = parser.parse_args()
    report = run(max(1, args.students), args.timeout)
    (RESULTS / "classroom_load.json").write_text(json.dumps(asdict(report), indent=2))
    print(f"students: {report.students} on {report.page}, networks {', '.join(NETWORKS)}")
    print(f"all sessions rendered without error: {'yes' if report.all_ok else 'no'}")
    for line in report.failed:
        print(f"  {line}")
    print(
        f"open → first feature maps: p50 {seconds(report.first_view_p50)},"
        f" p95 {seconds(report.first_view_p95)}"
    )
    print(
        f"upload → feature maps:     p50 {seconds(report.upload_to_maps_p50)},"
        f" p95 {seconds(report.upload_to_maps_p95)}"
    )
    print(
        f"server memory (process group RSS): {report.server_rss_idle_mb:,.0f} MB idle,"
        f" {report.server_rss_peak_mb:,.0f} MB peak"
    )
    print(f"wall time: {report.wall_seconds:.0f} s (limit {args.timeout:.0f} s for the sessions)")
    sys.exit(0 if report.all_ok else 1)


if __name__ == "__main__":
    main()
