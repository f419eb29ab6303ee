"""Engine summary vs building the same model in Keras, measured in one run.

Prints per VGG: engine time (analyse + rows), Keras build time, and the ratio;
then the wall time of ``python -m components summary vgg19`` as a whole process.
Goals: VGG19 summary < 1 ms and ≥ 1000× faster than Keras; CLI < 1.5 s.
"""

from __future__ import annotations

import subprocess
import sys
import time
import timeit
from pathlib import Path

from components.engine.analysis import analyze
from components.engine.report import rows
from components.engine.vgg import vgg_spec
from components.keras_side.builder import build_model, import_keras

ROOT = Path(__file__).resolve().parent.parent


def engine_seconds(arch: str) -> float:
    runs = 200
    total = timeit.timeit(lambda: rows(analyze(vgg_spec(arch))), number=runs)
    return total / runs


def keras_seconds(arch: str) -> float:
    keras = import_keras()
    build_model(vgg_spec(arch, include_top=False))  # warm up TensorFlow once
    keras.backend.clear_session()
    start = time.perf_counter()
    build_model(vgg_spec(arch))
    elapsed = time.perf_counter() - start
    keras.backend.clear_session()
    return elapsed


def cli_seconds() -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "components", "summary", "vgg19"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    print(f"{'network':<10} {'engine ms':>10} {'keras ms':>10} {'keras/engine':>13}")
    for arch in ("vgg11", "vgg13", "vgg16", "vgg19"):
        e, k = engine_seconds(arch), keras_seconds(arch)
        print(f"{arch:<10} {e * 1e3:>10.3f} {k * 1e3:>10.1f} {k / e:>12,.0f}×")
    print(f"python -m components summary vgg19: {cli_seconds():.2f} s (whole process)")


if __name__ == "__main__":
    main()
