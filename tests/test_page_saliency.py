"""The Grad-CAM section of /activations with AppTest: random weights say why there are no
maps; a small trained-weights network (a generated weights file) shows them, and the
view round-trips through ``cam_class``, ``cam_layer`` and ``cam``."""

from __future__ import annotations

import inspect

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.engine.spec import encode_spec, parse_spec
from components.ui.safe_text import plain
from components.ui.saliency_views import parse_classes
from tests.apptest import messages, open_page

pytestmark = pytest.mark.keras
PAGE = "pages/activations.py"
TINY = parse_spec(
    {"name": "tiny-cam", "input": [32, 32, 3], "layers": [
        {"type": "conv2d", "name": "c1", "filters": 8, "kernel": 3, "padding": "same",
         "activation": "relu"},
        {"type": "maxpool2d", "name": "p1", "pool": 2},
        {"type": "conv2d", "name": "c2", "filters": 8, "kernel": 3, "padding": "same",
         "activation": "relu"},
        {"type": "flatten", "name": "flatten"},
        {"type": "dense", "name": "predictions", "units": 10, "activation": "softmax"}]}
)  # fmt: skip
LINK = {"spec": encode_spec(TINY)}


@pytest.fixture(scope="module")
def weights_file(tmp_path_factory) -> bytes:
    """Weights for TINY, written by Keras itself (they stand in for a trained file)."""
    from components.keras_side.builder import build_model, import_keras

    import_keras().utils.set_random_seed(3)
    path = tmp_path_factory.mktemp("w") / "tiny.weights.h5"
    build_model(TINY).save_weights(path)
    return path.read_bytes()


def with_weights(data: bytes, **params: str):
    at = open_page(PAGE, timeout=120, **LINK, weights="keras", **params)
    at.file_uploader(key="act_wfile_keras").set_value(("tiny.weights.h5", data, "x")).run()
    assert not at.exception
    return at


def images(at) -> int:
    return len(at.get("image"))


def test_random_weights_say_why_there_are_no_maps() -> None:
    at = open_page(PAGE, timeout=120, **LINK)
    assert not at.exception and not at.error
    assert any("No Grad-CAM or saliency maps with random weights" in i.value for i in at.info)
    assert "cam_class_a" not in at.session_state


def test_no_head_says_a_classifier_is_needed() -> None:
    at = open_page(PAGE, timeout=120, arch="vgg11", input="32x32x3", top="0")
    assert not at.exception
    assert any("need a classifier" in i.value for i in at.info)


def test_trained_network_shows_the_maps_and_keeps_them_in_the_link(weights_file) -> None:
    at = with_weights(weights_file)
    assert not at.error
    assert at.selectbox(key="cam_layer").value == "c2"  # the last convolution
    assert at.button_group(key="cam_method").value == "gradcam"
    first, second = at.selectbox(key="cam_class_a").value, at.selectbox(key="cam_class_b").value
    assert first != second  # the top two classes
    text = messages(at)
    assert "c2 is a 16×16 grid: each cell covers about 2×2 px of the 32×32 input" in text
    assert "Earlier layers are finer (16×16 → 32×32)" in text
    assert "One colour scale for both maps" in text
    shown = images(at)
    assert shown >= 4  # input, two maps, colour bar (and the page's own pictures)
    at.selectbox(key="cam_class_a").set_value(7).run()
    at.selectbox(key="cam_layer").set_value("c1").run()
    at.button_group(key="cam_method").set_value("guided").run()
    assert not at.exception and not at.error
    assert at.query_params["cam_class"] == f"7,{second}"
    assert at.query_params["cam_layer"] == "c1"
    assert at.query_params["cam"] == "guided"
    assert "Grey is 0" in messages(at)
    assert images(at) == shown - 1  # the same maps, no colour bar (signed RGB instead)
    # the link opens the same view
    again = with_weights(weights_file, cam_class=f"7,{second}", cam_layer="c1", cam="guided")
    assert again.selectbox(key="cam_class_a").value == 7
    assert again.selectbox(key="cam_class_b").value == second
    assert again.selectbox(key="cam_layer").value == "c1"
    assert not again.warning
    again.button_group(key="cam_method").set_value("gradcam").run()
    again.toggle(key="cam_own_scale").set_value(True).run()
    assert not again.exception
    assert "Each map on its own colour scale: 0 (dark) to its largest value" in messages(again)


def test_smoothgrad_states_its_cost(weights_file) -> None:
    at = with_weights(weights_file, cam="smoothgrad")
    assert not at.exception and not at.error
    assert "Cost: 10 forward + backward passes per class" in messages(at)
    at.select_slider(key="cam_samples").set_value(5).run()
    assert not at.exception
    assert "Cost: 5 forward + backward passes per class" in messages(at)
    assert "Computed with 10 passes in" in messages(at)


def test_bad_link_values_fall_back_with_a_note(weights_file) -> None:
    at = with_weights(weights_file, cam="evil", cam_layer="flatten", cam_class="[x](http://e)")
    assert not at.exception and not at.error
    warnings = " ".join(w.value for w in at.warning)
    assert "cam=evil" in warnings and "cam_layer=flatten" in warnings
    assert f"cam_class={plain('[x](http://e)')}" in warnings  # shown as text, not a link
    assert at.selectbox(key="cam_layer").value == "c2"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.none(), st.text(max_size=20), st.from_regex(r"[0-9]{1,4}(,[0-9]{1,4})?")))
