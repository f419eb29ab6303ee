"""The Learn page in AppTest: each lesson and its controls, language, presentation, the quiz."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from components.engine.analysis import analyze
from components.engine.formatting import count_text
from components.engine.lessons import Slide
from components.engine.presets import load_preset
from components.engine.quiz import make_quiz
from components.engine.report import shape_text
from components.engine.vgg import vgg_spec
from components.ui.i18n import translate
from tests.apptest import messages

LESSONS = ("size", "params", "stack", "block", "features", "budget", "practice")


PAGE = "pages/learn.py"


def text(at: AppTest) -> str:
    parts = [m.value for m in at.metric] + [h.value for h in (*at.header, *at.subheader)]
    return messages(at) + "\n" + "\n".join(parts)


def frames(at: AppTest) -> str:
    return "\n".join(df.value.to_string() for df in at.dataframe)


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_renders_in_both_languages(page, lesson: str) -> None:
    for lang in ("en", "zh"):
        at = page(lesson=lesson, lang=lang)
        assert not at.exception, (lesson, lang)
        assert at.segmented_control(key="learn_lesson").value == lesson
        titles = [translate(f"learn.nav.{k}", lang) for k in LESSONS]
        assert list(at.segmented_control(key="learn_lesson").options) == titles


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_renders_in_presentation_mode(page, lesson: str) -> None:
    """Projector fonts on every lesson's charts (lesson 3's one-axis chart once crashed)."""
    at = page(lesson=lesson, present="1")
    assert not at.exception, (lesson, at.exception)
    assert not at.error, (lesson, [e.value for e in at.error])


def test_output_size_lesson_default_and_changed_sliders(page) -> None:
    at = page()
    assert at.title[0].value == translate("learn.title", "en")
    assert "(7 − 3 + 2·0)/2 + 1 = 3" in text(at)
    assert at.metric[0].value == "3 × 3"
    assert at.success  # 7 − 3 tiles with stride 2
    at.number_input(key="learn_w").set_value(8).run()
    slide = Slide(8, 3, 0, 2)
    assert f"⌊(8 − 3 + 2·0)/2⌋ + 1 = {slide.output}" in text(at)
    assert translate("learn.size.leftover_one", "en", span=5, s=2, out=3) in text(at)
    assert "4 × 4" in frames(at)  # 'same' gives ⌈8/2⌉
    at.slider(key="learn_step").set_value(9).run()
    assert translate("learn.size.where", "en", row=4, col=4, k=3) in text(at)
    at.slider(key="learn_k").set_value(5).run()
    assert at.slider(key="learn_step").value == 1  # a new setting restarts the walk
    assert at.slider(key="learn_step").max == Slide(8, 5, 0, 2).output ** 2
    at.slider(key="learn_k").set_value(7).run()  # one position only: no step slider
    assert not at.exception and at.metric[0].value == "1 × 1"
    at.number_input(key="learn_w").set_value(3).run()
    assert at.error and not at.exception  # 7×7 kernel on 3×3: no output, said plainly


def test_parameter_lesson_shows_the_seed_figures(page) -> None:
    at = page(lesson="params")
    metrics = [m.value for m in at.metric]
    assert metrics == ["448", "9,470,464", "1,792"]
    assert "(3·3·3 + 1)·16 = 448" in text(at)
    at.number_input(key="learn_pcin").set_value(64).run()
    at.number_input(key="learn_pcout").set_value(128).run()
    assert f"(3·3·64 + 1)·128 = {count_text((9 * 64 + 1) * 128)}" in text(at)


def test_stack_lesson_default_and_changed_channels(page) -> None:
    at = page(lesson="stack")
    table = frames(at)
    assert "18·C² / 25·C²" in table and "27·C² / 49·C²" in table
    assert "5 × 5" in table and "7 × 7" in table
    assert f"{count_text(18 * 256 * 256)} / {count_text(25 * 256 * 256)}" in table
    at.select_slider(key="learn_c").set_value(64).run()
    assert f"{count_text(27 * 64 * 64)} / {count_text(49 * 64 * 64)}" in frames(at)
    at.slider(key="learn_stack_n").set_value(2).run()
    assert len(at.get("plotly_chart")) == 2 and not at.exception


def test_block_lesson_default_and_changed_input(page) -> None:
    at = page(lesson="block")
    assert "224 → 112" in frames(at) and "14 → 7" in frames(at)
    assert "138,357,544" in frames(at)
    assert "conv_arch = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))" in at.code[0].value
    at.select_slider(key="learn_side").set_value(320).run()
    assert "320 → 160" in frames(at) and "20 → 10" in frames(at)
    at.segmented_control(key="learn_block_arch").set_value("vgg19").run()
    assert "(4, 512)" in at.code[0].value
    assert any("arch=vgg19" in b.proto.url for b in at.get("link_button"))


def test_features_lesson_names_and_input_size(page) -> None:
    at = page(lesson="features")
    table = frames(at)
    for name in ("block3_conv3", "features.15", "features.14", "block5_conv3", "features.29"):
        assert name in table
    assert "56×56×256" in table
    assert "14,714,688" in text(at)
    at.select_slider(key="learn_fside").set_value(512).run()
    assert "128×128×256" in frames(at)
    link = at.get("link_button")[0].proto.url
    assert "top=0" in link and "input=512x512x3" in link


def test_budget_lesson_default_and_other_network(page, vgg16) -> None:
    at = page(lesson="budget")
    analysis = vgg16
    assert at.metric[0].value == count_text(analysis.total_params)
    assert at.metric[1].value == "89.4%"
    at.segmented_control(key="learn_budget_arch").set_value("vgg11").run()
    assert at.metric[0].value == count_text(analyze(vgg_spec("vgg11")).total_params)


def test_lessons_link_to_the_explorer_in_the_page_language(page) -> None:
    at = page(lesson="params", lang="zh")
    urls = [b.proto.url for b in at.get("link_button")]
    assert "custom?preset=seed-example&lang=zh" in urls
    assert "./?arch=vgg16&input=224x224x3&top=1&bn=0&lang=zh" in urls


def test_language_switch_shows_chinese(page) -> None:
    en, zh = page(), page(lang="zh")
    assert zh.title[0].value == translate("learn.title", "zh") != en.title[0].value
    assert "卷积核" in text(zh)
    assert zh.number_input(key="learn_w").label == "输入尺寸 W"


def test_bad_lesson_falls_back_with_a_note(page) -> None:
    at = page(lesson="<script>")
    assert not at.exception
    assert at.segmented_control(key="learn_lesson").value == "size"
    assert any("lesson=" in w.value for w in at.warning)  # the one bad-link note


def test_presentation_mode_steps_through_layers(page) -> None:
    at = page(lesson="practice", present="1")
    assert at.toggle(key="learn_present").value is True
    assert any("stSidebar" in str(h.proto) for h in at.get("html"))
    assert not [s for s in at.subheader if "Quiz" in s.value]  # one view, no quiz below
    seed = analyze(load_preset("seed-example"))
    assert at.session_state["learn_layer"] == seed.layers[0].name  # buttons and keys, no slider
    at.button(key="learn_layer_next").click().run()
    assert at.session_state["learn_layer"] == seed.layers[1].name
    assert at.query_params["layer"] == seed.layers[1].name
    at.button(key="learn_layer_previous").click().run()
    assert at.session_state["learn_layer"] == seed.layers[0].name
    at.toggle(key="learn_present").set_value(False).run()
    assert "present" not in at.query_params
    assert not any("stSidebar" in str(h.proto) for h in at.get("html"))


def test_layer_link_opens_on_that_layer_and_a_bad_one_says_so(page) -> None:
    at = page(lesson="practice", layer="dense")
    assert at.select_slider(key="learn_layer").value == "dense"
    bad = page(lesson="practice", layer="nope")
    assert bad.select_slider(key="learn_layer").value == "conv2d"
    assert any("layer=nope" in w.value for w in bad.warning)


def test_predict_then_reveal(page) -> None:
    at = page(lesson="practice")
    first = analyze(load_preset("seed-example")).layers[0]
    key = "learn_predict_seed-example_conv2d_shape"
    at.text_input(key=f"{key}_guess").input("150x150x16").run()
    at.button(key=f"{key}_check").click().run()
    assert at.error and not at.info  # wrong, and the answer stays hidden
    at.text_input(key=f"{key}_guess").input("148, 148, 16").run()
    at.button(key=f"{key}_check").click().run()
    assert at.success and shape_text(first.output_shape) in text(at)
    assert "(150 − 3 + 2·0)/1 + 1 = 148" in text(at)
    params = "learn_predict_seed-example_conv2d_params"
    at.segmented_control(key="learn_hide").set_value("params").run()
    at.button(key=f"{params}_reveal").click().run()
    assert "(3·3·3 + 1)·16 = 448" in text(at)


def test_quiz_round_with_a_right_and_a_wrong_answer(page) -> None:
    at = page(lesson="practice")
    seed = analyze(load_preset("seed-example"))
    questions = make_quiz(seed, 4, seed=0)
    prefix = "learn_quiz_seed-example_0"
    first = questions[0]
    right = shape_text(first.layer.output_shape) if first.kind == "shape" else str(first.answer[0])
    at.text_input(key=f"{prefix}_0").input(right)
    at.text_input(key=f"{prefix}_1").input("1")
    at.button(key="learn_quiz_submit").click().run()
    assert [m.value for m in at.metric][-1] == "1 / 4"
    assert translate("quiz.session_score", "en", right=1, asked=4) in text(at)
    labels = [e.label for e in at.expander]
    assert labels[0].startswith(":green[") and labels[1].startswith(":red[")  # text + colour
    at.button(key="learn_quiz_new").click().run()
    assert at.text_input(key="learn_quiz_seed-example_1_0")  # a new round
    assert translate("quiz.session_score", "en", right=1, asked=4) in text(at)
