"""Learn page: six lessons built on the questions students ask, then practice and a quiz.

The lesson is kept in ``lesson=`` and presentation mode in ``present=1``, so an
instructor can share a link that opens on the slide they mean.
"""

from __future__ import annotations

import streamlit as st

from components.ui.i18n import t
from components.ui.learn_lessons import lesson_picker_ui, lesson_ui
from components.ui.lesson_fit import fit_lesson_style
from components.ui.navigation import route_through_app
from components.ui.presentation import (
    apply_presentation_style,
    presentation_active,
    presentation_toggle_ui,
)

route_through_app()

st.title(t("learn.title"))
if presentation_active():
    apply_presentation_style()
    fit_lesson_style()
else:
    st.caption(t("learn.intro"))
presentation_toggle_ui("learn_present")
lesson_ui(lesson_picker_ui())
