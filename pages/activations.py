"""Activations page: what each layer of the chosen network does to an image.

The network comes from the shared sidebar picker (kept in the share link, with
``weights``, ``sample`` and ``layer``); beside the feature maps, the architecture
page's layer diagram shows where the viewed layer sits, and a click on it views that layer.
"""

from __future__ import annotations

import streamlit as st

from components.engine.errors import InputError
from components.engine.formatting import byte_text
from components.keras_side import featuremaps as F
from components.keras_side import images as I
from components.keras_side import weights as W
from components.keras_side.activations import check_budget, imagenet_labels, top_k
from components.keras_side.digits import is_digits
from components.ui import activation_views as V
from components.ui import saliency_views as SV
from components.ui import weights_views as WV
from components.ui.digits_views import digits_page_ui, offer_digits_ui
from components.ui.i18n import t
from components.ui.layer_explain import explain_layer
from components.ui.messages import issue_lines
from components.ui.navigation import route_through_app
from components.ui.network_picker import analysis_of, pick_network
from components.ui.safe_text import plain
from components.ui.safety import guarded

route_through_app()


def url_choice(name: str, options: tuple[str, ...], default: str) -> str:
    """An allow-listed value from the URL; anything else falls back with a visible note."""
    value = st.query_params.get(name)
    if value is None:
        return default
    if value not in options:
        st.warning(t("act.url.bad", name=name, value=plain(value[:40]), default=default))
        return default
    return value


def keep_in_url(name: str, key: str) -> None:
    st.query_params[name] = st.session_state[key]


def weights_chosen() -> None:
    """The user picked the weights: keep them in the link and stop following the default."""
    st.session_state.act_weights_auto = False
    keep_in_url("weights", "act_weights")


def use_random() -> None:
    st.session_state.act_weights = "random"
    weights_chosen()


st.title(t("act.title"))
st.caption(t("act.intro"))

spec = pick_network("act")  # a network that cannot be built: the picker said why
if spec is None:
    st.stop()
analysis = analysis_of(spec)
try:
    check_budget(spec)
except InputError as refusal:
    st.error(issue_lines(refusal.issues), icon=":material/memory:")
    st.stop()
if is_digits(spec):  # the network trained here: drawing canvas and step view
    digits_page_ui()
    st.stop()

# ------------------------------------------------------------------ sidebar: weights, image

default_weights = WV.default_kind(spec)
if "act_weights" not in st.session_state:
    st.session_state.act_weights_auto = "weights" not in st.query_params
    st.session_state.act_weights = url_choice("weights", W.WEIGHT_KINDS, default_weights)
elif st.session_state.get("act_weights_auto"):  # another network: its own default
    st.session_state.act_weights = default_weights
kind = st.sidebar.radio(
    t("act.weights.label"),
    W.WEIGHT_KINDS,
    format_func=lambda k: t(f"act.weights.{k}"),
    key="act_weights",
    on_change=weights_chosen,
)
seed, data, path, digest = 0, None, "", ""
if kind == "random":
    seed = int(st.sidebar.number_input(t("act.weights.seed"), 0, 9999, 0, key="act_seed"))
    digest = f"seed{seed}"
elif kind in ("keras", "torch"):
    data, path, digest = V.weights_file_input(kind)

if "act_sample" not in st.session_state:
    st.session_state.act_sample = url_choice("sample", V.SAMPLES, V.SAMPLES[0])
sample = st.sidebar.selectbox(
    t("act.image.sample"),
    V.SAMPLES,
    format_func=lambda s: t(f"act.sample.{s}"),
    key="act_sample",
    on_change=keep_in_url,
    args=("sample", "act_sample"),
)
uploaded = st.sidebar.file_uploader(
    t("act.image.upload"), type=list(I.EXTENSIONS), key="act_image_upload"
)
fit = st.sidebar.segmented_control(
    t("act.image.fit"), I.FITS, format_func=lambda f: t(f"act.fit.{f}"), key="act_fit",
    default="crop", required=True,
)  # fmt: skip

# ------------------------------------------------------------------ weights ready? image readable?

if kind in ("keras", "torch") and not digest:
    st.info(t(f"act.weights.need_file_{kind}"), icon=":material/upload_file:")
    st.stop()
if kind in WV.TRAINED_KINDS:  # the trained weights on disk, else the offer to fetch them
    trained = WV.trained_ready(spec, kind, use_random)
    if trained is None:
        st.stop()
    kind, digest = trained.kind, trained.digest

