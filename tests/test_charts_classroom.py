"""The layer chart for a class: small layers stand as bars on a log axis, the legend sits in
the gap between the plots, and the shaded-blocks sentence only where there are blocks."""

from __future__ import annotations

import math

from components.engine.analysis import analyze
from components.engine.presets import load_preset
from components.ui import arch_charts
from components.ui.i18n import translate
from components.ui.network_view import chart_labels
from components.ui.tables import layer_frame
from tests.apptest import messages, open_page


def test_log_axis_starts_below_the_smallest_layer_and_the_legend_covers_no_bar() -> None:
    analysis = analyze(load_preset("tiny-vgg"))
    frame = layer_frame(analysis)
    smallest = min(p for p in frame["params"] if p > 0)
    figure = arch_charts.layer_figure(frame, chart_labels() | {"title": "t"})
    low, high = figure.layout.yaxis.range
    assert low <= math.log10(smallest) - 1 and high > math.log10(frame["params"].max())
    legend_y = figure.layout.legend.y
    bars_bottom = figure.layout.yaxis.domain[0]
    lines_top = figure.layout.yaxis2.domain[1]
    assert lines_top < legend_y < bars_bottom and bars_bottom - lines_top >= 0.15
    linear = arch_charts.layer_figure(frame, chart_labels() | {"title": "t"}, log_params=False)
    assert linear.layout.yaxis.range is None


def test_shaded_bands_are_mentioned_only_when_drawn() -> None:
    bands = translate("view.chart.caption", "en")
    vgg = open_page("pages/architecture.py", arch="vgg11")
    assert bands in messages(vgg)
    custom = open_page("pages/architecture.py", preset="seed-example")
    assert bands not in messages(custom)
    assert translate("classroom.chart.caption_no_bands", "en") in messages(custom)
