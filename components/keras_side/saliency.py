"""Where in the picture the evidence for one class is: Grad-CAM, saliency, SmoothGrad, guided.

Every map is a gradient of one class *logit* (the score before a final softmax or
sigmoid: the softmax's gradient mixes in every other class) taken with
``tf.GradientTape`` on the already built model: its own layers and variables are
called in order, so nothing is rebuilt and no weight is copied. Guided
backpropagation swaps each ReLU for one with a custom gradient in that same walk.
The tape functions return arrays; the map maths below them are pure NumPy.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Method = Literal["gradcam", "saliency", "smoothgrad", "guided"]
METHODS: tuple[Method, ...] = ("gradcam", "saliency", "smoothgrad", "guided")
HEAD_ACTIVATIONS = ("softmax", "sigmoid")  # dropped from the last layer: gradients of logits
TORCH_STD = (0.229, 0.224, 0.225)  # Keras' "torch" preprocessing divides by these (RGB)


@dataclass(frozen=True)
class Gradients:
    """One forward and one backward pass: a layer's output, its gradient, the input's gradient."""

    fmap: np.ndarray  # (h, w, k) output of the chosen layer
    fmap_grad: np.ndarray  # (h, w, k) d logit / d fmap
    input_grad: np.ndarray | None  # (H, W, C) d logit / d (preprocessed) input, if asked
    score: float  # the class logit
    seconds: float  # the pass's wall time, to state what SmoothGrad will cost


# ------------------------------------------------------------------ walking the model


def _layers(model: Any) -> list[Any]:
    return [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]


def _activation_name(layer: Any) -> str:
    fn = getattr(layer, "activation", None)
    return getattr(fn, "__name__", "") if fn is not None else ""


def class_count(model: Any) -> int | None:
    """Classes of a classifier: a last Dense, Conv2D or softmax/sigmoid layer with output (C,)
    or (1, 1, C) (the FC-as-conv head); None otherwise (a network without its head, even
    when its last pooling happens to be 1×1)."""
    last = _layers(model)[-1]
    kind = type(last).__name__
    scores = kind in ("Dense", "Conv2D") or _activation_name(last) in HEAD_ACTIVATIONS
    shape = tuple(model.output.shape[1:])
    if scores and (len(shape) == 1 or (len(shape) == 3 and shape[:2] == (1, 1))):
        return int(shape[-1])
    return None


def spatial_layers(model: Any) -> list[str]:
    """Layers Grad-CAM can look at: convolutions and ReLU layers with an (h, w, k) output.

    Batch-norm networks put the ReLU in its own layer after the convolution, so both
    are offered; the last one is the usual choice (``block5_conv3`` for VGG16).
    """
    out = []
    for layer in _layers(model):
        kind = type(layer).__name__
        relu = kind == "Activation" and _activation_name(layer) == "relu"
        if (kind == "Conv2D" or relu) and len(layer.output.shape) == 4:
            out.append(layer.name)
    return out


def _guided_relu() -> Any:
    import tensorflow as tf

    @tf.custom_gradient
    def guided_relu(x: Any) -> Any:
        def grad(dy: Any) -> Any:  # pass only positive gradients through positive inputs
            return dy * tf.cast(dy > 0, dy.dtype) * tf.cast(x > 0, dy.dtype)

        return tf.nn.relu(x), grad

    return guided_relu


def _linear_part(layer: Any, x: Any) -> Any:
    """A Conv2D's or Dense layer's output before its activation, with its own variables."""
    from keras import ops

    if type(layer).__name__ == "Conv2D":
        y = layer.convolution_op(x, layer.kernel)
    elif type(layer).__name__ == "Dense":
        y = ops.matmul(x, layer.kernel)
    else:  # an Activation layer
        return x
    return ops.add(y, layer.bias) if layer.use_bias else y


def _apply(layer: Any, x: Any, last: bool, relu: Any = None) -> Any:
    """One layer on ``x``: without a final softmax/sigmoid, with ``relu`` for its ReLU if given."""
    name = _activation_name(layer)
    if last and name in HEAD_ACTIVATIONS:
        return _linear_part(layer, x)
    if relu is not None and name == "relu":
        return relu(_linear_part(layer, x))
    return layer(x, training=False)


def _walk(model: Any, x: Any, capture: str | None = None, guided: bool = False):
    """The model's layers called in order on ``x`` → (captured layer output, logits).

    A final softmax/sigmoid is left out; with ``guided`` every ReLU is the guided one.
    """
    layers = _layers(model)
    relu = _guided_relu() if guided else None
    captured = None
    for i, layer in enumerate(layers):
        x = _apply(layer, x, i == len(layers) - 1, relu)
        if layer.name == capture:
            captured = x
    return captured, x


def _score(out: Any, class_index: int) -> Any:
    import tensorflow as tf

    return tf.reshape(out, (tf.shape(out)[0], -1))[:, class_index]


def logits(model: Any, x: np.ndarray) -> np.ndarray:
    """Class logits of a batch, (N, C), the same walk the maps differentiate."""
    import tensorflow as tf

    _, out = _walk(model, tf.convert_to_tensor(x, tf.float32))
    return np.asarray(out).reshape(len(x), -1)


def class_gradients(
    model: Any, x: np.ndarray, class_index: int, layer: str, with_input: bool = True
) -> Gradients:
    """Gradients of one logit w.r.t. ``layer``'s output (and the input): one pass each way.

    Without ``with_input`` (Grad-CAM alone) the tape starts at the layer, so the backward
    pass stops there: for VGG16's block5_conv3 it costs a fraction of a forward pass.
    """
    import tensorflow as tf

    start = time.perf_counter()
    layers = _layers(model)
    names = [lay.name for lay in layers]
    if layer not in names:
        raise KeyError(layer)
    split = names.index(layer) + 1
    inputs = tf.convert_to_tensor(x, tf.float32)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        if with_input:
            tape.watch(inputs)
        fmap = inputs
        for i, lay in enumerate(layers[:split]):
            fmap = _apply(lay, fmap, i == len(layers) - 1)
        tape.watch(fmap)
        out = fmap
        for i, lay in enumerate(layers[split:], start=split):
            out = _apply(lay, out, i == len(layers) - 1)
        score = _score(out, class_index)
    sources = [fmap, inputs] if with_input else [fmap]
    grads = tape.gradient(score, sources)
    return Gradients(
        np.asarray(fmap)[0],
        np.asarray(grads[0])[0],
        np.asarray(grads[1])[0] if with_input else None,
        float(np.asarray(score)[0]),
        time.perf_counter() - start,
    )


def input_gradient(model: Any, x: np.ndarray, class_index: int, guided: bool = False) -> np.ndarray:
    """d logit / d input for a batch, (N, H, W, C): vanilla, or through guided ReLUs."""
    import tensorflow as tf

    inputs = tf.convert_to_tensor(x, tf.float32)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(inputs)
        _, out = _walk(model, inputs, guided=guided)
        score = _score(out, class_index)
    return np.asarray(tape.gradient(score, inputs))


def guided_gradient(model: Any, x: np.ndarray, class_index: int) -> np.ndarray:
    """Guided backpropagation: d logit / d input through ReLUs that pass only positive
    gradients where the input was positive (Springenberg et al.), (H, W, C)."""
    return input_gradient(model, x, class_index, guided=True)[0]


def smooth_gradient(
    model: Any,
    x: np.ndarray,
    class_index: int,
    samples: int,
    noise: float,
    *,
    seed: int = 0,
    chunk: int = 8,
    lock: Any = None,
) -> np.ndarray:
    """SmoothGrad (Smilkov et al.): the input gradient averaged over ``samples`` noisy copies,
    noise σ = ``noise`` × the input's value range; ``chunk`` copies per pass.

    ``lock`` is taken per pass, not for the whole average, so other sessions get turns.
    """
    rng = np.random.default_rng(seed)
    sigma = float(noise) * float(x.max() - x.min())
    total = np.zeros(x.shape[1:], dtype=np.float64)
    done = 0
    while done < samples:
        n = min(chunk, samples - done)
        batch = np.repeat(x, n, axis=0) + rng.normal(0.0, 1.0, (n, *x.shape[1:])) * sigma
        with lock if lock is not None else contextlib.nullcontext():
            grads = input_gradient(model, batch.astype(np.float32), class_index)
        total += grads.sum(axis=0, dtype=np.float64)
        done += n
    return (total / samples).astype(np.float32)


# ------------------------------------------------------------------ the maps (pure NumPy)


def grad_cam(fmap: np.ndarray, fmap_grad: np.ndarray) -> np.ndarray:
    """Grad-CAM (Selvaraju et al.): ReLU(Σ_k α_k A_k), α_k = the mean gradient of channel k.

    At the layer's own resolution (h, w); never negative.
    """
    alpha = fmap_grad.reshape(-1, fmap_grad.shape[-1]).mean(axis=0)
    return np.maximum(np.tensordot(fmap, alpha, axes=([-1], [0])), 0.0).astype(np.float32)


def upsample(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A (h, w) map stretched bilinearly to (H, W), as Grad-CAM is laid over the picture."""
    from PIL import Image

    if values.shape == size:
        return values.astype(np.float32)
    image = Image.fromarray(values.astype(np.float32), mode="F")
    return np.asarray(image.resize((size[1], size[0]), Image.Resampling.BILINEAR))


