"""One student alone on the server of an earlier commit, then on this checkout, in one run.

The same simulated student as ``bench/load_ws.py`` (open a VGG16 share link, pick a
layer, ``--rounds`` × upload + slider) against a server started from ``git archive
REV`` in a temporary folder, then against this working tree; per step its time and
the server's CPU (exact: the student is alone). Loopback only; both servers stop.

    python bench/load_before_after.py b9b734f     # before the post-run cleanup fix
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench import load_ws
from tests.browser.harness import (
    START_TIMEOUT,
    Server,
    exit_on_sigterm,
    free_port,
    health_ok,
    streamlit_command,
)

ROOT = Path(__file__).resolve().parent.parent


def start(root: Path, log: Path) -> Server:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            streamlit_command(port), cwd=root, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + START_TIMEOUT
    while not health_ok(server.url):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"the server in {root} did not start:\n{server.output()}")
        time.sleep(0.2)
    return server


def alone(root: Path, label: str, rounds: int) -> load_ws.Level:
    """Warm up (build VGG16), then one student's steps on a server started in ``root``."""
    server = start(root, load_ws.RESULTS / f"load_before_after_{label}.log")
    sampler = load_ws.Sampler(server.process.pid)
    args = argparse.Namespace(
        levels=[1], classes=["vgg16"], rounds=rounds, think=0.5, stagger=0.0, goal=5.0
    )
    try:
        sampler.start()
        deadline = time.monotonic() + 600
        warm = argparse.Namespace(**{**vars(args), "rounds": 0})
        asyncio.run(load_ws.classes(warm, server.url, sampler, deadline))
        return asyncio.run(load_ws.classes(args, server.url, sampler, deadline))[0]
    finally:
        sampler.stop.set()
        server.stop()


def main() -> None:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rev", help="the earlier commit (any git revision)")
    parser.add_argument("--rounds", type=int, default=4, help="upload + slider rounds (4)")
    args = parser.parse_args()
    load_ws.RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "archive", args.rev], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        before = alone(Path(tmp), "before", args.rounds)
    after = alone(ROOT, "after", args.rounds)
    print(f"One student alone, VGG16 at 224, {args.rounds} rounds; medians (s)")
    print("| server | upload | upload CPU | slider | slider CPU | layer CPU | problems |")
    print("|---|---|---|---|---|---|---|")
    for label, lv in ((args.rev, before), ("this checkout", after)):
        cpu, p50 = lv.cpu_per_step, lv.p50
        print(
            f"| {label} | {p50['upload'] or 0:.2f} | {cpu['upload'] or 0:.2f} "
            f"| {p50['slider'] or 0:.2f} | {cpu['slider'] or 0:.2f} | {cpu['layer'] or 0:.2f} "
            f"| {len(lv.problems)} |"
        )


if __name__ == "__main__":
    main()
