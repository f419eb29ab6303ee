"""The activation page's feature-map section: everything that follows the viewed layer.

A fragment, so a slider move or a click on the diagram reruns only it. It gets the run
(a cached resource) and never the network: the fragment's arguments live for the session,
and a model the cache evicted is then freed rather than held by every session that used it.
"""

from __future__ import annotations

import streamlit as st

from components.engine.analysis import Analysis
from components.keras_side import featuremaps as F
from components.ui import activation_views as V
from components.ui.activation_charts import across_layers_figure
from components.ui.i18n import t
from components.ui.layer_explain import explain_layer
from components.ui.safe_text import plain
from components.ui.safety import guarded


def feature_maps_ui(analysis: Analysis, run: V.Run, weights_text: str) -> None:
    """The layer picker, the linked diagram, the maps, one channel, and the across-layers chart."""
    maps = V.map_layers(analysis)
    if not maps:
        st.info(t("act.maps.none", name=plain(analysis.spec.name)))
        return
    V.start_layer([info.name for info in maps])
    _feature_maps_ui(analysis, run, weights_text)


@st.fragment
@guarded
def _feature_maps_ui(analysis: Analysis, run: V.Run, weights_text: str) -> None:
    maps = V.map_layers(analysis)
    names = [info.name for info in maps]
    st.subheader(t("act.maps.title"))
    by_name = {info.name: info for info in maps}
    name = st.select_slider(  # arrow keys step through the layers in order
        t("act.maps.layer"), names, format_func=lambda n: V.layer_label(by_name[n]),
        key=V.LAYER_KEY, on_change=V.keep_layer,
    )  # fmt: skip
    info = by_name[name]
    refused = V.take_refused()
    if refused is not None:
        kind_ = analysis.layer(refused).keras_class
        st.info(
            t("act.diagram.no_maps", layer=refused, type=kind_, current=name),
            icon=":material/info:",
        )
    st.html(V.LINKED_STYLE)
    with st.container(key="act_linked"), st.container(key="act_grid"):
        diagram_side = st.container(key="act_diagram_side")
        maps_side = st.container(key="act_maps_side")
        numbers_side = st.container(key="act_numbers_side")
    with diagram_side:
        V.diagram(analysis, name, names)
        st.caption(t("act.diagram.caption"))
    with numbers_side:
        explain_layer(analysis, name, "act_explain", columns=V.ROW_COLUMNS, what_if=False)
    with maps_side:
        # one control per row: the maps' column is ~300 px wide beside the diagram
        n = st.select_slider(t("act.maps.count"), V.GRID_SIZES, value=16, key="act_n")
        order = st.segmented_control(
            t("act.maps.order"), F.ORDERS, format_func=lambda o: t(f"act.order.{o}"),
            key="act_order", default="first", required=True,
        )  # fmt: skip
        own_scale = st.toggle(t("act.maps.own_scale"), key="act_own_scale")
        scale = "channel" if own_scale else "shared"
        channels, pngs, (low, high) = V.layer_tiles(run, run.key, name, order, n, scale)
        shown = len(channels)
        st.caption(t("act.maps.caption", shown=shown, total=info.output_shape[2], layer=name))
        if own_scale:
            st.caption(t("act.maps.range_own"))
        else:
            st.caption(t("act.maps.range_shared", low=f"{low:.3g}", high=f"{high:.3g}"))
        V.grid(channels, pngs)

    st.subheader(t("act.channel.title"))
    oh, ow, depth = info.output_shape
    x, y, z = st.columns(3)
    channel = x.number_input(
        t("act.channel.pick"), 0, depth - 1, channels[0], key=f"act_channel_{name}"
    )
    row = y.slider(t("act.channel.row"), 0, oh - 1, oh // 2, key=f"act_row_{name}")
    col = z.slider(t("act.channel.col"), 0, ow - 1, ow // 2, key=f"act_col_{name}")
    V.channel_detail(run, info, int(channel), row, col)

    st.subheader(t("act.layers.title"))
    stats = V.stats_table(run, run.key)
    figure = across_layers_figure(stats, name, t("act.layers.mean"), t("act.layers.zeros"))
    st.plotly_chart(figure, key="act_layers_chart", config={"displayModeBar": False})
    dead = F.dead_channels(run.outputs[name])
    if dead:
        listed = ", ".join(map(str, dead[:40])) + (" …" if len(dead) > 40 else "")
        st.markdown(t("act.dead.some", layer=name, count=len(dead), total=depth, list=listed))
    else:
        st.markdown(t("act.dead.none", layer=name))
    st.caption(t("act.layers.caption", weights=weights_text))
