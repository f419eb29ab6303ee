"""Pure frame and chart builders of the Compare page: engine records in, DataFrame/Figure out.

No Streamlit here: the page passes translated labels, the configurations' display
names and their colours, so titles and axes follow ``lang=`` and every colour
means the same configuration on every chart.
"""

from __future__ import annotations

from itertools import accumulate

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.engine.compare import (
    HEAD,
    METRICS,
    TOTAL,
    Comparison,
    SweepPoint,
    aligned_records,
)
from components.engine.formatting import byte_text, short_count
from components.engine.spec import LayerType
from components.ui.theme import FONT, GUIDE, TITLE_FONT

# Okabe–Ito: told apart by colour-blind students and on a washed-out projector.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
MISSING = "—"
# The layers the curves plot: those with weights and the pooling windows.
CURVE_TYPES = tuple(kind for kind in LayerType if kind.has_weights or kind.is_pool)
CURVE_METRICS = ("params", "macs", "hw", "channels", "cumulative")
LOG_METRICS = ("params", "macs", "hw")  # span several orders of magnitude
# Overlapping lines stay visible: each configuration also has its own dash and marker.
DASHES = ("solid", "dash", "dot", "dashdot")
SYMBOLS = ("circle", "square", "diamond", "triangle-up")
TOTALS = ("params", "macs", "weight_bytes", "activation_bytes", "depth")


# ------------------------------------------------------------------ the aligned table


