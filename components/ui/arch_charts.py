"""Pure chart builders for a network's layers: the layer table's DataFrame in, a Figure out.

No Streamlit here. The page passes ``tables.layer_frame(analysis)`` and translated
``labels``; every bar and point carries its layer name as ``customdata[0]``, so a
click (``st.plotly_chart(on_select=...)``) tells which layer was meant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from components.engine.spec import LAYER_TYPES, LayerType
from components.ui.theme import (
    BLUE,
    FONT,
    GREEN,
    GREY,
    GRID,
    HIGHLIGHT,
    LIGHT_GREY,
    ORANGE,
    TITLE_FONT,
)

if TYPE_CHECKING:  # the frames come from tables.layer_frame, which loads pandas
    import pandas as pd

BLOCK_SHADES = ("rgba(59,91,219,0.07)", "rgba(59,91,219,0.0)")
KIND_COLOURS = {
    LayerType.CONV: BLUE,
    LayerType.MAXPOOL: ORANGE,
    LayerType.AVGPOOL: ORANGE,
    LayerType.GLOBAL_AVGPOOL: ORANGE,
    LayerType.GLOBAL_MAXPOOL: ORANGE,
    LayerType.DENSE: GREEN,
    LayerType.FLATTEN: GREY,
    LayerType.BATCHNORM: "#ae3ec9",
    LayerType.ACTIVATION: LIGHT_GREY,
    LayerType.DROPOUT: LIGHT_GREY,
    LayerType.LRN: "#c2255c",
}
# The layer table names types as Keras does (Conv2D, Dense …).
TYPE_COLOURS = {LAYER_TYPES[kind].keras_class: colour for kind, colour in KIND_COLOURS.items()}
# Layers that keep the tensor's shape: left out of the volume diagram, which shows shapes.
SHAPE_KEEPING = {
    LAYER_TYPES[kind].keras_class
    for kind in (LayerType.BATCHNORM, LayerType.ACTIVATION, LayerType.DROPOUT, LayerType.LRN)
}
# The volume diagram prints the output shape under these (and under every flat output).
SHAPE_LABELLED = {
    LAYER_TYPES[kind].keras_class for kind in LayerType if kind.is_pool or kind is LayerType.FLATTEN
}
LEGEND_GAP = (0.40, 0.58)  # paper y between the lines plot (below) and the bars (above)


def _hover(frame: pd.DataFrame, labels: dict[str, str]) -> tuple[list[list[object]], str]:
    """customdata rows and the shared hover template (name, type, shape, params, MACs, formulas)."""
    data = [
        [row.name, row.type, row.output_shape, f"{row.params:,}", f"{row.macs:,}", row.formulas]
        for row in frame.itertuples(index=False)
    ]
    template = (
        "<b>%{customdata[0]}</b> · %{customdata[1]}<br>"
        f"{labels['shape']}: %{{customdata[2]}}<br>"
        f"{labels['params']}: %{{customdata[3]}}<br>"
        f"{labels['macs']}: %{{customdata[4]}}<br>"
        "<i>%{customdata[5]}</i><extra></extra>"
    )
    return data, template


def log_range(values: list[float | None]) -> list[float] | None:
    """A log axis (in decades) from one decade below the smallest bar: a 156-parameter
    layer stands as a bar, not a slab at the floor; some room above the tallest."""
    drawn = [v for v in values if v]
    if not drawn:
        return None
    return [math.log10(min(drawn)) - 1, math.log10(max(drawn)) + 0.3]


def _block_spans(frame: pd.DataFrame) -> list[tuple[str, int, int]]:
    """(block, first index, last index) for each run of layers with the same block."""
    spans: list[tuple[str, int, int]] = []
    for i, block in enumerate(frame["block"]):
        if spans and spans[-1][0] == block:
            spans[-1] = (block, spans[-1][1], i)
        else:
            spans.append((block, i, i))
    return [span for span in spans if span[0]]


def _none_for_nan(values: pd.Series) -> list[float | None]:
    import pandas as pd

    return [None if pd.isna(v) else float(v) for v in values]


def _bar_colours(frame: pd.DataFrame, highlight: str | None) -> list[str]:
    """One colour per layer type; the selected layer in the highlight colour."""
    return [
        HIGHLIGHT if name == highlight else TYPE_COLOURS.get(kind, GREY)
        for name, kind in zip(frame["name"], frame["type"], strict=True)
    ]


def _param_values(frame: pd.DataFrame, log_params: bool) -> list[float | None]:
    """Bar heights; on a log axis a layer without parameters has no bar (log 0 is undefined)."""
    return [float(p) if p > 0 or not log_params else None for p in frame["params"]]


def _layer_traces(
    frame: pd.DataFrame, labels: dict[str, str], params: list[float | None], colours: list[str]
) -> list[dict[str, object]]:
    """Parameter bars (top) and height, width (if it differs) and channel lines (bottom)."""
    data, template = _hover(frame, labels)
    heights = _none_for_nan(frame["height"])
    widths = _none_for_nan(frame["width"])
    # Channels of image-shaped outputs only: a flat vector's length (25,088 after VGG16's
    # flatten) would squash the conv channels to a line at zero; the bars show dense layers.
    channels = [
        None if h is None else float(c) for h, c in zip(heights, frame["channels"], strict=True)
    ]
    common = {"x": list(range(len(frame))), "customdata": data, "hovertemplate": template}
    line = {"mode": "lines+markers", "marker": {"size": 6}, "xaxis": "x2"}
    traces = [
        {"type": "bar", "y": params, "marker": {"color": colours}, "name": labels["params"],
         "showlegend": False, "xaxis": "x", "yaxis": "y", **common},
        {"type": "scatter", "y": heights, "name": labels["height"], "yaxis": "y2",
         "line": {"color": ORANGE, "width": 2.5, "shape": "hv"}, **line, **common},
    ]  # fmt: skip
    if widths != heights:
        traces.append(
            {"type": "scatter", "y": widths, "name": labels["width"], "yaxis": "y2",
             "line": {"color": "#f59f00", "width": 2.5, "dash": "dash", "shape": "hv"},
             **line, **common}
        )  # fmt: skip
    traces.append(
        {"type": "scatter", "y": channels, "name": labels["channels"], "yaxis": "y3",
         "line": {"color": GREEN, "width": 2.5, "shape": "hv"}, **line, **common}
    )  # fmt: skip
    return traces


def _block_shapes(frame: pd.DataFrame, highlight: str | None) -> list[dict[str, object]]:
    """Alternating shades behind each block, and a dotted line at the selected layer."""
    names = list(frame["name"])
    shapes = [
        {"type": "rect", "xref": "x2", "yref": "paper", "x0": first - 0.5, "x1": last + 0.5,
         "y0": 0, "y1": 1, "fillcolor": BLOCK_SHADES[i % 2], "line": {"width": 0},
         "layer": "below"}
        for i, (_, first, last) in enumerate(_block_spans(frame))
    ]  # fmt: skip
    if highlight in names:
        where = names.index(highlight)
        shapes.append(
            {"type": "line", "xref": "x2", "yref": "paper", "x0": where, "x1": where, "y0": 0,
             "y1": 1, "line": {"color": HIGHLIGHT, "width": 2, "dash": "dot"}}
        )  # fmt: skip
    return shapes


def _layer_axes(
    frame: pd.DataFrame, labels: dict[str, str], params: list[float | None], log_params: bool
) -> dict[str, object]:
    """Two stacked plots sharing x: parameters above, sizes (left) and channels (right) below."""
    names = list(frame["name"])
    # Past 30 layers (batch norm doubles them) only weight layers and pools are labelled.
    ticks = [
        i for i, kind in enumerate(frame["type"]) if len(names) <= 30 or kind not in SHAPE_KEEPING
    ]
    span = [-0.5, len(names) - 0.5]
    return {
        "xaxis": {"domain": [0, 1], "anchor": "y", "range": span, "showticklabels": False,
                  "matches": "x2"},
        "xaxis2": {"domain": [0, 1], "anchor": "y2", "range": span, "tickmode": "array",
                   "tickvals": ticks, "ticktext": [names[i] for i in ticks], "tickangle": -60,
                   "tickfont": {"size": 11}},
        "yaxis": {"domain": [LEGEND_GAP[1], 1], "anchor": "x", "title": {"text": labels["params"]},
                  "type": "log" if log_params else "linear", "gridcolor": GRID,
                  "dtick": 1 if log_params else None,
                  "range": log_range(params) if log_params else None},
        "yaxis2": {"domain": [0, LEGEND_GAP[0]], "anchor": "x2", "title": {"text": labels["side"]},
                   "rangemode": "tozero", "gridcolor": GRID, "tickformat": ",d"},
        "yaxis3": {"overlaying": "y2", "side": "right", "anchor": "x2",
                   "title": {"text": labels["channels"]}, "rangemode": "tozero",
                   "showgrid": False, "tickmode": "auto", "tickformat": ",d"},
    }  # fmt: skip


def layer_figure(
    frame: pd.DataFrame,
    labels: dict[str, str],
    *,
    log_params: bool = True,
    highlight: str | None = None,
    height: int = 560,
) -> go.Figure:
    """Parameters per layer (bars) above spatial size and channels (lines), blocks shaded.

    ``labels``: ``title``, ``params``, ``side``, ``height``, ``width``, ``channels``,
    ``shape``, ``macs``, ``layer``. ``highlight`` names the selected layer. Built as one
    dict (two stacked y-domains sharing x) rather than with make_subplots, which costs
    ten times more per rerun.
    """
    params = _param_values(frame, log_params)
    layout = {
        "title": {"text": labels["title"], "x": 0.01, "font": TITLE_FONT},
        "font": FONT,
        "height": height,
        "margin": {"l": 70, "r": 70, "t": 60, "b": 110},
        # In the gap between the two plots, where it covers no bar.
        "legend": {"orientation": "h", "y": sum(LEGEND_GAP) / 2, "yanchor": "middle", "x": 1,
                   "xanchor": "right", "bgcolor": "rgba(255,255,255,0.8)"},
        "hovermode": "closest",
        "bargap": 0.15,
        "plot_bgcolor": "white",
        "clickmode": "event+select",
        "dragmode": False,
        "shapes": _block_shapes(frame, highlight),
        **_layer_axes(frame, labels, params, log_params),
    }  # fmt: skip
    traces = _layer_traces(frame, labels, params, _bar_colours(frame, highlight))
    return go.Figure({"data": traces, "layout": layout})


def _box_size(height: int | None, channels: int, tallest: int) -> tuple[float, float]:
    """(front height, depth) of a tensor's box: height ∝ H, depth grows with √C."""
    if height is None:  # a flat vector: a thin bar whose height grows with its length
        return 0.25 + 0.75 * min(math.log10(max(channels, 1)) / 4.5, 1), 0.12
    return max(height / tallest, 0.05), 0.1 + 0.9 * math.sqrt(channels) / math.sqrt(512)


