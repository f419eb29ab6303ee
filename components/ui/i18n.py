"""Every visible string, in English and Simplified Chinese; the language travels as ``lang=``.

Catalogues live in ``locales/<lang>.json`` (flat ``"area.key": "text"``, Python
``str.format`` placeholders). A test checks that both have the same keys.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"
_LOCALES = Path(__file__).with_name("locales")


@cache
def catalogue(lang: str) -> dict[str, str]:
    return json.loads((_LOCALES / f"{lang}.json").read_text(encoding="utf-8"))


def translate(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang`` (falling back to English), with values filled in."""
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE)[key]
    return text.format(**values) if values else text


def current_language() -> str:
    """The language of this view: ``lang=`` in the URL, else English."""
    import streamlit as st

    lang = st.query_params.get("lang", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **values: object) -> str:
    """Translate for the current page (reads ``lang=`` from the URL)."""
    return translate(key, current_language(), **values)
