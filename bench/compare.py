"""Server time of one full 4-way comparison (VGG11/13/16/19 at 224), measured two ways.

    python bench/compare.py

1. The page in AppTest: the first run (imports included, reported apart), then
   reruns the way a student triggers them (another per-layer curve, another input
   size for all), each a whole script run with every chart and table; AppTest's
   own bookkeeping is included, so this is an upper bound of the server's time.
2. The pure work of one rerun without Streamlit: parse the link, analyse, align,
   deltas, sweeps, frames, the three figures serialised to JSON and the CSV; cold
   (engine caches cleared) and warm.

Goal: a rerun under 300 ms.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from components.engine import compare
from components.ui import compare_charts

ROOT = Path(__file__).resolve().parent.parent

LINK = "vgg11,vgg13,vgg16,vgg19"
GOAL_MS = 300.0
RERUNS = 12


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1e3


def page_reruns() -> tuple[float, list[float]]:
    """First run and reruns of the page in AppTest, in ms."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/compare.py"), default_timeout=60)
    at.query_params["cmp"] = LINK
    first = timed(at.run)
    assert not at.exception, at.exception
    metrics = list(compare_charts.CURVE_METRICS)
    sides = [224, 320]
    times = []
    for i in range(RERUNS):
        if i % 2:
            widget = at.button_group(key="cmp_all_size").set_value(sides[i // 2 % 2])
        else:
            widget = at.button_group(key="cmp_metric").set_value(metrics[i // 2 % len(metrics)])
        times.append(timed(widget.run))
        assert not at.exception, at.exception
    return first, times


def builders_once() -> None:
    """Everything one rerun computes, without Streamlit."""
    items = compare.parse_link(LINK).items
    cmp = compare.compare(items)
    names = [c.analysis.spec.name for c in cmp.configs]
    colours = list(compare_charts.COLOURS[: len(names)])
    blocks = compare_charts.block_labels(cmp.stage_keys, "Block {n}", "Head", "Total")
    labels = {m: m for m in compare.METRICS} | {"whole": "whole input"}
    compare_charts.aligned_frame(cmp, names, blocks, labels)
    compare.to_csv(cmp)
    figures = [
        compare_charts.totals_figure(
            compare_charts.totals_frame(cmp, names, colours), {k: k for k in compare_charts.TOTALS}
        ),
        compare_charts.curves_figure(
            compare_charts.curves_frame(cmp, names, colours),
            "params",
            [blocks[k] for k in cmp.stage_keys],
            {"title": "", "y": ""},
        ),
        compare_charts.sweep_figure(
            compare_charts.sweep_frame(
                [compare.input_sweep(i) for i in items], names, colours, [224] * 4
            ),
            {"params": "", "macs": "", "x": ""},
        ),
    ]
    for figure in figures:
        figure.to_json()  # what st.plotly_chart sends


def clear_engine_caches() -> None:
    for cached in (compare.configure, compare.input_sweep, compare.default_input):
        cached.cache_clear()


def builders() -> tuple[list[float], list[float]]:
    cold, warm = [], []
    for _ in range(RERUNS):
        clear_engine_caches()
        cold.append(timed(builders_once))
        warm.append(timed(builders_once))
    return cold, warm


def line(label: str, values: list[float]) -> str:
    median = statistics.median(values)
    verdict = "ok" if median < GOAL_MS else "over the goal"
    return f"{label:<44} median {median:7.1f} ms   max {max(values):7.1f} ms   {verdict}"


def main() -> None:
    first, reruns = page_reruns()
    cold, warm = builders()
    print(f"4-way comparison {LINK} (goal: a rerun under {GOAL_MS:.0f} ms)")
    print(f"{'page, first run in AppTest (imports included)':<44} {first:14.1f} ms")
    print(line("page rerun in AppTest (whole script)", reruns))
    print(line("builders only, engine caches cold", cold))
    print(line("builders only, engine caches warm", warm))


if __name__ == "__main__":
    main()
