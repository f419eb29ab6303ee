"""Grad-CAM, saliency, SmoothGrad and guided backpropagation on real Keras models.

Known answer: a network whose class k reads only quadrant k of the input (weights set
by hand) must put its evidence there. Properties run on small random networks.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.engine.spec import parse_spec
from components.keras_side import saliency

pytestmark = pytest.mark.keras
SIDE, POOLED = 16, 8
QUADRANTS = ((0, 0), (0, 1), (1, 0), (1, 1))  # (row half, column half) of class k
QUADRANT_SPEC = {
    "name": "quadrants",
    "input": [SIDE, SIDE, 4],
    "layers": [
        {"type": "conv2d", "name": "conv1", "filters": 4, "kernel": 3, "padding": "same",
         "activation": "relu"},
        {"type": "maxpool2d", "name": "pool1", "pool": 2},
        {"type": "conv2d", "name": "conv2", "filters": 4, "kernel": 1, "activation": "relu"},
        {"type": "flatten", "name": "flatten"},
        {"type": "dense", "name": "predictions", "units": 4, "activation": "softmax"},
    ],
}  # fmt: skip
FAST = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def build(raw: dict):
    from components.keras_side.builder import build_model

    return build_model(parse_spec(raw))


@pytest.fixture(scope="module")
def quadrant_model():
    """conv1, conv2: identity per channel; class k sums channel k over quadrant k (pooled)."""
    model = build(QUADRANT_SPEC)
    k1 = np.zeros((3, 3, 4, 4), np.float32)
    k1[1, 1] = np.eye(4)
    model.get_layer("conv1").set_weights([k1, np.zeros(4, np.float32)])
    model.get_layer("conv2").set_weights([np.eye(4, dtype=np.float32)[None, None], np.zeros(4)])
    dense = np.zeros((POOLED, POOLED, 4, 4), np.float32)
    half = POOLED // 2
    for k, (qr, qc) in enumerate(QUADRANTS):
        dense[qr * half : (qr + 1) * half, qc * half : (qc + 1) * half, k, k] = 1.0
    model.get_layer("predictions").set_weights([dense.reshape(-1, 4), np.zeros(4, np.float32)])
    return model


def quadrant_image(seed: int) -> np.ndarray:
    """Quadrant k lit on channel k (random brightness), faint noise on every channel elsewhere."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 0.05, (SIDE, SIDE, 4)).astype(np.float32)
    half = SIDE // 2
    for k, (qr, qc) in enumerate(QUADRANTS):
        x[qr * half : (qr + 1) * half, qc * half : (qc + 1) * half, k] = rng.uniform(0.3, 1.0)
        x[qr * half : (qr + 1) * half, qc * half : (qc + 1) * half, k] += rng.uniform(
            0, 0.3, (half, half)
        )
    for k, (qr, qc) in enumerate(QUADRANTS):  # channel k dark outside quadrant k
        mask = np.ones((SIDE, SIDE), bool)
        mask[qr * half : (qr + 1) * half, qc * half : (qc + 1) * half] = False
        x[mask, k] = 0.0
    return x[None]