def test_class_parameter_is_valid_or_refused(value: str | None) -> None:
    parsed = parse_classes(value, 10)
    assert parsed is None or (1 <= len(parsed) <= 2 and all(0 <= i < 10 for i in parsed))
    if parsed is not None:
        assert [int(p) for p in value.split(",")] == list(parsed)


def test_compare_page_says_grad_cam_needs_trained_weights() -> None:
    at = open_page("pages/compare.py", timeout=300, cmp="vgg11@32x32x3,vgg13@32x32x3")
    at.toggle(key="cmp_maps").set_value(True).run(timeout=300)
    assert not at.exception
    assert "Grad-CAM across the two networks needs trained weights" in messages(at)


def _two_trained_networks(paths: list[str]) -> None:
    """Script for AppTest: two trained-weights networks, one image, the compare view's maps."""
    from components.engine.spec import decode_spec
    from components.keras_side import images
    from components.keras_side.activations import WeightsSource, build_network
    from components.ui import activation_views
    from components.ui.saliency_views import across_networks_ui

    spec = decode_spec(SPEC_TOKEN)  # noqa: F821 (set by the test through the script's globals)
    nets, runs = [], []
    for path in paths:
        net = build_network(spec, WeightsSource("keras", path=path, digest=path))
        image = images.decode(activation_views.sample_bytes("chelsea"), channels=3)
        runs.append(activation_views.run(net, path, image.image, image.digest, "crop"))
        nets.append(net)
    across_networks_ui(nets, runs, ["first [net]", "second"])


def test_compare_view_shows_the_same_class_in_two_trained_networks(tmp_path) -> None:
    from streamlit.testing.v1 import AppTest

    from components.keras_side.builder import build_model, import_keras

    paths = []
    for seed in (1, 2):
        import_keras().utils.set_random_seed(seed)
        path = tmp_path / f"net{seed}.weights.h5"
        build_model(TINY).save_weights(path)
        paths.append(str(path))
    body = inspect.getsource(_two_trained_networks)
    source = f"SPEC_TOKEN = {LINK['spec']!r}\n{body}\n_two_trained_networks({paths!r})\n"
    script = tmp_path / "script.py"
    script.write_text(source)
    at = AppTest.from_file(str(script), default_timeout=120).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="cmp_cam_class").value in range(10)
    assert images(at) == 3  # the two maps and the colour bar
    captions = messages(at)
    assert "first [net] · c2 · 16×16" in captions and "second · c2 · 16×16" in captions


def test_imagenet_sized_head_uses_the_class_names(tmp_path) -> None:
    """A small network with a 1,000-class ``predictions`` layer: ImageNet's names, the page's
    own top-5, and ``cam_class`` choosing a class by its index."""
    from components.keras_side.builder import build_model

    spec = parse_spec(
        {"name": "tiny-imagenet-head", "input": [16, 16, 3], "layers": [
            {"type": "conv2d", "name": "c1", "filters": 4, "kernel": 3, "activation": "relu"},
            {"type": "maxpool2d", "name": "p1", "pool": 2},
            {"type": "flatten", "name": "flatten"},
            {"type": "dense", "name": "predictions", "units": 1000, "activation": "softmax"}]}
    )  # fmt: skip
    path = tmp_path / "head.weights.h5"
    build_model(spec).save_weights(path)
    at = open_page(PAGE, timeout=120, spec=encode_spec(spec), weights="keras", cam_class="281")
    at.file_uploader(key="act_wfile_keras").set_value(("h.weights.h5", path.read_bytes(), "x"))
    at.run()
    assert not at.exception and not at.error
    first = at.selectbox(key="cam_class_a")
    assert first.value == 281 and first.format_func(281).startswith("tabby · ")
    assert len(first.options) == 1000
    assert "Chinese ImageNet class names are not available offline" in messages(at)
    assert at.query_params["cam_class"] == "281"  # read, not rewritten until changed


def test_one_channel_pictures_are_drawn() -> None:
    """A grey-scale network (the digits one): maps over an 'L' picture, a 1-channel gradient."""
    import io

    import numpy as np
    from PIL import Image

    from components.ui import saliency_views

    picture = Image.new("L", (8, 8), 90)
    cam = np.eye(4, dtype=np.float32)
    heat = Image.open(io.BytesIO(saliency_views.heat_png(picture, "t1", cam, 0.0, 1.0, 0.5)))
    assert (
        heat.size == (saliency_views.DISPLAY_PX, saliency_views.DISPLAY_PX) and heat.mode == "RGB"
    )
    signed = np.linspace(-1, 1, 64, dtype=np.float32).reshape(8, 8, 1)
    grey = Image.open(io.BytesIO(saliency_views.signed_png("t2", signed, 1.0)))
    assert grey.mode == "L" and grey.getpixel((0, 0)) == 0
    assert grey.getpixel((saliency_views.DISPLAY_PX - 1, saliency_views.DISPLAY_PX - 1)) == 255
