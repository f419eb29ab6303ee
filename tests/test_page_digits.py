"""The digits network on its pages, in AppTest: /activations with digits-vgg, the one-click offer,
and the Learn lesson's trained kernels (without TensorFlow)."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from components.keras_side import digits
from components.ui.i18n import translate
from tests.apptest import as_read, html, messages, open_page
from tests.conftest import ROOT

pytestmark = pytest.mark.keras
PAGE = "pages/activations.py"


def digits_page(**params: str):
    at = open_page(PAGE, timeout=120, preset="digits-vgg", **params)
    assert not at.exception, at.exception
    return at


def reported(at, key: str) -> tuple[str, str]:
    """The step view's own result and the value Keras computed, from its closing sentence."""
    text = messages(at)
    numbers = re.findall(r"\*\*(-?\d+\.\d{4})\*\*", text)
    assert numbers, text[-1500:]
    return numbers[-2], numbers[-1]


def test_digits_page_predicts_the_sample_and_shows_every_layer() -> None:
    at = digits_page()
    metric = at.get("metric")[0]
    net = digits.build_trained()
    expected = int(
        np.argmax(net.forward(digits.batch(digits.network_input(digits.sample_cells(3)))))
    )
    assert metric.proto.body == str(expected) == "3"
    text = messages(at)
    for layer in ("block1_conv1", "block1_pool", "block2_conv1", "block3_pool"):
        assert f"**{layer}** ·" in text
    assert "99.4%" in text  # the held-out accuracy of training.json
    step, keras_value = reported(at, "conv")
    assert step == keras_value


@pytest.mark.parametrize("layer", ["block1_pool", "block2_conv1", "block3_pool"])
def test_step_view_of_other_layers_matches_keras(layer: str) -> None:
    at = digits_page()
    at.selectbox(key="digits_step_layer").set_value(layer).run()
    assert not at.exception, at.exception
    step, keras_value = reported(at, layer)
    assert step == keras_value


def test_softmax_step_table() -> None:
    at = digits_page()
    at.selectbox(key="digits_step_layer").set_value("predictions").run()
    assert not at.exception, at.exception
    frame = at.dataframe[0].value
    assert len(frame) == 10
    assert frame["probability"].sum() == pytest.approx(1.0)
    assert int(frame["probability"].idxmax()) == 3
    assert (frame["exp"] <= 1.0).all() and frame["exp"].max() == 1.0


def test_another_sample_and_random_weights() -> None:
    at = digits_page(lang="zh")
    at.pills(key="digits_start").set_value("7").run()
    assert not at.exception, at.exception
    assert at.get("metric")[0].proto.body == "7"
    label = at.selectbox(key="cam_class_a").format_func(7)
    assert label.startswith(translate("fixes.digit_n", "zh", n=7) + " · "), label
    assert label.startswith("数字 7")
    at.radio(key="digits_weights").set_value("random").run()
    assert not at.exception, at.exception
    assert translate("digits.random", "zh") in messages(at)


def test_blank_canvas_asks_for_a_digit() -> None:
    at = digits_page()
    at.pills(key="digits_start").set_value("blank").run()
    assert not at.exception, at.exception
    assert translate("digits.input.empty", "en") in messages(at)
    assert not at.get("metric")


def test_untrained_vgg_offers_the_digits_network_in_one_click() -> None:
    at = open_page(PAGE, timeout=120, arch="vgg11", input="32x32x3", top="0")
    assert not at.exception, at.exception
    assert translate("digits.offer.text", "en") in messages(at)
    at.button(key="digits_offer").click().run()
    assert not at.exception, at.exception
    assert at.query_params.get("preset") in ("digits-vgg", ["digits-vgg"])
    assert at.get("metric")[0].proto.body == "3"


def test_learn_lesson_shows_trained_kernels_without_tensorflow() -> None:
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(ROOT / 'pages' / 'learn.py')!r}, default_timeout=60)\n"
        "at.query_params['lesson'] = 'stack'\n"
        "at.run()\n"
        "assert not at.exception, at.exception\n"
        "text = '\\n'.join(s.value for s in at.subheader)\n"
        "assert 'What does a trained 3×3 filter detect?' in text, text\n"
        "assert len([m for m in at.markdown if m.value.startswith('**Filter ')]) == 8\n"
        "at.pills(key='learn_digits_digit').set_value(8).run()\n"
        "assert not at.exception, at.exception\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize(
    ("script", "params"),
    [
        ("pages/architecture.py", {"preset": "digits-vgg"}),
        ("pages/custom.py", {"preset": "digits-vgg"}),
        ("pages/compare.py", {"cmp": "preset:tiny-vgg,preset:digits-vgg"}),
    ],
)
def test_the_preset_opens_wherever_presets_do(script: str, params: dict[str, str]) -> None:
    at = open_page(script, timeout=60, **params)
    assert not at.exception, at.exception
    shown = [messages(at), html(at)] + [frame.value.to_string() for frame in at.dataframe]
    shown += [metric.proto.body for metric in at.get("metric")]
    assert "22,634" in "\n".join(shown)  # the network's parameter count, as the page shows it


