"""Widgets and pure chart builders of the activation viewer, and its caches.

Models are shared by all sessions (``st.cache_resource``, each with its lock);
one image's activations are kept as a resource too (tens of MB, never copied);
derived PNG tiles are small and cached as data. Moving the layer picker reads
from these caches and recomputes nothing.
"""

from __future__ import annotations

import io
import os
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from components.engine.analysis import Analysis, LayerInfo
from components.engine.errors import InputError, Issue, shown_issues
from components.engine.formatting import shape_text
from components.engine.spec import NetworkSpec
from components.keras_side import featuremaps, images
from components.ui import arch_charts, theme
from components.ui.i18n import t
from components.ui.messages import issue_lines, issue_text
from components.ui.network_picker import SPEC_HASH_FUNCS
from components.ui.network_view import chart_labels
from components.ui.safe_text import chart_text, plain
from components.ui.tables import layer_frame
from components.ui.url_state import keep_in_link, keep_key_in_link, link_choice
from components.ui.weights_choice import WeightsChoice

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "assets" / "samples"
SAMPLES = ("astronaut", "coffee", "chelsea")
GRID_SIZES = (8, 16, 32, 64)
VIEWS = {"overlay": 0.55, "map": 1.0, "image": 0.0}  # how much of the map covers the picture
DIAGRAM_KEY = "act_diagram"
LAYER_KEY, LAYER_PARAM = "act_layer", "layer"  # the viewed layer, in session and link
REFUSED_KEY = "act_refused"  # a clicked layer without feature maps, said once
# Diagram | maps side by side, the layer's numbers under the diagram, when the main area is
# wide enough (a container query, so an open sidebar counts); narrower (a 1024 px screen
# with the sidebar open, a phone) they stack in page order: diagram, maps, numbers.
LINKED_STYLE = """<style>
.st-key-act_linked { container-type: inline-size; }
@container (min-width: 760px) {
  .st-key-act_grid { display: grid !important; align-items: start;
    grid-template-columns: minmax(0, 3fr) minmax(300px, 2fr); grid-template-rows: auto 1fr;
    column-gap: 2rem; row-gap: 0.5rem; }
  .st-key-act_grid > * { min-width: 0; width: auto !important; }
  .st-key-act_grid > :is(.st-key-act_diagram_side, :has(> .st-key-act_diagram_side)) {
    grid-area: 1 / 1; }
  .st-key-act_grid > :is(.st-key-act_numbers_side, :has(> .st-key-act_numbers_side)) {
    grid-area: 2 / 1; }
  .st-key-act_grid > :is(.st-key-act_maps_side, :has(> .st-key-act_maps_side)) {
    grid-area: 1 / 2 / 3 / 3; }
}
</style>"""
# The row's figures that fit beside the maps; the formulas below give kernel, stride, padding.
ROW_COLUMNS = ("output_shape", "params", "macs", "receptive_field")


def show_notes(notes: tuple[Issue, ...] | list[Issue]) -> None:
    """One info line per conversion or remark, in the user's language."""
    for note in notes:
        st.info(issue_text(note), icon=":material/info:")


def show_problem(error: InputError) -> None:
    """What is wrong, then per-layer or per-key details (a sample: ``count`` says how many)."""
    head, *details = error.issues
    lines = [issue_text(head)] + [f"- {issue_text(d)}" for d in shown_issues(details)]
    total = head.values.get("count", len(details))
    if isinstance(total, int) and total > len(details):
        lines.append(f"- {t('act.detail.more', count=total - len(details))}")
    st.error("\n".join(lines), icon=":material/error:")


# ------------------------------------------------------------------ caches


def models_held(setting: str | None) -> int:
    """Built networks held at once (VGG16: 0.55 GB each): 2 unless the server's operator
    sets ``VGGX_MODELS`` (e.g. 8 for a class spread over VGG11…19 ± BN; README)."""
    value = (setting or "").strip()
    return min(max(int(value), 1), 64) if value.isascii() and value.isdigit() else 2


MODELS_HELD = models_held(os.environ.get("VGGX_MODELS"))


@st.cache_resource(max_entries=MODELS_HELD, show_spinner=False, hash_funcs=SPEC_HASH_FUNCS)
def network(spec: NetworkSpec, weights: WeightsChoice, _data: bytes | None) -> Any:
    """The built, weighted, warmed network; shared by every session (it carries its lock).
    Keyed by the frozen spec and weights record themselves; an upload's bytes by its digest."""
    from components.keras_side.activations import WeightsSource, build_network

    source = WeightsSource(weights.kind, seed=weights.seed, data=_data, path=weights.path,  # type: ignore[arg-type]
                           digest=weights.digest)  # fmt: skip
    return build_network(spec, source)


