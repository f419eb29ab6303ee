"""How many students one server holds: simulated students over Streamlit's websocket protocol.

No browsers: each student is a :class:`bench.st_protocol.StreamlitClient` that opens a
share link of the activation viewer, picks a layer, then ``--rounds`` times uploads
its own PNG and moves the layer slider, with a short think time between actions.
Per step it records the time until the script run finishes (plus fetching the
images it shows, as a browser would), exceptions and error boxes; the server's
CPU and resident memory are sampled from /proc for its whole process group, and
Streamlit's ``/_stcore/metrics`` says how many models were built and are held.

Two classes, each in rising numbers of concurrent students (``--levels``), on one
server started here on 127.0.0.1 (loopback only): everyone on VGG16 at 224, and a
mixed class spread over VGG11…19 ± BN. A class stops rising once p95 "upload →
maps" passes ``--goal`` seconds; the whole run stops after ``--max-seconds``.

    python bench/load_ws.py                        # levels 1,2,4,8; ≤ 8 minutes
    python bench/load_ws.py --levels 1,2 --rounds 1 --classes vgg16   # a quick check
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import re
import statistics
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import requests
from PIL import Image

from bench.st_protocol import RunResult, StreamlitClient
from tests.browser.harness import exit_on_sigterm, group_members, start_server

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "bench" / "results"
SAMPLES = sorted((ROOT / "assets" / "samples").glob("*.jpg"))
INPUT = "224x224x3"
CLASSES = {
    "vgg16": [("vgg16", 0)],
    "mixed": [(arch, bn) for arch in ("vgg11", "vgg13", "vgg16", "vgg19") for bn in (0, 1)],
}
STEPS = ("open", "layer", "upload", "slider")
MAX_STUDENTS = 64  # per level: a bounded load, whatever --levels says
FIRST_LAYER = 3  # the layer a student picks first (index in the slider), then one step on
TICK = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------ the server, from /proc


def group_usage(pgid: int) -> tuple[float, int]:
    """(CPU seconds, resident bytes) of every live process in the server's group."""
    cpu, rss = 0.0, 0
    for pid in group_members(pgid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        cpu += (int(fields[11]) + int(fields[12])) / TICK
        rss += next(int(line.split()[1]) * 1024 for line in status.splitlines()
                    if line.startswith("VmRSS:"))  # fmt: skip
    return cpu, rss


class Sampler(threading.Thread):
    """The server group's CPU time and peak RSS, sampled every 0.25 s."""

    def __init__(self, pgid: int) -> None:
        super().__init__(daemon=True)
        self.pgid, self.stop, self.peak = pgid, threading.Event(), 0
        self.cpu = 0.0

    def run(self) -> None:
        while not self.stop.wait(0.25):
            self.cpu, rss = group_usage(self.pgid)
            self.peak = max(self.peak, rss)

    def reset_peak(self) -> int:
        self.cpu, self.peak = group_usage(self.pgid)
        return self.peak


def cache_metrics(url: str) -> dict[str, float]:
    """Model builds (misses), models held and forward passes, from ``/_stcore/metrics``."""
    text = requests.get(f"{url}/_stcore/metrics", timeout=30).text
    found: dict[str, float] = {}
    for name in ("network", "run"):
        func = f'cache="components.ui.activation_views.{name}"'
        resource = 'cache_type="st_cache_resource"'
        held = re.search(rf"cache_memory_bytes{{{resource},{func}}} (\S+)", text)
        miss = re.search(rf'cache_lookups_total{{{func},{resource},result="miss"}} (\S+)', text)
        found[f"{name}_held"] = float(held.group(1)) if held else 0.0
        found[f"{name}_misses"] = float(miss.group(1)) if miss else 0.0
    return found


# ------------------------------------------------------------------ one student


@dataclass
class Student:
    number: int
    network: str
    steps: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})
    cpu: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})
    problems: list[str] = field(default_factory=list)


