"""Pure chart builders for a network's layers: the layer table's DataFrame in, a Figure out.

No Streamlit here. The page passes ``tables.layer_frame(analysis)`` and translated
``labels``; every bar and point carries its layer name as ``customdata[0]``, so a
click (``st.plotly_chart(on_select=...)``) tells which layer was meant.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

FONT = {"size": 14, "family": "Noto Sans, Noto Sans CJK SC, sans-serif"}
BLOCK_SHADES = ("rgba(59,91,219,0.07)", "rgba(59,91,219,0.0)")
HIGHLIGHT = "#e03131"
TYPE_COLOURS = {
    "Conv2D": "#3b5bdb",
    "MaxPooling2D": "#e8590c",
    "AveragePooling2D": "#e8590c",
    "GlobalAveragePooling2D": "#e8590c",
    "GlobalMaxPooling2D": "#e8590c",
    "Dense": "#2b8a3e",
    "Flatten": "#868e96",
    "BatchNormalization": "#ae3ec9",
    "Activation": "#adb5bd",
    "Dropout": "#adb5bd",
    "LocalResponseNormalization": "#c2255c",
}
# Layers that keep the tensor's shape: left out of the volume diagram, which shows shapes.
SHAPE_KEEPING = {"BatchNormalization", "Activation", "Dropout", "LocalResponseNormalization"}


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


def _block_spans(frame: pd.DataFrame) -> list[tuple[str, int, int]]:
    """(block, first index, last index) for each run of layers with the same block."""
    spans: list[tuple[str, int, int]] = []
    for i, block in enumerate(frame["block"]):
        if spans and spans[-1][0] == block:
            spans[-1] = (block, spans[-1][1], i)
        else:
            spans.append((block, i, i))
    return [span for span in spans if span[0]]


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
    ``shape``, ``macs``, ``layer``. ``highlight`` names the selected layer.
    """
    data, template = _hover(frame, labels)
    x = list(range(len(frame)))
    names = list(frame["name"])
    figure = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        row_heights=[0.5, 0.5],
        specs=[[{}], [{"secondary_y": True}]],
    )
    colours = [
        HIGHLIGHT if name == highlight else TYPE_COLOURS.get(kind, "#868e96")
        for name, kind in zip(names, frame["type"], strict=True)
    ]
    params = frame["params"].astype(float)
    figure.add_trace(
        go.Bar(
            x=x,
            y=params.where(params > 0) if log_params else params,
            marker_color=colours,
            name=labels["params"],
            showlegend=False,  # the axis says it; the legend names the lines
            customdata=data,
            hovertemplate=template,
        ),
        row=1,
        col=1,
    )
    height_values = frame["height"].astype("Float64").astype(float)
    width_values = frame["width"].astype("Float64").astype(float)
    lines = [(labels["height"], height_values, "#e8590c", "solid", False)]
    if not height_values.equals(width_values):
        lines.append((labels["width"], width_values, "#f59f00", "dash", False))
    # Channels of image-shaped outputs only: a flat vector's length (25,088 after VGG16's
    # flatten) would squash the conv channels to a line at zero; the bars show dense layers.
    channels = frame["channels"].astype(float).where(height_values.notna())
    lines.append((labels["channels"], channels, "#2b8a3e", "solid", True))
    for name, values, colour, dash, secondary in lines:
        figure.add_trace(
            go.Scatter(
                x=x,
                y=values,
                mode="lines+markers",
                name=name,
                line={"color": colour, "dash": dash, "width": 2.5, "shape": "hv"},
                marker={"size": 6},
                customdata=data,
                hovertemplate=template,
                connectgaps=False,
            ),
            row=2,
            col=1,
            secondary_y=secondary,
        )
    for i, (_, first, last) in enumerate(_block_spans(frame)):
        figure.add_vrect(
            x0=first - 0.5,
            x1=last + 0.5,
            fillcolor=BLOCK_SHADES[i % 2],
            line_width=0,
            layer="below",
        )
    if highlight in names:
        figure.add_vline(
            x=names.index(highlight), line={"color": HIGHLIGHT, "width": 2, "dash": "dot"}
        )
    figure.update_yaxes(
        title_text=labels["params"], type="log" if log_params else "linear", row=1, col=1
    )
    figure.update_yaxes(title_text=labels["side"], rangemode="tozero", row=2, col=1)
    figure.update_yaxes(
        title_text=labels["channels"],
        rangemode="tozero",
        showgrid=False,
        row=2,
        col=1,
        secondary_y=True,
    )
    # Past 30 layers (batch norm doubles them) only weight layers and pools are labelled.
    ticks = [
        i for i, kind in enumerate(frame["type"]) if len(names) <= 30 or kind not in SHAPE_KEEPING
    ]
    figure.update_xaxes(
        tickmode="array",
        tickvals=ticks,
        ticktext=[names[i] for i in ticks],
        tickangle=-60,
        tickfont={"size": 11},
        row=2,
        col=1,
    )
    figure.update_layout(
        title={"text": labels["title"], "x": 0.01},
        font=FONT,
        height=height,
        margin={"l": 70, "r": 70, "t": 60, "b": 110},
        legend={"orientation": "h", "y": 1.04, "x": 1, "xanchor": "right"},
        hovermode="closest",
        bargap=0.15,
        plot_bgcolor="white",
        clickmode="event+select",
        dragmode=False,
    )
    return figure


