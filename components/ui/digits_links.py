"""The digits view's controls in the share link, like the rest of /activations.

``weights`` (trained|random), ``sample`` (the digit the canvas starts from, or
``blank``), ``source`` (draw|upload), ``layer`` (the step view's layer) and ``pos``
(``row,col,channel`` of the number it follows). A value read from the link is
allow-listed; anything else falls back to the default with a short escaped note.
"""

from __future__ import annotations

import streamlit as st

from components.ui.i18n import t
from components.ui.safe_text import plain

# the link's names for the widgets' session-state keys
PARAMS = {
    "weights": "digits_weights",
    "sample": "digits_start",
    "source": "digits_source",
    "layer": "digits_step_layer",
}
POSITION = "pos"


def bad_link(name: str, value: str, default: object) -> None:
    st.warning(t("act.url.bad", name=name, value=plain(value[:40]), default=default))


def start_from_link(name: str, options: tuple[str, ...], default: str) -> None:
    """Give the widget of ``name`` its first value: the link's, if allowed, else the default."""
    key = PARAMS[name]
    if key in st.session_state:
        return
    value = st.query_params.get(name)
    if value is not None and value not in options:
        bad_link(name, value, default)
        value = None
    st.session_state[key] = default if value is None else value


def keep(name: str) -> None:
    """on_change: the widget's value into the link."""
    value = st.session_state.get(PARAMS[name])
    if value is not None:
        st.query_params[name] = str(value)


def parse_position(value: str | None, shape: tuple[int, ...]) -> tuple[int, int, int] | None:
    """``row,col,channel`` inside a ``(h, w, c)`` map; None if it is not exactly that."""
    if value is None:
        return None
    parts = value.split(",")
    if len(parts) != 3 or not all(p.isascii() and p.isdecimal() and len(p) <= 4 for p in parts):
        return None
    row, col, channel = (int(p) for p in parts)
    h, w, c = shape
    return (row, col, channel) if row < h and col < w and channel < c else None


def position_from_link(layer: str, shape: tuple[int, ...]) -> None:
    """Once per session: the link's ``pos`` for the step view's first layer."""
    state = st.session_state
    if state.get("digits_pos_read"):
        return
    state.digits_pos_read = True
    value = st.query_params.get(POSITION)
    picked = parse_position(value, shape)
    if value is not None and picked is None:
        h, w, _ = shape
        bad_link(POSITION, value, f"{h // 2},{w // 2},0")
    if picked is not None:
        state[f"digits_pos_{layer}"] = picked[:2]
        state[f"digits_ch_{layer}"] = picked[2]


def keep_position(row: int, col: int, channel: int) -> None:
    """The followed number's place into the link (only when it changed)."""
    value = f"{row},{col},{channel}"
    if st.query_params.get(POSITION) != value:
        st.query_params[POSITION] = value


def forget_digits_params() -> None:
    """Coming from another network: its ``weights``/``layer``/... mean nothing here."""
    for name in (*PARAMS, POSITION):
        if name in st.query_params:
            del st.query_params[name]
