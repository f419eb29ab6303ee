"""One network, explained: headline numbers, facts, the diagrams, the layer table with its
downloads, the naming crosswalk and "explain a layer". Shared by the architecture page
and the custom-CNN page (the same view for VGGs and custom networks, never a fork).

The selected layer lives in ``st.session_state[f"{key}_layer"]`` and in ``layer=`` of
the URL; a click on the diagram or on a table row selects it too.
"""

from __future__ import annotations

from html import escape

import streamlit as st

from components.engine import lessons
from components.engine.analysis import Analysis, LayerInfo
from components.engine.compare import side_text
from components.engine.facts import facts
from components.engine.formatting import byte_text, short_count
from components.engine.percent import percent
from components.engine.report import (
    shape_text,
    to_csv,
    to_keras_text,
    to_markdown,
)
from components.ui import arch_charts, theme
from components.ui.i18n import t
from components.ui.layer_explain import explain_layer
from components.ui.links import page_button_ui
from components.ui.messages import issue_text
from components.ui.network_picker import network_params
from components.ui.safe_text import chart_text
from components.ui.tables import TABLE_COLUMNS, block_frame, column_config, layer_frame
from components.ui.url_state import bad_value_note, keep_in_link, keep_key_in_link, link_value

LAYER_PARAM = "layer"
# A grid that wraps: long exact figures (138,357,544) stay whole at 1024 px and on a projector.
HEADLINE_STYLE = """<style>
.vx-metrics { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr));
  gap: 0.6rem; margin: 0.4rem 0 1rem; }
.vx-metric { border: 1px solid rgba(49,51,63,0.18); border-radius: 0.5rem;
  padding: 0.55rem 0.8rem; }
.vx-metric .label { font-size: 0.85rem; color: rgba(49,51,63,0.7); }
.vx-metric .value { font-size: 1.4rem; font-weight: 600; line-height: 1.3; white-space: nowrap; }
</style>"""
# The configurations keras.applications ships (its class names) and those torchvision ships.
KERAS_APPLICATIONS = {"vgg16": "VGG16", "vgg19": "VGG19"}
TORCHVISION = ("vgg11", "vgg13", "vgg16", "vgg19")


def chart_labels() -> dict[str, str]:
    """Translated titles, axes and hover names for the layer charts."""
    keys = ("params", "side", "height", "width", "channels", "shape", "macs", "layer", "input")
    return {name: t(f"view.chart.{name}") for name in keys}


def metric_label(name: str, end: LayerInfo | None) -> str:
    """A headline label; the receptive field's names its layer (one definition everywhere)."""
    if name == "rf":
        return t("view.metric.rf", name=end.name if end else "—")
    return t(f"view.metric.{name}")


def rf_help(end: LayerInfo | None, conv: LayerInfo | None) -> str:
    """What the receptive field figure means; the last conv's own figure on hover."""
    if end is None:
        return ""
    if conv is None or conv is end or conv.receptive_field is None:
        return t("classroom.rf.help_end", name=end.name)
    size = side_text(conv.receptive_field.size)
    return t("view.metric.rf_help", name=end.name, conv=conv.name, conv_size=size)


def show_headline(analysis: Analysis) -> None:
    """The totals as a wrapping grid of figures; hover a label for what it counts."""
    end, conv = analysis.feature_end, analysis.last_conv
    rf = end.receptive_field if end else None
    values = (
        ("total", f"{analysis.total_params:,}", ""),
        ("trainable", f"{analysis.trainable_params:,}", ""),
        ("non_trainable", f"{analysis.non_trainable_params:,}", ""),
        ("macs", short_count(analysis.total_macs), f"{analysis.total_macs:,}"),
        ("weights", byte_text(analysis.weight_bytes), t("view.metric.weights_help")),
        ("activations", byte_text(analysis.activation_bytes), t("view.metric.act_help")),
        ("depth", str(analysis.depth), t("view.metric.depth_help")),
        ("rf", f"{side_text(rf.size)} px" if rf else "—", rf_help(end, conv)),
    )
    cells = "".join(
        f'<div class="vx-metric" title="{escape(help_text)}">'
        f'<div class="label">{escape(metric_label(name, end))}</div>'
        f'<div class="value">{escape(value)}</div></div>'
        for name, value, help_text in values
    )
    st.html(HEADLINE_STYLE + f'<div class="vx-metrics">{cells}</div>')