raw = uploaded.getvalue() if uploaded is not None else V.sample_bytes(sample)
try:
    decoded = I.decode(raw, channels=spec.input_shape[2])
except InputError as problem:
    V.show_problem(problem)
    st.caption(t("act.image.try_again"))
    st.stop()

# ------------------------------------------------------------------ network, one forward pass

spec_key = repr(spec)
try:
    with st.spinner(t("act.building", name=plain(spec.name))):
        net = V.network(spec, spec_key, kind, seed, digest, path, data)
        run = V.run(net, f"{spec_key}|{kind}|{digest}", decoded.image, decoded.digest, fit)
except InputError as error:
    V.show_problem(error)
    st.stop()

weights_text = t(f"act.weights.{kind}")
if not net.source.trained:
    st.warning(t("act.untrained", seed=seed), icon=":material/casino:")
    if default_weights == "random":  # no trained VGG on disk: offer the one trained here
        offer_digits_ui("act")
V.show_notes(net.notes)
WV.source_caption(spec, kind, net.preprocessing())

left, right = st.columns([1, 1], gap="large")
with left:
    st.subheader(t("act.input.title"))
    h, w, c = spec.input_shape
    st.image(F.png(run.picture), width=min(w * 2, 448), output_format="PNG")
    st.caption(
        t(
            "act.input.caption",
            name=plain(uploaded.name) if uploaded is not None else t(f"act.sample.{sample}"),
            width=decoded.size[0],
            height=decoded.size[1],
            h=h,
            w=w,
            c=c,
            fit=t(f"act.fit.{fit}"),
            preprocessing=t(f"act.pre.{net.preprocessing()}"),
        )
    )
    st.caption(
        t(
            "act.input.memory",
            activations=byte_text(analysis.activation_bytes),
            weights=byte_text(analysis.weight_bytes),
            layers=len(analysis.layers),
        )
    )
    V.show_notes(decoded.notes)
with right:
    st.subheader(t("act.pred.title"))
    last = analysis.layers[-1]
    if last.name != "predictions" or last.output_shape != (1000,):
        st.info(t("act.pred.no_head"))
    elif not net.source.trained:
        st.info(t("act.pred.untrained"))
    else:
        frame = V.predictions_frame(top_k(run.outputs["predictions"], 5), imagenet_labels())
        st.dataframe(
            frame,
            hide_index=True,
            column_config={
                "class": st.column_config.TextColumn(t("act.pred.class")),
                "probability": st.column_config.ProgressColumn(
                    t("act.pred.probability"), format="percent", min_value=0.0, max_value=1.0
                ),
            },
        )
        st.caption(t("act.pred.caption", weights=weights_text))
SV.evidence_ui(net, run, analysis)

# ------------------------------------------------------------------ feature maps

maps = V.map_layers(analysis)
names = [info.name for info in maps]
if not maps:
    st.info(t("act.maps.none", name=plain(spec.name)))
    st.stop()
if st.session_state.get("act_layer") not in names:  # first visit, or another network now
    st.session_state.act_layer = url_choice("layer", tuple(names), names[0])

# The fragment keeps this script's globals alive for the session: not the network, so a
# model the cache evicted is freed rather than held by every session that used it.
del net


@st.fragment
@guarded
def feature_maps() -> None:
    """Everything that follows the viewed layer, so a slider move or a click reruns only this."""
    st.subheader(t("act.maps.title"))
    by_name = {info.name: info for info in maps}
    name = st.select_slider(  # arrow keys step through the layers in order
        t("act.maps.layer"), names, format_func=lambda n: V.layer_label(by_name[n]),
        key="act_layer", on_change=keep_in_url, args=("layer", "act_layer"),
    )  # fmt: skip
    info = by_name[name]
    refused = st.session_state.pop("act_refused", None)
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
    figure = V.across_layers_figure(stats, name, t("act.layers.mean"), t("act.layers.zeros"))
    st.plotly_chart(figure, key="act_layers_chart", config={"displayModeBar": False})
    dead = F.dead_channels(run.outputs[name])
    if dead:
        listed = ", ".join(map(str, dead[:40])) + (" …" if len(dead) > 40 else "")
        st.markdown(t("act.dead.some", layer=name, count=len(dead), total=depth, list=listed))
    else:
        st.markdown(t("act.dead.none", layer=name))
    st.caption(t("act.layers.caption", weights=weights_text))


feature_maps()