def _faces(x: float, front: float, depth: float) -> list[tuple[list[float], list[float]]]:
    """Front, side and top of a box as closed polygons (the side and top recede by ``skew``)."""
    skew, top, bottom = 0.35 * front, front / 2, -front / 2
    right = x + depth
    return [
        ([x, right, right, x, x], [bottom, bottom, top, top, bottom]),
        ([right, right + skew, right + skew, right, right],
         [bottom, bottom + skew, top + skew, top, bottom]),
        ([x, x + skew, right + skew, right, x], [top, top + skew, top + skew, top, top]),
    ]  # fmt: skip


@dataclass
class _Boxes:
    """The volume diagram's shapes: polygons per (colour, face), one hover point per box, the
    shape labels under the boxes, and the width they take."""

    polygons: dict[tuple[str, int], tuple[list[float | None], list[float | None]]] = field(
        default_factory=dict
    )
    centres: tuple[list[float], list[float]] = field(default_factory=lambda: ([], []))
    annotations: list[dict[str, object]] = field(default_factory=list)
    width: float = 0.0


def volume_figure(frame: pd.DataFrame, labels: dict[str, str], height: int = 380) -> go.Figure:
    """The tensors as boxes, like the figures in papers: H sets the height, C the depth.

    One box per layer that changes the shape, so a student sees the pyramid shrink and
    deepen. Faces of one colour share a trace (polygons split by None), and one marker
    per box carries the hover, so the figure stays small for 40 layers. ``labels``:
    ``title``, ``shape``, ``params``, ``macs``.
    """
    shown = frame[~frame["type"].isin(SHAPE_KEEPING)]
    boxes = _boxes(shown)
    traces = _face_traces(boxes)
    data, template = _hover(shown, labels)
    traces.append(
        {"type": "scatter", "x": boxes.centres[0], "y": boxes.centres[1], "mode": "markers",
         "marker": {"size": 18, "opacity": 0}, "customdata": data, "hovertemplate": template,
         "showlegend": False}
    )  # fmt: skip
    return go.Figure({"data": traces, "layout": _volume_layout(boxes, labels, height)})


