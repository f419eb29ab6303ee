"""Compare the engine's per-layer numbers with a real Keras model (shared by tests and bench)."""

from __future__ import annotations

import math
from typing import Any

from components.engine.analysis import analyze
from components.engine.spec import NetworkSpec
from components.keras_side.builder import build_model, import_keras


def keras_layer_table(model: Any) -> list[dict[str, Any]]:
    """What Keras itself reports per layer (InputLayer left out), to compare with the engine."""
    out = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        trainable = sum(math.prod(w.shape) for w in layer.trainable_weights)
        out.append(
            {
                "name": layer.name,
                "type": type(layer).__name__,
                "output_shape": list(layer.output.shape[1:]),
                "params": layer.count_params(),
                "trainable_params": trainable,
            }
        )
    return out


def assert_matches_keras(spec: NetworkSpec) -> None:
    analysis = analyze(spec)
    model = build_model(spec)
    try:
        keras_rows = keras_layer_table(model)
        engine_rows = [
            {
                "name": i.name,
                "type": i.keras_class,
                "output_shape": list(i.output_shape),
                "params": i.params,
                "trainable_params": i.trainable_params,
            }
            for i in analysis.layers
        ]
        assert engine_rows == keras_rows
        assert analysis.total_params == model.count_params()
    finally:
        del model
        import_keras().backend.clear_session()
