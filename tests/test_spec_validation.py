"""Bad input gets a clear error naming the layer and the reason, never a traceback."""

from __future__ import annotations

import json

import pytest

from components.engine.analysis import analyze
from components.engine.errors import InputError
from components.engine.spec import (
    MAX_LAYERS,
    decode_spec,
    encode_spec,
    parse_spec,
    parse_spec_json,
)
from components.engine.vgg import vgg_spec
from tests.english import english, hint, message, raises_saying


def spec(*layers: dict, shape: list | None = None) -> dict:
    return {"name": "t", "input": shape or [32, 32, 3], "layers": list(layers)}


def error_of(raw: object) -> InputError:
    with pytest.raises(InputError) as info:
        analyze(parse_spec(raw))
    return info.value


def test_unknown_layer_type() -> None:
    err = error_of(spec({"type": "conv3d", "filters": 3, "kernel": 3}))
    assert err.issues[0].layer == 0
    assert "unknown layer type 'conv3d'" in english(err.shown())
    assert "conv2d" in hint(err.issues[0])


def test_unknown_field_names_the_field_and_the_allowed_ones() -> None:
    err = error_of(spec({"type": "conv2d", "filters": 3, "kernel": 3, "dilation": 2}))
    assert err.issues[0].field == "dilation"
    assert "padding" in hint(err.issues[0])


def test_unknown_top_level_field() -> None:
    raw = spec({"type": "flatten"})
    raw["optimizer"] = "adam"
    assert "unknown field 'optimizer'" in english(error_of(raw).issues)


@pytest.mark.parametrize("value", [3.5, "3", True, None])
def test_non_integer_sizes(value: object) -> None:
    err = error_of(spec({"type": "conv2d", "filters": value, "kernel": 3}))
    assert "whole number" in english(err.shown())


def test_negative_size() -> None:
    err = error_of(spec({"type": "conv2d", "filters": -4, "kernel": 3}))
    assert "at least 1, got -4" in english(err.shown())


def test_stride_zero() -> None:
    err = error_of(spec({"type": "conv2d", "filters": 4, "kernel": 3, "stride": 0}))
    assert "stride must be at least 1, got 0" in english(err.shown())
    assert "never move" in hint(err.issues[0])


def test_kernel_larger_than_its_input() -> None:
    err = error_of(
        spec(
            {"type": "maxpool2d", "pool": 4},
            {"type": "conv2d", "filters": 4, "kernel": 9, "name": "big"},
            shape=[32, 32, 3],
        )
    )
    issue = err.issues[0]
    assert (issue.layer, issue.layer_name) == (1, "big")
    assert "kernel 9×9 is larger than its 8×8 input" in message(issue)
    assert "'same'" in hint(issue)


def test_shape_collapses_to_zero_through_pools() -> None:
    layers = [{"type": "maxpool2d"} for _ in range(6)]
    err = error_of(spec(*layers, shape=[32, 32, 1]))
    assert err.issues[0].layer == 5
    assert "size 0" in english(err.shown())


def test_vgg_input_too_small() -> None:
    with raises_saying(r"at least 32×32, got 16×20"):
        vgg_spec("vgg16", (16, 20, 3))


def test_vgg_input_channels_limited() -> None:
    with raises_saying("input channels"):
        vgg_spec("vgg16", (224, 224, 5))


def test_vgg_unknown_arch() -> None:
    with raises_saying("unknown architecture 'vgg17'"):
        vgg_spec("vgg17")


def test_not_json() -> None:
    with raises_saying("not valid JSON"):
        parse_spec_json("{layers: oops")


def test_not_an_object() -> None:
    with raises_saying("must be a JSON object"):
        parse_spec_json("[1, 2, 3]")


def test_absurd_sizes_refused_before_allocating() -> None:
    err = error_of(spec({"type": "conv2d", "filters": 10**9, "kernel": 3}))
    assert "above the limit" in english(err.shown())
    err = error_of(spec({"type": "flatten"}, shape=[10**6, 10**6, 3]))
    assert "input height is 1,000,000, above the limit" in english(err.shown())


def test_too_many_layers() -> None:
    err = error_of(spec(*[{"type": "dropout", "rate": 0.1}] * 10_000))
    assert f"10,000 layers, above the limit of {MAX_LAYERS}" in english(err.shown())


def test_oversize_text_refused_before_parsing() -> None:
    with raises_saying("bytes, above the limit"):
        parse_spec_json(" " * 10_000_000)


def test_deeply_nested_json() -> None:
    with pytest.raises(InputError):
        parse_spec_json("[" * 100_000 + "]" * 100_000)


def test_every_problem_is_reported_with_its_row() -> None:
    err = error_of(
        spec(
            {"type": "conv2d", "filters": 0, "kernel": 3},
            {"type": "dense"},
            {"type": "dropout", "rate": 1.5},
        )
    )
    assert [i.layer for i in err.issues] == [0, 1, 2]


def test_duplicate_names() -> None:
    err = error_of(
        spec({"type": "flatten", "name": "x"}, {"type": "dense", "units": 2, "name": "x"})
    )
    assert "used twice" in english(err.shown())


def test_dense_on_an_image_tensor_is_a_warning() -> None:
    analysis = analyze(parse_spec(spec({"type": "dense", "units": 8})))
    assert analysis.output_shape == (32, 32, 8)
    assert analysis.warnings[0].severity == "warning"
    assert "each of the 1,024 positions" in message(analysis.warnings[0])


def test_global_pool_after_flatten_is_an_error() -> None:
    err = error_of(spec({"type": "flatten"}, {"type": "globalavgpool2d"}))
    assert "Remove the Flatten" in english(err.shown())


def test_default_names_follow_keras() -> None:
    parsed = parse_spec(
        spec(
            {"type": "conv2d", "filters": 2, "kernel": 3},
            {"type": "conv2d", "filters": 2, "kernel": 3, "name": "conv2d_1"},
            {"type": "conv2d", "filters": 2, "kernel": 3},
            {"type": "maxpool2d"},
        )
    )
    assert [layer.name for layer in parsed.layers] == [
        "conv2d",
        "conv2d_1",
        "conv2d_2",
        "max_pooling2d",
    ]


def test_share_token_round_trip_and_bad_tokens() -> None:
    original = parse_spec(spec({"type": "conv2d", "filters": 2, "kernel": [3, 5], "stride": 2}))
    token = encode_spec(original)
    assert "=" not in token and "+" not in token and "/" not in token
    assert decode_spec(token) == original
    with raises_saying("base64url"):
        decode_spec("!!!")
    with raises_saying("not valid JSON"):
        decode_spec("bm90IGpzb24")


def test_spec_json_round_trip() -> None:
    original = parse_spec(spec({"type": "conv2d", "filters": 2, "kernel": 3, "use_bias": False}))
    assert parse_spec(json.loads(original.to_json())) == original
