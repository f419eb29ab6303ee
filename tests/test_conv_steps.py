"""One number followed through a layer: the step view's arithmetic equals what Keras computes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.keras_side import conv_steps, digits

pytestmark = pytest.mark.keras
CONVS = ("block1_conv1", "block2_conv1", "block3_conv1")
INPUT_OF = {"block1_conv1": None, "block2_conv1": "block1_pool", "block3_conv1": "block2_pool"}
POOLS = {
    "block1_pool": "block1_conv1",
    "block2_pool": "block2_conv1",
    "block3_pool": "block3_conv1",
}
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def run():
    """Keras' outputs of every layer for a few held-out digits, and the inputs."""
    net = digits.build_trained()
    data = digits.held_out()
    xs = [digits.network_input(c) for c in data.cells[:4]]
    return xs, [net.activations(digits.batch(x)) for x in xs]


@SLOW
@given(st.data())
def test_conv_step_equals_keras(run, data) -> None:
    xs, outs = run
    image = data.draw(st.integers(0, len(xs) - 1))
    layer = data.draw(st.sampled_from(CONVS))
    source = INPUT_OF[layer]
    x = xs[image][..., None] if source is None else outs[image][source]
    h, w, filters = outs[image][layer].shape
    row, col = data.draw(st.integers(0, h - 1)), data.draw(st.integers(0, w - 1))
    f = data.draw(st.integers(0, filters - 1))
    kernel, bias = digits.trained_weights()[layer]
    step = conv_steps.conv_step(x, kernel, bias, row, col, f)
    assert step.patch.shape == (3, 3, x.shape[2]) == step.products.shape
    np.testing.assert_allclose(step.products, step.patch * step.kernel)
    assert step.total == pytest.approx(step.products.sum())
    assert step.pre_activation == pytest.approx(step.total + step.bias)
    assert step.output == pytest.approx(float(outs[image][layer][row, col, f]), abs=1e-5)


def test_conv_step_on_the_border_uses_zero_padding(run) -> None:
    xs, outs = run
    kernel, bias = digits.trained_weights()["block1_conv1"]
    step = conv_steps.conv_step(xs[0][..., None], kernel, bias, 0, 31, 2)
    assert step.top == -1 and step.left == 30
    assert not step.inside[0].any() and not step.inside[:, 2].any() and step.inside[1:, :2].all()
    assert (step.patch[~step.inside] == 0).all()
    assert step.output == pytest.approx(float(outs[0]["block1_conv1"][0, 31, 2]), abs=1e-6)


@SLOW
@given(st.data())
def test_pool_step_winner_is_keras_output(run, data) -> None:
    xs, outs = run
    image = data.draw(st.integers(0, len(xs) - 1))
    pool = data.draw(st.sampled_from(sorted(POOLS)))
    h, w, c = outs[image][pool].shape
    row, col, ch = (data.draw(st.integers(0, n - 1)) for n in (h, w, c))
    step = conv_steps.pool_step(outs[image][POOLS[pool]], 2, row, col, ch)
    assert step.window.shape == (2, 2)
    assert step.output == step.window.max() == step.window[step.winner]
    assert step.output == pytest.approx(float(outs[image][pool][row, col, ch]), abs=1e-7)


def test_softmax_step_equals_keras_predictions(run) -> None:
    _, outs = run
    kernel, bias = digits.trained_weights()["predictions"]
    for out in outs:
        step = conv_steps.softmax_step(conv_steps.dense_logits(out["fc1"], kernel, bias))
        assert step.exps.max() == 1.0 and step.total >= 1.0
        np.testing.assert_allclose(step.probabilities, out["predictions"], atol=1e-6)
        assert step.probabilities.sum() == pytest.approx(1.0)


def test_same_padding_puts_the_odd_row_at_the_end() -> None:
    """TensorFlow's 'same' with stride 2 on an even side: no padding before, one after."""
    x = np.arange(16.0).reshape(4, 4, 1)
    kernel = np.ones((3, 3, 1, 1))
    step = conv_steps.conv_step(x, kernel, None, 0, 0, 0, stride=2, activation="linear")
    assert step.top == 0 and step.left == 0
    assert step.total == x[:3, :3].sum()
