"""The digits view's controls in the share link, like the rest of /activations.

``weights`` (trained|random), ``sample`` (the digit the canvas starts from, or
``blank``), ``source`` (draw|upload), ``layer`` (the step view's layer) and ``pos``
(``row,col,channel`` of the number it follows). A value read from the link is
allow-listed; anything else falls back to the default with a short escaped note.
"""

from __future__ import annotations

import streamlit as st

from components.ui import url_state

# the link's names for the widgets' session-state keys
PARAMS = {
    "weights": "digits_weights",
    "sample": "digits_start",
    "source": "digits_source",
    "layer": "digits_step_layer",
}
POSITION = "pos"
POSITION_READ = "digits_pos_read"


def position_key(layer: str) -> str:
    """The session key of the (row, col) the step view follows in ``layer``."""
    return f"digits_pos_{layer}"


def channel_key(layer: str) -> str:
    """The session key (and widget key) of the channel the step view follows in ``layer``."""
    return f"digits_ch_{layer}"


def start_from_link(name: str, options: tuple[str, ...], default: str) -> None:
    """Give the widget of ``name`` its first value: the link's, if allowed, else the default."""
    url_state.start_from_link(PARAMS[name], name, options, default)


def keep(name: str) -> None:
    """on_change: the widget's value into the link."""
    url_state.keep_key_in_link(name, PARAMS[name])


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
    if state.get(POSITION_READ):
        return
    state[POSITION_READ] = True
    h, w, _ = shape
    picked = url_state.link_parsed(
        POSITION, lambda v: parse_position(v, shape), f"{h // 2},{w // 2},0"
    )
    if picked is not None:
        state[position_key(layer)] = picked[:2]
        state[channel_key(layer)] = picked[2]


def keep_position(row: int, col: int, channel: int) -> None:
    """The followed number's place into the link (only when it changed)."""
    url_state.keep_in_link(POSITION, f"{row},{col},{channel}")


def forget_digits_params() -> None:
    """Coming from another network: its ``weights``/``layer``/... mean nothing here."""
    url_state.drop_from_link(*PARAMS, POSITION)
