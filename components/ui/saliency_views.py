"""Where in the picture the evidence for a class is: Grad-CAM, saliency, SmoothGrad and
Guided Grad-CAM, for any network with trained weights.

The maths is in :mod:`components.keras_side.saliency`; this module picks the class,
layer and method (kept in the link as ``cam_class``, ``cam_layer``, ``cam``), runs the
passes on the shared network under its lock, and sends every map as a PNG. Values are
cached per (network, weights, image, class, layer, method) and so are the pictures.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

import numpy as np
import streamlit as st

from components.engine.analysis import Analysis
from components.engine.spec import NetworkSpec
from components.keras_side.digits import is_digits
from components.ui.i18n import t
from components.ui.safe_text import plain
from components.ui.url_state import keep_in_link, keep_key_in_link, link_choice, link_parsed

DISPLAY_PX = 320  # the side a map is drawn at (small inputs grow with sharp pixels)
SAMPLE_COUNTS = (5, 10, 25)  # VGG16 on 2 cores: ~2.4 s a pass, so 25 is ~1 min a class
NOISE_LEVELS = (0, 5, 10, 15, 20, 30, 50)  # % of the input's value range
KEY_PREFIX = "cam_"  # every session key of this section starts so (cam_layer, cam_auto, ...)
DEFAULT_SAMPLES, DEFAULT_NOISE, DEFAULT_OPACITY = 10, 15, 0.5
PASS_BUDGET = 1_500_000_000  # bytes of activations one SmoothGrad chunk may hold
IMAGENET_CLASSES = 1000
DIGIT_CLASSES = 10


# ------------------------------------------------------------------ link values


def parse_classes(value: str | None, count: int) -> tuple[int, ...] | None:
    """``cam_class`` as one or two class indices (``281`` or ``281,285``); None if not valid."""
    if value is None:
        return None
    parts = value.split(",")
    if not 1 <= len(parts) <= 2 or not all(p.isascii() and p.isdecimal() for p in parts):
        return None
    indices = tuple(int(p) for p in parts if len(p) <= 6)
    if len(indices) != len(parts) or not all(0 <= i < count for i in indices):
        return None
    return indices


def _keep_classes() -> None:
    state = st.session_state
    state.cam_auto = False
    keep_in_link("cam_class", f"{state.cam_class_a},{state.cam_class_b}")


# ------------------------------------------------------------------ caches


def _batch(net: Any, picture: Any) -> np.ndarray:
    from components.keras_side import images

    return images.to_batch(picture, net.preprocessing())


@st.cache_data(max_entries=48, show_spinner=False)
def cam_map(_net: Any, _picture: Any, run_key: str, class_index: int, layer: str):
    """Grad-CAM at the layer's resolution and the class logit: a forward pass and a backward
    pass that stops at the layer."""
    from components.keras_side import saliency

    x = _batch(_net, _picture)
    with _net.lock:
        grads = saliency.class_gradients(_net.model, x, class_index, layer, with_input=False)
    return saliency.grad_cam(grads.fmap, grads.fmap_grad), grads.score


@st.cache_data(max_entries=32, show_spinner=False)
def saliency_map(_net: Any, _picture: Any, run_key: str, class_index: int):
    """The saliency map (one forward and one full backward pass) and the pass's seconds."""
    import time

    from components.keras_side import saliency

    start = time.perf_counter()
    x = _batch(_net, _picture)
    with _net.lock:
        grad = saliency.input_gradient(_net.model, x, class_index)[0]
    pixel = saliency.pixel_gradient(grad, _net.preprocessing())
    return saliency.saliency(pixel), time.perf_counter() - start


@st.cache_data(max_entries=16, show_spinner=False)
def smoothgrad_map(_net: Any, _picture: Any, run_key: str, class_index: int, samples: int,
                   noise: int, chunk: int):  # fmt: skip
    """SmoothGrad's saliency map and its seconds; the lock is taken per pass so other
    sessions get turns."""
    import time

    from components.keras_side import saliency

    start = time.perf_counter()
    x = _batch(_net, _picture)
    grad = saliency.smooth_gradient(
        _net.model, x, class_index, samples, noise / 100, chunk=chunk, lock=_net.lock
    )
    pixel = saliency.pixel_gradient(grad, _net.preprocessing())
    return saliency.saliency(pixel), time.perf_counter() - start


