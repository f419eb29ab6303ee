"""/activations for the trained ``digits-vgg``: draw a digit, see every layer, follow one number.

The page hands over to :func:`digits_page_ui` when the picked network is exactly the
preset. A drawing (or an upload, or a held-out sample) goes through the data's own
steps (``keras_side.digits``); one forward pass gives every layer, cached per input;
the step view redoes one output's arithmetic in NumPy (``keras_side.conv_steps``)
and shows Keras' own number beside it.
"""

from __future__ import annotations

import hashlib
import html
import json
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from PIL import Image

from components.engine.errors import InputError
from components.keras_side import conv_steps, digits, featuremaps
from components.ui import digits_links, digits_undo, theme
from components.ui.i18n import t
from components.ui.saliency_views import KEY_PREFIX as SALIENCY_KEYS

SOURCES = ("draw", "upload")
WEIGHTS = ("trained", "random")
STARTS = ("blank", *map(str, range(10)))
CANVAS_PX = 224
STROKE_PX = 18
TILE_PX = 48
MAP_LAYERS = tuple(f"block{b}_{kind}" for b in (1, 2, 3) for kind in ("conv1", "pool"))
STEP_LAYERS = (*MAP_LAYERS, "predictions")
POS, NEG, WIN = (214, 72, 42), (38, 99, 190), theme.ORANGE
STEP_STYLE = """<style>
.dg-row { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem; margin: .2rem 0; }
.dg-grid { border-collapse: collapse; font: 12px/1.1 ui-monospace, monospace; }
.dg-grid td { width: 3.4em; height: 1.9em; text-align: center; border: 1px solid #ccc; }
.dg-grid td.pad { color: #999; background: repeating-linear-gradient(45deg,#f3f3f3 0 4px,#fff 4px 8px); }
.dg-grid td.win { outline: 3px solid #e8590c; outline-offset: -3px; font-weight: 700; }
.dg-op { font: 18px/1 sans-serif; padding: 0 .2rem; }
.dg-sum { font: 13px ui-monospace, monospace; white-space: nowrap; }
.dg-cap { font-size: 12px; color: #666; min-width: 4.5em; }
</style>"""  # noqa: E501


# ------------------------------------------------------------------ caches


@st.cache_resource(max_entries=2, show_spinner=False)
def network(weights: str) -> Any:
    """The shipped trained network, or the same one with seeded random weights; shared."""
    if weights == "trained":
        return digits.build_trained()
    from components.keras_side.activations import WeightsSource, build_network

    return build_network(digits.digits_spec(), WeightsSource("random", seed=0))


@st.cache_data(max_entries=64, show_spinner=False)
def outputs(weights: str, x_key: str, _x: np.ndarray) -> dict[str, np.ndarray]:
    """Every layer's output for one input (a few hundred KB), once per (weights, input)."""
    return network(weights).activations(digits.batch(_x))


@st.cache_data(max_entries=64, show_spinner=False)
def layer_mosaic(weights: str, x_key: str, layer: str, _fmap: np.ndarray) -> bytes:
    return featuremaps.png(mosaic(_fmap))


@st.cache_data(show_spinner=False)
def training_figures() -> dict[str, Any]:
    return json.loads((digits.ASSETS / "training.json").read_text(encoding="utf-8"))


def array_key(x: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(x, dtype=np.float32).tobytes()).hexdigest()[:20]


# ------------------------------------------------------------------ pure builders


def colour(value: float, scale: float) -> str:
    """Diverging: blue below zero, white at zero, red above (share of ``scale``)."""
    share = min(abs(value) / scale, 1.0) if scale > 0 else 0.0
    base = POS if value >= 0 else NEG
    r, g, b = (round(255 + (c - 255) * share * 0.85) for c in base)
    return f"rgb({r},{g},{b})"