def quadrant_mass(values: np.ndarray, k: int) -> float:
    """Share of a non-negative (H, W) map's total inside quadrant k."""
    h, w = values.shape
    qr, qc = QUADRANTS[k]
    inside = values[qr * h // 2 : (qr + 1) * h // 2, qc * w // 2 : (qc + 1) * w // 2].sum()
    return float(inside / values.sum())


@FAST
@given(seed=st.integers(0, 10_000), k=st.integers(0, 3))
def test_evidence_lands_in_the_class_quadrant(quadrant_model, seed: int, k: int) -> None:
    x = quadrant_image(seed)
    grads = saliency.class_gradients(quadrant_model, x, k, "conv2")
    cam = saliency.grad_cam(grads.fmap, grads.fmap_grad)
    assert cam.shape == (POOLED, POOLED)
    assert quadrant_mass(cam, k) >= 0.9
    assert quadrant_mass(saliency.upsample(cam, (SIDE, SIDE)), k) >= 0.9
    assert quadrant_mass(saliency.saliency(grads.input_grad), k) >= 0.9
    guided = saliency.guided_grad_cam(saliency.guided_gradient(quadrant_model, x, k), cam)
    assert quadrant_mass(saliency.saliency(guided), k) >= 0.9
    other = (k + 1) % 4  # the other class's evidence moves to its own quadrant
    swapped = saliency.class_gradients(quadrant_model, x, other, "conv2")
    assert quadrant_mass(saliency.grad_cam(swapped.fmap, swapped.fmap_grad), other) >= 0.9
    assert quadrant_mass(saliency.saliency(swapped.input_grad), other) >= 0.9


def test_target_is_the_logit_before_the_softmax(quadrant_model) -> None:
    x = quadrant_image(3)
    logits = saliency.logits(quadrant_model, x)
    q = POOLED // 2
    pooled = x[0].reshape(POOLED, 2, POOLED, 2, 4).max(axis=(1, 3))
    expected = [
        pooled[qr * q : (qr + 1) * q, qc * q : (qc + 1) * q, k].sum()
        for k, (qr, qc) in enumerate(QUADRANTS)
    ]
    np.testing.assert_allclose(logits[0], expected, rtol=1e-5)
    probabilities = np.asarray(quadrant_model(x, training=False))
    softmax = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    np.testing.assert_allclose(softmax, probabilities, rtol=1e-5, atol=1e-7)
    assert saliency.class_gradients(quadrant_model, x, 2, "conv2").score == pytest.approx(
        expected[2]
    )


# ------------------------------------------------------------------ properties, random networks

RANDOM_SPEC = {
    "name": "random-small",
    "input": [12, 12, 3],
    "layers": [
        {"type": "conv2d", "name": "c1", "filters": 6, "kernel": 3, "activation": "relu"},
        {"type": "maxpool2d", "name": "p1", "pool": 2},
        {"type": "conv2d", "name": "c2", "filters": 5, "kernel": 3, "padding": "same"},
        {"type": "batchnorm", "name": "c2_bn"},
        {"type": "activation", "name": "c2_relu", "fn": "relu"},
        {"type": "flatten", "name": "flatten"},
        {"type": "dense", "name": "fc", "units": 8, "activation": "relu"},
        {"type": "dense", "name": "predictions", "units": 3, "activation": "softmax"},
    ],
}  # fmt: skip
SHAPES = {"c1": (10, 10), "c2": (5, 5), "c2_relu": (5, 5)}


@pytest.fixture(scope="module")
def random_model():
    from components.keras_side.builder import import_keras

    import_keras().utils.set_random_seed(7)
    return build(RANDOM_SPEC)


def test_spatial_layers_and_classes(random_model, quadrant_model) -> None:
    assert saliency.spatial_layers(random_model) == ["c1", "c2", "c2_relu"]
    assert saliency.class_count(random_model) == 3
    assert saliency.spatial_layers(quadrant_model) == ["conv1", "conv2"]
    no_head = build({**RANDOM_SPEC, "layers": RANDOM_SPEC["layers"][:5]})
    assert saliency.class_count(no_head) is None
    pooled_to_one = build({"name": "p", "input": [2, 2, 3], "layers": [
        {"type": "conv2d", "filters": 4, "kernel": 1},
        {"type": "maxpool2d", "pool": 2}]})  # fmt: skip
    assert saliency.class_count(pooled_to_one) is None
    fc_as_conv = build({"name": "f", "input": [2, 2, 3], "layers": [
        {"type": "conv2d", "filters": 5, "kernel": 2, "activation": "softmax"}]})  # fmt: skip
    assert saliency.class_count(fc_as_conv) == 5
    x = np.random.default_rng(0).normal(size=(1, 2, 2, 3)).astype(np.float32)
    kernel, bias = fc_as_conv.layers[-1].get_weights()
    expected = np.tensordot(x[0], kernel, axes=([0, 1, 2], [0, 1, 2])) + bias
    np.testing.assert_allclose(saliency.logits(fc_as_conv, x)[0], expected, rtol=1e-5)
    grads = saliency.class_gradients(fc_as_conv, x, 4, fc_as_conv.layers[-1].name)
    assert grads.score == pytest.approx(expected[4], rel=1e-5)


@FAST
@given(
    image=st.integers(0, 10_000),
    layer=st.sampled_from(sorted(SHAPES)),
    k=st.integers(0, 2),
    shift=st.floats(-50, 50, allow_nan=False),
)
def test_grad_cam_properties(random_model, image: int, layer: str, k: int, shift: float) -> None:
    """Non-negative; the layer's own size; unchanged by a constant added to the logit's bias."""
    x = np.random.default_rng(image).normal(size=(1, 12, 12, 3)).astype(np.float32)
    grads = saliency.class_gradients(random_model, x, k, layer)
    cam = saliency.grad_cam(grads.fmap, grads.fmap_grad)
    assert cam.shape == SHAPES[layer]
    assert (cam >= 0).all()
    # stops at the layer
    short = saliency.class_gradients(random_model, x, k, layer, with_input=False)
    assert short.input_grad is None and short.score == pytest.approx(grads.score, rel=1e-5)
    np.testing.assert_allclose(short.fmap_grad, grads.fmap_grad, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(saliency.input_gradient(random_model, x, k)[0], grads.input_grad)
    head = random_model.get_layer("predictions")
    kernel, bias = head.get_weights()
    try:
        moved = bias.copy()
        moved[k] += shift
        head.set_weights([kernel, moved])
        again = saliency.class_gradients(random_model, x, k, layer)
    finally:
        head.set_weights([kernel, bias])
    assert again.score == pytest.approx(grads.score + shift, abs=1e-3)
    np.testing.assert_allclose(
        saliency.grad_cam(again.fmap, again.fmap_grad), cam, rtol=1e-5, atol=1e-6
    )


@FAST
@given(image=st.integers(0, 10_000), k=st.integers(0, 2), samples=st.integers(1, 5))
def test_smoothgrad_without_noise_is_the_gradient(
    random_model, image: int, k: int, samples: int
) -> None:
    x = np.random.default_rng(image).normal(size=(1, 12, 12, 3)).astype(np.float32)
    plain = saliency.class_gradients(random_model, x, k, "c1").input_grad
    smooth = saliency.smooth_gradient(random_model, x, k, samples, 0.0, chunk=2)
    np.testing.assert_allclose(smooth, plain, rtol=1e-4, atol=1e-6)


def test_smoothgrad_with_noise_averages_the_noisy_gradients(random_model) -> None:
    x = np.random.default_rng(1).normal(size=(1, 12, 12, 3)).astype(np.float32)
    smooth = saliency.smooth_gradient(random_model, x, 1, 4, 0.2, seed=5, chunk=3)
    rng = np.random.default_rng(5)
    sigma = 0.2 * float(x.max() - x.min())
    noisy = [x + rng.normal(0.0, 1.0, (3, 12, 12, 3)) * sigma]
    noisy.append(x + rng.normal(0.0, 1.0, (1, 12, 12, 3)) * sigma)
    each = [
        saliency.class_gradients(random_model, n[i : i + 1].astype(np.float32), 1, "c1").input_grad
        for n in noisy
        for i in range(len(n))
    ]
    np.testing.assert_allclose(smooth, np.mean(each, axis=0), rtol=1e-4, atol=1e-6)
    assert not np.allclose(smooth, saliency.class_gradients(random_model, x, 1, "c1").input_grad)


def test_guided_relu_passes_only_positive_gradients_through_positive_inputs() -> None:
    """input → ReLU → dense: the guided gradient is W·[W > 0]·[x > 0], the plain one W·[x > 0]."""
    model = build(
        {"name": "one-relu", "input": [4, 4, 2], "layers": [
            {"type": "activation", "name": "relu", "fn": "relu"},
            {"type": "flatten", "name": "flatten"},
            {"type": "dense", "name": "predictions", "units": 2, "activation": "softmax"}]}
    )  # fmt: skip
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(32, 2)).astype(np.float32)
    model.get_layer("predictions").set_weights([weights, np.zeros(2, np.float32)])
    x = rng.normal(size=(1, 4, 4, 2)).astype(np.float32)
    w = weights[:, 1].reshape(4, 4, 2)
    np.testing.assert_allclose(saliency.guided_gradient(model, x, 1), w * (w > 0) * (x[0] > 0))
    plain = saliency.class_gradients(model, x, 1, "relu").input_grad
    np.testing.assert_allclose(plain, w * (x[0] > 0))


def test_pixel_gradient_undoes_each_preprocessing() -> None:
    """d/d pixel of f(preprocess(pixel)) for f = Σ c·x, checked by finite differences."""
    from PIL import Image

    from components.keras_side.images import to_batch

    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (4, 4, 3), dtype=np.uint8)
    c = rng.normal(size=(4, 4, 3)).astype(np.float32)  # d f / d preprocessed
    for mode in ("caffe", "torch", "scale"):
        base = (to_batch(Image.fromarray(pixels), mode)[0] * c).sum()
        bumped = pixels.copy()
        bumped[1, 2, 0] += 1
        step = (to_batch(Image.fromarray(bumped), mode)[0] * c).sum() - base
        assert saliency.pixel_gradient(c, mode)[1, 2, 0] == pytest.approx(step, rel=1e-3), mode


