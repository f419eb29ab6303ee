"""Every visible string, in English and Simplified Chinese; the language travels as ``lang=``.

Catalogues live in ``locales/<lang>/<area>.json``, one file per page or shared
area (flat ``"area.key": "text"``, Python ``str.format`` placeholders), merged per
language. A test checks that both languages have the same keys.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_KEY = "lang"
_SWITCH_KEY = "language_switch"
_LOCALES = Path(__file__).with_name("locales")


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All of a language's files merged; a key defined in two files is an error."""
    merged: dict[str, str] = {}
    for path in sorted((_LOCALES / lang).glob("*.json")):
        entries = json.loads(path.read_text(encoding="utf-8"))
        twice = merged.keys() & entries.keys()
        if twice:
            raise ValueError(f"{path.name} repeats keys of another {lang} file: {sorted(twice)}")
        merged |= entries
    return merged


def translate(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang`` (falling back to English), with values filled in."""
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE)[key]
    return text.format(**values) if values else text


_last_language = DEFAULT_LANGUAGE


def current_language() -> str:
    """The language of this view: ``lang=`` in the URL, else the switch's last value, else English.

    The URL wins so a shared link opens in its language; the switch's value covers
    page changes through the navigation menu, which drop the query string. Outside a
    script run (only AppTest formats widget options there) the last run's language is
    used, so options are labelled as they were drawn.
    """
    import streamlit as st
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    global _last_language
    if get_script_run_ctx() is None:
        return _last_language
    for lang in (st.query_params.get(LANGUAGE_KEY), st.session_state.get(_SWITCH_KEY)):
        if lang in LANGUAGES:
            _last_language = lang
            return lang
    _last_language = DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def _is_plain(value: object) -> bool:
    """A value an option widget can hold: a key (str or number) or a tuple/list of keys."""
    if isinstance(value, (tuple, list)):
        return bool(value) and all(_is_plain(item) for item in value)
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _language_changed() -> None:
    """Keep the URL's ``lang=``, and make the browser forget every widget's old-language label.

    Option widgets (selectbox, radio, segmented control, select slider) travel
    between browser and server as their *displayed* labels. After a switch the
    browser still holds the old language's label; the next interaction sends it,
    the server finds no such option and falls back to the first one (VGG11).
    Writing each widget's value back through session state makes Streamlit send
    the new label with this run, so the browser's copy matches again. Buttons,
    uploaders and data editors hold bools, files or dicts and are left alone.
    """
    import streamlit as st

    state = st.session_state
    st.query_params[LANGUAGE_KEY] = state[_SWITCH_KEY]
    for key in list(state):
        value = state[key]
        if key != _SWITCH_KEY and _is_plain(value):
            state[key] = value


def language_switch_ui() -> None:
    """The sidebar language switch; keeps ``lang=`` in the URL so every share link carries it."""
    import streamlit as st

    lang = current_language()
    if st.session_state.get(_SWITCH_KEY) != lang:
        st.session_state[_SWITCH_KEY] = lang
    if lang != DEFAULT_LANGUAGE or LANGUAGE_KEY in st.query_params:
        st.query_params[LANGUAGE_KEY] = lang
    st.sidebar.segmented_control(
        translate("app.language", lang),
        options=list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        required=True,
        key=_SWITCH_KEY,
        on_change=_language_changed,
    )


def t(key: str, **values: object) -> str:
    """Translate for the current page (reads ``lang=`` from the URL)."""
    return translate(key, current_language(), **values)


def tn(key: str, count: int, **values: object) -> str:
    """Plural forms: ``key_one`` when ``count`` is 1 (English "1 problem"), else ``key``."""
    one = f"{key}_one"
    return t(one if count == 1 and one in catalogue(DEFAULT_LANGUAGE) else key, **values)
