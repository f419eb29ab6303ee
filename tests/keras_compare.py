"""Compare the engine's per-layer numbers with a real Keras model (shared by tests and bench)."""

from __future__ import annotations

from components.engine.analysis import analyze
from components.engine.spec import NetworkSpec
from components.keras_side.builder import build_model, import_keras, keras_layer_table


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
