"""The Learn page's numbers: pinned to the seed questions and cross-checked with the engine."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.engine import lessons
from components.engine.analysis import analyze
from components.engine.presets import load_preset
from components.engine.vgg import vgg_spec


@given(w=st.integers(3, 40), k=st.integers(1, 9), s=st.integers(1, 5), p=st.integers(0, 3))
def test_slide_matches_the_formula_and_the_engine(w: int, k: int, s: int, p: int) -> None:
    slide = lessons.Slide(w, k, p, s)
    if k > w + 2 * p:
        assert slide.output == 0 and slide.positions() == []
        return
    assert slide.output == (w - k + 2 * p) // s + 1
    assert len(slide.positions()) == slide.output**2
    last = slide.starts[-1]
    assert last + k + slide.leftover == slide.padded  # the leftover is exactly what is not seen
    assert slide.tiles == ((w - k + 2 * p) % s == 0)
    if p == 0:  # Keras 'valid' is P = 0: the engine agrees
        info = lessons.one_conv(w, k, s, "valid")
        assert info is not None and info.output_shape[0] == slide.output


def test_stride_that_does_not_tile_leaves_pixels_unseen() -> None:
    slide = lessons.Slide(8, 3, 0, 2)
    assert (slide.output, slide.starts, slide.leftover, slide.tiles) == (3, [0, 2, 4], 1, False)
    assert slide.worked() == "⌊(8 − 3 + 2·0)/2⌋ + 1 = 3"
    assert lessons.Slide(7, 3, 0, 2).worked() == "(7 − 3 + 2·0)/2 + 1 = 3"


def test_same_and_valid_follow_keras() -> None:
    valid, same = lessons.padding_cases(8, 3, 2)
    assert (valid.output, valid.pad_before, valid.pad_after) == (3, 0, 0)
    assert (same.output, same.pad_before, same.pad_after) == (4, 0, 1)  # ⌈8/2⌉, extra at the end
    assert lessons.padding_cases(2, 5, 1)[0].output == 0  # 'valid' kernel larger than the input


def test_parameter_examples_are_the_seed_figures(vgg16) -> None:
    examples = lessons.param_examples(analyze(load_preset("seed-example")))
    assert [e.layer.params for e in examples] == [448, 9_470_464, 1_792]
    assert examples[2].layer.name == "block1_conv1"
    assert lessons.conv_params(3, 3, 16) == 448
    assert lessons.conv_params(3, 64, 64) == vgg16.layer("block1_conv2").params
    assert lessons.conv_params(3, 512, 512, bias=False) == 9 * 512 * 512


def test_stacks_of_3x3() -> None:
    rows = lessons.stack_rows(3)
    assert [(r.receptive_field, r.stack_weights, r.single_weights) for r in rows] == [
        (3, 9, 9),
        (5, 18, 25),
        (7, 27, 49),
    ]
    assert [r.relus for r in rows] == [1, 2, 3]
    assert lessons.stack_rows(2, 64)[1].stack_weights == 18 * 64 * 64
    fields = dict(lessons.receptive_fields(analyze(vgg_spec("vgg16", include_top=False))))
    assert (fields["block1_conv1"], fields["block1_conv2"], fields["block5_pool"]) == (3, 5, 212)


def test_block_recipe_is_the_papers_table() -> None:
    recipe = lessons.block_recipe(224)
    assert [r.channels for r in recipe] == [64, 128, 256, 512, 512]
    assert [r.convs["vgg11"] for r in recipe] == [1, 1, 2, 2, 2]
    assert [r.convs["vgg19"] for r in recipe] == [2, 2, 4, 4, 4]
    assert [r.size_out for r in recipe] == [112, 56, 28, 14, 7]
    assert [r.size_out for r in lessons.block_recipe(100)] == [50, 25, 12, 6, 3]
    assert lessons.conv_arch("vgg11") == ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
    totals = {a.arch: a for a in lessons.arch_totals()}
    assert {a: totals[a].weight_layers for a in totals} == {
        "vgg11": 11,
        "vgg13": 13,
        "vgg16": 16,
        "vgg19": 19,
    }
    assert totals["vgg16"].params == 138_357_544


def test_conv345_names_in_keras_and_torchvision() -> None:
    layers = lessons.feature_layers("vgg16", 224)
    assert [(f.paper_layer, f.keras, f.torch_conv, f.torch_relu, f.torch_pool) for f in layers] == [
        ("conv3_3", "block3_conv3", "features.14", "features.15", "features.16"),
        ("conv4_3", "block4_conv3", "features.21", "features.22", "features.23"),
        ("conv5_3", "block5_conv3", "features.28", "features.29", "features.30"),
    ]
    assert [f.output_shape for f in lessons.feature_layers("vgg16", 512)] == [
        (128, 128, 256),
        (64, 64, 512),
        (32, 32, 512),
    ]
    assert layers[-1].params_up_to == 14_714_688  # the pool after it adds none
    assert '"block3_conv3", "block4_conv3", "block5_conv3"' in lessons.keras_feature_code(layers)
    assert '"features.29": "conv5"' in lessons.torch_feature_code(layers)
    assert [f.torch_relu for f in lessons.feature_layers("vgg19")] == [
        "features.17",
        "features.26",
        "features.35",
    ]


def test_budget_fc_holds_the_parameters_convs_the_compute(vgg16) -> None:
    analysis = vgg16
    rows = lessons.budget(analysis)
    assert [r.group for r in rows] == ["block1", "block2", "block3", "block4", "block5", "head"]
    assert sum(r.params for r in rows) == analysis.total_params
    assert sum(r.macs for r in rows) == analysis.total_macs
    fc_params, fc_macs = lessons.share(rows, "fc")
    assert fc_params == pytest.approx(123_642_856 / 138_357_544)
    assert fc_params > 0.89 and fc_macs < 0.01


def test_worked_parameter_formula_and_block_code() -> None:
    assert lessons.conv_params_worked(3, 3, 16) == "(K·K·Cin + 1)·Cout = (3·3·3 + 1)·16 = 448"
    assert lessons.block_code("vgg16").endswith("((2, 64), (2, 128), (3, 256), (3, 512), (3, 512))")