def saliency(grad: np.ndarray) -> np.ndarray:
    """Simonyan et al.'s saliency: the largest |gradient| over a pixel's channels, (H, W)."""
    return np.abs(grad).max(axis=-1)


def guided_grad_cam(guided: np.ndarray, cam: np.ndarray) -> np.ndarray:
    """Guided backpropagation × Grad-CAM upsampled: fine detail, only where the class is."""
    return guided * upsample(cam, guided.shape[:2])[..., None]


def pixel_gradient(grad: np.ndarray, preprocessing: str) -> np.ndarray:
    """A gradient w.r.t. the preprocessed input → w.r.t. the picture's RGB values (0–255).

    Preprocessing is per channel affine: caffe flips RGB→BGR and subtracts means,
    torch divides by 255·std, scale by 255 — the chain rule undoes each.
    """
    if grad.shape[-1] != 3 or preprocessing == "scale":
        return grad / 255.0
    if preprocessing == "caffe":
        return grad[..., ::-1]
    return grad / (255.0 * np.asarray(TORCH_STD, dtype=np.float32))


def signed_rgb(values: np.ndarray, top: float | None = None) -> np.ndarray:
    """A signed (H, W, 3) gradient as an RGB picture: 0 is grey, ± ``top`` (by default the
    largest |value|) the extremes (how guided backpropagation is usually shown). ``top`` is
    given when two maps share one scale."""
    top = float(np.abs(values).max()) if top is None else top
    scaled = values / top if top > 0 else values * 0
    return np.clip(scaled * 127.5 + 127.5, 0, 255).astype(np.uint8)
