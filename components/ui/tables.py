"""The engine's per-layer records as DataFrames, and how the layer table shows them.

``layer_frame`` is the one table behind the layer table, the charts and the
downloads: ``report.rows`` plus numeric ``height``/``width``/``channels`` (empty
for flat outputs) and the layer's ``formulas`` as text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from components.engine.analysis import Analysis, Formula
from components.engine.report import block_rows, rows
from components.ui.i18n import t
from components.ui.messages import issue_plain_text

if TYPE_CHECKING:  # pandas loads on the first table, after the headline figures are sent
    import pandas as pd
    from streamlit.elements.lib.column_types import ColumnConfig

TABLE_COLUMNS = (
    "name",
    "type",
    "output_shape",
    "kernel",
    "stride",
    "padding",
    "params",
    "macs",
    "receptive_field",
    "cumulative_params",
)


def layer_frame(analysis: Analysis) -> pd.DataFrame:
    """One row per layer, in order (``report.rows`` plus numeric shape columns)."""
    import pandas as pd

    frame = pd.DataFrame(rows(analysis, t("compare.rf.whole")))
    spatial = [
        i.output_shape if len(i.output_shape) == 3 else (None, None) for i in analysis.layers
    ]
    frame["height"] = pd.array([s[0] for s in spatial], dtype="Int64")
    frame["width"] = pd.array([s[1] for s in spatial], dtype="Int64")
    frame["channels"] = [i.output_shape[-1] for i in analysis.layers]
    frame["formulas"] = ["; ".join(map(formula_line, i.formulas)) for i in analysis.layers]
    return frame


def block_frame(analysis: Analysis) -> pd.DataFrame:
    """One row per block (``report.block_rows``)."""
    import pandas as pd

    return pd.DataFrame(block_rows(analysis, t("compare.rf.whole")))


def formula_line(formula: Formula) -> str:
    """A formula as plain text (hover, table), its notes in the page language."""
    notes = "".join(f" ({issue_plain_text(n, where=False)})" for n in formula.notes)
    return f"{formula}{notes}"


def column_config() -> dict[str, ColumnConfig]:
    """Translated headers and number formats for the layer table."""
    number = st.column_config.NumberColumn
    text = st.column_config.TextColumn
    return {
        "name": text(t("common.col.name"), pinned=True),
        "type": text(t("common.col.type")),
        "output_shape": text(t("common.col.output_shape")),
        "kernel": text(t("common.col.kernel")),
        "stride": text(t("common.col.stride")),
        "padding": text(t("common.col.padding")),
        "params": number(t("common.col.params"), format="localized"),
        "macs": number(t("common.col.macs"), format="compact"),
        "receptive_field": text(t("common.col.rf"), help=t("common.col.rf_help")),
        "cumulative_params": number(t("common.col.cumulative"), format="compact"),
    }
