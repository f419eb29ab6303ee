"""Pure chart builders for the Learn page: lesson data and translated labels in, a Figure out.

No Streamlit here: the page translates the labels (so titles and axes follow
``lang=``) and passes the engine's records in.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.engine.lessons import Slide
from components.ui.theme import FONT, GUIDE, TITLE_FONT

# Cell states of the sliding-kernel grid, and their colours.
PAD, INPUT, WINDOW, UNSEEN = 0, 1, 2, 3
GRID_COLOURS = ("#d9d9d9", "#dbe9f6", "#f4a261", "#e76f51")
DONE, CURRENT, TODO = 0, 1, 2
OUTPUT_COLOURS = ("#9ecae1", "#f4a261", "#f7f7f7")


def _discrete(colours: tuple[str, ...]) -> list[list[float | str]]:
    """A colour scale that maps the integers 0…n−1 to the given colours exactly."""
    n = len(colours)
    scale: list[list[float | str]] = []
    for i, colour in enumerate(colours):
        scale += [[i / n, colour], [(i + 1) / n, colour]]
    return scale


def input_states(slide: Slide, step: int) -> list[list[int]]:
    """The padded input grid: padding, input, the window at ``step``, never-seen pixels."""
    n, p = slide.padded, slide.padding
    lost = n - slide.leftover
    row0, col0 = slide.positions()[step] if slide.output else (-1, -1)
    grid = []
    for r in range(n):
        line = []
        for c in range(n):
            state = INPUT if p <= r < n - p and p <= c < n - p else PAD
            if slide.leftover and (r >= lost or c >= lost) and state == INPUT:
                state = UNSEEN
            if row0 <= r < row0 + slide.kernel and col0 <= c < col0 + slide.kernel:
                state = WINDOW
            line.append(state)
        grid.append(line)
    return grid


def output_states(slide: Slide, step: int) -> list[list[int]]:
    """The output grid: pixels filled before ``step``, the one being filled, those to come."""
    if not slide.output:
        return [[TODO]]
    out = slide.output
    return [
        [
            DONE if r * out + c < step else CURRENT if r * out + c == step else TODO
            for c in range(out)
        ]
        for r in range(out)
    ]


def _state_heatmap(
    states: list[list[int]], names: tuple[str, ...], colours: tuple[str, ...]
) -> go.Heatmap:
    """A grid of cell states, one colour each, hovering with the state's name."""
    return go.Heatmap(
        z=states,
        text=[[names[v] for v in row] for row in states],
        hovertemplate="%{text}<extra></extra>",
        colorscale=_discrete(colours),
        zmin=0,
        zmax=len(colours) - 1,
        showscale=False,
        xgap=2,
        ygap=2,
    )


def _hide_grid_axes(fig: go.Figure) -> None:
    """Bare square cells: no ticks or grid lines, rows downwards, each grid to scale."""
    for col in (1, 2):
        fig.update_xaxes(
            showticklabels=False, ticks="", showgrid=False, zeroline=False, row=1, col=col
        )
        fig.update_yaxes(
            showticklabels=False,
            ticks="",
            showgrid=False,
            zeroline=False,
            autorange="reversed",
            scaleanchor="x" if col == 1 else "x2",
            row=1,
            col=col,
        )


def slide_figure(slide: Slide, step: int, labels: dict[str, str]) -> go.Figure:
    """Input grid (padded) with the kernel at ``step`` beside the output grid it fills.

    ``labels``: ``input``, ``output``, and the hover names ``pad``, ``pixel``,
    ``window``, ``unseen``, ``done``, ``current``, ``todo``.
    """
    out = max(slide.output, 1)
    ratio = min(0.45, max(0.2, out / (slide.padded + out)))
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[1 - ratio, ratio],
        subplot_titles=(labels["input"], labels["output"]),
        horizontal_spacing=0.08,
    )
    input_names = (labels["pad"], labels["pixel"], labels["window"], labels["unseen"])
    output_names = (labels["done"], labels["current"], labels["todo"])
    fig.add_trace(
        _state_heatmap(input_states(slide, step), input_names, GRID_COLOURS), row=1, col=1
    )
    fig.add_trace(
        _state_heatmap(output_states(slide, step), output_names, OUTPUT_COLOURS), row=1, col=2
    )
    _hide_grid_axes(fig)
    fig.update_layout(height=420, margin={"l": 10, "r": 10, "t": 40, "b": 10}, font=FONT)
    return fig


