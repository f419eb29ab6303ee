"""Presentation mode for a projector, reusable by any page (``present=1`` in the URL).

API:

- ``presentation_active() -> bool``: is ``present=1`` in the URL?
- ``presentation_toggle(key)``: a toggle on the page (not in the sidebar, which
  presentation mode hides) that adds or removes ``present=1``.
- ``apply_presentation_style()``: larger type, the sidebar and the top menu
  hidden. CSS only: pages cannot call ``st.set_page_config``, and Streamlit
  1.67 has no per-page ``initial_sidebar_state``.
- ``layer_stepper(analysis, key) -> LayerInfo``: previous/next buttons (keyboard:
  PageUp/PageDown, which is what presenter clickers send) around a slider over
  the layers (arrow keys once it has focus); the layer is kept in ``layer=`` so
  a link opens on it. Returns the selected layer.
"""

from __future__ import annotations

import streamlit as st

from components.engine.analysis import Analysis, LayerInfo
from components.ui.i18n import t
from components.ui.safe_text import plain

PRESENT_KEY = "present"
LAYER_KEY = "layer"
PREVIOUS_SHORTCUT = "PageUp"
NEXT_SHORTCUT = "PageDown"

_STYLE = """
<style>
section[data-testid="stSidebar"], div[data-testid="stSidebarCollapsedControl"],
button[data-testid="stExpandSidebarButton"] { display: none !important; }
div[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 2rem 3rem; }
div[data-testid="stMarkdownContainer"] p, div[data-testid="stMarkdownContainer"] li,
div[data-testid="stCaptionContainer"], div[data-testid="stWidgetLabel"] p,
div[data-testid="stTable"], div[data-testid="stText"] { font-size: 1.45rem !important; }
h1 { font-size: 3rem !important; }
h2 { font-size: 2.3rem !important; }
h3 { font-size: 1.9rem !important; }
div[data-testid="stCode"] code { font-size: 1.25rem !important; }
div[data-testid="stMetricValue"] { font-size: 2.6rem !important; }
button p { font-size: 1.3rem !important; }
</style>
"""


def presentation_active() -> bool:
    return st.query_params.get(PRESENT_KEY) == "1"


def _toggled(key: str) -> None:
    if st.session_state[key]:
        st.query_params[PRESENT_KEY] = "1"
    elif PRESENT_KEY in st.query_params:
        del st.query_params[PRESENT_KEY]


def presentation_toggle(key: str) -> bool:
    """The on/off switch, kept in the URL; returns whether presentation mode is on."""
    active = presentation_active()
    if st.session_state.get(key) != active:
        st.session_state[key] = active
    st.toggle(
        t("present.toggle"), key=key, help=t("present.toggle_help"), on_change=_toggled, args=(key,)
    )
    return active


def apply_presentation_style() -> None:
    st.html(_STYLE)


def _step(key: str, names: list[str], delta: int) -> None:
    index = names.index(st.session_state[key]) + delta
    st.session_state[key] = names[max(0, min(len(names) - 1, index))]
    st.query_params[LAYER_KEY] = st.session_state[key]


def _slid(key: str) -> None:
    st.query_params[LAYER_KEY] = st.session_state[key]


def layer_stepper(analysis: Analysis, key: str) -> LayerInfo:
    """Previous / slider / next over the layers; the choice is kept in ``layer=``."""
    names = [info.name for info in analysis.layers]
    wanted = st.query_params.get(LAYER_KEY)
    if key not in st.session_state and wanted is not None and wanted not in names:
        st.info(t("present.bad_layer", layer=plain(wanted[:40]), default=names[0]))
    if st.session_state.get(key) not in names:  # first run, or another network
        st.session_state[key] = wanted if wanted in names else names[0]
    elif wanted in names and wanted != st.session_state[key]:
        st.session_state[key] = wanted
    position = names.index(st.session_state[key])
    st.select_slider(
        t("present.layer", total=len(names)),
        options=names,
        key=key,
        on_change=_slid,
        args=(key,),
    )
    with st.container(horizontal=True):
        st.button(
            t("present.previous"),
            key=f"{key}_previous",
            icon=":material/arrow_back:",
            on_click=_step,
            args=(key, names, -1),
            disabled=position == 0,
            shortcut=PREVIOUS_SHORTCUT,
        )
        st.button(
            t("present.next"),
            key=f"{key}_next",
            icon=":material/arrow_forward:",
            on_click=_step,
            args=(key, names, 1),
            disabled=position == len(names) - 1,
            shortcut=NEXT_SHORTCUT,
        )
    return analysis.layers[names.index(st.session_state[key])]