@dataclass(frozen=True)
class Run:
    """One image through one network: every layer's output, computed once."""

    key: Hashable  # (network, weights, image digest, fit): what the derived caches key on
    outputs: dict[str, np.ndarray]
    picture: Any  # the PIL image the network received (before preprocessing)


@st.cache_resource(max_entries=4, show_spinner=False, hash_funcs=SPEC_HASH_FUNCS)
def run(_net: Any, net_key: Hashable, _image: Any, image_key: str, fit: str) -> Run:
    """The single forward pass for (network, weights, image, fit); ``net_key`` names the
    network and its weights (e.g. ``(spec, weights)``)."""
    h, w, _ = _net.spec.input_shape
    picture = images.fit(_image, h, w, fit)  # type: ignore[arg-type]
    outputs = _net.activations(images.to_batch(picture, _net.preprocessing()))
    return Run((net_key, image_key, fit), outputs, picture)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=SPEC_HASH_FUNCS)
def layer_tiles(_run: Run, run_key: Hashable, layer: str, order: str, n: int, scale: str):
    """The PNG tiles of one layer's view, which channels they show, and the shared range."""
    fmap = _run.outputs[layer]
    channels = featuremaps.channel_order(fmap, order, n)  # type: ignore[arg-type]
    pngs = featuremaps.tiles(fmap, channels, scale)  # type: ignore[arg-type]
    return channels, pngs, featuremaps.shared_range(fmap, channels)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=SPEC_HASH_FUNCS)
def channel_picture(_run: Run, run_key: Hashable, layer: str, channel: int, alpha: float,
                    box: tuple[int, int, int, int] | None) -> tuple[bytes, int]:  # fmt: skip
    """One channel over the picture, the receptive field boxed, as PNG and its width
    (encoded once: a rerun that changes another control re-sends the same bytes)."""
    picture = _run.picture
    shown = featuremaps.overlay(picture, _run.outputs[layer][..., channel], alpha)
    scale = max(1.0, 448 / max(picture.size))
    big = shown.resize((round(shown.width * scale), round(shown.height * scale)))
    if box:
        big = featuremaps.draw_box(big, box, scale)
    out = io.BytesIO()  # a photo-like picture: level 1 encodes 4× faster than 6 for +15 % bytes
    big.save(out, format="PNG", compress_level=1)
    return out.getvalue(), big.width


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=SPEC_HASH_FUNCS)
def stats_table(_run: Run, run_key: Hashable) -> pd.DataFrame:
    return featuremaps.layer_stats(_run.outputs)


@st.cache_data(show_spinner=False)
def sample_bytes(name: str) -> bytes:
    return (SAMPLES_DIR / f"{name}.jpg").read_bytes()


# ------------------------------------------------------------------ chart builders (pure)


def predictions_frame(top: list[tuple[int, float]], labels: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"class": [labels[i] for i, _ in top], "probability": [p for _, p in top]})


# ------------------------------------------------------------------ widgets


def layer_label(info: LayerInfo) -> str:
    return f"{info.name} — {shape_text(info.output_shape)}"


def show_grid(channels: list[int], pngs: list[bytes]) -> None:
    """The channel tiles as PNG images (never JPEG: maps have hard edges)."""
    st.image(
        pngs,
        caption=[t("act.grid.channel", channel=c) for c in channels],
        width=featuremaps.TILE_PX,
        output_format="PNG",
    )


def show_channel_detail(run_: Run, info: LayerInfo, channel: int, row: int, col: int) -> None:
    """One channel over the picture, its statistics, and the receptive field of one position."""
    values = run_.outputs[info.name][..., channel]
    picture = run_.picture
    view = st.segmented_control(
        t("act.view.label"), tuple(VIEWS), format_func=lambda v: t(f"act.view.{v}"),
        key="act_view", default="overlay", required=True,
    )  # fmt: skip
    left, right = st.columns([3, 2])
    rf = info.receptive_field
    box = rf.box(row, col, (picture.height, picture.width)) if rf else None
    png, width = channel_picture(run_, run_.key, info.name, channel, VIEWS[view or "overlay"], box)
    with left:
        st.image(png, output_format="PNG", width=min(width, 448))
    with right:
        stats = featuremaps.channel_stats(values)
        st.dataframe(
            pd.DataFrame(
                {
                    "": [t(f"act.stat.{k}") for k in stats],
                    t("act.stat.value"): [f"{v:.1f} %" if k == "zeros" else f"{v:.4g}"
                                          for k, v in stats.items()],
                }
            ),
            hide_index=True,
        )  # fmt: skip
        if rf and box:
            top, left_, bottom, right_ = box
            st.markdown(
                t(
                    "act.rf.text",
                    layer=info.name,
                    size=shape_text(rf.size),
                    stride=shape_text(rf.stride),
                    row=row,
                    col=col,
                    top=top,
                    bottom=bottom - 1,
                    left=left_,
                    right=right_ - 1,
                )
            )
        else:
            st.markdown(t("act.rf.global"))


