"""The Learn page's lessons: their order, the lesson picker (kept in ``lesson=``), and the
practice lesson (predict a layer, then the quiz).

In presentation mode the keys step through the lessons, and in the practice lesson through
its network's layers.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from components.ui import lesson_charts, lesson_views
from components.ui.i18n import t
from components.ui.practice import predict_reveal_ui, quiz_ui
from components.ui.presentation import layer_stepper_ui, option_stepper_ui, presentation_active
from components.ui.url_state import keep_key_in_link, link_choice

LESSON_KEY, LESSON_PARAM = "learn_lesson", "lesson"


def practice_ui() -> None:
    """Predict the hidden shape or parameter count of a layer, then reveal it; then a quiz."""
    st.header(t("learn.practice.title"))
    st.markdown(t("learn.practice.intro"))
    analysis = lesson_views.pick_practice_network("learn_net")
    info = layer_stepper_ui(analysis, "learn_layer")
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
        shown = predict_reveal_ui(info, kind, f"learn_predict_{analysis.spec.name}")
    # The chart stops before the layer whose shape is hidden, until it is revealed.
    visible = info.index + (1 if shown or kind != "shape" else 0)
    labels = {"side": t("learn.practice.side"), "channels": t("learn.practice.channels")}
    chart.plotly_chart(
        lesson_views.for_screen(
            lesson_charts.walk_figure(
                lesson_views.walk_frame(analysis, visible), info.index, labels
            )
        ),
        key="learn_walk_chart",
        config=lesson_views.PLOT_CONFIG,
    )
    if not presentation_active():
        st.subheader(t("quiz.title", network=analysis.spec.name))
        quiz_ui(analysis, "learn_quiz")


LESSONS: dict[str, Callable[[], None]] = {
    "size": lesson_views.lesson_output_size_ui,
    "params": lesson_views.lesson_parameters_ui,
    "stack": lesson_views.lesson_stacks_ui,
    "block": lesson_views.lesson_block_ui,
    "features": lesson_views.lesson_features_ui,
    "budget": lesson_views.lesson_budget_ui,
    "practice": practice_ui,
}


def lesson_picker_ui() -> str:
    """The lesson bar (and, presenting, the stepper over it); the chosen lesson."""
    if st.session_state.get(LESSON_KEY) is None:
        st.session_state[LESSON_KEY] = link_choice(
            LESSON_PARAM, LESSONS, "size", t("learn.nav.size")
        )
    choice = st.segmented_control(
        t("learn.lesson"),
        list(LESSONS),
        format_func=lambda k: t(f"learn.nav.{k}"),
        required=True,
        key=LESSON_KEY,
        on_change=keep_key_in_link,
        args=(LESSON_PARAM, LESSON_KEY),
        label_visibility="collapsed",
    )
    if presentation_active() and choice != "practice":  # practice: the keys step its layers
        titles = {k: t(f"learn.nav.{k}") for k in LESSONS}
        option_stepper_ui(LESSON_KEY, list(LESSONS), titles, LESSON_PARAM)
    return choice or "size"  # required=True: never None, whatever the stub says


def lesson_ui(lesson: str) -> None:
    """Draw one lesson (``LESSONS`` key)."""
    LESSONS[lesson]()
