"""Known figures, pinned: parameters, MACs, receptive fields, shapes, formulas."""

from __future__ import annotations

import pytest

from components.engine.analysis import analyze
from components.engine.spec import parse_spec
from components.engine.vgg import CONFIGS, resolve_arch, vgg_spec
from tests.english import message

SEED_EXAMPLE = {
    "name": "seed-example",
    "input": [150, 150, 3],
    "layers": [
        {"type": "conv2d", "filters": 16, "kernel": 3, "activation": "relu"},
        {"type": "maxpool2d", "pool": 2},
        {"type": "conv2d", "filters": 32, "kernel": 3, "activation": "relu"},
        {"type": "maxpool2d", "pool": 2},
        {"type": "conv2d", "filters": 64, "kernel": 3, "activation": "relu"},
        {"type": "maxpool2d", "pool": 2},
        {"type": "flatten"},
        {"type": "dense", "units": 512, "activation": "relu"},
        {"type": "dense", "units": 1, "activation": "sigmoid"},
    ],
}


@pytest.mark.parametrize(
    ("arch", "top", "params"),
    [
        ("vgg16", True, 138_357_544),
        ("vgg16", False, 14_714_688),
        ("vgg19", True, 143_667_240),
        ("vgg19", False, 20_024_384),
        ("vgg11", True, 132_863_336),
        ("vgg13", True, 133_047_848),
    ],
)
def test_vgg_parameter_counts(arch: str, top: bool, params: int) -> None:
    assert analyze(vgg_spec(arch, include_top=top)).total_params == params


@pytest.mark.parametrize(
    ("arch", "macs"),
    [
        ("vgg11", 7_609_090_048),
        ("vgg13", 11_308_466_176),
        ("vgg16", 15_470_264_320),
        ("vgg19", 19_632_062_464),
    ],
)
def test_vgg_macs_at_224(arch: str, macs: int) -> None:
    assert analyze(vgg_spec(arch)).total_macs == macs


def test_vgg16_receptive_field_of_block5_pool(vgg16) -> None:
    rf = vgg16.layer("block5_pool").receptive_field
    assert rf is not None
    assert rf.size == (212, 212)
    assert rf.stride == (32, 32)


def test_vgg16_block_outputs_halve() -> None:
    analysis = analyze(vgg_spec("vgg16", include_top=False))
    sizes = [analysis.layer(f"block{b}_pool").output_shape for b in range(1, 6)]
    assert sizes == [(112, 112, 64), (56, 56, 128), (28, 28, 256), (14, 14, 512), (7, 7, 512)]


def test_seed_example_numbers_and_formulas() -> None:
    analysis = analyze(parse_spec(SEED_EXAMPLE))
    first = analysis.layers[0]
    assert first.output_shape == (148, 148, 16)
    assert first.params == 448
    assert str(first.formulas[0]) == "O = ⌊(W − K + 2P)/S⌋ + 1 = (150 − 3 + 2·0)/1 + 1 = 148"
    assert str(first.formulas[1]) == "(K·K·Cin + 1)·Cout = (3·3·3 + 1)·16 = 448"
    assert analysis.layer("dense").params == 9_470_464
    assert analysis.layer("flatten").output_shape == (18496,)
    assert analysis.total_params == 9_494_561
    # 74 → 72 → 36 → 34 → 17: the 35 → 17 pool is exact, 148 → 74 too; no floor warnings
    assert not analysis.warnings


def test_batchnorm_counts_two_trainable_and_two_frozen_per_channel() -> None:
    analysis = analyze(vgg_spec("vgg16_bn"))
    bn = analysis.layer("block1_conv1_bn")
    assert (bn.params, bn.trainable_params, bn.non_trainable_params) == (256, 128, 128)
    assert analysis.total_params == 138_357_544 + 4 * 4224
    assert analysis.non_trainable_params == 2 * 4224