def rf_stack_figure(sizes: list[int], labels: dict[str, str]) -> go.Figure:
    """Nested squares: what one output pixel sees after 1, 2, 3… stacked 3×3 convs.

    ``labels``: ``title`` and ``layer`` (with ``{n}`` and ``{size}``) for the legend.
    """
    side = max(sizes)
    centre = side / 2
    colours = ("#e76f51", "#f4a261", "#2a9d8f", "#264653", "#8ab17d")
    fig = go.Figure()
    for n, size in enumerate(sizes, start=1):
        half = size / 2
        xs = [centre - half, centre + half, centre + half, centre - half, centre - half]
        ys = [centre - half, centre - half, centre + half, centre + half, centre - half]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                fill="toself",
                opacity=0.35 if n > 1 else 0.6,
                line={"color": colours[(n - 1) % len(colours)], "width": 3},
                name=labels["layer_one" if n == 1 else "layer"].format(n=n, size=size),
            )
        )
    for r in range(side):
        for c in range(side):
            fig.add_shape(
                type="rect",
                x0=c,
                x1=c + 1,
                y0=r,
                y1=r + 1,
                line={"color": GUIDE, "width": 1},
                layer="below",
            )
    for axis in (fig.update_xaxes, fig.update_yaxes):
        axis(showticklabels=False, showgrid=False, zeroline=False, range=[-0.1, side + 0.1])
    fig.update_yaxes(scaleanchor="x")
    fig.update_layout(
        title={"text": labels["title"], "font": TITLE_FONT},
        height=460,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "x": 0, "y": -0.02, "yanchor": "top"},
        plot_bgcolor="white",
        font=FONT,
    )
    return fig


def rf_growth_figure(frame: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Receptive field side per layer (columns ``layer``, ``rf``)."""
    fig = go.Figure(
        go.Scatter(
            x=frame["layer"],
            y=frame["rf"],
            mode="lines+markers",
            line={"color": "#2a9d8f", "width": 3},
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": labels["title"], "font": TITLE_FONT},
        xaxis_title=labels["x"],
        yaxis_title=labels["y"],
        height=420,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        font=FONT,
    )
    fig.update_xaxes(tickangle=-45)
    return fig


def recipe_figure(frame: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Stacked convs per block for each configuration (columns ``arch``, ``block``, ``convs``)."""
    fig = go.Figure()
    colours = ("#264653", "#2a9d8f", "#8ab17d", "#e9c46a", "#f4a261")
    for i, (block, part) in enumerate(frame.groupby("block", sort=True)):
        fig.add_trace(
            go.Bar(
                x=part["arch"],
                y=part["convs"],
                name=labels["block"].format(block=block),
                text=part["convs"],
                marker_color=colours[i % len(colours)],
                hovertemplate="%{x}: %{y}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        title={"text": labels["title"], "font": TITLE_FONT},
        yaxis_title=labels["y"],
        height=380,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        font=FONT,
    )
    return fig


def budget_figure(frame: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Share of parameters and of MACs per group (columns ``group``, ``params``, ``macs``)."""
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=(labels["params"], labels["macs"]), shared_yaxes=True
    )
    for col, column in ((1, "params"), (2, "macs")):
        share = frame[column] / frame[column].sum() * 100
        fig.add_trace(
            go.Bar(
                x=share,
                y=frame["group"],
                orientation="h",
                text=[f"{v:.1f}%" for v in share],
                textposition="auto",
                marker_color="#2a9d8f" if col == 1 else "#e76f51",
                hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
                showlegend=False,
            ),
            row=1,
            col=col,
        )
        fig.update_xaxes(title_text=labels["x"], range=[0, 100], row=1, col=col)
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=380, margin={"l": 10, "r": 10, "t": 50, "b": 10}, font=FONT)
    return fig


def integer_ticks(top: float) -> dict[str, object]:
    """Whole-number ticks (0, 4, 8, …) for counts: never 2.19 channels. About five ticks."""
    if not top or top != top:  # nothing drawn yet (NaN): still whole numbers
        return {"tick0": 0, "dtick": 1, "tickformat": ",d"}
    rough = max(1.0, float(top) / 5)
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    return {"tick0": 0, "dtick": int(step), "tickformat": ",d"}


def walk_figure(frame: pd.DataFrame, current: int, labels: dict[str, str]) -> go.Figure:
    """Spatial side (bars) and channels (line) per layer, the current layer highlighted.

    ``frame`` columns: ``layer``, ``side``, ``channels`` (missing values are not drawn).
    """
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    colours = ["#f4a261" if i == current else "#9ecae1" for i in range(len(frame))]
    fig.add_trace(
        go.Bar(
            x=frame["layer"],
            y=frame["side"],
            name=labels["side"],
            marker_color=colours,
            hovertemplate="%{x}: %{y}<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=frame["layer"],
            y=frame["channels"],
            name=labels["channels"],
            mode="lines+markers",
            line={"color": "#264653", "width": 3},
            hovertemplate="%{x}: %{y}<extra></extra>",
        ),
        secondary_y=True,
    )
    for column, secondary in (("side", False), ("channels", True)):
        fig.update_yaxes(
            title_text=labels[column],
            rangemode="tozero",
            secondary_y=secondary,
            **integer_ticks(frame[column].max()),
        )
    fig.update_xaxes(tickangle=-45)
    fig.update_layout(
        height=480,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": 1.1},
        font=FONT,
    )
    return fig