def aligned_frame(
    comparison: Comparison, names: list[str], blocks: dict[str, str], labels: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The block table as text cells, and which cells differ from the configuration before.

    Columns are (name, metric label) pairs, so the table shows one column group per
    configuration. ``blocks`` maps block keys (and ``total``) to row labels;
    ``labels`` holds the metric headers (``conv_layers`` …) and ``whole`` (RF of a head).
    """
    records = aligned_records(comparison)
    columns = pd.MultiIndex.from_tuples([(n, labels[m]) for n in names for m in METRICS])
    cells, changed = [], []
    for record in records:
        row, flags = [], []
        for i in range(len(names)):
            for metric in METRICS:
                value = record[(i, metric)]
                row.append(_cell(metric, value, record[(i, "output_shape")], labels["whole"]))
                flags.append(i > 0 and value != record[(i - 1, metric)])
        cells.append(row)
        changed.append(flags)
    index = pd.Index([blocks[r["block"]] for r in records])
    return (
        pd.DataFrame(cells, index=index, columns=columns),
        pd.DataFrame(changed, index=index, columns=columns),
    )


def _cell(metric: str, value: object, shape: object, whole: str) -> str:
    if shape is None:  # the configuration has no such block
        return MISSING
    if metric == "receptive_field":
        return whole if value is None else f"{value} px"
    if metric == "params":
        return f"{value:,}"
    if metric == "macs":
        return short_count(value) if value else "0"  # type: ignore[arg-type]
    return str(value)


# ------------------------------------------------------------------ totals


def totals_frame(comparison: Comparison, names: list[str], colours: list[str]) -> pd.DataFrame:
    """One row per configuration: parameters, MACs, weight and activation bytes, depth."""
    rows = []
    for name, colour, config in zip(names, colours, comparison.configs, strict=True):
        a = config.analysis
        rows.append(
            {
                "name": name,
                "colour": colour,
                "params": a.total_params,
                "macs": a.total_macs,
                "weight_bytes": a.weight_bytes,
                "activation_bytes": a.activation_bytes,
                "depth": a.depth,
            }
        )
    return pd.DataFrame(rows)


def _count(value: object) -> str:
    return short_count(int(value)) if pd.notna(value) else ""  # type: ignore[call-overload]


def totals_figure(frame: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """One row per total, one horizontal bar per configuration, the value written beside it.

    Horizontal bars leave room for the figures at any width (four configurations on a
    1024 px screen). ``labels``: a title per column of :data:`TOTALS`.
    """
    height = len(TOTALS) * (44 + 22 * len(frame)) + 60
    fig = make_subplots(
        rows=len(TOTALS), cols=1, subplot_titles=[labels[k] for k in TOTALS],
        vertical_spacing=40 / height,  # room for each title above its bars
    )  # fmt: skip
    bars, rows, axes = [], [], {}
    for row, key in enumerate(TOTALS, start=1):
        for _, bar in frame.iterrows():
            value = bar[key]
            text = byte_text(value, 1) if key.endswith("bytes") else short_count(int(value))
            bars.append(
                go.Bar(
                    x=[value], y=[bar["name"]], orientation="h", text=[text],
                    textposition="outside", cliponaxis=False, marker_color=bar["colour"],
                    name=bar["name"], legendgroup=bar["name"], showlegend=row == 1,
                    hovertemplate=f"{bar['name']}: {text}<extra></extra>",
                )
            )  # fmt: skip
            rows.append(row)
        suffix = "" if row == 1 else str(row)
        axes[f"xaxis{suffix}"] = {
            "showticklabels": False, "showgrid": False, "zeroline": False,
            "range": [0, frame[key].max() * 1.2 or 1],
        }  # fmt: skip
        axes[f"yaxis{suffix}"] = {"showticklabels": False, "autorange": "reversed"}
    fig.add_traces(bars, rows=rows, cols=[1] * len(bars))  # one call: plotly is slow per trace
    fig.update_layout(axes)
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "x": 0, "y": -0.02, "yanchor": "top"},
        bargap=0.2,
        font=FONT,
    )
    fig.update_annotations(font={"size": 15}, x=0, xanchor="left")
    return fig


# ------------------------------------------------------------------ per-layer curves


def curves_frame(comparison: Comparison, names: list[str], colours: list[str]) -> pd.DataFrame:
    """Conv, pooling and dense layers of every configuration, placed on a shared block axis.

    Block k spans x ∈ [k, k+1) in every network (the head last), and a block's
    layers are spread evenly inside it, so VGG19's fourth conv of block 3 sits
    inside the same band as VGG16's three.
    """
    position = {key: i for i, key in enumerate(comparison.stage_keys)}
    rows = []
    for name, colour, config in zip(names, colours, comparison.configs, strict=True):
        running = list(accumulate(info.params for info in config.analysis.layers))
        for stage in config.stages:
            members = [info for info in stage.layers if info.layer.type in CURVE_TYPES]
            for j, info in enumerate(members):
                shape = info.output_shape
                rows.append(
                    {
                        "name": name,
                        "colour": colour,
                        "layer": info.name,
                        "block": stage.key,
                        "x": position[stage.key] + (j + 0.5) / len(members),
                        "params": info.params,
                        "macs": info.macs,
                        "hw": shape[0] * shape[1] if len(shape) == 3 else None,
                        "channels": shape[-1],
                        "cumulative": running[info.index],  # every layer so far, BN included
                    }
                )
    return pd.DataFrame(rows)


def curves_figure(
    frame: pd.DataFrame, metric: str, blocks: list[str], labels: dict[str, str]
) -> go.Figure:
    """One line per configuration for ``metric``; the x axis is the shared block axis.

    ``blocks``: the block labels in axis order; ``labels``: ``title`` and ``y``.
    """
    log = metric in LOG_METRICS
    lines = []
    for n, (name, part) in enumerate(frame.groupby("name", sort=False)):
        values = part[metric].astype("Float64")
        if log:  # a pooling layer's 0 has no place on a log axis: a gap the line jumps over
            values = values.where(values > 0)
        lines.append(
            go.Scatter(
                x=part["x"],
                y=values.astype(object).where(values.notna(), None),
                mode="lines+markers",
                name=str(name),
                line={"color": part["colour"].iloc[0], "width": 3, "dash": DASHES[n % 4]},
                marker={"size": 8, "symbol": SYMBOLS[n % 4]},
                text=part["layer"],
                customdata=[_count(v) for v in part[metric]],
                hovertemplate=f"{name} · %{{text}}: %{{customdata}}<extra></extra>",
                connectgaps=True,
            )
        )
    edges = [
        {"type": "line", "x0": edge, "x1": edge, "xref": "x", "y0": 0, "y1": 1, "yref": "paper",
         "line": {"color": GUIDE, "width": 1, "dash": "dot"}}
        for edge in range(1, len(blocks))
    ]  # fmt: skip
    fig = go.Figure(lines, layout={"shapes": edges})
    fig.update_xaxes(
        tickvals=[i + 0.5 for i in range(len(blocks))], ticktext=blocks,
        range=[0, len(blocks)], showgrid=False,
    )  # fmt: skip
    fig.update_yaxes(
        title_text=labels["y"], type="log" if log else "linear", dtick=1 if log else None,
        exponentformat="SI",
    )  # fmt: skip
    fig.update_layout(
        title={"text": labels["title"], "font": TITLE_FONT},
        height=420,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "x": 0, "y": -0.12, "yanchor": "top"},
        font=FONT,
    )
    return fig


# ------------------------------------------------------------------ against the input size


def sweep_frame(
    sweeps: list[tuple[SweepPoint, ...]], names: list[str], colours: list[str], sides: list[int]
) -> pd.DataFrame:
    """Totals at each square input side, per configuration; ``current`` marks its own side."""
    rows = [
        {"name": name, "colour": colour, "side": p.side, "params": p.params, "macs": p.macs,
         "current": p.side == side}
        for name, colour, points, side in zip(names, colours, sweeps, sides, strict=True)
        for p in points
    ]  # fmt: skip
    return pd.DataFrame(rows)


def sweep_figure(frame: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Parameters and MACs against the input side, one line per configuration (shared legend).

    ``labels``: ``params``, ``macs`` (subplot titles) and ``x``; a configuration's own
    input size is drawn as a larger marker.
    """
    fig = make_subplots(rows=1, cols=2, subplot_titles=(labels["params"], labels["macs"]))
    lines, cols = [], []
    for col, key in ((1, "params"), (2, "macs")):
        for n, (name, part) in enumerate(frame.groupby("name", sort=False)):
            lines.append(
                go.Scatter(
                    x=part["side"],
                    y=part[key],
                    mode="lines+markers",
                    name=str(name),
                    legendgroup=str(name),
                    showlegend=col == 1,
                    line={"color": part["colour"].iloc[0], "width": 3, "dash": DASHES[n % 4]},
                    marker={
                        "size": [14 if c else 6 for c in part["current"]],
                        "symbol": SYMBOLS[n % 4],
                    },
                    customdata=[short_count(int(v)) for v in part[key]],
                    hovertemplate=f"{name} · %{{x}}×%{{x}}: %{{customdata}}<extra></extra>",
                )
            )
            cols.append(col)
    fig.add_traces(lines, rows=[1] * len(lines), cols=cols)
    fig.update_xaxes(title_text=labels["x"])
    fig.update_yaxes(exponentformat="SI")
    fig.update_layout(
        height=400,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"},
        font=FONT,
    )
    return fig


def block_labels(keys: tuple[str, ...] | list[str], block: str, head: str, total: str) -> dict:
    """Row/axis labels of block keys: ``block`` has a ``{n}`` placeholder."""
    out = {key: block.format(n=key.removeprefix("block")) for key in keys if key != HEAD}
    return out | {HEAD: head, TOTAL: total}