def fact_lines(analysis: Analysis) -> list[str]:
    """The striking facts in words, each number from the engine."""
    found = facts(analysis)
    lines = []
    if found.dense.layers and analysis.total_macs:
        lines.append(
            t(
                "view.fact.head" if found.dense.layers > 1 else "view.fact.head_one",
                n=found.dense.layers,
                params=percent(found.dense.param_share),
                macs=percent(found.dense.mac_share, 1),
                conv_macs=percent(found.conv.mac_share, 1),
            )
        )
    if found.most_params:
        top = found.most_params
        lines.append(
            t("view.fact.most_params", name=top.name, n=f"{top.value:,}", share=percent(top.share))
        )
    if found.most_macs:
        top = found.most_macs
        lines.append(
            t("view.fact.most_macs", name=top.name, n=f"{top.value:,}", share=percent(top.share))
        )
    return lines


# ------------------------------------------------------------------ the selected layer


def _select(key: str, name: str) -> None:
    st.session_state[f"{key}_layer"] = name
    keep_in_link(LAYER_PARAM, name)


def _chart_clicked(key: str, names: list[str]) -> None:
    points = st.session_state[f"{key}_chart"].selection.points
    if points:
        index = points[0].get("x")
        if isinstance(index, int | float) and 0 <= int(index) < len(names):
            _select(key, names[int(index)])


def _row_clicked(key: str, names: list[str]) -> None:
    rows = st.session_state[f"{key}_table"].selection.rows
    if rows and 0 <= rows[0] < len(names):
        _select(key, names[rows[0]])


def _picked(key: str) -> None:
    keep_key_in_link(LAYER_PARAM, f"{key}_layer")


def selected_layer(analysis: Analysis, key: str) -> str:
    """The layer to explain: kept in session and ``layer=``; an unknown name falls back."""
    names = [i.name for i in analysis.layers]
    state = st.session_state
    if state.get(f"{key}_layer") not in names:
        wanted = link_value(LAYER_PARAM)
        if wanted is not None and wanted not in names and f"{key}_layer" not in state:
            bad_value_note(LAYER_PARAM, wanted, names[0])
        state[f"{key}_layer"] = wanted if wanted in names else names[0]
    return state[f"{key}_layer"]


# ------------------------------------------------------------------ sections


def show_diagram(
    analysis: Analysis, key: str, selected: str, height: int = 560, *, projector: bool = False
) -> None:
    """The layer chart; ``projector``: fonts readable from the back of a room, no caption."""
    names = [i.name for i in analysis.layers]
    log = st.toggle(t("view.chart.log"), value=True, key=f"{key}_log")
    labels = chart_labels() | {"title": t("view.chart.title", name=chart_text(analysis.spec.name))}
    figure = arch_charts.layer_figure(
        layer_frame(analysis), labels, log_params=log, highlight=selected, height=height
    )
    if projector:  # the page title names the network; the chart keeps its height for bars
        figure = arch_charts.projector_fonts(figure).update_layout(title_text=None, margin_t=10)
    st.plotly_chart(
        figure,
        key=f"{key}_chart",
        on_select=lambda: _chart_clicked(key, names),
        selection_mode="points",
        config=theme.PLOT_CONFIG,
    )
    if projector:
        return
    banded = any(info.layer.block for info in analysis.layers)  # VGG blocks are shaded
    st.caption(t("view.chart.caption" if banded else "classroom.chart.caption_no_bands"))


def show_volumes(analysis: Analysis, key: str) -> None:
    labels = chart_labels() | {"title": t("view.volume.title", name=chart_text(analysis.spec.name))}
    st.plotly_chart(
        arch_charts.volume_figure(layer_frame(analysis), labels),
        key=f"{key}_volumes",
        config=theme.PLOT_CONFIG,
    )
    st.caption(t("view.volume.caption"))