def fits_budget_ui(analysis: Analysis) -> bool:
    """Whether this server runs the network; if not, why (with its figures) is drawn."""
    from components.keras_side.activations import check_budget

    try:
        check_budget(analysis.spec)
    except InputError as refusal:
        st.error(issue_lines(refusal.issues), icon=":material/memory:")
        return False
    return True


def forward_pass_ui(
    spec: NetworkSpec, weights: WeightsChoice, data: bytes | None, image: Any, fit: str
) -> tuple[Any, Run] | None:
    """The shared network and the image's one forward pass; None after saying what failed."""
    try:
        with st.spinner(t("act.building", name=plain(spec.name))):
            net = network(spec, weights, data)
            return net, run(net, (spec, weights), image.image, image.digest, fit)
    except InputError as error:
        show_problem(error)
        return None


# ------------------------------------------------------------------ the linked diagram


def clicked_layer(
    points: list[dict[str, Any]], names: list[str], map_names: list[str]
) -> tuple[str | None, str | None]:
    """(layer to show, layer refused for having no feature maps) for a click on the diagram.

    Every point carries its layer name as ``customdata[0]`` and its index as ``x``.
    """
    if not points:
        return None, None
    point = points[0]
    custom = point.get("customdata")
    name = custom[0] if isinstance(custom, list | tuple) and custom else None
    if name not in names:
        index = point.get("x")
        if isinstance(index, int | float) and 0 <= int(index) < len(names):
            name = names[int(index)]
        else:
            name = None
    if name is None:
        return None, None
    return (name, None) if name in map_names else (None, name)


def _diagram_clicked(names: list[str], map_names: list[str]) -> None:
    """Select the clicked layer in the viewer (and the link); a flat layer leaves a note."""
    state = st.session_state
    shown, refused = clicked_layer(state[DIAGRAM_KEY].selection.points, names, map_names)
    if shown is not None:
        state[LAYER_KEY] = shown
        keep_in_link(LAYER_PARAM, shown)
    state[REFUSED_KEY] = refused
    if refused is not None:  # a new figure, so the refused bar does not stay selected
        state.act_diagram_resets = state.get("act_diagram_resets", 0) + 1


def show_diagram(analysis: Analysis, selected: str, map_names: list[str]) -> None:
    """The architecture page's layer diagram with the viewed layer highlighted; click to view."""
    names = [info.name for info in analysis.layers]
    labels = chart_labels() | {"title": t("view.chart.title", name=chart_text(analysis.spec.name))}
    figure = arch_charts.layer_figure(layer_frame(analysis), labels, highlight=selected, height=470)
    figure.update_layout(
        title={"font": {"size": 15}}, meta={"resets": st.session_state.get("act_diagram_resets", 0)}
    )
    st.plotly_chart(
        figure,
        key=DIAGRAM_KEY,
        on_select=lambda: _diagram_clicked(names, map_names),
        selection_mode="points",
        config=theme.PICKER_CONFIG,
    )


def map_layers(analysis: Analysis) -> list[LayerInfo]:
    """Layers whose output is an image-shaped feature map."""
    return [info for info in analysis.layers if len(info.output_shape) == 3]


def start_layer(names: list[str]) -> None:
    """The viewed layer: the link's ``layer=`` on the first visit or for another network."""
    if st.session_state.get(LAYER_KEY) not in names:
        st.session_state[LAYER_KEY] = link_choice(LAYER_PARAM, names, names[0])


def keep_layer() -> None:
    """``on_change`` of the layer slider."""
    keep_key_in_link(LAYER_PARAM, LAYER_KEY)


def take_refused() -> str | None:
    """The layer a diagram click could not show (no feature maps), once."""
    return st.session_state.pop(REFUSED_KEY, None)
