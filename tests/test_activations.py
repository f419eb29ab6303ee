"""One forward pass for every layer, feature-map tiles and statistics, memory limits."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from components.engine.analysis import analyze
from components.engine.spec import parse_spec
from components.engine.vgg import vgg_spec
from components.keras_side import featuremaps
from components.keras_side.activations import (
    MAX_SIDE,
    WeightsSource,
    build_network,
    check_budget,
    imagenet_labels,
    top_k,
)
from components.keras_side.weights import WeightsError
from tests.conftest import TINY
from tests.english import raises_saying


def image(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(1, 20, 20, 3)).astype(np.float32)


@pytest.mark.keras
def test_every_layer_in_one_pass_with_the_engine_shapes(tiny_network) -> None:
    outputs = tiny_network.activations(image())
    analysis = analyze(TINY)
    assert list(outputs) == [info.name for info in analysis.layers]
    for info in analysis.layers:
        assert outputs[info.name].shape == info.output_shape
    np.testing.assert_allclose(outputs["out"], tiny_network.forward(image())[0], rtol=1e-6)


@pytest.mark.keras
def test_intermediate_outputs_equal_a_truncated_model(tiny_network) -> None:
    from components.keras_side.builder import import_keras

    keras = import_keras()
    sub = keras.Model(tiny_network.model.input, tiny_network.model.get_layer("c2").output)
    np.testing.assert_allclose(
        tiny_network.activations(image(1))["c2"], np.asarray(sub(image(1)))[0], rtol=1e-5
    )


@pytest.mark.keras
def test_random_weights_are_seeded(tiny_network) -> None:
    again = build_network(TINY, WeightsSource("random", seed=5))
    other = build_network(TINY, WeightsSource("random", seed=6))
    x = image(2)
    np.testing.assert_array_equal(again.activations(x)["c1"], tiny_network.activations(x)["c1"])
    assert not np.allclose(other.activations(x)["c1"], tiny_network.activations(x)["c1"])
    assert not tiny_network.source.trained


@pytest.mark.keras
def test_imagenet_weights_not_downloaded_say_so(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(WeightsError) as info:
        build_network(vgg_spec("vgg16", (32, 32, 3), include_top=False), WeightsSource("imagenet"))
    assert info.value.code == "act.err.not_downloaded"


def test_budget_refuses_large_inputs_and_heads() -> None:
    with raises_saying(f"up to {MAX_SIDE}"):
        check_budget(vgg_spec("vgg16", (640, 640, 3), include_top=False))
    with raises_saying("classifier head") as refused:
        check_budget(vgg_spec("vgg16", (512, 512, 3)))  # fc1 alone: 537M weights
    assert refused.value.code == "act.err.too_much"
    assert check_budget(vgg_spec("vgg16")).total_params == 138_357_544


def test_channel_order_first_and_most_active() -> None:
    fmap = np.zeros((4, 4, 5), np.float32)
    fmap[..., 3], fmap[..., 1], fmap[..., 4] = 9, 5, 1
    assert featuremaps.channel_order(fmap, "first", 3) == [0, 1, 2]
    assert featuremaps.channel_order(fmap, "active", 3) == [3, 1, 4]
    assert featuremaps.channel_order(fmap, "first", 99) == [0, 1, 2, 3, 4]


def test_tiles_are_pngs_with_shared_or_own_scale() -> None:
    fmap = np.zeros((7, 7, 2), np.float32)
    fmap[..., 0], fmap[..., 1] = 1.0, 4.0
    fmap[0, 0, :] = 0.0
    shared = [Image.open(io.BytesIO(t)) for t in featuremaps.tiles(fmap, [0, 1], "shared")]
    own = [Image.open(io.BytesIO(t)) for t in featuremaps.tiles(fmap, [0, 1], "channel")]
    assert all(
        t.format == "PNG" and t.size == (featuremaps.TILE_PX, featuremaps.TILE_PX)
        for t in shared + own
    )
    top = featuremaps.colourise(np.ones((1, 1)), 0, 1).getpixel((0, 0))
    # one shared range 0..4: channel 0 (value 1) is darker than channel 1 (value 4)
    colour = [[t.convert("RGB").getpixel((60, 60)) for t in group] for group in (shared, own)]
    assert colour[0][1] == top != colour[0][0]
    # each its own range: both reach the top colour
    assert colour[1][0] == colour[1][1] == top


def test_vgg16_block1_layer_view_stays_under_a_megabyte() -> None:
    rng = np.random.default_rng(0)
    fmap = np.maximum(rng.normal(size=(224, 224, 64)), 0).astype(np.float32)
    total = sum(map(len, featuremaps.tiles(fmap, list(range(64)), "shared")))
    assert total < 1_000_000


def test_receptive_field_box_from_the_engine_is_drawn(vgg16) -> None:
    rf = vgg16.layer("block2_conv1").receptive_field
    box = rf.box(10, 10, (224, 224))
    assert box == (16, 16, 26, 26)  # 10 px wide, centred on 0.5 + 10·2 = 20.5
    picture = featuremaps.draw_box(Image.new("RGB", (224, 224), (0, 0, 0)), box)
    assert picture.getpixel((16, 20)) == picture.getpixel((25, 25)) == featuremaps.BOX_COLOUR
    assert picture.getpixel((21, 21)) == picture.getpixel((27, 20)) == (0, 0, 0)


def test_layer_stats_and_dead_channels() -> None:
    fmap = np.zeros((2, 2, 3), np.float32)
    fmap[..., 0] = 2.0
    fmap[0, 0, 2] = 4.0
    stats = featuremaps.layer_stats({"a": fmap, "b": np.array([0.0, 1.0, 3.0, 0.0])})
    assert stats["layer"].tolist() == ["a", "b"]
    assert stats.loc[0, "mean"] == pytest.approx(12 / 12)
    assert stats.loc[0, "zeros"] == pytest.approx(100 * 7 / 12)
    assert stats.loc[0, "dead"] == 1 and featuremaps.dead_channels(fmap) == [1]
    assert stats.loc[1, "zeros"] == 50.0 and np.isnan(stats.loc[1, "dead"])
    assert featuremaps.channel_stats(fmap[..., 2]) == pytest.approx(
        {"min": 0.0, "max": 4.0, "mean": 1.0, "std": 3**0.5, "zeros": 75.0}
    )


def test_overlay_has_the_picture_size() -> None:
    out = featuremaps.overlay(Image.new("RGB", (64, 48), (255, 0, 0)), np.eye(4, dtype=np.float32))
    assert out.size == (64, 48) and out.mode == "RGB"


def test_imagenet_labels_and_top_k() -> None:
    labels = imagenet_labels()
    assert len(labels) == 1000 and labels[0] == "tench" and labels[285] == "Egyptian cat"
    probabilities = np.zeros(1000)
    probabilities[[285, 281, 7]] = [0.6, 0.3, 0.1]
    assert top_k(probabilities, 3) == [(285, 0.6), (281, 0.3), (7, 0.1)]


@pytest.mark.keras
def test_preprocessing_follows_weights_and_family(tiny_network) -> None:
    assert tiny_network.preprocessing() == "scale"  # a custom CNN, untrained
    vgg = vgg_spec("vgg11", (32, 32, 3), include_top=False)
    assert build_network(vgg, WeightsSource("random")).preprocessing() == "caffe"
    gray = vgg_spec("vgg11", (32, 32, 1), include_top=False)
    assert build_network(gray, WeightsSource("random")).preprocessing() == "scale"


@pytest.mark.keras
def test_top5_from_a_trained_head_uses_the_shipped_class_names(tmp_path) -> None:
    """A 1,000-way head loaded from a weights file: predictions name ImageNet classes."""
    from components.ui.activation_views import predictions_frame

    head = parse_spec(
        {
            "name": "head",
            "input": [8, 8, 3],
            "layers": [
                {"type": "globalavgpool2d", "name": "gap"},
                {"type": "dense", "name": "predictions", "units": 1000, "activation": "softmax"},
            ],
        }
    )
    trained = build_network(head, WeightsSource("random", seed=1))
    dense = trained.model.get_layer("predictions")
    kernel = np.zeros((3, 1000), np.float32)
    kernel[0, 285] = 5.0  # red votes "Egyptian cat"
    dense.set_weights([kernel, np.zeros(1000, np.float32)])
    path = tmp_path / "head.weights.h5"
    trained.model.save_weights(path)
    net = build_network(head, WeightsSource("keras", path=str(path)))
    assert net.source.trained
    x = np.zeros((1, 8, 8, 3), np.float32)
    x[..., 0] = 1.0
    frame = predictions_frame(top_k(net.activations(x)["predictions"], 5), imagenet_labels())
    assert frame.loc[0, "class"] == "Egyptian cat"
    assert frame["probability"].is_monotonic_decreasing and frame.loc[0, "probability"] > 0.1


@pytest.mark.keras
def test_concurrent_sessions_get_their_own_results(tiny_network) -> None:
    """Streamlit serves sessions from threads; the network's lock keeps each pass whole."""
    from concurrent.futures import ThreadPoolExecutor

    inputs = [image(seed) for seed in range(8)]
    expected = [tiny_network.activations(x)["c2"] for x in inputs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda x: tiny_network.activations(x)["c2"], inputs * 3))
    for i, got in enumerate(results):
        np.testing.assert_array_equal(got, expected[i % 8])