def test_vgg16_c_uses_1x1_third_convs() -> None:
    analysis = analyze(vgg_spec("C"))
    assert analysis.layer("block3_conv3").layer.kernel == (1, 1)
    assert analysis.layer("block3_conv3").params == (1 * 1 * 256 + 1) * 256
    assert analysis.depth == 16


def test_lrn_variant_adds_a_parameter_free_layer() -> None:
    analysis = analyze(vgg_spec("A-LRN"))
    assert analysis.layers[1].name == "block1_lrn"
    assert analysis.total_params == 132_863_336


def test_fc_as_conv_keeps_parameters_and_gives_a_score_map(vgg16) -> None:
    dense = vgg16
    conv = analyze(vgg_spec("vgg16", fc_as_conv=True))
    assert conv.total_params == dense.total_params
    assert conv.output_shape == (1, 1, 1000)
    big = analyze(vgg_spec("vgg16", (384, 384, 3), fc_as_conv=True))
    assert big.output_shape == (6, 6, 1000)


def test_head_grows_with_input_size() -> None:
    # 320 → block5 10×10×512 → fc1 has 51,200·4096 + 4096 weights
    fc1 = analyze(vgg_spec("vgg16", (320, 320, 3))).layer("fc1")
    assert fc1.params == (10 * 10 * 512 + 1) * 4096


def test_names_crosswalk(vgg16) -> None:
    layers = {i.name: i.layer for i in vgg16.layers}
    assert layers["block3_conv3"].torch_name == "features.14"
    assert layers["block3_conv3"].paper_name == "conv3_3"
    assert layers["block5_pool"].torch_name == "features.30"
    assert layers["fc1"].torch_name == "classifier.0"
    assert layers["predictions"].paper_name == "fc8"
    bn = {i.name: i.layer for i in analyze(vgg_spec("vgg16_bn")).layers}
    assert bn["block1_conv2"].torch_name == "features.3"
    assert bn["block5_pool"].torch_name == "features.43"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("D", ("vgg16", False)),
        ("vgg16_bn", ("vgg16", True)),
        ("VGG19-BN", ("vgg19", True)),
        ("A-LRN", ("vgg11-lrn", False)),
        ("c", ("vgg16-c", False)),
        ("E", ("vgg19", False)),
        ("B", ("vgg13", False)),
        ("A", ("vgg11", False)),
    ],
)
def test_aliases(name: str, expected: tuple[str, bool]) -> None:
    assert resolve_arch(name) == expected


def test_depth_matches_the_paper_name() -> None:
    for key, cfg in CONFIGS.items():
        assert analyze(vgg_spec(key)).depth == cfg.weight_layers
        assert str(cfg.weight_layers) in cfg.title


def test_same_padding_with_stride_two_is_asymmetric_like_keras() -> None:
    spec = parse_spec(
        {
            "input": [7, 7, 1],
            "layers": [
                {"type": "conv2d", "filters": 1, "kernel": 4, "stride": 2, "padding": "same"}
            ],
        }
    )
    info = analyze(spec).layers[0]
    assert info.output_shape == (4, 4, 1)
    assert info.padding == (1, 2, 1, 2)


def test_floored_pool_warns() -> None:
    spec = parse_spec({"input": [13, 13, 3], "layers": [{"type": "maxpool2d"}]})
    analysis = analyze(spec)
    assert analysis.output_shape == (6, 6, 3)
    assert any("floored" in message(w) for w in analysis.warnings)


def test_receptive_field_box_is_clipped_to_the_image(vgg16) -> None:
    rf = vgg16.layer("block5_pool").receptive_field
    assert rf is not None
    # centre 15.5: pixels −90 … 121 inclusive, clipped at 0; bottom/right are exclusive
    assert rf.box(0, 0, (224, 224)) == (0, 0, 122, 122)
    assert rf.box(3, 3, (224, 224))[2] - rf.box(3, 3, (224, 224))[0] == 212
