"""Ready-made custom CNNs: one JSON spec file each in assets/presets/ (the preset's name)."""

from __future__ import annotations

from pathlib import Path

from components.engine.errors import InputError, Issue
from components.engine.spec import NetworkSpec, parse_spec_json

PRESET_DIR = Path(__file__).resolve().parents[2] / "assets" / "presets"


def preset_names() -> list[str]:
    return sorted(path.stem for path in PRESET_DIR.glob("*.json"))


def load_preset(name: str) -> NetworkSpec:
    """The preset's spec; unknown names raise InputError listing the known ones."""
    if name not in preset_names():
        known = ", ".join(preset_names())
        raise InputError(
            Issue("preset.unknown", {"got": name[:40], "known": known}, field="preset")
        )
    return parse_spec_json((PRESET_DIR / f"{name}.json").read_bytes())
