"""The activation page's feature-map section: everything that follows the viewed layer.

A fragment, so a slider move or a click on the diagram reruns only it. It gets the run
(a cached resource) and never the network: the fragment's arguments live for the session,
and a model the cache evicted is then freed rather than held by every session that used it.
"""

from __future__ import annotations

import streamlit as st

from components.engine.analysis import Analysis, LayerInfo
from components.keras_side import featuremaps
from components.ui import activation_views, theme
from components.ui.activation_charts import across_layers_figure
from components.ui.activation_views import Run
from components.ui.i18n import t
from components.ui.layer_explain import explain_layer
from components.ui.safe_text import plain
from components.ui.safety import guarded


def feature_maps_ui(analysis: Analysis, run: Run, weights_text: str) -> None:
    """The layer picker, the linked diagram, the maps, one channel, and the across-layers chart."""
    maps = activation_views.map_layers(analysis)
    if not maps:
        st.info(t("act.maps.none", name=plain(analysis.spec.name)))
        return
    activation_views.start_layer([info.name for info in maps])
    _feature_maps_ui(analysis, run, weights_text)


@st.fragment
@guarded
def _feature_maps_ui(analysis: Analysis, run: Run, weights_text: str) -> None:
    maps = activation_views.map_layers(analysis)
    names = [info.name for info in maps]
    st.subheader(t("act.maps.title"))
    info = _pick_layer(maps)
    _note_refused(analysis, info.name)
    channels = _linked_ui(analysis, run, info, names)
    _channel_ui(run, info, channels)
    _across_layers_ui(run, info, weights_text)


def _pick_layer(maps: list[LayerInfo]) -> LayerInfo:
    """The viewed layer; arrow keys step through the layers in order."""
    by_name = {info.name: info for info in maps}
    name = st.select_slider(
        t("act.maps.layer"), list(by_name),
        format_func=lambda n: activation_views.layer_label(by_name[n]),
        key=activation_views.LAYER_KEY, on_change=activation_views.keep_layer,
    )  # fmt: skip
    return by_name[name]


def _note_refused(analysis: Analysis, current: str) -> None:
    """Why a layer clicked on the diagram did not become the viewed one."""
    refused = activation_views.take_refused()
    if refused is not None:
        kind_ = analysis.layer(refused).keras_class
        st.info(
            t("act.diagram.no_maps", layer=refused, type=kind_, current=current),
            icon=":material/info:",
        )


def _linked_ui(analysis: Analysis, run: Run, info: LayerInfo, names: list[str]) -> list[int]:
    """The diagram, the layer's numbers and its maps side by side; the channels shown."""
    st.html(activation_views.LINKED_STYLE)
    with st.container(key="act_linked"), st.container(key="act_grid"):
        diagram_side = st.container(key="act_diagram_side")
        maps_side = st.container(key="act_maps_side")
        numbers_side = st.container(key="act_numbers_side")
    with diagram_side:
        activation_views.show_diagram(analysis, info.name, names)
        st.caption(t("act.diagram.caption"))
    with numbers_side:
        explain_layer(
            analysis, info.name, "act_explain", columns=activation_views.ROW_COLUMNS,
            what_if=False,
        )  # fmt: skip
    with maps_side:
        return _maps_ui(run, info)


def _maps_ui(run: Run, info: LayerInfo) -> list[int]:
    """The grid of maps and its controls, one per row (the column is ~300 px wide beside the
    diagram); the channels shown."""
    name = info.name
    n = st.select_slider(t("act.maps.count"), activation_views.GRID_SIZES, value=16, key="act_n")
    order = st.segmented_control(
        t("act.maps.order"), featuremaps.ORDERS, format_func=lambda o: t(f"act.order.{o}"),
        key="act_order", default="first", required=True,
    )  # fmt: skip
    own_scale = st.toggle(t("act.maps.own_scale"), key="act_own_scale")
    scale = "channel" if own_scale else "shared"
    channels, pngs, (low, high) = activation_views.layer_tiles(run, run.key, name, order, n, scale)
    shown = len(channels)
    st.caption(t("act.maps.caption", shown=shown, total=info.output_shape[2], layer=name))
    if own_scale:
        st.caption(t("act.maps.range_own"))
    else:
        st.caption(t("act.maps.range_shared", low=f"{low:.3g}", high=f"{high:.3g}"))
    activation_views.show_grid(channels, pngs)
    return channels


def _channel_ui(run: Run, info: LayerInfo, channels: list[int]) -> None:
    """One channel of the layer, and the value at a chosen row and column."""
    name = info.name
    st.subheader(t("act.channel.title"))
    oh, ow, depth = info.output_shape
    x, y, z = st.columns(3)
    channel = x.number_input(
        t("act.channel.pick"), 0, depth - 1, channels[0], key=f"act_channel_{name}"
    )
    row = y.slider(t("act.channel.row"), 0, oh - 1, oh // 2, key=f"act_row_{name}")
    col = z.slider(t("act.channel.col"), 0, ow - 1, ow // 2, key=f"act_col_{name}")
    activation_views.show_channel_detail(run, info, int(channel), row, col)


def _across_layers_ui(run: Run, info: LayerInfo, weights_text: str) -> None:
    """Mean activation and zeros per layer, and the viewed layer's dead channels."""
    name, depth = info.name, info.output_shape[2]
    st.subheader(t("act.layers.title"))
    stats = activation_views.stats_table(run, run.key)
    figure = across_layers_figure(stats, name, t("act.layers.mean"), t("act.layers.zeros"))
    st.plotly_chart(figure, key="act_layers_chart", config=theme.PICKER_CONFIG)
    dead = featuremaps.dead_channels(run.outputs[name])
    if dead:
        listed = ", ".join(map(str, dead[:40])) + (" …" if len(dead) > 40 else "")
        st.markdown(t("act.dead.some", layer=name, count=len(dead), total=depth, list=listed))
    else:
        st.markdown(t("act.dead.none", layer=name))
    st.caption(t("act.layers.caption", weights=weights_text))
