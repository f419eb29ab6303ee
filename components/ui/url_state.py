"""The share link's query parameters ↔ session state, in one place.

A page reads a parameter once (the first run of the session, or when the value it
guards no longer fits), so a widget the student changes is not reset by the link;
the widget's ``on_change`` writes the value back. A link value the page cannot use
falls back with one note: the parameter, the value as it was written (escaped, cut
to :data:`SHOWN_CHARS`) and what is used instead.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TypeVar

import streamlit as st

from components.ui.i18n import t
from components.ui.safe_text import plain

T = TypeVar("T")
SHOWN_CHARS = 40  # a hostile link's value is cut to this many characters in the note
LINK_OFF = ":material/link_off:"


def link_value(name: str) -> str | None:
    """The parameter as the link holds it (None when absent)."""
    return st.query_params.get(name)


def in_link(name: str) -> bool:
    return name in st.query_params


def link_params(names: Iterable[str] | None = None) -> dict[str, str]:
    """The link's parameters as they stand (only ``names``, when given), for links elsewhere."""
    query = st.query_params.to_dict()
    return query if names is None else {n: query[n] for n in names if n in query}


def bad_value_text(name: str, value: str, used: object, detail: str = "") -> str:
    """The one fall-back note; ``detail`` (already escaped) says why, when the engine knows."""
    note = t("url.bad_value", name=name, value=plain(value[:SHOWN_CHARS]), used=used)
    return f"{note}\n\n{detail}" if detail else note


def bad_value_note(name: str, value: str, used: object, detail: str = "") -> None:
    st.warning(bad_value_text(name, value, used, detail), icon=LINK_OFF)


def link_choice(name: str, options: Collection[str], default: str, shown: object = None) -> str:
    """An allow-listed value from the link; anything else is the default (named in the note
    as ``shown``, when the default's own value means little to a student)."""
    value = link_value(name)
    if value is None:
        return default
    if value not in options:
        bad_value_note(name, value, default if shown is None else shown)
        return default
    return value


def link_parsed(name: str, parse: Callable[[str], T | None], shown_default: object) -> T | None:
    """The link's value read by an engine parser (None: absent, or refused with the note)."""
    value = link_value(name)
    if value is None:
        return None
    parsed = parse(value)
    if parsed is None:
        bad_value_note(name, value, shown_default)
    return parsed


def refused_as_none(parse: Callable[[str], T]) -> Callable[[str], T | None]:
    """An engine parser that raises on a value it refuses (``ValueError``: the engine's
    errors are ValueErrors) as one that returns None, for :func:`link_parsed`."""

    def parsed(value: str) -> T | None:
        try:
            return parse(value)
        except ValueError:
            return None

    return parsed


def start_from_link(
    key: str, name: str, options: Collection[str], default: str, shown: object = None
) -> None:
    """Give the widget ``key`` its first value: the link's ``name=`` if allowed."""
    if key not in st.session_state:
        st.session_state[key] = link_choice(name, options, default, shown)


def keep_in_link(name: str, value: object) -> None:
    """Write ``name=value`` into the link (only when it changed: each write is a message)."""
    text = str(value)
    if st.query_params.get(name) != text:
        st.query_params[name] = text


def keep_key_in_link(name: str, key: str) -> None:
    """``on_change``: the widget ``key``'s value into ``name=``."""
    value = st.session_state.get(key)
    if value is not None:
        keep_in_link(name, value)


def drop_from_link(*names: str) -> None:
    for name in names:
        if name in st.query_params:
            del st.query_params[name]


def write_link(values: Mapping[str, str], owned: Iterable[str]) -> None:
    """The parameters in ``owned`` become ``values``: set where given, removed where not."""
    for name in owned:
        if name in values:
            keep_in_link(name, values[name])
        else:
            drop_from_link(name)
