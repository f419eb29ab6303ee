"""Lesson and quiz details for a class: hints for classic mistakes, W up to 224, whole ticks."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from components.engine.analysis import analyze
from components.engine.mistakes import MISTAKES, diagnose
from components.engine.presets import load_preset
from components.engine.quiz import Question
from components.engine.report import shape_text
from components.engine.spec import parse_spec
from components.ui.i18n import catalogue
from components.ui.lesson_charts import integer_ticks
from tests.apptest import messages, open_page


def conv(side: int, cin: int, cout: int, k: int, s: int, padding: str, bias: bool = True):
    """The analysed conv layer, fed ``cin`` channels by a 1×1 conv (inputs stop at 4)."""
    tested = {"type": "conv2d", "filters": cout, "kernel": k, "stride": s, "padding": padding,
              "use_bias": bias}  # fmt: skip
    feed = {"type": "conv2d", "filters": cin, "kernel": 1}
    spec = parse_spec({"name": "t", "input": [side, side, 3], "layers": [feed, tested]})
    return analyze(spec).layers[-1]


def test_the_classic_slips_are_named() -> None:
    info = conv(16, 16, 32, 3, 1, "valid")  # 3×3, 16 → 32 channels: 4,640 parameters
    params = Question(info, "params")
    assert info.params == 4640
    assert diagnose(params, "4,608") == "forgot_bias"
    assert diagnose(params, "320") == "forgot_cin"
    assert diagnose(params, "288") == "forgot_cin_and_bias"
    assert diagnose(params, "4640") is None and diagnose(params, "7") is None
    shape = Question(info, "shape")
    assert info.output_shape == (14, 14, 32)
    assert diagnose(shape, "16x16x32") == "same_for_valid"
    assert diagnose(shape, "14x14x16") == "kept_input_channels"
    assert diagnose(shape, "14x14x64") == "channels_wrong"
    same = Question(conv(16, 3, 8, 3, 2, "same"), "shape")
    assert diagnose(same, "7x7x8") == "valid_for_same"
    strided = Question(conv(16, 3, 8, 5, 3, "valid"), "shape")  # ⌊11/3⌋ + 1 = 4
    assert diagnose(strided, "5x5x8") == "no_floor"
    assert diagnose(strided, "12x12x8") == "forgot_stride"
    assert diagnose(strided, "6x6x8") == "same_for_valid"
    every = {
        key.removeprefix("quiz.hint.") for key in catalogue("en") if key.startswith("quiz.hint.")
    }
    assert every == set(MISTAKES)


@given(
    side=st.integers(1, 64),
    cin=st.integers(1, 8),
    cout=st.integers(1, 64),
    k=st.integers(1, 7),
    s=st.integers(1, 4),
    padding=st.sampled_from(["valid", "same"]),
    bias=st.booleans(),
    guess=st.text(max_size=30),
)
def test_a_right_answer_is_never_called_a_mistake(side, cin, cout, k, s, padding, bias, guess):
    if padding == "valid" and k > side:
        return
    info = conv(side, cin, cout, k, s, padding, bias)
    assert diagnose(Question(info, "params"), str(info.params)) is None
    assert diagnose(Question(info, "shape"), shape_text(info.output_shape)) is None
    for kind in ("params", "shape"):
        assert diagnose(Question(info, kind), guess) in (None, *MISTAKES)


def test_a_wrong_guess_gets_its_hint_on_the_page() -> None:
    at = open_page("pages/learn.py", lesson="practice")
    seed = analyze(load_preset("seed-example"))
    first = seed.layers[0]  # conv2d: 148×148×16 from 150×150×3
    key = f"learn_predict_{seed.spec.name}_{first.name}_shape"
    at.text_input(key=f"{key}_guess").input("150x150x16")
    at.button(key=f"{key}_check").click().run()
    shown = "\n".join(e.value for e in at.error)
    assert "'same'" in shown and "'valid'" in shown


def test_lesson_one_reaches_w_150() -> None:
    at = open_page("pages/learn.py", lesson="size")
    at.number_input(key="learn_w").set_value(150).run()
    at.slider(key="learn_k").set_value(3).run()
    at.slider(key="learn_p").set_value(0).run()
    at.slider(key="learn_s").set_value(1).run()
    assert not at.exception
    assert at.metric[0].value == "148 × 148"
    assert at.number_input(key="learn_w").max >= 224
    assert "(150 − 3 + 2·0)/1 + 1 = 148" in messages(at)


def test_channel_axis_ticks_are_whole_numbers() -> None:
    at = open_page("pages/learn.py", lesson="practice")
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    axis = figure["layout"]["yaxis2"]
    assert axis["tickformat"] == ",d" and float(axis["dtick"]).is_integer()
    for top in (1, 3, 16, 17, 512, 4096):
        ticks = integer_ticks(top)
        assert isinstance(ticks["dtick"], int) and 1 <= top / ticks["dtick"] <= 10
