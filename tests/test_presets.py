"""Presets, pinned to their published figures and to what Keras builds from them."""

from __future__ import annotations

import pytest

from components.engine.analysis import analyze
from components.engine.presets import PRESET_DIR, load_preset, preset_names
from components.engine.vgg import vgg_spec
from tests.keras_compare import assert_matches_keras

PRESETS = ["d2l-vgg11", "lenet5", "mnist-convnet", "seed-example", "tiny-vgg"]


def conv(k: int, cin: int, cout: int) -> int:
    """(K·K·Cin + 1)·Cout."""
    return (k * k * cin + 1) * cout


def dense(n_in: int, n_out: int) -> int:
    """(N_in + 1)·N_out."""
    return (n_in + 1) * n_out


def test_the_presets_are_there() -> None:
    assert set(PRESETS) <= set(preset_names())


@pytest.mark.parametrize("name", preset_names())
def test_preset_is_named_as_its_file_and_documented(name: str) -> None:
    assert load_preset(name).name == name
    assert f"| `{name}` |" in (PRESET_DIR / "README.md").read_text(encoding="utf-8")


def test_d2l_vgg11_block_outputs_and_total() -> None:
    analysis = analyze(load_preset("d2l-vgg11"))
    pools = [analysis.layer(f"block{b}_pool").output_shape for b in range(1, 6)]
    assert pools == [(112, 112, 64), (56, 56, 128), (28, 28, 256), (14, 14, 512), (7, 7, 512)]
    assert analysis.layer("flatten").output_shape == (7 * 7 * 512,)
    convs = [(1, 64), (64, 128), (128, 256), (256, 256), (256, 512), *[(512, 512)] * 3]
    by_hand = (
        sum(conv(3, cin, cout) for cin, cout in convs)
        + dense(7 * 7 * 512, 4096)
        + dense(4096, 4096)
        + dense(4096, 10)
    )
    assert by_hand == 128_806_154
    assert analysis.total_params == by_hand
    assert analysis.depth == 11
    # the same weights as the paper's configuration A on this input and head
    assert by_hand == analyze(vgg_spec("vgg11", (224, 224, 1), classes=10)).total_params


def test_tiny_vgg_flatten_and_total() -> None:
    analysis = analyze(load_preset("tiny-vgg"))
    sides = [i.output_shape[0] for i in analysis.layers if len(i.output_shape) == 3]
    assert sides == [62, 60, 30, 28, 26, 13]
    assert analysis.layer("flatten").output_shape == (1_690,)
    assert 13 * 13 * 10 == 1_690
    assert conv(3, 3, 10) + 3 * conv(3, 10, 10) + dense(1_690, 10) == 19_920
    assert analysis.total_params == 19_920


def test_lenet5_total() -> None:
    analysis = analyze(load_preset("lenet5"))
    assert analysis.layer("S4").output_shape == (5, 5, 16)
    assert analysis.layer("flatten").output_shape == (400,)
    parts = conv(5, 1, 6) + conv(5, 6, 16) + dense(400, 120) + dense(120, 84) + dense(84, 10)
    assert parts == 61_706
    assert analysis.total_params == 61_706


def test_mnist_convnet_total_and_keras_default_names() -> None:
    analysis = analyze(load_preset("mnist-convnet"))
    assert [i.name for i in analysis.layers] == [
        "conv2d",
        "max_pooling2d",
        "conv2d_1",
        "max_pooling2d_1",
        "flatten",
        "dropout",
        "dense",
    ]
    assert analysis.layer("flatten").output_shape == (1_600,)
    assert conv(3, 1, 32) + conv(3, 32, 64) + dense(1_600, 10) == 34_826
    assert analysis.total_params == 34_826
    # 11 → 5: the second pool drops the last row and column, and says so
    assert [w.layer_name for w in analysis.warnings] == ["max_pooling2d_1"] * 2


@pytest.mark.keras
@pytest.mark.parametrize("name", PRESETS)
def test_preset_matches_keras(name: str) -> None:
    assert_matches_keras(load_preset(name))
