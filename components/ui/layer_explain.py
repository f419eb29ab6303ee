"""Explain one layer: its row of the table, its formulas with its own numbers, its receptive
field, and what an input of another size would change. Shared by the architecture,
custom-CNN and activation pages.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from components.engine.analysis import Analysis, LayerInfo
from components.engine.errors import InputError
from components.engine.report import shape_text
from components.engine.spec import MAX_INPUT_SIDE, LayerType
from components.ui.i18n import t
from components.ui.messages import issue_lines, issue_text
from components.ui.network_picker import analysis_of
from components.ui.practice import formula_text
from components.ui.tables import TABLE_COLUMNS, column_config, layer_frame


def show_layer_row(
    analysis: Analysis, info: LayerInfo, columns: tuple[str, ...] = TABLE_COLUMNS
) -> None:
    """The layer's row of the engine's table, with the table's headers and formats
    (``columns``: a subset where a narrow column cannot show all ten)."""
    frame = layer_frame(analysis).iloc[[info.index]][list(columns)]
    st.dataframe(frame, hide_index=True, column_config=column_config())


def receptive_field_text(info: LayerInfo) -> str:
    rf = info.receptive_field
    if rf is None:
        return t("explain.rf.whole", name=info.name)
    return t(
        "explain.rf.region",
        name=info.name,
        size=shape_text(rf.size),
        stride=shape_text(rf.stride),
    )


def same_params_key(info: LayerInfo) -> str:
    """The sentence for an unchanged parameter count: a pool is not explained as a conv."""
    kind = info.layer.type
    if kind.is_conv:
        return "explain.whatif.same_params"
    if kind.is_pool or kind.is_global_pool:
        return "classroom.whatif.pool"
    if kind is LayerType.BATCHNORM:
        return "classroom.whatif.per_channel"
    if kind is LayerType.DENSE:
        return "classroom.whatif.dense"
    return "classroom.whatif.no_weights"


def _what_if_ui(analysis: Analysis, info: LayerInfo, key: str) -> None:
    """The same layer with another input size, computed by the engine."""
    h, w, c = analysis.spec.input_shape
    st.markdown(t("explain.whatif.title"))
    cols = st.columns([1, 1, 3])
    new_h = cols[0].number_input(
        t("common.net.height"), 1, MAX_INPUT_SIDE, min(2 * h, MAX_INPUT_SIDE), key=f"{key}_wh"
    )
    new_w = cols[1].number_input(
        t("common.net.width"), 1, MAX_INPUT_SIDE, min(2 * w, MAX_INPUT_SIDE), key=f"{key}_ww"
    )
    try:
        other = analysis_of(replace(analysis.spec, input_shape=(int(new_h), int(new_w), c)))
    except InputError as error:
        cols[2].warning(t("explain.whatif.fails", error=issue_lines(error.issues)))
        return
    then = other.layers[info.index]
    key_text = same_params_key(info) if then.params == info.params else "explain.whatif.new_params"
    cols[2].markdown(
        t(
            "explain.whatif.result",
            name=info.name,
            before=shape_text(info.output_shape),
            after=shape_text(then.output_shape),
            macs_before=f"{info.macs:,}",
            macs_after=f"{then.macs:,}",
        )
        + "  \n"
        + t(key_text, before=f"{info.params:,}", after=f"{then.params:,}")
    )


def explain_layer(
    analysis: Analysis,
    name: str,
    key: str,
    *,
    columns: tuple[str, ...] = TABLE_COLUMNS,
    what_if: bool = True,
) -> None:
    """Everything about one layer, numbers from the engine, words from the catalogue.

    A narrow column (beside the feature maps) passes fewer ``columns`` and no ``what_if``.
    """
    info = analysis.layer(name)
    st.markdown(
        t(
            "explain.heading",
            name=info.name,
            type=info.keras_class,
            before=shape_text(info.input_shape),
            after=shape_text(info.output_shape),
        )
    )
    show_layer_row(analysis, info, columns)
    for formula in info.formulas:
        st.markdown(formula_text(formula))
    if not info.formulas:
        st.markdown(t("explain.no_formula", type=info.keras_class))
    st.markdown(receptive_field_text(info))
    for warning in info.warnings:
        st.warning(issue_text(warning, where=False), icon=":material/crop:")
    if what_if:
        _what_if_ui(analysis, info, key)