def test_drawn_digit_gets_grad_cam_of_its_predicted_class() -> None:
    """The shipped trained network is a trained classifier: the Grad-CAM section shows maps
    for the top class at the last conv; with random weights it says why there are none."""
    at = digits_page()
    assert at.selectbox(key="cam_layer").value == "block3_conv1"
    assert at.selectbox(key="cam_class_a").value == 3  # the sample digit's predicted class
    assert at.selectbox(key="cam_class_a").format_func(3).startswith("digit 3 · ")
    assert "block3_conv1 is a 8×8 grid" in messages(at)
    at.button_group(key="cam_method").set_value("saliency").run()
    assert not at.exception, at.exception
    assert at.query_params["cam"] == "saliency"
    at.radio(key="digits_weights").set_value("random").run()
    assert not at.exception, at.exception
    assert translate("cam.untrained", "en") in messages(at)


def test_share_link_restores_every_control() -> None:
    """weights, sample, source, layer and pos open the view as the link's author left it."""
    at = digits_page(weights="random", sample="7", layer="block2_conv1", pos="3,4,5")
    assert at.radio(key="digits_weights").value == "random"
    assert at.pills(key="digits_start").value == "7"
    assert at.selectbox(key="digits_step_layer").value == "block2_conv1"
    assert at.number_input(key="digits_ch_block2_conv1").value == 5
    assert "row 3, column 4 of channel 5" in messages(at)
    step, keras_value = reported(at, "block2_conv1")
    assert step == keras_value
    assert [str(w.value) for w in at.warning] == [translate("digits.random", "en")]  # no notes


def test_controls_write_the_link() -> None:
    at = digits_page()
    at.radio(key="digits_weights").set_value("random").run()
    at.pills(key="digits_start").set_value("5").run()
    at.selectbox(key="digits_step_layer").set_value("block1_pool").run()
    assert not at.exception, at.exception
    query = {k: at.query_params[k] for k in ("weights", "sample", "layer", "pos")}
    assert query["weights"] in ("random", ["random"])
    assert query["sample"] in ("5", ["5"])
    assert query["layer"] in ("block1_pool", ["block1_pool"])
    assert query["pos"] in ("8,8,0", ["8,8,0"])  # the centre of block1_pool's 16×16
    at.segmented_control(key="digits_source").set_value("upload").run()
    assert at.query_params["source"] in ("upload", ["upload"])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("weights", "imagenet"),
        ("sample", "[x](https://evil.example)"),
        ("layer", "block5_conv3"),
        ("pos", "99,0,0"),
        ("pos", "1,2"),
        ("source", "<b>camera</b>"),
    ],
)
def test_bad_link_values_fall_back_with_an_escaped_note(name: str, value: str) -> None:
    at = digits_page(**{name: value})
    warnings = [str(w.value) for w in at.warning]
    assert any(f"{name}=" in as_read(w) and value[:40] in as_read(w) for w in warnings), warnings
    assert not any("](" in w and "\\]" not in w for w in warnings)  # never a live link
    assert at.get("metric")[0].proto.body == "3"  # the defaults: trained, sample 3
    assert at.radio(key="digits_weights").value == "trained"


def test_the_offer_leaves_the_other_networks_link_values_behind() -> None:
    """weights=random and layer=block5_conv3 meant the VGG: the digits view starts trained,
    without notes about them."""
    at = open_page(
        PAGE, timeout=120, arch="vgg11", input="32x32x3", top="0", weights="random",
        layer="block5_conv3", sample="cat",
    )  # fmt: skip
    assert not at.exception, at.exception
    at.button(key="digits_offer").click().run()
    assert not at.exception, at.exception
    assert "weights" not in at.query_params and "layer" not in at.query_params
    assert at.radio(key="digits_weights").value == "trained"
    assert not at.warning, [w.value for w in at.warning]
    assert at.get("metric")[0].proto.body == "3"
