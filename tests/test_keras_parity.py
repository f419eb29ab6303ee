"""Exactly what Keras builds: every VGG variant and random custom specs, layer by layer."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from components.engine.analysis import analyze
from components.engine.errors import InputError
from components.engine.spec import parse_spec
from components.engine.vgg import CONFIGS, vgg_spec
from components.keras_side.builder import build_model
from tests.english import raises_saying
from tests.keras_compare import assert_matches_keras

pytestmark = pytest.mark.keras

SIZES = [(224, 224, 3), (32, 32, 3), (96, 160, 3), (61, 75, 1)]


@pytest.mark.parametrize("arch", list(CONFIGS))
@pytest.mark.parametrize("bn", [False, True], ids=["plain", "bn"])
@pytest.mark.parametrize("top", [True, False], ids=["top", "notop"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: "x".join(map(str, s)))
def test_vgg_variants_match_keras(arch: str, bn: bool, top: bool, size: tuple) -> None:
    assert_matches_keras(vgg_spec(arch, size, include_top=top, batch_norm=bn, classes=10))


@pytest.mark.parametrize("size", [(224, 224, 3), (320, 256, 3)])
def test_fc_as_conv_matches_keras(size: tuple) -> None:
    assert_matches_keras(vgg_spec("vgg16", size, fc_as_conv=True))


def test_vgg16_full_imagenet_head_matches_keras() -> None:
    assert_matches_keras(vgg_spec("vgg16"))


def test_keras_applications_vgg16_names_and_counts() -> None:
    """Our VGG16 is keras.applications' VGG16, name for name, so its weights load."""
    import keras

    reference = keras.applications.VGG16(weights=None, include_top=False)
    ours = analyze(vgg_spec("vgg16", include_top=False))
    assert [layer.name for layer in reference.layers[1:]] == [i.name for i in ours.layers]
    assert reference.count_params() == ours.total_params
    keras.backend.clear_session()


pair = st.one_of(st.integers(1, 4), st.tuples(st.integers(1, 4), st.integers(1, 4)).map(list))
padding = st.sampled_from(["valid", "same"])
window_layer = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("conv2d"), "filters": st.integers(1, 12), "kernel": pair},
        optional={
            "stride": pair,
            "padding": padding,
            "use_bias": st.booleans(),
            "activation": st.sampled_from(["relu", "tanh", "linear"]),
        },
    ),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["maxpool2d", "avgpool2d"])},
        optional={"pool": pair, "stride": pair, "padding": padding},
    ),
    st.just({"type": "batchnorm"}),
    st.just({"type": "activation", "fn": "relu"}),
    st.just({"type": "dropout", "rate": 0.25}),
)
head = st.one_of(
    st.just([]),
    st.lists(st.just({"type": "dense", "units": 7}), max_size=1),
    st.tuples(
        st.sampled_from(["flatten", "globalavgpool2d", "globalmaxpool2d"]),
        st.integers(1, 20),
        st.booleans(),
    ).map(lambda t: [{"type": t[0]}, {"type": "dense", "units": t[1], "use_bias": t[2]}]),
)
random_spec = st.builds(
    lambda h, w, c, body, tail: {"name": "random", "input": [h, w, c], "layers": body + tail},
    st.integers(4, 40),
    st.integers(4, 40),
    st.integers(1, 4),
    st.lists(window_layer, min_size=1, max_size=7),
    head,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_spec)
def test_random_specs_match_keras(raw: dict) -> None:
    spec = parse_spec(raw)
    try:
        analyze(spec)
    except InputError:
        assume(False)
    assert_matches_keras(spec)


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 8), st.integers(9, 16))
def test_what_the_engine_refuses_keras_cannot_build(size: int, kernel: int) -> None:
    spec = parse_spec(
        {"input": [size, size, 1], "layers": [{"type": "conv2d", "filters": 1, "kernel": kernel}]}
    )
    with pytest.raises(InputError):
        analyze(spec)
    import keras

    with pytest.raises(Exception):  # noqa: B017 - Keras' own error type varies by version
        keras.Sequential([keras.Input((size, size, 1)), keras.layers.Conv2D(1, kernel)])
    keras.backend.clear_session()


def test_builder_refuses_oversized_models_before_allocating() -> None:
    with raises_saying("above the 600,000,000"):
        build_model(vgg_spec("vgg16", (1024, 1024, 3)))