def _boxes(shown: pd.DataFrame) -> _Boxes:
    """Lay the boxes out left to right, each after the previous one's receding side."""
    import pandas as pd

    tallest = max([int(h) for h in shown["height"].dropna()] + [1])
    boxes = _Boxes()
    x = 0.0
    for row in shown.itertuples(index=False):
        h = None if pd.isna(row.height) else int(row.height)
        front, depth = _box_size(h, int(row.channels), tallest)
        colour = TYPE_COLOURS.get(row.type, GREY)
        for face, (xs, ys) in enumerate(_faces(x, front, depth)):
            px, py = boxes.polygons.setdefault((colour, face), ([], []))
            px += [*xs, None]
            py += [*ys, None]
        boxes.centres[0].append(x + depth / 2)
        boxes.centres[1].append(0.0)
        if row.type in SHAPE_LABELLED or h is None:
            boxes.annotations.append(
                {"x": x + depth / 2, "y": -0.62, "text": row.output_shape, "showarrow": False,
                 "textangle": -45, "font": {"size": 11}}
            )  # fmt: skip
        x += depth + 0.35 * front + 0.25
    boxes.width = x
    return boxes


def _face_traces(boxes: _Boxes) -> list[dict[str, object]]:
    """One filled trace per (colour, face): front, side and top shaded differently."""
    return [
        {"type": "scatter", "x": xs, "y": ys, "fill": "toself", "fillcolor": colour,
         "opacity": (0.9, 0.6, 0.75)[face], "line": {"color": "white", "width": 1},
         "mode": "lines", "hoverinfo": "skip", "showlegend": False}
        for (colour, face), (xs, ys) in boxes.polygons.items()
    ]  # fmt: skip