def student_png(number: int, round_: int) -> bytes:
    """A different real photo per student and round, so every upload is a new forward pass."""
    picture = Image.open(SAMPLES[(number + round_) % len(SAMPLES)]).convert("RGB")
    out = io.BytesIO()
    picture.resize((280 + number % 97, 240 + round_)).save(out, format="PNG")
    return out.getvalue()


def check(student: Student, step: str, run: RunResult, expect: str = "") -> None:
    """Keep the step's time; a run that raised, showed an error or no maps is a problem."""
    student.steps[step].append(run.seconds)
    if not run.ok or run.errors:
        student.problems.append(f"{step}: {(run.exceptions + run.errors)[0]}")
    elif not run.images:
        student.problems.append(f"{step}: no feature maps")
    elif expect and not any(expect in text for text in run.texts):
        student.problems.append(f"{step}: the maps are not of {expect}")


async def act(student: Student, url: str, rounds: int, think: float, images: list[bytes],
              server_cpu: Callable[[], float]) -> None:  # fmt: skip
    arch, bn = student.network.split("/")
    query = f"arch={arch}&input={INPUT}&bn={bn}"
    client = StreamlitClient(url, "/activations", query)
    pause = lambda: asyncio.sleep(random.uniform(0.5, 1.5) * think)  # noqa: E731

    async def step(name: str, action: Awaitable[RunResult], expect: str = "") -> None:
        before = server_cpu()  # the server's CPU for this step: exact when it is alone
        check(student, name, await action, expect)
        student.cpu[name].append(server_cpu() - before)

    try:
        await step("open", client.open())
        await pause()
        await step("layer", client.pick_option("act_layer", FIRST_LAYER))
        for round_ in range(rounds):
            await pause()
            name = f"student{student.number}-{round_}.png"
            await step("upload", client.upload("act_image_upload", name, images[round_]), name)
            await pause()
            await step("slider", client.pick_option("act_layer", FIRST_LAYER + 1 + round_))
    except Exception as error:  # a timeout or a dropped connection is this student's result
        student.problems.append(f"{type(error).__name__}: {str(error)[:200]}")
    finally:
        await client.close()


# ------------------------------------------------------------------ one level of a class


@dataclass
class Level:
    cls: str
    students: int
    p50: dict[str, float | None]
    p95: dict[str, float | None]
    problems: list[str]
    server_cpu_seconds: float
    server_cores: float  # average cores the server used during the level
    rss_before_mb: float
    rss_peak_mb: float
    models_held: float
    model_builds: float
    wall_seconds: float
    cpu_per_step: dict[str, float | None]  # median server CPU s of one step (alone: exact)


def percentile(values: list[float], q: int) -> float | None:
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def level(cls: str, n: int, url: str, sampler: Sampler, args, deadline: float) -> Level:
    networks = CLASSES[cls.split(" ")[0]]  # "mixed (8 models)": the mixed class
    students = [Student(i, "/".join(map(str, networks[i % len(networks)]))) for i in range(n)]
    images = {s.number: [student_png(s.number, r) for r in range(args.rounds)] for s in students}
    rss_before = sampler.reset_peak()
    cpu_before, started = sampler.cpu, time.perf_counter()

    async def staggered(student: Student) -> None:
        await asyncio.sleep(random.uniform(0, args.stagger))
        cpu = lambda: group_usage(sampler.pgid)[0]  # noqa: E731
        await act(student, url, args.rounds, args.think, images[student.number], cpu)

    try:
        runs = [staggered(s) for s in students]
        await asyncio.wait_for(asyncio.gather(*runs), max(1.0, deadline - time.monotonic()))
    except TimeoutError:
        for s in students:
            s.problems.append("stopped by the run's time limit")
    wall = time.perf_counter() - started
    cpu = group_usage(sampler.pgid)[0] - cpu_before
    metrics = await asyncio.to_thread(cache_metrics, url)
    times = {step: [t for s in students for t in s.steps[step]] for step in STEPS}
    return Level(
        cls=cls,
        students=n,
        p50={step: percentile(times[step], 50) for step in STEPS},
        p95={step: percentile(times[step], 95) for step in STEPS},
        problems=[f"student {s.number} ({s.network}) {p}" for s in students for p in s.problems],
        server_cpu_seconds=cpu,
        server_cores=cpu / wall,
        rss_before_mb=rss_before / 2**20,
        rss_peak_mb=max(sampler.peak, rss_before) / 2**20,
        models_held=metrics["network_held"],
        model_builds=metrics["network_misses"],
        wall_seconds=wall,
        cpu_per_step={
            step: percentile([c for s in students for c in s.cpu[step]], 50) for step in STEPS
        },
    )