@st.cache_data(max_entries=16, show_spinner=False)
def guided_map(_net: Any, _picture: Any, run_key: str, class_index: int) -> np.ndarray:
    """Guided backpropagation's gradient w.r.t. the picture (before Grad-CAM weights it)."""
    from components.keras_side import saliency

    x = _batch(_net, _picture)
    with _net.lock:
        grad = saliency.guided_gradient(_net.model, x, class_index)
    return saliency.pixel_gradient(grad, _net.preprocessing())


@st.cache_data(max_entries=64, show_spinner=False)
def heat_png(_picture: Any, key: str, values: np.ndarray, low: float, high: float,
             opacity: float) -> bytes:  # fmt: skip
    """A map stretched over the picture (bilinear), Viridis on a given range, blended in."""
    from PIL import Image

    from components.keras_side import featuremaps, saliency

    picture = _picture.convert("RGB")
    big = saliency.upsample(values, (picture.height, picture.width))
    heat = featuremaps.colourise(big, low, high)
    return featuremaps.png(_enlarged(Image.blend(picture, heat, opacity)))


@st.cache_data(max_entries=32, show_spinner=False)
def signed_png(key: str, values: np.ndarray, top: float) -> bytes:
    """A signed gradient picture: grey is 0, ± ``top`` the extremes (shared by both maps)."""
    from PIL import Image

    from components.keras_side import featuremaps
    from components.keras_side.saliency import signed_rgb

    pixels = signed_rgb(values, top)
    image = Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels)
    return featuremaps.png(_enlarged(image))


@st.cache_data(show_spinner=False)
def colour_bar_png() -> bytes:
    from components.keras_side import featuremaps

    ramp = np.tile(np.linspace(0.0, 1.0, 256, dtype=np.float32), (14, 1))
    return featuremaps.png(featuremaps.colourise(ramp, 0.0, 1.0))


def _enlarged(image: Any) -> Any:
    from PIL import Image

    scale = DISPLAY_PX / max(image.size)
    if scale <= 1:
        return image
    size = (round(image.width * scale), round(image.height * scale))
    return image.resize(size, Image.Resampling.NEAREST)


# ------------------------------------------------------------------ labels


def class_names(count: int, spec: NetworkSpec | None = None) -> list[str]:
    """ImageNet's English names for a 1,000-class head, 'digit 0' … for the shipped digits
    network (its classes are the digits themselves), else 'class 0', 'class 1', …"""
    if count == IMAGENET_CLASSES:
        from components.keras_side.activations import imagenet_labels

        return imagenet_labels()
    if spec is not None and count == DIGIT_CLASSES and is_digits(spec):
        return [t("fixes.digit_n", n=i) for i in range(count)]
    return [t("cam.class_n", n=i) for i in range(count)]


def _scores(run: Any, net: Any) -> np.ndarray:
    return np.asarray(run.outputs[net.names[-1]], dtype=np.float64).reshape(-1)


def _class_order(scores: np.ndarray) -> list[int]:
    """The five highest-scoring classes first, then the others in index order."""
    top = [int(i) for i in np.argsort(-scores, kind="stable")[:5]]
    return top + [i for i in range(len(scores)) if i not in top]


