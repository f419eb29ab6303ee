"""Weights files written as others publish them (shared by tests and bench)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def write_legacy_h5(model: Any, path: Path) -> None:
    """Weights in the layout of keras-applications' published ImageNet files."""
    import h5py

    with h5py.File(path, "w") as f:
        layers = [layer for layer in model.layers if layer.weights]
        f.attrs["layer_names"] = [layer.name.encode() for layer in layers]
        for layer in layers:
            group = f.create_group(layer.name)
            names = [f"{layer.name}_{i}:0".encode() for i in range(len(layer.weights))]
            group.attrs["weight_names"] = names
            for name, value in zip(names, layer.get_weights(), strict=True):
                group[name.decode()] = value
