"""Predict-then-reveal and the quiz: students commit to a number before they see it.

``predict_reveal_ui(info, kind, key)`` hides one layer's output shape or parameter
count behind a guess box; ``quiz_ui(analysis, key)`` asks a few random layers of
a network and keeps the score for the session in ``st.session_state``.
"""

from __future__ import annotations

import streamlit as st

from components.engine.analysis import Analysis, Formula, FormulaLabel, LayerInfo
from components.engine.formatting import count_text
from components.engine.mistakes import diagnose
from components.engine.quiz import Question, is_correct, make_quiz, parse_answer
from components.engine.report import shape_text
from components.engine.spec import LayerType
from components.ui.i18n import t
from components.ui.messages import issue_text

QUIZ_LENGTH = 4
_SHAPE_LABELS = (FormulaLabel.OUTPUT_SIZE, FormulaLabel.OUTPUT_HEIGHT, FormulaLabel.OUTPUT_WIDTH)


def formula_text(formula: Formula) -> str:
    """One engine formula in the page's language: label, symbols, the layer's numbers, and
    its notes ('same' padding, no bias, what trains) translated."""
    notes = "".join(f" ({issue_text(note, where=False)})" for note in formula.notes)
    return f"**{t(f'formula.{formula.label}')}** · `{formula.symbolic}` → `{formula.worked}`{notes}"


def answer_text(question: Question) -> str:
    info = question.layer
    return shape_text(info.output_shape) if question.kind == "shape" else count_text(info.params)


def explanation(question: Question) -> list[str]:
    """The worked formulas that give the answer, or why there is none."""
    info = question.layer
    wanted = _SHAPE_LABELS if question.kind == "shape" else (FormulaLabel.PARAMS,)
    lines = [formula_text(f) for f in info.formulas if f.label in wanted]
    if lines:
        return lines
    if question.kind == "params":
        return [t("quiz.why.no_weights", cls=info.keras_class)]
    if info.layer.type is LayerType.DENSE:
        return [t("quiz.why.dense", units=count_text(info.output_shape[-1]))]
    return [t("quiz.why.same_shape", cls=info.keras_class)]


def hint_text(question: Question, guess: str) -> str:
    """The classic mistake a wrong answer looks like, in words with the layer's numbers; or ''."""
    mistake = diagnose(question, guess)
    if mistake is None:
        return ""
    layer, info = question.layer.layer, question.layer
    window = layer.window or (1, 1)
    return t(
        f"quiz.hint.{mistake}",
        outputs=count_text(layer.filters or layer.units or 0),
        k=f"{window[0]}×{window[1]}",
        cin=count_text(info.input_shape[-1]),
        s=(layer.strides or (1, 1))[0],
        cls=info.keras_class,
    )


def shape_label(shape: tuple[int, ...]) -> str:
    """148×148×16, or 18,496 for a flat vector."""
    return count_text(shape[0]) if len(shape) == 1 else shape_text(shape)


def question_text(question: Question) -> str:
    info = question.layer
    return t(
        f"quiz.ask.{question.kind}",
        layer=info.name,
        cls=info.keras_class,
        input=shape_label(info.input_shape),
    )


def predict_reveal_ui(info: LayerInfo, kind: str, key: str) -> bool:
    """Guess box for one layer's output shape or parameters; check, then reveal the formula.

    Returns whether the answer is showing (a right guess or Reveal), so the caller
    can keep other views from giving it away until then.
    """
    question = Question(info, kind)
    key = f"{key}_{info.name}_{kind}"
    st.markdown(question_text(question))
    guess = st.text_input(
        t("quiz.guess"),
        key=f"{key}_guess",
        placeholder=t(f"quiz.placeholder.{kind}"),
    )
    check, reveal = st.columns(2)
    checked = check.button(t("quiz.check"), key=f"{key}_check", width="stretch")
    if reveal.button(t("quiz.reveal"), key=f"{key}_reveal", width="stretch"):
        st.session_state[f"{key}_shown"] = True
    if checked:
        if parse_answer(guess, kind) is None:
            st.warning(t("quiz.unreadable"))
        elif is_correct(question, guess):
            st.success(t("quiz.right", answer=answer_text(question)))
            st.session_state[f"{key}_shown"] = True
        else:
            hint = hint_text(question, guess)
            st.error(t("quiz.wrong") + (f"  \n{hint}" if hint else ""))
    shown = bool(st.session_state.get(f"{key}_shown"))
    if shown:
        st.info(t("quiz.answer", answer=answer_text(question)))
        for line in explanation(question):
            st.markdown(line)
    return shown


def _new_round(key: str) -> None:
    st.session_state[f"{key}_round"] = st.session_state.get(f"{key}_round", 0) + 1


def quiz_ui(analysis: Analysis, key: str) -> tuple[int, int]:
    """A few random layers of ``analysis``; returns the session score (right, asked)."""
    round_ = st.session_state.get(f"{key}_round", 0)
    results: dict[str, tuple[int, int]] = st.session_state.setdefault(f"{key}_results", {})
    questions = make_quiz(analysis, QUIZ_LENGTH, seed=round_)
    round_key = f"{key}_{analysis.spec.name}_{round_}"
    with st.form(f"{round_key}_form"):
        for i, question in enumerate(questions):
            st.text_input(
                question_text(question),
                key=f"{round_key}_{i}",
                placeholder=t(f"quiz.placeholder.{question.kind}"),
            )
        submitted = st.form_submit_button(t("quiz.submit"), key=f"{key}_submit")
    if submitted:
        right = sum(
            is_correct(q, st.session_state[f"{round_key}_{i}"]) for i, q in enumerate(questions)
        )
        results[round_key] = (right, len(questions))
    if round_key in results:
        for i, question in enumerate(questions):
            answer = st.session_state.get(f"{round_key}_{i}", "")
            ok = is_correct(question, answer)
            status = t("quiz.item_right" if ok else "quiz.item_wrong", layer=question.layer.name)
            with st.expander(status + " · " + answer_text(question), expanded=not ok):
                hint = "" if ok else hint_text(question, answer)
                if hint:
                    st.markdown(t("classroom.quiz.hint_marked", hint=hint))
                for line in explanation(question):
                    st.markdown(line)
        right, asked = results[round_key]
        st.metric(t("quiz.round_score"), f"{right} / {asked}")
    total = (sum(r for r, _ in results.values()), sum(a for _, a in results.values()))
    st.caption(t("quiz.session_score", right=total[0], asked=total[1]))
    st.button(t("quiz.new"), key=f"{key}_new", on_click=_new_round, args=(key,))
    return total
