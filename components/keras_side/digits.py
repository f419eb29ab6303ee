"""The trained digits network (preset ``digits-vgg``): its shipped weights, its data, its input.

The weights were trained by ``training/train_digits.py`` on scikit-learn's copy of
the UCI handwritten digits: 8×8 cells, each counting the ink pixels (0–16) of a
4×4 block of a 32×32 bitmap whose digit was scaled to fill the box. A drawing
goes the same way (:func:`cells_from_ink`), and the network sees the 8×8 cells
enlarged back to 32×32 (:func:`network_input`). NumPy and Pillow only; Keras is
imported lazily by :func:`build_trained`, so the Learn page can use the kernels
(:func:`numpy_forward`) without TensorFlow.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from components.engine.presets import load_preset
from components.engine.spec import LayerType, NetworkSpec

PRESET = "digits-vgg"
ASSETS = Path(__file__).resolve().parents[2] / "assets" / "digits"
WEIGHTS = ASSETS / "digits-vgg.weights.npz"
HELDOUT = ASSETS / "heldout.npz"
SIDE = 32  # the network's input side, and the side of the bitmaps the cells were counted on
CELLS = 8  # the data's cells per side
BLOCK = SIDE // CELLS  # 4×4 pixels per cell, so a cell counts 0..16
INK = 0.5  # a bitmap pixel is "on" from this ink level (0..1)
Arrays = dict[str, list[np.ndarray]]


def digits_spec() -> NetworkSpec:
    return load_preset(PRESET)


def is_digits(spec: NetworkSpec) -> bool:
    """Whether ``spec`` is exactly the network the shipped weights were trained for."""
    return spec == digits_spec()


# ------------------------------------------------------------------ input: the data's own steps


def network_input(cells: np.ndarray) -> np.ndarray:
    """8×8 counts 0..16 → the 32×32 input in 0..1 (bilinear, as in training)."""
    small = Image.fromarray(np.asarray(cells, dtype=np.float32) / (BLOCK * BLOCK), mode="F")
    big = small.resize((SIDE, SIDE), Image.Resampling.BILINEAR)
    return np.clip(np.asarray(big, dtype=np.float32), 0.0, 1.0)


def ink_of(rgba: np.ndarray) -> np.ndarray:
    """Canvas pixels (H×W×4, light strokes on a dark or transparent ground) → ink 0..1."""
    pixels = np.asarray(rgba, dtype=np.float32)
    if pixels.ndim != 3 or pixels.shape[2] not in (3, 4):
        raise ValueError(f"expected an H×W×3 or H×W×4 array, got shape {pixels.shape}")
    light = pixels[..., :3].max(axis=2) / 255.0
    alpha = pixels[..., 3] / 255.0 if pixels.shape[2] == 4 else 1.0
    return np.clip(light * alpha, 0.0, 1.0)


def ink_of_picture(image: Image.Image) -> np.ndarray:
    """A photo or scan → ink 0..1; a light ground (mean above half) is inverted first."""
    gray = np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    return 1.0 - gray if gray.mean() > 0.5 else gray


def cells_from_ink(ink: np.ndarray) -> np.ndarray | None:
    """Ink (H×W, 0..1) → the data's 8×8 counts, or None when nothing is drawn.

    As the UCI data was made: the digit's bounding box is scaled, aspect kept, so
    its longer side fills 32 px, centred in a 32×32 box, thresholded to on/off
    pixels, and each 4×4 block's on pixels are counted.
    """
    ink = np.asarray(ink, dtype=np.float32)
    rows = np.flatnonzero((ink >= INK).any(axis=1))
    cols = np.flatnonzero((ink >= INK).any(axis=0))
    if rows.size == 0:
        return None
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    scale = SIDE / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))  # PIL: (width, height)
    fitted = np.asarray(Image.fromarray(crop, mode="F").resize(size, Image.Resampling.BOX))
    box = np.zeros((SIDE, SIDE), dtype=np.float32)
    top, left = (SIDE - size[1]) // 2, (SIDE - size[0]) // 2
    box[top : top + size[1], left : left + size[0]] = fitted
    on = box >= INK
    return on.reshape(CELLS, BLOCK, CELLS, BLOCK).sum(axis=(1, 3)).astype(np.float32)


def cells_picture(cells: np.ndarray, px: int = 160) -> Image.Image:
    """The 8×8 cells as a gray picture (white ink on black), big blocks, to show."""
    levels = np.clip(np.asarray(cells) / (BLOCK * BLOCK) * 255.0, 0, 255).astype(np.uint8)
    return Image.fromarray(levels, "L").resize((px, px), Image.Resampling.NEAREST)


def input_picture(x: np.ndarray, px: int = 160) -> Image.Image:
    """The 32×32 network input as a gray picture."""
    levels = np.clip(np.asarray(x).reshape(SIDE, SIDE) * 255.0, 0, 255).astype(np.uint8)
    return Image.fromarray(levels, "L").resize((px, px), Image.Resampling.NEAREST)


# ------------------------------------------------------------------ shipped files


@dataclass(frozen=True)
class HeldOut:
    """scikit-learn digits never used in training: 8×8 counts, labels, index in load_digits()."""

    cells: np.ndarray  # (N, 8, 8) uint8
    labels: np.ndarray  # (N,) uint8
    indices: np.ndarray  # (N,) positions in sklearn.datasets.load_digits()


@cache
def held_out() -> HeldOut:
    with np.load(HELDOUT, allow_pickle=False) as data:
        return HeldOut(data["cells"], data["labels"], data["indices"])


def sample_cells(digit: int) -> np.ndarray:
    """The first held-out example of ``digit`` (a real handwritten one, never trained on)."""
    data = held_out()
    return data.cells[int(np.flatnonzero(data.labels == digit)[0])].astype(np.float32)


def save_weights(model: Any, path: Path) -> None:
    """Every layer's arrays as ``<layer>.<i>`` in an .npz (arrays only: loading runs no code)."""
    arrays: dict[str, Any] = {  # Any: numpy's stub would match **arrays to allow_pickle
        f"{layer.name}.{i}": np.asarray(w.numpy(), dtype=np.float32)
        for layer in model.layers
        for i, w in enumerate(layer.weights)
    }
    np.savez_compressed(path, **arrays)