# ------------------------------------------------------------------ the run and its table


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def table(levels: list[Level]) -> str:
    head = (
        "| class | students | open p50/p95 s | layer p95 s | upload→maps p50/p95 s "
        "| slider p95 s | errors | server cores | CPU s/student | RSS peak MB "
        "| models held (builds so far) |"
    )
    rows = [head, "|" + "---|" * (head.count("|") - 1)]
    for lv in levels:
        rows.append(
            f"| {lv.cls} | {lv.students} | {seconds(lv.p50['open'])}/{seconds(lv.p95['open'])} "
            f"| {seconds(lv.p95['layer'])} "
            f"| {seconds(lv.p50['upload'])}/{seconds(lv.p95['upload'])} "
            f"| {seconds(lv.p95['slider'])} | {len(lv.problems)} | {lv.server_cores:.2f} "
            f"| {lv.server_cpu_seconds / lv.students:.1f} | {lv.rss_peak_mb:,.0f} "
            f"| {lv.models_held:.0f} ({lv.model_builds:.0f}) |"
        )
    return "\n".join(rows)


def verdicts(levels: list[Level], goal: float, rounds: int) -> list[str]:
    """Per class: the most students with p95 upload→maps under the goal; cost of one more."""
    lines = []
    for cls in dict.fromkeys(lv.cls for lv in levels):
        mine = [lv for lv in levels if lv.cls == cls]
        if not mine:
            continue
        good = [lv.students for lv in mine if not lv.problems
                and lv.p95["upload"] is not None and lv.p95["upload"] < goal]  # fmt: skip
        first, last = mine[0], mine[-1]
        held = max(lv.models_held for lv in mine)
        lines.append(
            f"{cls}: p95 upload→maps < {goal:.0f} s up to {max(good) if good else 0} concurrent "
            f"students (highest level tried: {last.students}); models held at most {held:.0f}"
        )
        if last.students > first.students:
            mb = (last.rss_peak_mb - first.rss_peak_mb) / (last.students - first.students)
            lines.append(f"  memory per extra student: {mb:+.0f} MB (peak RSS, level to level)")
        cpu = sum(lv.server_cpu_seconds for lv in mine) / sum(lv.students for lv in mine)
        lines.append(
            f"  server CPU per student: {cpu:.1f} s (open, layer, {rounds}× upload + slider)"
        )
        alone = [lv for lv in mine if lv.students == 1]
        if alone and alone[0].cpu_per_step["upload"]:
            each = alone[0].cpu_per_step
            per_core = goal / each["upload"]
            lines.append(
                f"  one student alone, server CPU per step: open {each['open'] or 0:.2f} s, "
                f"upload {each['upload']:.2f} s, slider {each['slider'] or 0:.2f} s "
                f"→ ≈ {per_core:.0f} uploads at once per free core within {goal:.0f} s"
            )
    return lines


async def classes(
    args, url: str, sampler: Sampler, deadline: float, label: str = ""
) -> list[Level]:
    """Each class in rising levels, until its p95 upload→maps passes the goal."""
    levels: list[Level] = []
    for cls in (c + label for c in args.classes):
        for n in args.levels:
            if time.monotonic() > deadline - 5:
                return levels
            lv = await level(cls, n, url, sampler, args, deadline)
            levels.append(lv)
            upload = seconds(lv.p95["upload"])
            print(f"  {cls} × {n}: upload→maps p95 {upload} s, {len(lv.problems)} problems, "
                  f"{lv.wall_seconds:.0f} s", file=sys.stderr)  # fmt: skip
            if lv.p95["upload"] is None or lv.p95["upload"] > args.goal:
                break  # more students would only be slower
    return levels