def _box_size(height: int | None, channels: int, tallest: int) -> tuple[float, float]:
    """(front height, depth) of a tensor's box: height ∝ H, depth grows with √C."""
    if height is None:  # a flat vector: a thin bar whose height grows with its length
        return 0.25 + 0.75 * min(math.log10(max(channels, 1)) / 4.5, 1), 0.12
    return max(height / tallest, 0.05), 0.1 + 0.9 * math.sqrt(channels) / math.sqrt(512)


def volume_figure(frame: pd.DataFrame, labels: dict[str, str], height: int = 380) -> go.Figure:
    """The tensors as boxes, like the figures in papers: H sets the height, C the depth.

    One box per layer that changes the shape (plus the input), so a student sees the
    pyramid shrink and deepen. ``labels``: ``title``, ``input``, ``shape``, ``params``,
    ``macs``. Hover on a box shows its layer.
    """
    shown = frame[~frame["type"].isin(SHAPE_KEEPING)]
    spatial = [int(h) for h in shown["height"].dropna()]
    tallest = max([*spatial, 1])
    figure = go.Figure()
    x = 0.0
    data, template = _hover(shown, labels)
    for row, custom in zip(shown.itertuples(index=False), data, strict=True):
        h = None if pd.isna(row.height) else int(row.height)
        front, depth = _box_size(h, int(row.channels), tallest)
        skew = 0.35 * front  # the receding side, drawn as a parallelogram
        colour = TYPE_COLOURS.get(row.type, "#868e96")
        faces = (
            ([x, x + depth, x + depth, x, x], [-front / 2, -front / 2, front / 2, front / 2]),
            (
                [x + depth, x + depth + skew, x + depth + skew, x + depth, x + depth],
                [-front / 2, -front / 2 + skew, front / 2 + skew, front / 2, -front / 2],
            ),
            (
                [x, x + skew, x + depth + skew, x + depth, x],
                [front / 2, front / 2 + skew, front / 2 + skew, front / 2, front / 2],
            ),
        )
        for i, (xs, ys) in enumerate(faces):
            figure.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    fill="toself",
                    fillcolor=colour,
                    opacity=(0.9, 0.6, 0.75)[i],
                    line={"color": "white", "width": 1},
                    mode="lines",
                    hoveron="fills",
                    customdata=[custom] * len(xs),
                    hovertemplate=template,
                    showlegend=False,
                )
            )
        if row.type in ("MaxPooling2D", "AveragePooling2D", "Flatten") or h is None:
            figure.add_annotation(
                x=x + depth / 2,
                y=-0.62,
                text=row.output_shape,
                showarrow=False,
                textangle=-45,
                font={"size": 11},
            )
        x += depth + skew + 0.25
    figure.update_xaxes(visible=False, range=[-0.3, x])
    figure.update_yaxes(visible=False, range=[-0.95, 0.95], scaleanchor=None)
    figure.update_layout(
        title={"text": labels["title"], "x": 0.01},
        font=FONT,
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="white",
        hovermode="closest",
        dragmode=False,
    )
    return figure
