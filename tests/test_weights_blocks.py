"""Weights from a file: built without random draws, copied in blocks, equal to the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from components.engine.vgg import vgg_spec
from components.keras_side import weights
from tests.test_weights import build, torch_state_dict
from tests.weights_files import write_legacy_h5

# 64×64 input: fc1 sees 2×2×512, so the channels-first → channels-last reorder matters.
SPEC = vgg_spec("vgg11", (64, 64, 3), classes=10)


def expected_kernel(weight: np.ndarray, target: tuple[int, ...]) -> np.ndarray:
    """A torch weight as Keras holds it, written out independently of the converter."""
    if weight.ndim == 4:  # OIHW → HWIO
        return weight.transpose(2, 3, 1, 0)
    if target == (2048, 4096):  # fc1 after Flatten of (2, 2, 512): torch flattens C, H, W
        return weight.reshape(4096, 512, 2, 2).transpose(2, 3, 1, 0).reshape(2048, 4096)
    return weight.T


def keras_values(sd: dict[str, np.ndarray], model) -> dict[str, list[np.ndarray]]:
    """What each Keras layer must hold after loading ``sd`` (torchvision names)."""
    out = {}
    for layer in SPEC.layers:
        if layer.type in ("conv2d", "dense"):
            kernel = sd[f"{layer.torch_name}.weight"]
            target = tuple(model.get_layer(layer.name).kernel.shape)
            out[layer.name] = [expected_kernel(kernel, target), sd[f"{layer.torch_name}.bias"]]
    return out


@pytest.fixture(scope="module")
def state_dict_file(tmp_path_factory) -> tuple[dict[str, np.ndarray], Path]:
    from safetensors.numpy import save_file

    sd = torch_state_dict(SPEC, np.random.default_rng(11))
    path = tmp_path_factory.mktemp("blocks") / "vgg11.safetensors"
    save_file(sd, str(path))
    return sd, path


def spy_writes(monkeypatch) -> list[int]:
    """The number of values of every block written into a variable."""
    sizes: list[int] = []
    write = weights._write

    def counted(target, axis, start, block):
        sizes.append(block.size)
        write(target, axis, start, block)

    monkeypatch.setattr(weights, "_write", counted)
    return sizes


@pytest.mark.keras
@pytest.mark.parametrize("reader", ["trusted", "sandboxed"])
def test_torch_kernels_are_copied_in_blocks_of_output_channels(
    reader: str, state_dict_file, monkeypatch
) -> None:
    """Small blocks (uneven last one) give exactly the file's values; fc1 is never read whole."""
    sd, path = state_dict_file
    block = 300_001
    monkeypatch.setattr(weights, "ASSIGN_BLOCK", block)
    sizes = spy_writes(monkeypatch)
    whole: list[str] = []
    getitem = weights.TorchFile.__getitem__
    monkeypatch.setattr(
        weights.TorchFile, "__getitem__", lambda self, key: whole.append(key) or getitem(self, key)
    )
    model = build(SPEC, 0)
    opened = (
        weights.trusted_torch_tensors(path) if reader == "trusted" else weights.torch_tensors(path)
    )
    with opened as tensors:
        arrays, notes = weights.torch_to_keras(SPEC, model, tensors)
        assert weights.assign(model, arrays) == notes == ()
    for name, values in keras_values(sd, model).items():
        for got, want in zip(model.get_layer(name).get_weights(), values, strict=True):
            assert np.array_equal(got, want), name
    assert_read_without_copy(model.get_layer("fc1").kernel)
    assert sizes and max(sizes) <= block
    assert len(sizes) > 2048 * 4096 // block  # fc1 alone takes that many blocks
    big = [f"{layer.torch_name}.weight" for layer in SPEC.layers if layer.name in ("fc1", "fc2")]
    assert not set(big) & set(whole)


@pytest.mark.keras
def test_keras_files_are_copied_in_blocks_of_rows(tmp_path: Path, monkeypatch) -> None:
    source = build(SPEC, 1)
    path = tmp_path / "vgg11.h5"
    write_legacy_h5(source, path)
    block = 800_000  # above one row of the largest kernel (3 × 3×512×512 values)
    monkeypatch.setattr(weights, "ASSIGN_BLOCK", block)
    sizes = spy_writes(monkeypatch)
    target = build(SPEC, 2)
    with weights.keras_weights(path) as arrays:
        weights.assign(target, arrays)
    for a, b in zip(source.get_weights(), target.get_weights(), strict=True):
        assert np.array_equal(a, b)
    assert sizes and max(sizes) <= block
    assert len(sizes) > 2048 * 4096 // block  # fc1 alone takes that many blocks
    assert_read_without_copy(target.get_layer("fc1").kernel)


def assert_read_without_copy(variable) -> None:
    """Two reads share the variable's buffer: after slice writes TensorFlow would copy the
    whole kernel on every read (copy-on-read mode) unless it is switched off again."""
    first, second = (np.asarray(variable.value.value()) for _ in range(2))
    assert np.shares_memory(first, second)


@pytest.mark.keras
def test_a_network_for_a_file_draws_no_random_weights_and_holds_the_files(
    tmp_path: Path, monkeypatch
) -> None:
    """Kernels start as zeros (no random draw at all), then hold the file's values exactly."""
    import keras

    from components.keras_side.activations import WeightsSource, build_network

    spec = vgg_spec("vgg11", (32, 32, 3), include_top=False)
    source = build(spec, 4)
    path = tmp_path / "vgg11.weights.h5"
    source.save_weights(path)

    def refuse(*args, **kwargs):
        raise AssertionError("a random initialiser ran for weights that come from a file")

    with monkeypatch.context() as patch:
        patch.setattr(keras.initializers.GlorotUniform, "__call__", refuse)
        net = build_network(spec, WeightsSource("keras", path=str(path), digest="blocks"))
    kernels = [layer for layer in net.model.layers if hasattr(layer, "kernel_initializer")]
    assert len(kernels) == 8
    assert {type(layer.kernel_initializer).__name__ for layer in kernels} == {"Zeros"}
    for a, b in zip(source.get_weights(), net.model.get_weights(), strict=True):
        assert np.array_equal(a, b)
    seeded = build_network(spec, WeightsSource("random", seed=4))  # random: drawn as before
    assert {type(layer.kernel_initializer).__name__ for layer in seeded.model.layers
            if hasattr(layer, "kernel_initializer")} == {"GlorotUniform"}  # fmt: skip
    for a, b in zip(source.get_weights(), seeded.model.get_weights(), strict=True):
        assert np.array_equal(a, b)  # the seeded random network is the one build() makes