def serve(args, deadline: float, label: str = "") -> tuple[float, list[Level], list[Level]]:
    """A fresh server: its idle RSS, a warm-up (one student builds VGG16), then the classes."""
    log = RESULTS / f"load_ws_server{label.split(' ')[0].strip('(')}.log"
    server = start_server(log)  # its output (TF logs) goes there, not between the rows
    sampler = Sampler(server.process.pid)
    try:
        sampler.start()
        idle = group_usage(server.process.pid)[1] / 2**20
        print(f"server{label}: one student opens VGG16 (builds the model)", file=sys.stderr)
        once = argparse.Namespace(**{**vars(args), "levels": [1], "classes": ["vgg16"]})
        once.rounds = 0
        warm = asyncio.run(classes(once, server.url, sampler, deadline))
        levels = asyncio.run(classes(args, server.url, sampler, deadline, label))
    finally:
        sampler.stop.set()
        server.stop()
    return idle, warm, levels


def main() -> None:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="1,2,4,8", help="concurrent students per level")
    parser.add_argument("--classes", default="vgg16,mixed", help="vgg16, mixed or both")
    parser.add_argument("--rounds", type=int, default=2, help="upload + slider per student (2)")
    parser.add_argument("--think", type=float, default=2.0, help="mean pause between actions, s")
    parser.add_argument("--stagger", type=float, default=3.0, help="students arrive within, s")
    parser.add_argument("--goal", type=float, default=5.0, help="p95 upload→maps goal, s (5)")
    parser.add_argument("--max-seconds", type=float, default=480, help="whole run limit (480)")
    parser.add_argument(
        "--mixed-models", type=int, default=0,
        help="then the mixed class again on a server holding this many models (VGGX_MODELS)",
    )  # fmt: skip
    args = parser.parse_args()
    args.levels = sorted({min(MAX_STUDENTS, max(1, int(n))) for n in args.levels.split(",")})
    args.rounds = min(max(args.rounds, 0), 10)
    args.classes = [c for c in args.classes.split(",") if c in CLASSES]
    random.seed(18)
    started = time.monotonic()
    deadline = started + args.max_seconds
    RESULTS.mkdir(parents=True, exist_ok=True)
    idle, warm, levels = serve(args, deadline)
    if args.mixed_models and time.monotonic() < deadline - 30:
        more = argparse.Namespace(**{**vars(args), "classes": ["mixed"]})
        os.environ["VGGX_MODELS"] = str(args.mixed_models)  # read by the new server
        levels += serve(more, deadline, f" ({args.mixed_models} models)")[2]
    cold = warm[0].p50["open"] if warm else None
    report = {
        "machine": f"{os.cpu_count()} cores, shared with other work during the run",
        "args": {k: v for k, v in vars(args).items()},
        "server_rss_idle_mb": idle,
        "cold_open_seconds": cold,
        "levels": [asdict(lv) for lv in levels],
        "generator_cpu_seconds": sum(os.times()[:2]),
        "wall_seconds": time.monotonic() - started,
    }
    (RESULTS / "load_ws.json").write_text(json.dumps(report, indent=2))
    lines = [
        f"Simulated students over Streamlit's websocket, one server at a time on 127.0.0.1, "
        f"{os.cpu_count()} cores (shared with other work: absolute numbers are noisy).",
        f"Activation viewer at {INPUT}, untrained weights; each student: open link, pick a "
        f"layer, {args.rounds}× (upload a PNG, move the layer slider), ~{args.think:.0f} s "
        f"think time. Server idle RSS {idle:,.0f} MB; first open (builds VGG16) "
        f"{seconds(cold)} s.",
        "",
        table(levels),
        "",
        *verdicts(levels, args.goal, args.rounds),
        f"load generator CPU {report['generator_cpu_seconds']:.0f} s; "
        f"wall {report['wall_seconds']:.0f} s",
    ]
    problems = [p for lv in levels for p in lv.problems]
    lines += [f"  problem: {p}" for p in problems[:10]]
    text = "\n".join(lines)
    (RESULTS / "load_ws.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
