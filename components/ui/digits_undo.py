"""A visible Undo button for the digits canvas.

The canvas' own toolbar undoes too, but only appears on hover. A canvas remounted
with ``initial_drawing`` shows the earlier strokes yet sends no picture back until
the next stroke, so the page remembers what each drawing it has seen gave (the 8×8
cells, a few hundred bytes), keyed by the strokes' geometry: Undo remounts the canvas
with all strokes but the last and shows the remembered result for those strokes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import streamlit as st

HISTORY = 48  # drawings remembered per session (8×8 cells each)
COUNTER = "digits_canvas_n"


def objects_of(drawing: Any) -> list[dict]:
    """The drawing's objects (a browser sends this JSON: anything that is not a list is none)."""
    objects = drawing.get("objects") if isinstance(drawing, dict) else None
    return [o for o in objects if isinstance(o, dict)] if isinstance(objects, list) else []


def signature(objects: list[dict]) -> str:
    """The strokes' geometry (fabric's path commands), the same when a canvas re-serialises
    them after a remount."""
    geometry = [o.get("path") for o in objects]
    text = json.dumps(geometry, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def next_canvas() -> None:
    """A new canvas key: the component keeps its strokes per key."""
    st.session_state[COUNTER] = st.session_state.get(COUNTER, 0) + 1


def canvas_key(start: str) -> str:
    return f"digits_canvas_{start}_{st.session_state.get(COUNTER, 0)}"


def restored() -> dict | None:
    """The strokes the current canvas was remounted with by Undo (None: an empty canvas)."""
    return st.session_state.get("digits_restore")


def clear() -> None:
    st.session_state.digits_restore = None
    next_canvas()


def remember(objects: list[dict], cells: np.ndarray | None, how: str) -> None:
    """What this drawing gave, and that it is the one on the canvas now."""
    seen: dict[str, tuple[np.ndarray | None, str]] = st.session_state.setdefault("digits_seen", {})
    key = signature(objects)
    seen.pop(key, None)
    seen[key] = (cells, how)
    while len(seen) > HISTORY:
        del seen[next(iter(seen))]
    st.session_state.digits_objects = objects


def recall(objects: list[dict]) -> tuple[np.ndarray | None, str] | None:
    return st.session_state.get("digits_seen", {}).get(signature(objects))


def can_undo(objects: list[dict]) -> bool:
    """A stroke to take back, and the drawing before it is known (empty, or seen)."""
    return bool(objects) and (len(objects) == 1 or recall(objects[:-1]) is not None)


def undo() -> None:
    """on_click: remount the canvas with every stroke but the last."""
    rest = st.session_state.get("digits_objects", [])[:-1]
    st.session_state.digits_restore = {"objects": rest} if rest else None
    next_canvas()
