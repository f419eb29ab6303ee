"""Server time of one page rerun (AppTest, no browser), measured in one run.

    python bench/page_reruns.py

For each page view: the median of several reruns of the whole script, against
the engine's analysis of the same network as the reference. AppTest adds its own
overhead, so the figures are an upper bound of what the server spends. Goals:
architecture page for VGG19 < 150 ms; a full 4-way comparison < 300 ms.
"""

from __future__ import annotations

import statistics
import time
import timeit
from pathlib import Path

from streamlit.testing.v1 import AppTest

from components.engine.analysis import analyze
from components.engine.vgg import vgg_spec

ROOT = Path(__file__).resolve().parent.parent

VIEWS = (
    ("architecture", {"arch": "vgg19"}, "< 150 ms"),
    ("architecture", {"arch": "vgg19_bn", "input": "320x320x3"}, "< 150 ms"),
    ("custom", {"preset": "d2l-vgg11"}, ""),
    ("compare", {"cmp": "vgg11,vgg13,vgg16,vgg19"}, "< 300 ms"),
    ("learn", {"lesson": "budget"}, ""),
)
RERUNS = 7


def rerun_seconds(page: str, params: dict[str, str]) -> float:
    """Median server time of a rerun, after a first run that warms the caches."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].message}")
    times = []
    for _ in range(RERUNS):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    engine = timeit.timeit(lambda: analyze(vgg_spec("vgg19")), number=200) / 200
    print(f"engine analysis of VGG19: {engine * 1e3:.3f} ms (reference)")
    print(f"{'page view':<48} {'rerun ms':>9} {'× engine':>9}  goal")
    for page, params, goal in VIEWS:
        if not (ROOT / "pages" / f"{page}.py").is_file():
            continue
        seconds = rerun_seconds(page, params)
        query = "&".join(f"{k}={v}" for k, v in params.items())
        print(f"/{page}?{query:<40} {seconds * 1e3:>9.1f} {seconds / engine:>8,.0f}×  {goal}")


if __name__ == "__main__":
    main()