def layer_note(analysis: Analysis, layer: str, layers: list[str]) -> str:
    """How coarse the chosen layer's grid is on the picture, and the finer grids before it."""
    info = analysis.layer(layer)
    h, w = info.output_shape[:2]
    ih, iw, _ = analysis.spec.input_shape
    grids = []
    for name in reversed(layers):
        grid = "×".join(map(str, analysis.layer(name).output_shape[:2]))
        if grid not in grids:
            grids.append(grid)
    return t("cam.layer.note", layer=layer, h=h, w=w, ch=max(1, ih // h), cw=max(1, iw // w),
             ih=ih, iw=iw, grids=" → ".join(grids))  # fmt: skip


def _chunk(analysis: Analysis) -> int:
    """Noisy copies per SmoothGrad pass: what fits the budget, at most 4 (batching gains
    little on a CPU, and the network's lock is released between passes)."""
    per_image = max(1, 3 * analysis.activation_bytes)  # forward outputs + their gradients
    return int(max(1, min(4, PASS_BUDGET // per_image)))


# ------------------------------------------------------------------ the section


def _start(count: int, layers: list[str], top: list[int]) -> None:
    """The view's state: from the link on arrival, kept while valid, reset when not."""
    state = st.session_state
    if state.get("cam_layer") not in layers:  # first visit, or another network
        state.cam_layer = link_choice("cam_layer", layers, layers[-1])
    if "cam_method" not in state:
        from components.keras_side.saliency import METHODS

        state.cam_method = link_choice("cam", METHODS, "gradcam")
    second = top[1] if len(top) > 1 else top[0]
    valid = state.get("cam_class_a", -1) < count and state.get("cam_class_b", -1) < count
    if "cam_auto" not in state or not valid:
        picked = link_parsed("cam_class", lambda v: parse_classes(v, count), f"{top[0]},{second}")
        state.cam_auto = picked is None
        picked = picked or (top[0], second)
        state.cam_class_a, state.cam_class_b = picked[0], picked[-1 if len(picked) > 1 else 0]
        if len(picked) == 1:
            state.cam_class_b = second if second != picked[0] else top[0]
    if state.cam_auto:  # not chosen: follow the image's top two
        state.cam_class_a, state.cam_class_b = top[0], second


def evidence_ui(net: Any, run: Any, analysis: Analysis) -> None:
    """The Grad-CAM section of the activation page (a fragment: its controls rerun only it).

    The fragment keeps its arguments for the session's reruns: it gets a weak reference to
    the network, so a model the shared cache evicts is freed, not held by every session."""
    _evidence_ui(weakref.ref(net), run, analysis)


@st.fragment
def _evidence_ui(net_ref: weakref.ref, run: Any, analysis: Analysis) -> None:
    from components.keras_side import saliency

    net = net_ref()
    if net is None:  # evicted from the shared cache since the page ran: build it again
        st.rerun(scope="app")
    st.subheader(t("cam.title"))
    count = saliency.class_count(net.model)
    layers = saliency.spatial_layers(net.model)
    if count is None or not layers or not net.source.trained:
        _show_unavailable(count, layers)
        return
    st.caption(t("cam.intro"))
    scores = _scores(run, net)
    order = _class_order(scores)
    _start(count, layers, order[:5])
    label = _class_label(class_names(count, analysis.spec), scores)
    view = _view_ui(analysis, layers)
    picks = (st.session_state.cam_class_a, st.session_state.cam_class_b)
    with st.spinner(t("cam.computing")):
        maps = _class_maps(net, run, analysis, view, picks)
    columns = st.container(key="cam_view").columns(3, gap="medium")
    _show_input(columns[0], run.picture)
    own = st.toggle(t("cam.own_scale"), key="cam_own_scale", help=t("cam.own_scale_help"))
    pngs, extremes = _pictures(run, view, picks, maps.values, own)
    _class_columns_ui(columns[1:], order, label, pngs, maps, view.method)
    _show_scale(view.method, own, extremes)
    if view.method == "smoothgrad":
        st.caption(t("cam.smooth.took", seconds=f"{maps.seconds:.1f}", passes=2 * view.samples))
    if count == IMAGENET_CLASSES:
        st.caption(t("cam.names_english"))


@dataclass(frozen=True)
class _View:
    """What the controls chose: the method, the layer and the method's settings."""

    method: str
    layer: str
    samples: int = DEFAULT_SAMPLES
    noise: int = DEFAULT_NOISE
    opacity: float = DEFAULT_OPACITY


@dataclass(frozen=True)
class _Maps:
    """The two classes' maps: Grad-CAM with its score (for the captions), the shown values,
    and SmoothGrad's seconds (0 for the other methods)."""

    base: list[tuple[np.ndarray, float]]
    values: list[np.ndarray]
    seconds: float = 0.0


def _show_unavailable(count: int | None, layers: list[str]) -> None:
    """Say why there is nothing to show: no class head, no spatial layer, or no trained weights."""
    if count is None or not layers:
        st.info(t("cam.no_head" if count is None else "cam.no_layers"), icon=":material/info:")
    else:
        st.info(t("cam.untrained"), icon=":material/casino:")


def _class_label(names: list[str], scores: np.ndarray) -> Callable[[int], str]:
    """A class's option text: its name and score (a percentage when the scores sum to 1)."""
    percent = abs(scores.sum() - 1) < 1e-3 and scores.min() >= 0

    def label(i: int) -> str:
        return f"{names[i]} · {scores[i]:.1%}" if percent else f"{names[i]} · {scores[i]:.3g}"

    return label


def _view_ui(analysis: Analysis, layers: list[str]) -> _View:
    """The method, the layer and the method's own settings, with their notes."""
    from components.keras_side.saliency import METHODS

    method = st.segmented_control(
        t("cam.method.label"), METHODS, format_func=lambda m: t(f"cam.method.{m}"),
        key="cam_method", required=True, on_change=keep_key_in_link, args=("cam", "cam_method"),
    )  # fmt: skip
    st.markdown(t(f"cam.what.{method}"))
    layer_col, control_col = st.columns(2)
    layer = layer_col.selectbox(
        t("cam.layer.label"), layers, key="cam_layer", on_change=keep_key_in_link,
        args=("cam_layer", "cam_layer"), disabled=method in ("saliency", "smoothgrad"),
        help=t("cam.layer.help"),
        format_func=lambda n: f"{n} — {'×'.join(map(str, analysis.layer(n).output_shape[:2]))}",
    )  # fmt: skip
    view = _View(cast(str, method), layer)  # required=True: never None
    if method == "smoothgrad":
        view = _smoothgrad_ui(control_col, view)
    if method in ("gradcam", "saliency"):
        opacity = control_col.slider(
            t("cam.opacity"), 0.0, 1.0, DEFAULT_OPACITY, 0.05, key="cam_opacity"
        )
        view = replace(view, opacity=opacity)
    if method in ("gradcam", "guided"):
        st.caption(layer_note(analysis, layer, layers))
    if method == "smoothgrad":
        st.caption(t("cam.smooth.cost", samples=view.samples))
    return view


def _smoothgrad_ui(column: Any, view: _View) -> _View:
    """SmoothGrad's noisy copies and noise level, side by side."""
    samples_col, noise_col = column.columns(2)
    samples = samples_col.select_slider(
        t("cam.smooth.samples"), SAMPLE_COUNTS, value=DEFAULT_SAMPLES, key="cam_samples"
    )
    noise = noise_col.select_slider(
        t("cam.smooth.noise"), NOISE_LEVELS, value=DEFAULT_NOISE, key="cam_noise",
        format_func=lambda n: f"{n} %",
    )  # fmt: skip
    return replace(view, samples=samples, noise=noise)


def _class_maps(
    net: Any, run: Any, analysis: Analysis, view: _View, picks: tuple[int, int]
) -> _Maps:
    """The chosen method's map for both classes (from the caches)."""
    from components.keras_side import saliency

    picture, layer = run.picture, view.layer
    base = [cam_map(net, picture, run.key, c, layer) for c in picks]
    if view.method == "smoothgrad":
        chunk = _chunk(analysis)
        smooth = [smoothgrad_map(net, picture, run.key, c, view.samples, view.noise, chunk)
                  for c in picks]  # fmt: skip
        return _Maps(base, [v for v, _ in smooth], sum(s for _, s in smooth))
    if view.method == "saliency":
        return _Maps(base, [saliency_map(net, picture, run.key, c)[0] for c in picks])
    if view.method == "guided":
        guided = [guided_map(net, picture, run.key, c) for c in picks]
        return _Maps(
            base, [saliency.guided_grad_cam(g, m[0]) for g, m in zip(guided, base, strict=True)]
        )
    return _Maps(base, [m[0] for m in base])


def _show_input(column: Any, picture: Any) -> None:
    from components.keras_side import featuremaps

    with column:
        st.markdown(f"**{t('cam.input')}**")
        image = featuremaps.png(_enlarged(picture.convert("RGB")))
        st.image(image, width="stretch", output_format="PNG")


def _pictures(
    run: Any, view: _View, picks: tuple[int, int], values: list[np.ndarray], own: bool
) -> tuple[list[bytes], list[float]]:
    """Both maps as PNGs and the extremes of their colour scales (shared unless ``own``):
    signed grey pictures for guided Grad-CAM, heat maps over the picture for the others."""
    view_key = f"{run.key}|{view.layer}|{view.method}|{view.samples}|{view.noise}"
    if view.method == "guided":
        tops = [float(np.abs(v).max()) for v in values]
        tops = tops if own else [max(tops)] * 2
        pngs = [signed_png(f"{view_key}|{c}", v, top)
                for c, v, top in zip(picks, values, tops, strict=True)]  # fmt: skip
        return pngs, tops
    highs = [float(v.max()) for v in values]
    highs = highs if own else [max(highs)] * 2
    pngs = [heat_png(run.picture, f"{view_key}|{c}", v, 0.0, high, view.opacity)
            for c, v, high in zip(picks, values, highs, strict=True)]  # fmt: skip
    return pngs, highs


def _class_columns_ui(
    columns: Sequence[Any], order: list[int], label: Callable[[int], str], pngs: list[bytes],
    maps: _Maps, method: str,
) -> None:  # fmt: skip
    """Per class: its picker, its map, its score, and a note when the map is empty."""
    keys = ("cam_class_a", "cam_class_b")
    shown = zip(columns, keys, pngs, maps.values, maps.base, strict=True)
    for column, key, png, value, (_, score) in shown:
        with column:
            st.selectbox(
                t(f"cam.{key}"), order, format_func=label, key=key, on_change=_keep_classes,
                help=t("cam.class_help"),
            )  # fmt: skip
            st.image(png, width="stretch", output_format="PNG")
            st.caption(t("cam.score", score=f"{score:.3g}"))
            if not np.any(value):
                st.caption(t(f"cam.empty.{method}"))


def _show_scale(method: str, own: bool, extremes_: list[float]) -> None:
    """What the colours mean: the signed range, or the colour bar and its top value(s)."""
    extremes = " / ".join(f"{v:.3g}" for v in extremes_)
    scale = "own" if own else "shared"
    if method == "guided":
        st.caption(t(f"cam.scale.signed_{scale}", top=extremes.split(" / ")[0], tops=extremes))
        return
    bar, text = st.columns([1, 2], vertical_alignment="center")
    bar.image(colour_bar_png(), width="stretch", output_format="PNG")
    unit = t(f"cam.unit.{method}")
    text.caption(t(f"cam.scale.{scale}", high=extremes.split(" / ")[0], highs=extremes,
                   unit=unit))  # fmt: skip


# ------------------------------------------------------------------ compare page


def across_networks_ui(nets: list[Any], runs: list[Any], titles: list[str]) -> None:
    """The same class's Grad-CAM (last conv layer) in two networks that saw the same image."""
    from components.keras_side import saliency

    st.markdown(f"**{t('cam.compare.title')}**")
    counts = {saliency.class_count(net.model) for net in nets}
    if not all(net.source.trained for net in nets):
        st.caption(t("cam.compare.untrained"))
        return
    if len(counts) != 1 or None in counts:
        st.caption(t("cam.compare.no_head"))
        return
    count = counts.pop()
    same = all(net.spec == nets[0].spec for net in nets)  # labels name one network's classes
    names = class_names(count, nets[0].spec if same else None)  # type: ignore[arg-type]
    scores = _scores(runs[0], nets[0])
    pick = st.selectbox(
        t("cam.compare.class"), _class_order(scores), format_func=names.__getitem__,
        key="cmp_cam_class",
    )  # fmt: skip
    cams = []
    for net, run in zip(nets, runs, strict=True):
        layer = saliency.spatial_layers(net.model)[-1]
        cams.append((layer, cam_map(net, run.picture, run.key, pick, layer)[0]))
    for column, run, title, (layer, cam) in zip(
        st.columns(2, gap="large"), runs, titles, cams, strict=True
    ):
        png = heat_png(run.picture, f"{run.key}|{layer}|gradcam|{pick}", cam, 0.0,
                       float(cam.max()), DEFAULT_OPACITY)  # fmt: skip
        column.image(png, width="stretch", output_format="PNG")
        column.caption(f"{plain(title)} · {layer} · {cam.shape[0]}×{cam.shape[1]}")
    st.image(colour_bar_png(), width=240, output_format="PNG")
    st.caption(t("cam.compare.scale"))
