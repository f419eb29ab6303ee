"""Build the real ``keras.Model`` from the engine's description (same names, same numbers)."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from components.engine.spec import LAYER_TYPES, Layer, LayerType, NetworkSpec

if TYPE_CHECKING:
    import keras

# One bound on what may be allocated, checked with the engine before building.
MAX_BUILD_PARAMS = 600_000_000


def import_keras() -> Any:
    """Import Keras (and TensorFlow) on first use only, quietly."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    return keras


def _make_layer(keras: Any, layer: Layer, kernels: dict[str, str]) -> Any:
    kind, name = layer.type, layer.name
    if kind is LayerType.LRN:  # not a Keras layer: our own, with the paper's constants
        from components.keras_side.lrn import LocalResponseNormalization

        return LocalResponseNormalization(name=name)
    cls = getattr(keras.layers, LAYER_TYPES[kind].keras_class)
    if kind.is_conv:
        return cls(
            layer.filters,
            layer.kernel,
            strides=layer.strides,
            padding=layer.padding,
            activation=layer.activation,
            use_bias=layer.use_bias,
            name=name,
            **kernels,
        )
    if kind.is_pool:
        return cls(layer.pool, strides=layer.strides, padding=layer.padding, name=name)
    if kind is LayerType.DENSE:
        return cls(
            layer.units,
            activation=layer.activation,
            use_bias=layer.use_bias,
            name=name,
            **kernels,
        )
    if kind is LayerType.ACTIVATION:
        return cls(layer.fn, name=name)
    if kind is LayerType.DROPOUT:
        return cls(layer.rate, name=name)
    return cls(name=name)  # batch norm, flatten, global pooling: nothing to configure


def build_model(spec: NetworkSpec, *, random_init: bool = True) -> keras.Model:
    """The functional Keras model of ``spec``; refuses sizes above MAX_BUILD_PARAMS first.

    ``random_init=False`` is for a model whose every weight is then copied in from a
    file: kernels start as zeros, because drawing VGG16's random kernels holds about
    three times their size at once (fc1: 411 MB each) for values that are overwritten.
    """
    from components.engine.analysis import analyze
    from components.engine.errors import InputError

    analysis = analyze(spec)  # raises InputError before anything is allocated
    if analysis.total_params > MAX_BUILD_PARAMS:
        values = {"name": spec.name, "params": analysis.total_params, "max": MAX_BUILD_PARAMS}
        raise InputError.of("build.too_many_params", **values)
    keras = import_keras()
    inputs = keras.Input(shape=spec.input_shape, name="input_layer")
    x = inputs
    kernels = {} if random_init else {"kernel_initializer": "zeros"}
    for layer in spec.layers:
        x = _make_layer(keras, layer, kernels)(x)
    return keras.Model(inputs, x, name=re.sub(r"[^A-Za-z0-9_.-]", "_", spec.name))
