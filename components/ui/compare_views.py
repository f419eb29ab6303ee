"""Widgets of the Compare page: configuration cards kept in ``cmp=``, deltas, table, charts.

The comparison lives in the URL (``cmp=vgg16,vgg19_bn@320x320x3,vgg11/notop``) and is
read once per session into numbered slots; every slot is a card of widgets. A slot
that cannot be built says why in its own card and is left out of the rest, so the
other configurations still show. TensorFlow is imported only inside
:func:`same_image`, after its toggle is switched on.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, replace

import streamlit as st

from components.engine import compare
from components.engine.choice import parse_input_size
from components.engine.errors import InputError
from components.engine.formatting import count_text, short_count, signed, signed_short, size_text
from components.engine.presets import preset_names
from components.engine.spec import MAX_INPUT_SIDE, NetworkSpec, decode_spec, encode_spec
from components.engine.vgg import CONFIGS, vgg_name
from components.ui import compare_charts, url_state
from components.ui.accuracy_views import accuracy_ui
from components.ui.i18n import t
from components.ui.messages import issue_lines, issue_sentences
from components.ui.network_picker import SPEC_HASH_FUNCS, spec_error_text
from components.ui.safe_text import chart_text, plain
from components.ui.theme import PLOT_CONFIG

LINK_KEY = "cmp"
SLOTS, NEXT, NOTES, NOTES_FOR = "cmp_slots", "cmp_next", "cmp_notes", "cmp_notes_for"
LINK_SPEC, SPEC_NOTE = "cmp_link_spec", "cmp_spec_note"  # the link's spec= and why it failed
SIDES_FOR_ALL = (64, 128, 224, 256, 320, 384, 448, 512)
SUGGESTIONS = ("vgg11", "vgg13", "vgg16", "vgg19")  # what "Add" offers next
BN = "_bn"
SWATCH = "<span style='color:{colour};font-size:1.4em'>■</span> **{title}**"


def network_options() -> list[str]:
    """Every VGG with and without batch norm (named as in the link), then the custom CNNs."""
    vggs = [name for key in CONFIGS for name in (key, key + BN)]
    own = [compare.LINK_SPEC] if st.session_state.get(LINK_SPEC) is not None else []
    return vggs + own + [compare.PRESET_PREFIX + name for name in preset_names()]


def _custom(option: str) -> bool:
    """A custom CNN (preset or the link's): no batch-norm or head options."""
    return option.startswith(compare.PRESET_PREFIX) or option == compare.LINK_SPEC


def _arch_bn(option: str) -> tuple[str, bool]:
    """The picker's value as (arch, batch norm): 'vgg16_bn' is ('vgg16', True)."""
    if _custom(option):
        return option, False
    return option.removesuffix(BN), option.endswith(BN)


def _own_input(option: str) -> tuple[int, int, int]:
    spec = st.session_state.get(LINK_SPEC)
    if option == compare.LINK_SPEC and spec is not None:
        return spec.input_shape
    return compare.default_input(_arch_bn(option)[0])


def short_name(option: str) -> str:
    """'VGG16-BN' or the preset's name: what the engine calls the network."""
    if option == compare.LINK_SPEC:
        spec = st.session_state.get(LINK_SPEC)
        return spec.name if spec is not None else option
    if option.startswith(compare.PRESET_PREFIX):
        return option.removeprefix(compare.PRESET_PREFIX)
    return vgg_name(*_arch_bn(option))


def network_label(option: str) -> str:
    if option == compare.LINK_SPEC:
        return t("hostile.compare.from_link", name=short_name(option))
    if option.startswith(compare.PRESET_PREFIX):
        return t("compare.card.preset", name=short_name(option))
    return short_name(option)


def swatch(colour: str, title: str) -> str:
    """A square in the configuration's chart colour before its name (bold, HTML-escaped)."""
    return SWATCH.format(colour=colour, title=plain(title))


def display_name(config: compare.Config) -> str:
    """'VGG19-BN', plus the input when it is not the network's own and 'no head' when dropped."""
    item = config.item
    parts = [config.analysis.spec.name]
    if item.input_shape != item.own_input:
        h, w, c = item.input_shape
        parts.append(f"{h}×{w}" + ("" if c == 3 else f"×{c}"))
    if not item.include_top:
        parts.append(t("compare.label.notop"))
    return " · ".join(parts)


# ------------------------------------------------------------------ slots and the link


def _key(slot: int, name: str) -> str:
    return f"cmp_{slot}_{name}"


WIDGETS = ("net", "top", "size")  # a card's widgets, each kept in ``cmp_<slot>_<name>``


def _write(slot: int, item: compare.Item) -> None:
    option = item.arch + (BN if item.batch_norm else "")
    values = (option, item.include_top, size_text(item.input_shape))
    st.session_state.update({_key(slot, name): v for name, v in zip(WIDGETS, values, strict=True)})
    st.session_state[_key(slot, "was")] = option
    _save(slot)


def _save(slot: int) -> None:
    """A copy of the card's values outside its widgets' keys.

    Streamlit forgets a widget's value once a run does not draw it (another page was
    opened), while the slots stay; the copy brings the card back as it was.
    """
    state = st.session_state
    state[_key(slot, "saved")] = tuple(state[_key(slot, name)] for name in WIDGETS)


def _restore(slot: int) -> None:
    state = st.session_state
    for name, value in zip(WIDGETS, state[_key(slot, "saved")], strict=True):
        if _key(slot, name) not in state:
            state[_key(slot, name)] = value


def _new_slot(item: compare.Item) -> int:
    """A fresh slot number, so no widget of a removed card lends its old value."""
    slot = st.session_state.get(NEXT, 0)
    st.session_state[NEXT] = slot + 1
    _write(slot, item)
    return slot


def _load(items: tuple[compare.Item, ...] | list[compare.Item]) -> None:
    st.session_state[SLOTS] = [_new_slot(item) for item in items]


def start_from_link() -> None:
    """Read ``cmp=`` once per session (absent: the default comparison)."""
    if SLOTS in st.session_state:
        return
    value, token = url_state.link_value(LINK_KEY), url_state.link_value(compare.LINK_SPEC)
    st.session_state[LINK_SPEC], st.session_state[SPEC_NOTE] = None, None
    if token is not None:  # the Custom CNN page's "Open on Compare" link carries spec=
        try:
            st.session_state[LINK_SPEC] = decode_spec(token)
            value = compare.LINK_SPEC if value is None else value
        except InputError as error:
            used = t("url.used.without_spec")
            note = url_state.bad_value_text(compare.LINK_SPEC, token, used, spec_error_text(error))
            st.session_state[SPEC_NOTE] = note
    result = compare.parse_link(
        compare.DEFAULT_LINK if value is None else value, st.session_state[LINK_SPEC]
    )
    _load(result.items)
    st.session_state[NOTES] = result
    st.session_state[NOTES_FOR] = compare.link_value(result.items)


def show_link_notes(items: list[compare.Item]) -> None:
    """What the link asked for that could not be used; shown until the comparison changes."""
    result: compare.LinkComparison = st.session_state[NOTES]
    if compare.link_value(items) != st.session_state[NOTES_FOR]:
        return
    if st.session_state.get(SPEC_NOTE):
        st.warning(st.session_state[SPEC_NOTE], icon=":material/link_off:")
    for bad in result.rejected:
        reason = issue_sentences(bad.issues)
        st.warning(
            t("compare.link.rejected", position=bad.position, item=plain(bad.text), reason=reason),
            icon=":material/link_off:",
        )
    if result.added:
        names = ", ".join(compare.configure(item).analysis.spec.name for item in result.added)
        st.info(
            t("compare.link.added", names=names, minimum=compare.MIN_ITEMS), icon=":material/info:"
        )


def _quick_pick() -> None:
    pick = st.session_state.cmp_quick
    if pick:
        _load(compare.parse_link(compare.QUICK_PICKS[pick]).items)
    st.session_state.cmp_quick = None


def _size_for_all() -> None:
    """One input side for every configuration, each keeping its own channel count."""
    side = st.session_state.cmp_all_size
    for slot in st.session_state[SLOTS]:
        try:
            channels = parse_input_size(st.session_state[_key(slot, "size")])[2]
        except InputError:
            channels = 3
        st.session_state[_key(slot, "size")] = size_text((side, side, channels))
    st.session_state.cmp_all_size = None


def _add() -> None:
    state = st.session_state
    used = {state[_key(slot, "net")] for slot in state[SLOTS]}
    arch = next((a for a in SUGGESTIONS if a not in used), SUGGESTIONS[-1])
    state[SLOTS] = [*state[SLOTS], _new_slot(compare.parse_item(arch))]


def _remove(slot: int) -> None:
    st.session_state[SLOTS] = [s for s in st.session_state[SLOTS] if s != slot]


def _network_changed(slot: int) -> None:
    """A new network brings its own input size, unless the old size was chosen on purpose."""
    state = st.session_state
    old, new = state[_key(slot, "was")], state[_key(slot, "net")]
    if state[_key(slot, "size")].strip() == size_text(_own_input(old)):
        state[_key(slot, "size")] = size_text(_own_input(new))
    if _custom(new):
        state[_key(slot, "top")] = True
    state[_key(slot, "was")] = new


def _slot_item(slot: int) -> compare.Item:
    state = st.session_state
    option = state[_key(slot, "net")]
    arch, batch_norm = _arch_bn(option)
    return compare.make_item(
        arch,
        batch_norm=batch_norm,
        include_top=bool(state[_key(slot, "top")]) or _custom(option),
        size=state[_key(slot, "size")],
        link_spec=state.get(LINK_SPEC),
    )


@dataclass(frozen=True)
class Slot:
    """One card's outcome: its colour and name, its configuration or what is wrong with it."""

    colour: str
    name: str
    config: compare.Config | None
    problem: str | None  # translated; shown under the cards, where there is room


def toolbar_ui() -> None:
    """Quick comparisons and one input size for all."""
    st.pills(
        t("compare.quick.label"), list(compare.QUICK_PICKS), key="cmp_quick", on_change=_quick_pick,
        format_func=lambda k: t(f"compare.quick.{k}"),
    )  # fmt: skip
    st.pills(
        t("compare.all_size.label"), SIDES_FOR_ALL, format_func=lambda s: f"{s}×{s}",
        key="cmp_all_size", on_change=_size_for_all, help=t("compare.all_size.help"),
    )  # fmt: skip


def cards_ui() -> list[Slot]:
    """One bordered card per configuration, side by side, in its chart colour; then "Add"."""
    slots = st.session_state[SLOTS]
    out = []
    for slot, column, colour in zip(
        slots, st.columns(len(slots)), compare_charts.COLOURS, strict=False
    ):
        with column.container(border=True):
            out.append(_card_ui(slot, colour, removable=len(slots) > compare.MIN_ITEMS))
    st.button(
        t("compare.add"), icon=":material/add:", key="cmp_add", on_click=_add,
        disabled=len(slots) >= compare.MAX_ITEMS,
    )  # fmt: skip
    for position, card in enumerate(out, start=1):
        if card.problem:
            st.error(
                t(
                    "compare.card.problem",
                    position=position,
                    name=plain(card.name),
                    problem=card.problem,
                ),
                icon=":material/error:",
            )
    return out


def _card_ui(slot: int, colour: str, removable: bool) -> Slot:
    _restore(slot)
    header = st.empty()
    option = st.selectbox(
        t("compare.card.network"), network_options(), format_func=network_label,
        key=_key(slot, "net"), on_change=_network_changed, args=(slot,),
    )  # fmt: skip
    st.toggle(t("compare.card.head"), key=_key(slot, "top"), disabled=_custom(option))
    st.text_input(
        t("compare.card.input"), key=_key(slot, "size"), max_chars=20,
        help=t("compare.card.input_help", max=MAX_INPUT_SIDE),
    )  # fmt: skip
    _save(slot)
    config, problem = None, None
    try:
        config = compare.configure(_slot_item(slot))
    except InputError as error:
        problem = issue_sentences(error.shown(limit=3))
        st.badge(t("compare.card.broken"), icon=":material/error:", color="red")
    name = display_name(config) if config else short_name(option)
    header.markdown(swatch(colour, name), unsafe_allow_html=True)
    st.button(
        t("compare.card.remove"), icon=":material/close:", key=_key(slot, "remove"),
        on_click=_remove, args=(slot,), disabled=not removable, type="tertiary",
    )  # fmt: skip
    return Slot(colour, name, config, problem)


def keep_in_link(items: list[compare.Item]) -> None:
    """The usable configurations as ``cmp=``, with ``spec=`` while the item ``spec`` is used."""
    value = compare.link_value(items)
    if value:
        url_state.keep_in_link(LINK_KEY, value)
    custom = next((item.custom for item in items if item.custom is not None), None)
    if custom is not None:
        url_state.keep_in_link(compare.LINK_SPEC, encode_spec(custom))
    elif value:
        url_state.drop_from_link(compare.LINK_SPEC)


# ------------------------------------------------------------------ what changes


def names_of(configs: list[compare.Config]) -> list[str]:
    """Display names, numbered when two configurations would look the same."""
    names: list[str] = []
    for config in configs:
        name = display_name(config)
        names.append(name if name not in names else f"{name} ({len(names) + 1})")
    return names


def _block_word(key: str) -> str:
    return t("compare.head") if key == compare.HEAD else key.removeprefix("block")


def _where(delta: compare.Delta) -> str:
    """'+1 in blocks 3, 4, 5; −512 … in the head': the conv changes grouped by amount."""
    by_change: dict[int, list[str]] = {}
    for key, change in delta.conv_changes:
        by_change.setdefault(change, []).append(key)
    parts = []
    for change, keys in by_change.items():
        blocks = [k for k in keys if k != compare.HEAD]
        if blocks:
            form = "one" if len(blocks) == 1 else "many"
            words = t("compare.sep").join(_block_word(k) for k in blocks)
            parts.append(t(f"compare.delta.where_{form}", change=signed(change), blocks=words))
        if compare.HEAD in keys:
            parts.append(t("compare.delta.where_head", change=signed(change)))
    return t("compare.delta.where", parts=t("compare.sep_groups").join(parts)) if parts else ""


def delta_text(delta: compare.Delta, names: list[str]) -> str:
    """One sentence: conv layers, parameters, MACs, receptive field, each with its change."""
    if delta.convs:
        form = "one" if abs(delta.convs) == 1 else "other"
        convs = t(f"compare.delta.convs_{form}", n=signed(delta.convs))
    else:
        convs = t("compare.delta.convs_same")
    changes = ""
    if "network" not in delta.changes:  # else the two names already say what differs
        changes = t("compare.sep").join(t(f"compare.change.{c}") for c in delta.changes)
    rf = ""
    if delta.rf_before and delta.rf_after:
        before, after = compare.side_text(delta.rf_before), compare.side_text(delta.rf_after)
        rf = (
            t("compare.delta.rf_same", size=before)
            if before == after
            else t("compare.delta.rf", before=before, after=after)
        )
    pct = compare.signed_pct(delta.params_ratio)
    macs_pct = compare.signed_pct(delta.macs_ratio)
    return t(
        "compare.delta.line",
        before=plain(names[delta.before]),
        after=plain(names[delta.after]),
        changes=t("compare.delta.changes", list=changes) if changes else "",
        convs=convs + _where(delta),
        params=signed(delta.params),
        params_pct=t("compare.delta.pct", pct=pct) if pct else "",
        macs=signed_short(delta.macs),
        macs_pct=t("compare.delta.pct", pct=macs_pct) if macs_pct else "",
        rf=rf,
    )


def last_conv_help(comparison: compare.Comparison, names: list[str]) -> str:
    """On hover: the receptive field's definition, and each network's last conv's own figure."""
    sizes = []
    for name, config in zip(names, comparison.configs, strict=True):
        conv = config.analysis.last_conv
        if conv is not None and conv.receptive_field is not None:
            sizes.append(f"{name} ({conv.name}): {compare.side_text(conv.receptive_field.size)} px")
    return t("classroom.rf.compare_help", list=t("compare.sep").join(sizes) or "—")


def show_deltas(comparison: compare.Comparison, names: list[str]) -> None:
    st.subheader(t("compare.delta.title"))
    if not comparison.deltas:
        st.info(t("compare.delta.need_two"))
        return
    st.markdown(
        "\n".join(f"- {delta_text(d, names)}" for d in comparison.deltas),
        help=last_conv_help(comparison, names),
    )
    accuracy_ui(comparison, names)
    shared = comparison.shared_head_params
    if shared:
        st.markdown(
            t("compare.delta.same_head", params=short_count(shared), exact=count_text(shared),
              n=len(comparison.configs))
        )  # fmt: skip


# ------------------------------------------------------------------ the aligned table


def block_names(comparison: compare.Comparison) -> dict[str, str]:
    return compare_charts.block_labels(
        comparison.stage_keys, t("compare.block_n"), t("compare.head"), t("compare.total")
    )


def show_table(comparison: compare.Comparison, names: list[str]) -> None:
    st.subheader(t("compare.table.title"))
    labels = {m: t(f"compare.col.{m}") for m in compare.METRICS} | {"whole": t("compare.rf.whole")}
    frame, changed = compare_charts.aligned_frame(
        comparison, names, block_names(comparison), labels
    )
    shown = st.pills(
        t("compare.table.columns"),
        compare.METRICS,
        selection_mode="multi",
        default=list(compare.METRICS),
        format_func=lambda m: t(f"compare.col.{m}"),
        key="cmp_columns",
    )
    keep = frame.columns.get_level_values(1).isin([labels[m] for m in shown or compare.METRICS])
    frame, changed = frame.loc[:, keep], changed.loc[:, keep]
    styled = frame.style.apply(
        lambda _: changed.replace({True: "font-weight: bold; background-color: #fff3bf",
                                   False: ""}),
        axis=None,
    )  # fmt: skip
    st.dataframe(styled, key="cmp_table", height=35 * (len(frame) + 2) + 3)
    st.caption(t("compare.table.caption"))
    custom = [n for n, c in zip(names, comparison.configs, strict=True) if c.by_pooling]
    if custom:
        st.info(t("compare.table.stages", names=plain(", ".join(custom))), icon=":material/info:")
    st.download_button(
        t("compare.table.csv"), compare.to_csv(comparison), file_name="vgg-compare.csv",
        mime="text/csv", icon=":material/download:", key="cmp_csv",
    )  # fmt: skip


# ------------------------------------------------------------------ charts


def show_charts(comparison: compare.Comparison, names: list[str], colours: list[str]) -> None:
    st.subheader(t("compare.totals.title"))
    labelled = [chart_text(name) for name in names]  # plotly draws HTML tags in its text
    labels = {k: t(f"compare.totals.{k}") for k in compare_charts.TOTALS}
    st.plotly_chart(
        compare_charts.totals_figure(
            compare_charts.totals_frame(comparison, labelled, colours), labels
        ),
        key="cmp_totals_chart",
        config=PLOT_CONFIG,
    )
    st.caption(t("compare.totals.caption"))

    st.subheader(t("compare.curves.title"))
    metric = st.segmented_control(
        t("compare.curves.metric"),
        compare_charts.CURVE_METRICS,
        format_func=lambda m: t(f"compare.curve.{m}"),
        default="params",
        required=True,
        key="cmp_metric",
    )
    blocks = block_names(comparison)
    frame = compare_charts.curves_frame(comparison, labelled, colours)
    curve_labels = {"title": t(f"compare.curve.{metric}"), "y": t(f"compare.curve.{metric}")}
    st.plotly_chart(
        compare_charts.curves_figure(
            frame, metric, [blocks[k] for k in comparison.stage_keys], curve_labels
        ),
        key="cmp_curves_chart",
        config=PLOT_CONFIG,
    )
    st.caption(t("compare.curves.caption"))
    show_sweep(comparison, names, colours)


def show_sweep(comparison: compare.Comparison, names: list[str], colours: list[str]) -> None:
    st.subheader(t("compare.sweep.title"))
    items = [c.item for c in comparison.configs]
    sweeps = [compare.input_sweep(item) for item in items]
    sides = [item.input_shape[0] if item.input_shape[0] == item.input_shape[1] else 0
             for item in items]  # fmt: skip
    frame = compare_charts.sweep_frame(sweeps, [chart_text(name) for name in names], colours, sides)
    labels = {"params": t("compare.sweep.params"), "macs": t("compare.sweep.macs"),
              "x": t("compare.sweep.x")}  # fmt: skip
    st.plotly_chart(
        compare_charts.sweep_figure(frame, labels), key="cmp_sweep_chart", config=PLOT_CONFIG
    )
    st.markdown(why_fc_grows(comparison, names))


def why_fc_grows(comparison: compare.Comparison, names: list[str]) -> str:
    """The first dense layer's input, with the numbers of one configuration at two sizes."""
    for name, config in zip(names, comparison.configs, strict=True):
        first = compare.first_dense(config)
        if first is None:
            continue
        h, w, _ = config.item.input_shape
        bigger = compare.first_dense(_doubled(config)) if 2 * max(h, w) <= MAX_INPUT_SIDE else None
        values = {
            "name": plain(name), "layer": first.layer, "h": h, "w": w,
            "gh": first.grid[0], "gw": first.grid[1], "c": first.grid[2],
            "inputs": count_text(first.inputs), "units": count_text(first.units),
            "params": count_text(first.params),
        }  # fmt: skip
        key = (
            "compare.sweep.why_vgg" if config.analysis.spec.family == "vgg" else "compare.sweep.why"
        )
        text = t(key, **values)
        if bigger is not None:
            text += t(
                "compare.sweep.why_bigger", h=2 * h, w=2 * w, gh=bigger.grid[0],
                gw=bigger.grid[1], c=bigger.grid[2], inputs=count_text(bigger.inputs),
                params=count_text(bigger.params),
            )  # fmt: skip
        return text + t("compare.sweep.why_rest")
    return t("compare.sweep.no_head")


def _doubled(config: compare.Config) -> compare.Config:
    h, w, c = config.item.input_shape
    return compare.configure(replace(config.item, input_shape=(2 * h, 2 * w, c)))


# ------------------------------------------------------------------ same image, two networks

MAP_CHANNELS = 8
MAP_SEED = 0
MOSAIC_COLUMNS, MOSAIC_TILE, MOSAIC_GAP = 4, 128, 4


def _map_spec(config: compare.Config) -> NetworkSpec:
    """What the maps are computed with: a VGG without its head, which changes no feature map."""
    item = config.item
    return item.spec() if _custom(item.arch) else replace(item, include_top=False).spec()


def _common_blocks(pair: tuple[compare.Config, compare.Config]) -> list[str]:
    """Blocks both networks have, each with an image-shaped feature map."""
    return [
        stage.key
        for stage in pair[0].stages
        if stage.feature_layer is not None
        and (other := pair[1].stage(stage.key)) is not None
        and other.feature_layer is not None
    ]


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=SPEC_HASH_FUNCS)
def _mosaic(_run, run_key: Hashable, layer: str, channels: tuple[int, ...], low: float,
            high: float) -> bytes:  # fmt: skip
    """One PNG of the channels, MOSAIC_COLUMNS to a row, on a colour scale given from outside.

    One picture rather than one per channel: it stretches to the column, so the maps
    stay large on a projector and the two networks' grids line up row by row.
    """
    from PIL import Image

    from components.keras_side import featuremaps

    fmap = _run.outputs[layer]
    h, w = fmap.shape[:2]
    scale = MOSAIC_TILE / max(h, w)
    tile = (max(1, round(w * scale)), max(1, round(h * scale)))
    smooth = Image.Resampling.BILINEAR if scale < 1 else Image.Resampling.NEAREST
    rows = -(-len(channels) // MOSAIC_COLUMNS)
    step = (tile[0] + MOSAIC_GAP, tile[1] + MOSAIC_GAP)
    sheet = Image.new("RGB", (MOSAIC_COLUMNS * step[0] - MOSAIC_GAP, rows * step[1] - MOSAIC_GAP),
                      "white")  # fmt: skip
    for i, channel in enumerate(channels):
        picture = featuremaps.colourise(fmap[..., channel], low, high).resize(tile, smooth)
        sheet.paste(picture, ((i % MOSAIC_COLUMNS) * step[0], (i // MOSAIC_COLUMNS) * step[1]))
    return featuremaps.png(sheet)


def show_same_image(configs: list[compare.Config], names: list[str], colours: list[str]) -> None:
    """Feature maps of one block in two networks, one colour scale; TensorFlow only when asked."""
    st.subheader(t("compare.maps.title"))
    if not st.toggle(t("compare.maps.toggle"), key="cmp_maps", help=t("compare.maps.help")):
        st.caption(t("compare.maps.off"))
        return
    from components.ui import activation_views

    picks = list(range(len(configs)))
    a, b, c, d = st.columns(4)
    first = a.selectbox(
        t("compare.maps.first"), picks, format_func=names.__getitem__, key="cmp_maps_a"
    )
    second = b.selectbox(
        t("compare.maps.second"), picks, index=1, format_func=names.__getitem__, key="cmp_maps_b"
    )
    pair = (configs[first], configs[second])
    blocks = _common_blocks(pair)
    if not blocks:
        st.info(t("compare.maps.no_blocks"))
        return
    labels = compare_charts.block_labels(
        blocks, t("compare.block_n"), t("compare.head"), t("compare.total")
    )
    block = c.selectbox(
        t("compare.maps.block"), blocks, index=min(2, len(blocks) - 1),
        format_func=labels.__getitem__, key="cmp_maps_block",
    )  # fmt: skip
    sample = d.selectbox(
        t("compare.maps.sample"),
        activation_views.SAMPLES,
        format_func=lambda s: t(f"act.sample.{s}"),
        key="cmp_maps_sample",
    )
    chosen = [(pair[0], names[first], colours[first]), (pair[1], names[second], colours[second])]
    passes = [_run_forward(config, name, sample) for config, name, _ in chosen]
    if None in passes:
        return
    nets, runs = zip(*passes, strict=True)
    _show_maps(chosen, list(runs), block)
    from components.ui.saliency_views import across_networks_ui
    from components.ui.weights_views import trained_top5_ui

    trained_top5_ui(list(pair), [names[first], names[second]], sample)
    across_networks_ui(list(nets), list(runs), [name for _, name, _ in chosen])


def _run_forward(config: compare.Config, name: str, sample: str):
    """One network and its pass over the sample (cached, shared); None after saying what went
    wrong."""
    from components.keras_side import images
    from components.keras_side.activations import check_budget
    from components.ui import activation_views
    from components.ui.weights_choice import WeightsChoice

    spec = _map_spec(config)
    digest = f"seed{MAP_SEED}"
    try:
        check_budget(spec)
        image = images.decode(activation_views.sample_bytes(sample), channels=spec.input_shape[2])
        with st.spinner(t("compare.maps.building", name=plain(name))):
            weights = WeightsChoice("random", seed=MAP_SEED, digest=digest)
            net = activation_views.network(spec, weights, None)
            return net, activation_views.run(
                net, (spec, weights), image.image, image.digest, "crop"
            )
    except InputError as error:
        st.error(t("compare.maps.cannot", name=plain(name), error=issue_lines(error.issues)))
    return None


def _show_maps(chosen: list[tuple[compare.Config, str, str]], runs: list, block: str) -> None:
    from components.keras_side import featuremaps

    layers = [config.stage(block).feature_layer for config, _, _ in chosen]  # type: ignore[union-attr]
    maps = [run.outputs[info.name] for run, info in zip(runs, layers, strict=True)]  # type: ignore[union-attr]
    channels = [featuremaps.channel_order(fmap, "first", MAP_CHANNELS) for fmap in maps]
    ranges = [featuremaps.shared_range(fmap, ch) for fmap, ch in zip(maps, channels, strict=True)]
    low, high = min(r[0] for r in ranges), max(r[1] for r in ranges)
    picture, warning = st.columns([1, 5], vertical_alignment="center")
    picture.image(featuremaps.png(runs[0].picture), width="stretch", output_format="PNG")
    warning.warning(t("compare.maps.untrained", seed=MAP_SEED), icon=":material/casino:")
    for column, (_, name, colour), run, info, shown in zip(
        st.columns(2, gap="large"), chosen, runs, layers, channels, strict=True
    ):
        shape = compare.shape_text(info.output_shape)  # type: ignore[union-attr]
        column.markdown(
            f"{swatch(colour, name)} · `{info.name}` · {shape}",  # type: ignore[union-attr]
            unsafe_allow_html=True,
        )
        mosaic = _mosaic(run, run.key, info.name, tuple(shown), low, high)  # type: ignore[union-attr]
        column.image(mosaic, width="stretch", output_format="PNG")
        column.caption(t("compare.maps.channels", last=shown[-1], columns=MOSAIC_COLUMNS))
    st.caption(t("compare.maps.scale", low=f"{low:.3g}", high=f"{high:.3g}"))
    st.caption(t("compare.maps.note", n=MAP_CHANNELS))


def comparison_cards_ui() -> list[Slot]:
    """The toolbar and the cards (read from ``cmp=`` once), the link's notes above them, and
    the link kept on what is shown; the cards whose configuration can be compared."""
    start_from_link()
    notes = st.container()  # the link's notes go above the cards, once the cards have been read
    toolbar_ui()
    usable = [slot for slot in cards_ui() if slot.config is not None]
    items = [slot.config.item for slot in usable if slot.config is not None]
    with notes:
        show_link_notes(items)
    keep_in_link(items)
    return usable


def comparison_ui(usable: list[Slot]) -> None:
    """Everything below the cards: what changes, the table, the charts, the same image."""
    comparison = compare.compare([slot.config.item for slot in usable if slot.config is not None])
    configs = list(comparison.configs)
    names = names_of(configs)
    colours = [slot.colour for slot in usable]
    show_deltas(comparison, names)
    show_table(comparison, names)
    show_charts(comparison, names, colours)
    if len(configs) >= 2:
        show_same_image(configs, names, colours)
