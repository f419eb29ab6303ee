"""One lesson step per projector screen (Learn page, ``present=1``, 1024×768).

The page's title, the lesson tabs (two rows of buttons at projector size) and the step
controls took about 270 px, so lesson 1's explanation started below the fold and lesson
3's zoomed table scrolled sideways. Here: a smaller page title (the lesson's heading and
"1 of 7" name the slide), the tabs in one row of smaller buttons, lesson 1's chart sized
to what is left of the screen, and tables drawn as HTML tables that wrap to the width.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.ui.presentation import presentation_active

SLIDE_CHART_PX = 260  # lesson 1's grid beside its explanation, under the controls, at 768 px
# Lesson 1's result column beside its chart: wider on a projector, so the explanation takes
# fewer lines (the short chart needs less room).
SIZE_COLUMNS, SIZE_COLUMNS_PRESENTED = (1, 2), (1.4, 2)

_STYLE = """
<style>
h1 { font-size: 1.3rem !important; padding: 0 0 0.35rem !important; }
.st-key-learn_lesson button { min-height: 0; padding: 0.1rem 0.55rem; }
.st-key-learn_lesson button p { font-size: 0.95rem !important; }
div[data-testid="stAlertContainer"] { padding: 0.6rem 0.8rem; }
div[data-testid="stTable"] td, div[data-testid="stTable"] th { padding: 0.25rem 0.5rem; }
</style>
"""


def fit_lesson_style() -> None:
    """The Learn page's presentation-mode layout (after the shared presentation style)."""
    st.html(_STYLE)


def size_columns() -> tuple[float, float]:
    """Lesson 1's result | chart column widths."""
    return SIZE_COLUMNS_PRESENTED if presentation_active() else SIZE_COLUMNS


def fit_slide_chart(figure: go.Figure) -> go.Figure:
    """Lesson 1's sliding-window chart: short enough that it and its explanation fit."""
    if presentation_active():
        figure.update_layout(height=SLIDE_CHART_PX)
    return figure


def show_lesson_table(frame: pd.DataFrame) -> None:
    """A lesson's small table: on a projector as an HTML table that wraps to the screen's
    width (the zoomed grid scrolled sideways at 1024 px), else Streamlit's grid."""
    if presentation_active():
        st.table(frame, hide_index=True)
    else:
        st.dataframe(frame, hide_index=True)