def test_maps_drawn_from_values() -> None:
    cam = np.array([[0.0, 1.0], [2.0, 3.0]], np.float32)
    big = saliency.upsample(cam, (4, 4))
    assert big.shape == (4, 4) and big.min() >= 0 and big.max() <= 3
    grad = np.array([[[1.0, -3.0, 2.0]]], np.float32)
    assert saliency.saliency(grad).tolist() == [[3.0]]
    assert saliency.signed_rgb(grad).tolist() == [[[170, 0, 212]]]
    assert saliency.signed_rgb(np.zeros((1, 1, 3))).tolist() == [[[127, 127, 127]]]


# ------------------------------------------------------------------ PyTorch reference


def test_same_grad_cam_as_a_plain_pytorch_reference(random_model) -> None:
    """The random network in PyTorch (same weights), Grad-CAM by hooks, to 1e-4."""
    torch = pytest.importorskip("torch")
    nn = torch.nn
    get = {layer.name: layer.get_weights() for layer in random_model.layers}
    conv1, conv2 = nn.Conv2d(3, 6, 3), nn.Conv2d(6, 5, 3, padding=1)
    bn = nn.BatchNorm2d(5, eps=1e-3)
    fc, head = nn.Linear(5 * 5 * 5, 8), nn.Linear(8, 3)
    with torch.no_grad():
        for conv, name in ((conv1, "c1"), (conv2, "c2")):
            conv.weight.copy_(torch.tensor(get[name][0].transpose(3, 2, 0, 1)))
            conv.bias.copy_(torch.tensor(get[name][1]))
        gamma, beta, mean, var = get["c2_bn"]
        for tensor, value in ((bn.weight, gamma), (bn.bias, beta)):
            tensor.copy_(torch.tensor(value))
        bn.running_mean.copy_(torch.tensor(mean))
        bn.running_var.copy_(torch.tensor(var))
        # Keras flattens (H, W, C), PyTorch (C, H, W)
        kernel = get["fc"][0].reshape(5, 5, 5, 8).transpose(2, 0, 1, 3).reshape(-1, 8)
        fc.weight.copy_(torch.tensor(kernel.T))
        fc.bias.copy_(torch.tensor(get["fc"][1]))
        head.weight.copy_(torch.tensor(get["predictions"][0].T))
        head.bias.copy_(torch.tensor(get["predictions"][1]))
    bn.eval()
    x = np.random.default_rng(3).normal(size=(1, 12, 12, 3)).astype(np.float32)
    a = torch.relu(bn(conv2(nn.functional.max_pool2d(torch.relu(conv1(
        torch.tensor(x.transpose(0, 3, 1, 2)))), 2))))  # fmt: skip
    a.retain_grad()
    logits = head(torch.relu(fc(a.flatten(1))))
    logits[0, 2].backward()
    weights = a.grad[0].mean(dim=(1, 2))
    reference = torch.relu((weights[:, None, None] * a[0]).sum(0)).detach().numpy()
    grads = saliency.class_gradients(random_model, x, 2, "c2_relu")
    np.testing.assert_allclose(saliency.grad_cam(grads.fmap, grads.fmap_grad), reference, atol=1e-4)
