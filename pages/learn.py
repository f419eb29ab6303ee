"""Learn page: six lessons built on the questions students ask, then practice and a quiz.

The lesson is kept in ``lesson=`` and presentation mode in ``present=1``, so an
instructor can share a link that opens on the slide they mean.
"""

from __future__ import annotations

import streamlit as st

from components.ui import lesson_charts as C
from components.ui import lesson_views as V
from components.ui.i18n import t
from components.ui.lesson_fit import fit_lesson_style
from components.ui.navigation import route_through_app
from components.ui.practice import predict_reveal, quiz
from components.ui.presentation import (
    apply_presentation_style,
    layer_stepper,
    option_stepper,
    presentation_active,
    presentation_toggle,
)
from components.ui.safe_text import plain

route_through_app()

LESSONS = {
    "size": V.lesson_output_size,
    "params": V.lesson_parameters,
    "stack": V.lesson_stacks,
    "block": V.lesson_block,
    "features": V.lesson_features,
    "budget": V.lesson_budget,
    "practice": None,
}


def keep_lesson() -> None:
    st.query_params["lesson"] = st.session_state.learn_lesson


def practice() -> None:
    st.header(t("learn.practice.title"))
    st.markdown(t("learn.practice.intro"))
    analysis = V.practice_network("learn_net")
    info = layer_stepper(analysis, "learn_layer")
    chart, guess = st.columns([3, 2])
    with guess:
        kind = st.segmented_control(
            t("learn.practice.hide"),
            ("shape", "params"),
            default="shape",
            format_func=lambda k: t(f"learn.practice.hide_{k}"),
            required=True,
            key="learn_hide",
        )
        shown = predict_reveal(info, kind, f"learn_predict_{analysis.spec.name}")
    # The chart stops before the layer whose shape is hidden, until it is revealed.
    visible = info.index + (1 if shown or kind != "shape" else 0)
    labels = {"side": t("learn.practice.side"), "channels": t("learn.practice.channels")}
    chart.plotly_chart(
        V.for_screen(C.walk_figure(V.walk_frame(analysis, visible), info.index, labels)),
        key="learn_walk_chart",
        config=V.PLOT_CONFIG,
    )
    if not presentation_active():
        st.subheader(t("quiz.title", network=analysis.spec.name))
        quiz(analysis, "learn_quiz")


lesson = st.query_params.get("lesson", "size")
if lesson not in LESSONS:
    st.info(t("learn.bad_lesson", lesson=plain(lesson[:40])))
    lesson = "size"
if st.session_state.get("learn_lesson") is None:
    st.session_state.learn_lesson = lesson

st.title(t("learn.title"))
if presentation_active():
    apply_presentation_style()
    fit_lesson_style()
else:
    st.caption(t("learn.intro"))
presentation_toggle("learn_present")
choice = st.segmented_control(
    t("learn.lesson"),
    list(LESSONS),
    format_func=lambda k: t(f"learn.nav.{k}"),
    required=True,
    key="learn_lesson",
    on_change=keep_lesson,
    label_visibility="collapsed",
)
if presentation_active() and LESSONS[choice]:  # keys step the lessons (practice: its layers)
    titles = {k: t(f"learn.nav.{k}") for k in LESSONS}
    option_stepper("learn_lesson", list(LESSONS), titles, "lesson")
(LESSONS[choice] or practice)()
