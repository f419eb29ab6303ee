"""The arithmetic behind one number of a layer's output, step by step (NumPy only).

A convolution output is Σ patch × kernel + bias, then the activation; a max-pool
output is the largest value of its window; a softmax turns logits into
probabilities through exponentials. Each function returns every intermediate
number so the page can lay them out; the tests check the last one against Keras.
Padding follows TensorFlow's 'same': the extra row/column, if odd, goes at the
bottom/right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ConvStep:
    """How output (row, col, filter) of a Conv2D is made."""

    patch: np.ndarray  # (K, K, C) input values under the kernel; 0 where it hangs over padding
    inside: np.ndarray  # (K, K) True where the kernel sits on the input, False on padding
    kernel: np.ndarray  # (K, K, C) the filter's weights
    products: np.ndarray  # (K, K, C) patch × kernel
    channel_sums: np.ndarray  # (C,) Σ products per input channel
    total: float  # Σ products
    bias: float
    pre_activation: float  # total + bias
    output: float  # after the activation
    top: int  # input row of the patch's first row (negative on padding)
    left: int


def _same_offset(size: int, k: int, stride: int) -> int:
    """TensorFlow's 'same' padding before the first row/column."""
    out = -(-size // stride)
    return max((out - 1) * stride + k - size, 0) // 2


def activate(value: float, activation: str) -> float:
    if activation == "relu":
        return max(value, 0.0)
    if activation == "linear":
        return value
    raise ValueError(f"no step view for the {activation!r} activation")


def conv_step(
    x: np.ndarray,
    kernel: np.ndarray,
    bias: np.ndarray | None,
    row: int,
    col: int,
    filter_: int,
    *,
    stride: int = 1,
    padding: str = "same",
    activation: str = "relu",
) -> ConvStep:
    """Output (row, col, filter_) of a Conv2D on ``x`` (H, W, C) with kernel (K, K, C, F)."""
    x = np.asarray(x, dtype=np.float64)
    k = kernel.shape[0]
    h, w, c = x.shape
    pad_top = _same_offset(h, k, stride) if padding == "same" else 0
    pad_left = _same_offset(w, kernel.shape[1], stride) if padding == "same" else 0
    top, left = row * stride - pad_top, col * stride - pad_left
    rows = np.arange(top, top + k)
    cols = np.arange(left, left + kernel.shape[1])
    inside = ((rows >= 0) & (rows < h))[:, None] & ((cols >= 0) & (cols < w))[None, :]
    patch = np.zeros((k, kernel.shape[1], c))
    r_ok, c_ok = (rows >= 0) & (rows < h), (cols >= 0) & (cols < w)
    patch[np.ix_(r_ok, c_ok)] = x[np.ix_(rows[r_ok], cols[c_ok])]
    weights = np.asarray(kernel[..., filter_], dtype=np.float64)
    products = patch * weights
    channel_sums = products.sum(axis=(0, 1))
    total = float(channel_sums.sum())
    b = float(bias[filter_]) if bias is not None else 0.0
    pre = total + b
    return ConvStep(
        patch, inside, weights, products, channel_sums, total, b, pre,
        activate(pre, activation), int(top), int(left),
    )  # fmt: skip


@dataclass(frozen=True)
class PoolStep:
    """How output (row, col, channel) of a MaxPooling2D is chosen."""

    window: np.ndarray  # (P, P) input values
    winner: tuple[int, int]  # position of the largest in the window (first if tied)
    output: float
    top: int
    left: int


def pool_step(x: np.ndarray, pool: int, row: int, col: int, channel: int) -> PoolStep:
    """A 'valid' max-pool with stride = pool (Keras' default)."""
    top, left = row * pool, col * pool
    window = np.asarray(x[top : top + pool, left : left + pool, channel], dtype=np.float64)
    r, c = np.unravel_index(int(np.argmax(window)), window.shape)
    return PoolStep(window, (int(r), int(c)), float(window[r, c]), top, left)


@dataclass(frozen=True)
class SoftmaxStep:
    """Logits → exp(logit − max) → ÷ their sum: Keras' own, overflow-free order."""

    logits: np.ndarray
    largest: float
    exps: np.ndarray  # exp(logit − largest)
    total: float
    probabilities: np.ndarray


def dense_logits(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """A Dense layer's outputs before its activation."""
    return np.asarray(x, dtype=np.float64).reshape(-1) @ kernel + bias


def softmax_step(logits: np.ndarray) -> SoftmaxStep:
    logits = np.asarray(logits, dtype=np.float64)
    largest = float(logits.max())
    exps = np.exp(logits - largest)
    total = float(exps.sum())
    return SoftmaxStep(logits, largest, exps, total, exps / total)