def read_weights(path: Path = WEIGHTS) -> Arrays:
    """Layer name → arrays in ``layer.weights`` order, from :func:`save_weights`' file."""
    out: dict[str, dict[int, np.ndarray]] = {}
    with np.load(path, allow_pickle=False) as data:
        for key in data.files:
            name, _, index = key.rpartition(".")
            out.setdefault(name, {})[int(index)] = data[key]
    return {name: [parts[i] for i in sorted(parts)] for name, parts in out.items()}


@cache
def trained_weights() -> Arrays:
    """The shipped weights, read once per process (90 KB)."""
    return read_weights(WEIGHTS)


# ------------------------------------------------------------------ the network


_BUILD_LOCK = threading.Lock()


def build_trained(spec: NetworkSpec | None = None) -> Any:
    """The Keras ``digits-vgg`` with the shipped weights, as an activations ``Network``."""
    from components.keras_side import weights
    from components.keras_side.activations import Network, WeightsSource
    from components.keras_side.builder import build_model, import_keras

    spec = spec or digits_spec()
    keras = import_keras()
    with _BUILD_LOCK:
        model = build_model(spec, random_init=False)  # every weight comes from the file
        notes = weights.assign(model, trained_weights())
        layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
        extractor = keras.Model(model.input, [layer.output for layer in layers])
    source = WeightsSource("keras", path=str(WEIGHTS), name=PRESET, digest=WEIGHTS.name)
    network = Network(spec, source, model, extractor, tuple(lay.name for lay in layers), notes)
    network.activations(np.zeros((1, *spec.input_shape), dtype=np.float32))
    return network


def batch(x: np.ndarray) -> np.ndarray:
    """One 32×32 input as the network's (1, 32, 32, 1) batch."""
    return np.asarray(x, dtype=np.float32).reshape(1, SIDE, SIDE, 1)


# ------------------------------------------------------------------ NumPy forward (no TensorFlow)


def conv2d_same(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Stride-1 'same' convolution with ReLU: (H, W, C) → (H, W, F), as Keras' Conv2D."""
    k = kernel.shape[0]
    pad = (k - 1) // 2
    padded = np.pad(x, ((pad, k - 1 - pad), (pad, k - 1 - pad), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(0, 1))
    out = np.einsum("hwcij,ijcf->hwf", windows, kernel, optimize=True) + bias
    return np.maximum(out, 0.0)


def maxpool2(x: np.ndarray) -> np.ndarray:
    h, w, c = x.shape
    return x[: h // 2 * 2, : w // 2 * 2].reshape(h // 2, 2, w // 2, 2, c).max(axis=(1, 3))


def numpy_forward(x: np.ndarray, arrays: Arrays | None = None) -> dict[str, np.ndarray]:
    """Every layer's output of ``digits-vgg`` for one 32×32 input, in NumPy (for TF-free pages)."""
    arrays = arrays or trained_weights()
    out: dict[str, np.ndarray] = {}
    value: np.ndarray = np.asarray(x, dtype=np.float64).reshape(SIDE, SIDE, 1)
    for layer in digits_spec().layers:
        if layer.type is LayerType.CONV:
            value = conv2d_same(value, *arrays[layer.name])
        elif layer.type is LayerType.MAXPOOL:
            value = maxpool2(value)
        elif layer.type is LayerType.FLATTEN:
            value = value.reshape(-1)
        elif layer.type is LayerType.DENSE:
            kernel, bias = arrays[layer.name]
            value = value @ kernel + bias
            if layer.activation == "relu":
                value = np.maximum(value, 0.0)
            elif layer.activation == "softmax":
                e = np.exp(value - value.max())
                value = e / e.sum()
        else:  # the preset has no other layer types
            raise ValueError(f"numpy_forward does not run {layer.type} layers")
        out[layer.name] = value
    return out
