"""The activation viewer page with AppTest: samples, uploads (good and bad), weights choices."""

from __future__ import annotations

import io
import socket
import time

import pytest
from PIL import Image

from components.engine.analysis import analyze
from components.engine.formatting import byte_text
from components.engine.vgg import vgg_spec
from tests.apptest import as_read
from tests.conftest import SMALL_VGG
from tests.test_images import png_header

pytestmark = pytest.mark.keras
PAGE = "pages/activations.py"


PAGE_TIMEOUT = 120  # s; the page builds a Keras model


def texts(elements) -> list[str]:
    return [as_read(e.value) for e in elements]  # as read: user text is Markdown-escaped


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_default_vgg16_with_a_sample_image(page, vgg16) -> None:
    at = page()
    assert not at.exception and not at.error
    assert any("Untrained network" in w for w in texts(at.warning))
    layer = at.select_slider(key="act_layer")
    spec_maps = [i for i in vgg16.layers if len(i.output_shape) == 3]
    assert layer.options == [f"{i.name} — {'×'.join(map(str, i.output_shape))}" for i in spec_maps]
    assert layer.options[0] == "block1_conv1 — 224×224×64"
    assert layer.value == "block1_conv1"
    assert any("16 of the 64 channels of block1_conv1" in c for c in texts(at.caption))
    analysis = vgg16
    memory = f"{byte_text(analysis.activation_bytes)} of activations"
    assert any(f"all {len(analysis.layers)} layers: {memory}" in c for c in texts(at.caption))
    assert at.get("plotly_chart")


def test_moving_to_another_layer_shows_its_channels(page) -> None:
    at = page(**SMALL_VGG)
    at.select_slider(key="act_layer").set_value("block4_conv2").run()
    assert not at.exception
    assert any("16 of the 512 channels of block4_conv2" in c for c in texts(at.caption))
    assert any(c.startswith("One colour scale for all tiles: 0 (dark)") for c in texts(at.caption))
    assert at.query_params["layer"] == "block4_conv2"
    at.toggle(key="act_own_scale").set_value(True).run()
    assert any(c.startswith("Each tile has its own colour scale") for c in texts(at.caption))
    assert any("receptive field" in m and "block4_conv2" in m for m in texts(at.markdown))


def test_bad_uploads_then_a_good_one(page) -> None:
    at = page(**SMALL_VGG)
    bad = [
        ("empty.jpg", b"", "The file is empty"),
        ("notes.jpg", b"not an image\n" * 50, "not an image this viewer reads"),
        ("bomb.png", png_header(30_000, 30_000), "refused before decoding"),
    ]
    for name, data, message in bad:
        at.file_uploader(key="act_image_upload").set_value((name, data, "image/jpeg")).run()
        assert not at.exception
        assert any(message in e for e in texts(at.error)), name
        assert any("The page still works" in c for c in texts(at.caption))
        assert not at.get("plotly_chart")
    gray = png(Image.new("L", (80, 60), 120))
    at.file_uploader(key="act_image_upload").set_value(("gray.png", gray, "image/png")).run()
    assert not at.exception and not at.error
    assert any("grayscale" in i for i in texts(at.info))
    assert any("gray.png: 80×60 px → 64×64×3" in c for c in texts(at.caption))
    assert at.get("plotly_chart")


def test_bad_share_link_values_fall_back_with_a_note(page) -> None:
    at = page(**SMALL_VGG, weights="pickle", sample="nope", layer="block9_conv9")
    assert not at.exception and not at.error
    warnings = " ".join(texts(at.warning))
    assert "weights=pickle" in warnings and "sample=nope" in warnings
    assert "layer=block9_conv9" in warnings
    assert at.radio(key="act_weights").value == "random"


def test_imagenet_without_network_states_the_size_and_never_hangs(
    vgg16, page, tmp_path, monkeypatch
) -> None:
    """Offline as this test machine is; a closed local port stands in where CI has a network."""
    from components.keras_side import weights

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    real_url = weights._keras_weights_url
    monkeypatch.setattr(
        weights,
        "_keras_weights_url",
        lambda arch, top: real_url(arch, top).replace("https://", f"http://127.0.0.1:{port}/"),
    )
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    at = page(weights="imagenet")
    assert not at.exception
    size = byte_text(vgg16.weight_bytes)
    assert any(size in i and "not on this server yet" in i for i in texts(at.info))
    assert not any(str(tmp_path) in i for i in texts(at.info))  # no server paths for students
    start = time.perf_counter()
    at.button(key="act_fetch").click().run()
    assert time.perf_counter() - start < 15
    assert not at.exception
    assert any("no internet access" in e or "Could not download" in e for e in texts(at.error))