def _volume_layout(boxes: _Boxes, labels: dict[str, str], height: int) -> dict[str, object]:
    return {
        "title": {"text": labels["title"], "x": 0.01, "font": TITLE_FONT},
        "font": FONT,
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "plot_bgcolor": "white",
        "hovermode": "closest",
        "dragmode": False,
        "annotations": boxes.annotations,
        "xaxis": {"visible": False, "range": [-0.3, boxes.width]},
        "yaxis": {"visible": False, "range": [-0.95, 0.95]},
    }


PROJECTOR_FONT = 20  # px; every text of a chart on a projector is at least PROJECTOR_FONT - 2
MAX_PROJECTOR_TICKS = 12  # layer names that fit side by side under a projector chart


def projector_fonts(figure: go.Figure, size: int = PROJECTOR_FONT) -> go.Figure:
    """The same figure readable from the back of a room: every font at least ``size - 2`` px.

    Tick labels, axis and legend text, the title and annotations (subplot titles)
    all grow; the bottom margin grows with the slanted layer names.
    """
    small = size - 2
    figure.update_layout(
        font_size=size, title_font_size=size + 4, legend_font_size=small, hoverlabel_font_size=small
    )
    figure.update_xaxes(tickfont_size=small, title_font_size=size)
    figure.update_yaxes(tickfont_size=small, title_font_size=size)
    figure.update_annotations(font_size=small)
    for axis in figure.select_xaxes():  # slanted names at this size overlap past ~12: every other
        ticks = axis.tickvals  # (only the axes the figure has: a one-axis chart has no xaxis2)
        if ticks is not None and len(ticks) > MAX_PROJECTOR_TICKS:
            axis.update(tickvals=ticks[::2], ticktext=axis.ticktext[::2])
    bottom = figure.layout.margin.b
    if bottom is not None:
        figure.update_layout(margin_b=int(bottom * 1.5))
    return figure