def show_table(analysis: Analysis, key: str) -> None:
    grouping = st.segmented_control(
        t("view.table.grouping"),
        ("layers", "blocks"),
        default="layers",
        required=True,
        format_func=lambda g: t(f"view.table.{g}"),
        key=f"{key}_grouping",
    )
    if grouping == "blocks":
        st.dataframe(
            block_frame(analysis)[list(TABLE_COLUMNS)],
            hide_index=True,
            column_config=column_config(),
            key=f"{key}_blocks",
        )
    else:
        names = [i.name for i in analysis.layers]
        st.dataframe(
            layer_frame(analysis)[list(TABLE_COLUMNS)],
            hide_index=True,
            column_config=column_config(),
            key=f"{key}_table",
            on_select=lambda: _row_clicked(key, names),
            selection_mode="single-row",
        )
        st.caption(t("view.table.click"))
    stem = analysis.spec.name.lower()
    cols = st.columns(4)
    downloads = (
        ("csv", to_csv(analysis, t("compare.rf.whole")), "csv", "text/csv"),
        ("markdown", to_markdown(analysis, t("compare.rf.whole")), "md", "text/markdown"),
        ("summary", to_keras_text(analysis), "txt", "text/plain"),
        ("spec", analysis.spec.to_json(), "json", "application/json"),
    )
    for column, (name, data, suffix, mime) in zip(cols, downloads, strict=True):
        column.download_button(
            t(f"view.download.{name}"),
            data,
            file_name=f"{stem}.{suffix}",
            mime=mime,
            icon=":material/download:",
            key=f"{key}_dl_{name}",
        )


def show_names_crosswalk(analysis: Analysis) -> None:
    """Keras ↔ torchvision ↔ paper names, and the plain answer to "what is conv3/4/5?"."""
    frame = layer_frame(analysis)
    named = frame[(frame["torch_name"] != "") | (frame["paper_name"] != "")]
    if named.empty:
        st.info(t("view.names.custom"))
        return
    st.markdown(t("view.names.answer"))
    features = lessons.block_features(analysis)
    for f in features:
        st.markdown(
            t(
                "view.names.feature",
                paper=f.paper,
                paper_layer=f.paper_layer,
                keras=f.keras,
                torch=f.torch_relu,
                shape=shape_text(f.output_shape),
            )
        )
    arch, bn = analysis.spec.arch, analysis.spec.batch_norm
    side = analysis.spec.input_shape[0]
    left, right = st.columns(2)
    if arch in KERAS_APPLICATIONS and not bn:
        left.markdown(t("view.names.keras_code"))
        left.code(lessons.keras_feature_code(features, side, KERAS_APPLICATIONS[arch]), "python")
    if arch in TORCHVISION:
        right.markdown(t("view.names.torch_code"))
        right.code(lessons.torch_feature_code(features, arch + ("_bn" if bn else "")), "python")
    st.dataframe(
        named[["name", "torch_name", "paper_name", "output_shape"]],
        hide_index=True,
        column_config={
            "name": st.column_config.TextColumn(t("view.names.keras")),
            "torch_name": st.column_config.TextColumn(t("view.names.torch")),
            "paper_name": st.column_config.TextColumn(t("view.names.paper")),
            "output_shape": st.column_config.TextColumn(t("common.col.output_shape")),
        },
    )


def explain_section(analysis: Analysis, key: str) -> None:
    """Pick a layer (or click one above) and see where its numbers come from."""
    names = [i.name for i in analysis.layers]
    st.subheader(t("view.explain.title"))
    pick, link = st.columns([2, 1], vertical_alignment="bottom")
    name = pick.selectbox(
        t("view.explain.pick"), names, key=f"{key}_layer", on_change=_picked, args=(key,)
    )
    if len(analysis.layers[names.index(name)].output_shape) == 3:
        with link:
            page_button_ui(
                t("view.explain.activations"),
                "activations",
                network_params() | {"layer": name},
                icon=":material/image:",
            )
    explain_layer(analysis, name, key)


def network_view_ui(analysis: Analysis, key: str) -> None:
    """The whole view of one network."""
    selected = selected_layer(analysis, key)
    show_headline(analysis)
    lines = fact_lines(analysis)
    if lines:
        st.markdown("\n".join(f"- {line}" for line in lines))
    if analysis.warnings:
        st.warning(
            "\n".join(f"- {issue_text(warning)}" for warning in analysis.warnings),
            icon=":material/crop:",
        )
    tabs = st.tabs(
        [t("view.tab.diagram"), t("view.tab.volumes"), t("view.tab.table"), t("view.tab.names")]
    )
    with tabs[0]:
        show_diagram(analysis, key, selected)
    with tabs[1]:
        show_volumes(analysis, key)
    with tabs[2]:
        show_table(analysis, key)
    with tabs[3]:
        show_names_crosswalk(analysis)
    explain_section(analysis, key)