def test_imagenet_for_vgg13_offers_torchvision_weights_and_fails_fast_offline(
    page, tmp_path, monkeypatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    at = page(arch="vgg13", weights="imagenet")
    assert not at.exception
    size = byte_text(analyze(vgg_spec("vgg13")).weight_bytes)
    assert any(size in i and "timm/vgg13.tv_in1k" in i for i in texts(at.info))
    start = time.perf_counter()
    at.button(key="act_fetch").click().run()
    assert time.perf_counter() - start < 15
    assert any("Could not reach" in e for e in texts(at.error))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    at = page(arch="vgg13", bn="1", weights="torchvision")
    assert not at.exception and not [b for b in at.button if b.key == "act_fetch"]
    assert any("works offline" in e and "weights fetch vgg13_bn" in e for e in texts(at.error))
    at.button(key="act_use_random").click().run()
    assert not at.exception and at.radio(key="act_weights").value == "random"


def test_weights_file_for_another_architecture(page, tmp_path, monkeypatch) -> None:
    from components.keras_side.builder import build_model

    build_model(vgg_spec("vgg16", (32, 32, 3), include_top=False)).save_weights(
        tmp_path / "vgg16.weights.h5"
    )
    monkeypatch.setenv("VGG_EXPLORER_WEIGHTS_DIR", str(tmp_path))  # the operator's folder
    at = page(**SMALL_VGG, weights="keras")
    assert any("Choose a Keras weights file" in i for i in texts(at.info))
    at.selectbox(key="act_wserver_keras").set_value("vgg16.weights.h5").run()
    assert not at.exception
    errors = " ".join(texts(at.error))
    assert "does not fit this network" in errors
    assert "block1_conv2: in the file but not in this network" in errors


def test_chinese_labels(page) -> None:
    at = page(**SMALL_VGG, lang="zh")
    assert not at.exception
    assert at.title[0].value == "激活：每一层对图像做了什么"


def test_weights_uploads_bad_then_good(page, tmp_path) -> None:
    """Corrupted .h5, a state dict with a missing tensor: clear messages; then a good file works."""
    from safetensors.numpy import save_file

    from tests.test_weights import torch_state_dict

    spec = vgg_spec("vgg11", (64, 64, 3), include_top=False)
    at = page(**SMALL_VGG, weights="keras")
    at.file_uploader(key="act_wfile_keras").set_value(
        ("broken.weights.h5", b"\x89HDF\r\n\x1a\n" + b"\0" * 100, "application/x-hdf5")
    ).run()
    assert not at.exception
    assert any("not a readable HDF5 weights file" in e for e in texts(at.error))

    at.radio(key="act_weights").set_value("torch").run()
    sd = torch_state_dict(spec, __import__("numpy").random.default_rng(0))
    missing = {k: v for k, v in sd.items() if k != "features.3.bias"}
    for name, tensors in (("missing.safetensors", missing), ("good.safetensors", sd)):
        path = tmp_path / name
        save_file(tensors, str(path))
        uploader = at.file_uploader(key="act_wfile_torch")
        uploader.set_value((name, path.read_bytes(), "application/octet-stream")).run()
        assert not at.exception
    # the good file replaced the bad one: no error, the maps are there, torchvision preprocessing
    assert not at.error
    assert at.get("plotly_chart")
    assert any("torchvision preprocessing" in c for c in texts(at.caption))


def test_missing_tensor_is_named(page) -> None:
    from safetensors.numpy import save

    from tests.test_weights import torch_state_dict

    spec = vgg_spec("vgg11", (64, 64, 3), include_top=False)
    sd = torch_state_dict(spec, __import__("numpy").random.default_rng(0))
    data = save({k: v for k, v in sd.items() if k != "features.3.bias"})
    at = page(**SMALL_VGG, weights="torch")
    at.file_uploader(key="act_wfile_torch").set_value(("x.safetensors", data, "x")).run()
    assert not at.exception
    errors = " ".join(texts(at.error))
    assert "does not match this network" in errors and "missing tensor features.3.bias" in errors


def test_changing_the_network_keeps_a_valid_layer(page) -> None:
    """The network is chosen in the sidebar now (the link is read once, on arrival)."""
    at = page(**SMALL_VGG)
    at.select_slider(key="act_layer").set_value("block5_conv2").run()
    at.selectbox(key="act_arch").set_value("vgg16").run()
    assert not at.exception
    assert at.query_params["arch"] == "vgg16"
    assert at.select_slider(key="act_layer").value == "block5_conv2"
    at.select_slider(key="act_layer").set_value("block5_conv3").run()  # only VGG16 has it
    at.selectbox(key="act_arch").set_value("vgg11").run()
    assert not at.exception
    assert at.select_slider(key="act_layer").value == "block1_conv1"
    assert any("layer=block5_conv3" in w for w in texts(at.warning))


def test_layer_in_the_share_link_is_selected(page) -> None:
    at = page(**SMALL_VGG, layer="block3_conv2")
    assert not at.exception and not any("layer=" in w for w in texts(at.warning))
    assert at.select_slider(key="act_layer").value == "block3_conv2"
    assert any("of the 256 channels of block3_conv2" in c for c in texts(at.caption))


def test_cached_imagenet_weights_are_the_default_and_trained(page, tmp_path, monkeypatch) -> None:
    """A VGG16 no-top file in Keras' cache (made here, same layout): used, no 'untrained'."""
    from components.keras_side import weights
    from components.keras_side.builder import build_model
    from tests.weights_files import write_legacy_h5

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    spec = vgg_spec("vgg16", (32, 32, 3), include_top=False)
    file = weights.imagenet_file(spec)
    file.path.parent.mkdir(parents=True)
    write_legacy_h5(build_model(spec), file.path)
    at = page(arch="vgg16", input="32x32x3", top="0")
    assert not at.exception and not at.error
    assert at.radio(key="act_weights").value == "imagenet"
    assert not any("Untrained" in w for w in texts(at.warning))
    assert any("no 1,000-class ImageNet head" in i for i in texts(at.info))
    assert any("Keras ImageNet preprocessing" in c for c in texts(at.caption))