def mosaic(fmap: np.ndarray, px: int = TILE_PX, per_row: int = 16, gap: int = 4) -> Image.Image:
    """Every channel of a layer in one picture (one colour scale), row by row: one image to
    send instead of a hundred."""
    low, high = featuremaps.shared_range(fmap, list(range(fmap.shape[-1])))
    count = fmap.shape[-1]
    cols, rows = min(count, per_row), -(-count // per_row)
    out = Image.new("RGB", (cols * (px + gap) - gap, rows * (px + gap) - gap), "white")
    for c in range(count):
        tile = featuremaps.colourise(fmap[..., c], low, high).resize(
            (px, px), Image.Resampling.NEAREST
        )
        out.paste(tile, ((c % per_row) * (px + gap), (c // per_row) * (px + gap)))
    return out


def grid_html(
    values: np.ndarray,
    scale: float,
    inside: np.ndarray | None = None,
    winner: tuple[int, int] | None = None,
    decimals: int = 2,
) -> str:
    """A small table of numbers coloured by sign and size; padding hatched, a winner outlined."""
    rows = []
    for r, row in enumerate(np.asarray(values)):
        cells = []
        for c, value in enumerate(row):
            if inside is not None and not inside[r, c]:
                cells.append('<td class="pad">0</td>')
                continue
            css = ' class="win"' if winner == (r, c) else ""
            style = f"background:{colour(float(value), scale)}"
            cells.append(f'<td{css} style="{style}">{value:.{decimals}f}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return '<table class="dg-grid">' + "".join(rows) + "</table>"


def conv_step_html(step: conv_steps.ConvStep, labels: dict[str, str]) -> str:
    """Per input channel: patch × kernel = products → their sum; then Σ + bias → ReLU."""
    scale_x = float(np.abs(step.patch).max()) or 1.0
    scale_k = float(np.abs(step.kernel).max()) or 1.0
    scale_p = float(np.abs(step.products).max()) or 1.0
    parts = [STEP_STYLE, f'<div class="dg-cap">{html.escape(labels["legend"])}</div>']
    for c in range(step.patch.shape[2]):
        parts.append(
            '<div class="dg-row">'
            f'<span class="dg-cap">{html.escape(labels["channel"])} {c}</span>'
            + grid_html(step.patch[..., c], scale_x, step.inside)
            + '<span class="dg-op">×</span>'
            + grid_html(step.kernel[..., c], scale_k, decimals=3)
            + '<span class="dg-op">=</span>'
            + grid_html(step.products[..., c], scale_p, step.inside, decimals=3)
            + f'<span class="dg-sum">Σ = {step.channel_sums[c]:.4f}</span></div>'
        )
    return "".join(parts)


def softmax_frame(step: conv_steps.SoftmaxStep) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "digit": list(range(len(step.logits))),
            "logit": step.logits,
            "shifted": step.logits - step.largest,
            "exp": step.exps,
            "probability": step.probabilities,
        }
    )


def probabilities_figure(probabilities: np.ndarray) -> go.Figure:
    """Ten bars, the predicted digit highlighted (the title goes above, in text that wraps:
    a plotly title is cut at the column's edge)."""
    best = int(np.argmax(probabilities))
    fig = go.Figure(
        go.Bar(
            x=[str(d) for d in range(10)],
            y=probabilities,
            marker_color=[WIN if d == best else theme.BAR for d in range(10)],
            text=[f"{p:.0%}" if p >= 0.005 else "" for p in probabilities],
            textposition="outside",
            hovertemplate="%{x}: %{y:.4f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=210, margin={"l": 10, "r": 10, "t": 20, "b": 10}, font=theme.FONT,
        yaxis={"range": [0, 1.15], "tickformat": ".0%"}, xaxis={"type": "category"},
    )  # fmt: skip
    return fig


def position_figure(values: np.ndarray, chosen: tuple[int, int], hover: str) -> go.Figure:
    """One channel as a heat map; every cell a clickable point; the chosen one outlined."""
    h, w = values.shape
    rows, cols = np.mgrid[0:h, 0:w]
    fig = go.Figure(go.Heatmap(z=values, colorscale="Viridis", showscale=False, hoverinfo="skip"))
    fig.add_scatter(
        x=cols.ravel(), y=rows.ravel(), mode="markers",
        marker={"size": max(6, 280 // max(h, w)), "symbol": "square", "color": "rgba(0,0,0,0)"},
        customdata=values.ravel(),
        hovertemplate=hover + "<extra></extra>",
    )  # fmt: skip
    fig.add_scatter(
        x=[chosen[1]], y=[chosen[0]], mode="markers", hoverinfo="skip",
        marker={"size": max(8, 300 // max(h, w)), "symbol": "square-open", "color": WIN,
                "line": {"width": 3}},
    )  # fmt: skip
    fig.update_layout(
        height=300, width=300, margin={"l": 5, "r": 5, "t": 5, "b": 5}, showlegend=False,
        xaxis={"visible": False, "range": [-0.5, w - 0.5]},
        yaxis={"visible": False, "range": [h - 0.5, -0.5], "scaleanchor": "x"},
        clickmode="event+select", dragmode=False,
    )  # fmt: skip
    return fig


# ------------------------------------------------------------------ the input


def _start_changed() -> None:
    digits_undo.clear()
    digits_links.keep("sample")


def _canvas_ui(start: str) -> tuple[np.ndarray | None, list[dict]]:
    """The drawing canvas (its toolbar undoes and redoes too) with Undo and Clear buttons;
    the ink (None if none, or not sent back yet) and the strokes."""
    try:
        from streamlit_drawable_canvas import st_canvas
    except Exception:  # the component could not register: say so, keep the page working
        st.warning(t("digits.canvas.missing"), icon=":material/draw:")
        return None, []
    background = None
    if start != "blank":
        sample = digits.cells_picture(digits.sample_cells(int(start)), CANVAS_PX)
        background = sample.point(lambda v: v // 2)  # grey, so the white strokes stand out
    result = st_canvas(
        stroke_width=STROKE_PX,
        stroke_color="#FFFFFF",
        background_color="#000000",
        background_image=background,
        height=CANVAS_PX,
        width=CANVAS_PX,
        drawing_mode="freedraw",
        return_image_data=True,
        initial_drawing=digits_undo.restored(),
        key=digits_undo.canvas_key(start),
    )
    objects = digits_undo.objects_of(result.json_data if result is not None else None)
    with st.container(horizontal=True):
        st.button(
            t("digits.canvas.undo"),
            key="digits_undo",
            on_click=digits_undo.undo,
            icon=":material/undo:",
            disabled=not digits_undo.can_undo(objects),
        )
        st.button(
            t("digits.canvas.clear"), key="digits_clear", on_click=digits_undo.clear,
            icon=":material/delete:", disabled=not objects,
        )  # fmt: skip
    data = result.image_data if result is not None else None
    if data is None or data.ndim != 3:
        return None, objects
    ink = digits.ink_of(data)
    return (ink if (ink >= digits.INK).any() else None), objects


def _upload_ui() -> np.ndarray | None:
    from components.keras_side import images
    from components.ui.activation_views import show_problem

    uploaded = st.file_uploader(
        t("digits.upload.label"), type=list(images.EXTENSIONS), key="digits_upload"
    )
    if uploaded is None:
        st.caption(t("digits.upload.hint"))
        return None
    try:
        decoded = images.decode(uploaded.getvalue(), channels=1)
    except InputError as problem:
        show_problem(problem)
        return None
    cells = digits.cells_from_ink(digits.ink_of_picture(decoded.image))
    if cells is None:
        st.warning(t("digits.upload.blank"), icon=":material/image:")
    return cells


def input_cells_ui() -> tuple[np.ndarray | None, str]:
    """Draw (on a blank canvas or over a held-out digit) or upload → the 8×8 cells, and how."""
    digits_links.start_from_link("source", SOURCES, "draw")
    digits_links.start_from_link("sample", STARTS, "3")
    source = st.segmented_control(
        t("digits.source"),
        SOURCES,
        format_func=lambda s: t(f"digits.source.{s}"),
        key=digits_links.PARAMS["source"],
        required=True,
        on_change=digits_links.keep,
        args=("source",),
    )
    if source == "upload":
        return _upload_ui(), "upload"
    start = st.pills(
        t("digits.start"),
        STARTS,
        format_func=lambda s: t("digits.start.blank") if s == "blank" else s,
        key=digits_links.PARAMS["sample"],
        required=True,
        wrap=True,
        on_change=_start_changed,
    )
    st.space(32)  # room for the canvas toolbar, which appears above it
    start = start or "blank"
    strokes, objects = _canvas_ui(start)
    st.caption(t("digits.canvas.help"))
    seen = digits_undo.recall(objects) if strokes is None and objects else None
    cells, how = seen if seen is not None else _cells_of(start, strokes)
    digits_undo.remember(objects, cells, how)
    return cells, how


def _cells_of(start: str, strokes: np.ndarray | None) -> tuple[np.ndarray | None, str]:
    """The strokes (over the sample digit, if one is the start) as the network's 8×8 cells."""
    if start == "blank":
        return (digits.cells_from_ink(strokes) if strokes is not None else None), "drawing"
    sample = digits.sample_cells(int(start))
    if strokes is None:
        return sample, "sample"
    under = np.asarray(digits.cells_picture(sample, strokes.shape[0]), dtype=np.float32) / 255.0
    return digits.cells_from_ink(np.maximum(under, strokes)), "drawing"


# ------------------------------------------------------------------ the step view


def _step_position(layer: str, shape: tuple[int, ...]) -> tuple[int, int, int]:
    """(row, col, channel) of the followed number, kept per layer and clipped to its shape."""
    state = st.session_state
    h, w, c = shape
    row, col = state.get(digits_links.position_key(layer), (h // 2, w // 2))
    return (
        min(row, h - 1),
        min(col, w - 1),
        min(int(state.get(digits_links.channel_key(layer), 0)), c - 1),
    )


def _clicked(layer: str) -> None:
    points = st.session_state[f"digits_map_{layer}"].selection.points
    if points:
        x, y = points[0].get("x"), points[0].get("y")
        if isinstance(x, int | float) and isinstance(y, int | float):
            st.session_state[digits_links.position_key(layer)] = (round(y), round(x))


def _input_of(layer: str, out: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    order = list(STEP_LAYERS)
    index = order.index(layer)
    return x.reshape(digits.SIDE, digits.SIDE, 1) if index == 0 else out[order[index - 1]]


def step_view_ui(out: dict[str, np.ndarray], x: np.ndarray, weights: dict) -> None:
    """Click a position of a feature map; see the arithmetic that made that one number."""
    st.subheader(t("digits.step.title"))
    st.caption(t("digits.step.intro"))
    digits_links.start_from_link("layer", STEP_LAYERS, STEP_LAYERS[0])
    layer = st.selectbox(
        t("digits.step.layer"),
        STEP_LAYERS,
        key=digits_links.PARAMS["layer"],
        on_change=digits_links.keep,
        args=("layer",),
        format_func=lambda n: t(
            f"digits.step.layer.{'softmax' if n == 'predictions' else 'map'}",
            name=n,
            shape="×".join(map(str, out[n].shape)),
        ),
    )
    if layer == "predictions":
        _softmax_ui(out, weights)
        return
    fmap = out[layer]
    depth = fmap.shape[2]
    digits_links.position_from_link(layer, fmap.shape)
    row, col, channel = _step_position(layer, fmap.shape)
    left, right = st.columns([1, 1], gap="medium")
    with right:
        channel = st.number_input(
            t("digits.step.channel"), 0, depth - 1, channel, key=digits_links.channel_key(layer)
        )
        st.caption(t("digits.step.click", row=row, col=col, channel=channel))
    digits_links.keep_position(row, col, int(channel))
    with left:
        st.plotly_chart(
            position_figure(fmap[..., channel], (row, col), t("digits.step.hover")),
            key=f"digits_map_{layer}", on_select=lambda: _clicked(layer),
            selection_mode="points", config=theme.PICKER_CONFIG,
        )  # fmt: skip
    source = _input_of(layer, out, x)
    keras_value = float(fmap[row, col, channel])
    with st.container(key="digits_step"):
        if layer.endswith("_pool"):
            _pool_step_ui(layer, source, (row, col, channel), keras_value)
        else:
            _conv_step_ui(layer, source, weights[layer], (row, col, channel), keras_value)


def _pool_step_ui(
    layer: str, source: np.ndarray, where: tuple[int, int, int], keras_value: float
) -> None:
    row, col, channel = where
    step = conv_steps.pool_step(source, 2, row, col, channel)
    st.markdown(
        t("digits.step.pool_text", layer=layer, row=row, col=col, channel=channel,
          top=step.top, bottom=step.top + 1, left=step.left, right=step.left + 1,
          source=_previous(layer))
    )  # fmt: skip
    scale = float(np.abs(step.window).max()) or 1.0
    st.html(STEP_STYLE + grid_html(step.window, scale, winner=step.winner, decimals=4))
    st.markdown(
        t("digits.step.pool_result", value=f"{step.output:.4f}", keras=f"{keras_value:.4f}")
    )


def _conv_step_ui(
    layer: str,
    source: np.ndarray,
    weights: list[np.ndarray],
    where: tuple[int, int, int],
    keras_value: float,
) -> None:
    row, col, channel = where
    kernel, bias = weights
    step = conv_steps.conv_step(source, kernel, bias, row, col, channel)
    st.markdown(
        t("digits.step.conv_text", layer=layer, row=row, col=col, channel=channel,
          k=kernel.shape[0], c=source.shape[2], top=step.top, bottom=step.top + 2,
          left=step.left, right=step.left + 2, source=_previous(layer))
    )  # fmt: skip
    labels = {"channel": t("digits.step.in_channel"), "legend": t("digits.step.legend")}
    with st.container(height=420 if source.shape[2] > 4 else "content", border=False):
        st.html(conv_step_html(step, labels))
    st.markdown(
        t("digits.step.conv_result", total=f"{step.total:.4f}", bias=f"{step.bias:.4f}",
          pre=f"{step.pre_activation:.4f}", out=f"{step.output:.4f}",
          keras=f"{keras_value:.4f}")
    )  # fmt: skip


def _previous(layer: str) -> str:
    index = STEP_LAYERS.index(layer)
    return t("digits.step.the_input") if index == 0 else STEP_LAYERS[index - 1]


def _softmax_ui(out: dict[str, np.ndarray], weights: dict) -> None:
    kernel, bias = weights["predictions"]
    step = conv_steps.softmax_step(conv_steps.dense_logits(out["fc1"], kernel, bias))
    st.markdown(t("digits.step.softmax_text", largest=f"{step.largest:.4f}",
                  total=f"{step.total:.4f}"))  # fmt: skip
    frame = softmax_frame(step)
    st.dataframe(
        frame.style.format({"logit": "{:.4f}", "shifted": "{:.4f}", "exp": "{:.4g}",
                            "probability": "{:.4g}"}),
        hide_index=True,
        column_config={name: st.column_config.Column(t(f"digits.step.col.{name}"))
                       for name in frame.columns},
    )  # fmt: skip
    gap = float(np.abs(step.probabilities - out["predictions"]).max())
    st.caption(t("digits.step.softmax_keras", gap=f"{gap:.1e}"))


# ------------------------------------------------------------------ the page


def digits_page_ui() -> None:
    """Everything /activations shows for the trained digits network."""
    figures = training_figures()
    digits_links.start_from_link("weights", WEIGHTS, "trained")
    weights_kind = st.sidebar.radio(
        t("digits.weights"), WEIGHTS, format_func=lambda k: t(f"digits.weights.{k}"),
        key=digits_links.PARAMS["weights"], on_change=digits_links.keep, args=("weights",),
    )  # fmt: skip
    st.info(
        t("digits.intro", accuracy=f"{figures['heldout_accuracy']:.1%}",
          heldout=figures["heldout_examples"], params=f"{figures['params']:,}"),
        icon=":material/draw:",
    )  # fmt: skip
    if weights_kind == "random":
        st.warning(t("digits.random"), icon=":material/casino:")
    _live_ui(weights_kind)


@st.fragment
def _live_ui(weights_kind: str) -> None:
    """Input → prediction → maps → step view; a stroke reruns only this part."""
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.subheader(t("digits.input.title"))
        cells, how = input_cells_ui()
    if cells is None:
        with right:
            st.info(t("digits.input.empty"), icon=":material/gesture:")
        st.session_state.digits_hidden = True
        return
    _widgets_back()
    x = digits.network_input(cells)
    key = array_key(x)
    with st.spinner(t("digits.building")):
        out = outputs(weights_kind, key, x)
    probabilities = out["predictions"]
    best = int(np.argmax(probabilities))
    with right:
        st.subheader(t("digits.pred.title"))
        with st.container(key="digits_prediction"):
            sure = t("digits.pred.sure", p=f"{probabilities[best]:.1%}")
            st.metric(t("digits.pred.label"), str(best), sure, delta_color="off", delta_arrow="off")
        st.markdown(f"**{t('digits.pred.chart')}**")
        st.plotly_chart(
            probabilities_figure(probabilities),
            key="digits_probs", config=theme.PICKER_CONFIG,
        )  # fmt: skip
        a, b = st.columns(2)
        a.image(
            featuremaps.png(digits.cells_picture(cells, 128)),
            caption=t("digits.seen.cells"),
            width=128,
        )
        b.image(
            featuremaps.png(digits.input_picture(x, 128)), caption=t("digits.seen.input"), width=128
        )
        st.caption(t(f"digits.seen.how_{how}"))
    _maps_ui(weights_kind, key, out)
    network_weights = (
        digits.trained_weights() if weights_kind == "trained" else _random_weights(weights_kind)
    )
    step_view_ui(out, x, network_weights)
    evidence_ui(weights_kind, key, x, out)


# the keys of the widgets below the input (step view, Grad-CAM), which an empty canvas hides
HIDDEN_WIDGETS = (digits_links.PARAMS["layer"], digits_links.channel_key(""), SALIENCY_KEYS)


def _widgets_back() -> None:
    """Widgets drawn again after a fragment run that hid them: the browser mounts them afresh
    with their defaults and would send those back on the next run (Grad-CAM's method became
    None, the step layer jumped to the first). Set their kept values through the state API,
    so they are sent along with the widgets."""
    state = st.session_state
    if state.pop("digits_hidden", False):
        for key in [k for k in state if str(k).startswith(HIDDEN_WIDGETS)]:
            state[key] = state[key]


def evidence_ui(weights_kind: str, key: str, x: np.ndarray, out: dict[str, np.ndarray]) -> None:
    """Grad-CAM and saliency for the drawn digit: the activation page's own section, fed the
    32×32 input as the 8-bit picture the network reads (÷255, as for any 1-channel image)."""
    from components.engine.analysis import analyze
    from components.ui.activation_views import Run
    from components.ui.saliency_views import evidence_ui as saliency_section_ui

    picture = digits.input_picture(x, digits.SIDE)
    run = Run(key=f"digits|{weights_kind}|{key}", outputs=out, picture=picture)
    saliency_section_ui(network(weights_kind), run, analyze(digits.digits_spec()))


def _random_weights(kind: str) -> dict[str, list[np.ndarray]]:
    model = network(kind).model
    return {
        layer.name: [np.asarray(w.numpy()) for w in layer.weights]
        for layer in model.layers
        if layer.weights
    }


def _maps_ui(weights_kind: str, key: str, out: dict[str, np.ndarray]) -> None:
    st.subheader(t("digits.maps.title"))
    st.caption(t("digits.maps.caption"))
    for layer in MAP_LAYERS:
        fmap = out[layer]
        low, high = featuremaps.shared_range(fmap, list(range(fmap.shape[-1])))
        st.markdown(
            t("digits.maps.layer", name=layer, shape="×".join(map(str, fmap.shape)),
              low=f"{low:.3g}", high=f"{high:.3g}")
        )  # fmt: skip
        picture = layer_mosaic(weights_kind, key, layer, fmap)
        st.image(picture, output_format="PNG", width=(TILE_PX + 4) * min(16, fmap.shape[-1]) - 4)


# ------------------------------------------------------------------ elsewhere on the page


def _use_digits(key: str) -> None:
    state = st.session_state
    state[f"{key}_arch"], state[f"{key}_source"] = "custom", digits.PRESET
    state[f"{key}_h"], state[f"{key}_w"], state[f"{key}_c"] = digits.digits_spec().input_shape
    digits_links.forget_digits_params()


def offer_digits_ui(key: str) -> None:
    """Random weights on show: one click to the network trained here instead (the picker's key)."""
    with st.container(border=True):
        st.markdown(t("digits.offer.text"))
        st.button(
            t("digits.offer.button"), key="digits_offer", on_click=_use_digits, args=(key,),
            icon=":material/draw:", type="primary",
        )  # fmt: skip


# ------------------------------------------------------------------ the Learn page


@st.cache_data(show_spinner=False)
def strongest_responses(count: int = 120) -> list[dict[str, Any]]:
    """Per block1 filter: the held-out digit (of the first ``count``) and inner position that
    excite it most (the border row/column left out: there the zero padding makes edges of its
    own), as a PNG. NumPy only, so the Learn page never loads TensorFlow."""
    data = digits.held_out()
    kernel, bias = digits.trained_weights()["block1_conv1"]
    inputs = [digits.network_input(c) for c in data.cells[:count]]
    inner = np.stack([digits.conv2d_same(x[..., None], kernel, bias) for x in inputs])[
        :, 1:-1, 1:-1
    ]
    scale = 3
    found = []
    for f in range(kernel.shape[3]):
        n, r, c = (int(i) for i in np.unravel_index(np.argmax(inner[..., f]), inner.shape[:3]))
        r, c = r + 1, c + 1
        picture = digits.input_picture(inputs[n], digits.SIDE * scale).convert("RGB")
        found.append(
            {
                "filter": f,
                "digit": int(data.labels[n]),
                "value": float(inner[n, r - 1, c - 1, f]),
                "row": r,
                "col": c,
                "kernel": kernel[..., 0, f],
                "picture": featuremaps.png(
                    featuremaps.draw_box(picture, (r - 1, c - 1, r + 2, c + 2), scale)
                ),
            }
        )
    return found


@st.cache_data(show_spinner=False)
def response_maps(digit: int) -> list[bytes]:
    """Each block1 filter's response to the first held-out example of ``digit``, shared scale."""
    kernel, bias = digits.trained_weights()["block1_conv1"]
    fmap = digits.conv2d_same(
        digits.network_input(digits.sample_cells(digit))[..., None], kernel, bias
    )
    return featuremaps.tiles(fmap, list(range(fmap.shape[-1])), "shared", digits.SIDE * 3)


def trained_filters_ui() -> None:
    """Learn page: the trained network's eight first-layer 3×3 kernels and what excites each."""
    st.subheader(t("digits.lesson.title"))
    st.markdown(t("digits.lesson.intro"))
    digit = st.pills(
        t("digits.lesson.digit"), range(10), default=3, required=True, key="learn_digits_digit"
    )
    found = strongest_responses()
    maps = response_maps(int(digit if digit is not None else 3))
    scale = max(float(np.abs(item["kernel"]).max()) for item in found)
    for start in range(0, len(found), 4):
        for column, item in zip(st.columns(4), found[start : start + 4], strict=False):
            with column:
                st.markdown(t("digits.lesson.filter", filter=item["filter"]))
                st.html(STEP_STYLE + grid_html(item["kernel"], scale, decimals=2))
                st.image([maps[item["filter"]], item["picture"]], width=72, output_format="PNG")
                st.caption(
                    t("digits.lesson.caption", digit=item["digit"], value=f"{item['value']:.2f}",
                      row=item["row"], col=item["col"])
                )  # fmt: skip
    st.markdown(t("digits.lesson.outro"))
    from urllib.parse import urlencode

    from components.ui.i18n import current_language

    url = "./activations?" + urlencode({"preset": digits.PRESET, "lang": current_language()})
    st.link_button(t("digits.lesson.link"), url, icon=":material/draw:", key="digits_lesson_link")
