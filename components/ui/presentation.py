"""Presentation mode for a projector, reusable by any page (``present=1`` in the URL).

API:

- ``presentation_active() -> bool``: is ``present=1`` in the URL?
- ``presentation_toggle_ui(key)``: a toggle on the page (not in the sidebar, which
  presentation mode hides) that adds or removes ``present=1``.
- ``apply_presentation_style()``: larger type, the sidebar and the top menu
  hidden. CSS only: pages cannot call ``st.set_page_config``, and Streamlit
  1.67 has no per-page ``initial_sidebar_state``.
- ``layer_stepper_ui(analysis, key) -> LayerInfo``: previous/next buttons (keyboard:
  PageUp/PageDown, which is what presenter clickers send) around a slider over
  the layers (arrow keys once it has focus); the layer is kept in ``layer=`` so
  a link opens on it. Returns the selected layer. In presentation mode the arrow
  keys step too, and the slider gives way to "layer 5 of 23" (a focused slider
  would take the arrow keys twice).
- ``option_stepper_ui(key, options, labels, url_key)``: the same keys over any list (the
  Learn page's lessons), with the students' link in the same row.
- ``present_layer_ui(analysis, key)``: one layer per screen for a projector: the
  chart beside its explanation, both in view at 1024×768.
- ``share_link_ui()``: a "link for students" popover: the page's link to copy and
  its QR code (``segno``, pure Python).
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

import segno
import streamlit as st

from components.engine.analysis import Analysis, FormulaLabel, LayerInfo
from components.ui.i18n import t
from components.ui.url_state import (
    bad_value_note,
    drop_from_link,
    keep_in_link,
    keep_key_in_link,
    link_params,
    link_value,
)

PRESENT_KEY = "present"
LAYER_KEY = "layer"
PREVIOUS_SHORTCUT = "PageUp"
NEXT_SHORTCUT = "PageDown"
ARROW_SHORTCUTS = ("Left", "Right")  # presentation mode: a twin of each button, kept out of view

_STYLE = """
<style>
section[data-testid="stSidebar"], div[data-testid="stSidebarCollapsedControl"],
button[data-testid="stExpandSidebarButton"] { display: none !important; }
div[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 3.6rem 1.5rem 1rem; }
div[data-testid="stMainBlockContainer"] div[data-testid="stVerticalBlock"] { gap: 0.6rem; }
div[data-testid="stMarkdownContainer"] p, div[data-testid="stMarkdownContainer"] li,
div[data-testid="stCaptionContainer"], div[data-testid="stWidgetLabel"] p,
div[data-testid="stTable"], div[data-testid="stText"] { font-size: 1.35rem !important; }
h1 { font-size: 2rem !important; padding: 0 0 0.2rem !important; }
h2 { font-size: 1.8rem !important; padding: 0.2rem 0 !important; }
h3 { font-size: 1.5rem !important; }
div[data-testid="stCode"] code, div[data-testid="stMarkdownContainer"] code {
  font-size: 1.1rem !important; }
div[data-testid="stMetricValue"] { font-size: 2.4rem !important; }
button p { font-size: 1.3rem !important; }
div[data-baseweb="select"] div, div[data-baseweb="input"] input, ul[role="listbox"] li,
input[data-testid="stNumberInputField"], div[data-testid="stTextInputRootElement"] input,
div[data-testid="stSliderThumbValue"] { font-size: 1.3rem !important; }
div[data-testid="stSliderTickBar"] { display: none; }
div[data-testid="stSlider"] > [data-testid="stWidgetLabel"] { margin-bottom: 1.2rem; }
div[data-testid="stDataFrame"] { zoom: 1.2; width: calc(100% / 1.2) !important; }
div[class*="st-key-vx_arrow_keys"] { position: absolute; left: -9999px; height: 0; }
</style>
"""


def presentation_active() -> bool:
    return link_value(PRESENT_KEY) == "1"


def _toggled(key: str) -> None:
    if st.session_state[key]:
        keep_in_link(PRESENT_KEY, "1")
    else:
        drop_from_link(PRESENT_KEY)


def presentation_toggle_ui(key: str) -> bool:
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


def _step(key: str, names: list[str], delta: int, url_key: str | None) -> None:
    index = names.index(st.session_state[key]) + delta
    st.session_state[key] = names[max(0, min(len(names) - 1, index))]
    if url_key is not None:
        keep_key_in_link(url_key, key)


def _buttons_ui(key: str, names: list[str], url_key: str | None) -> None:
    """Previous / next (PageUp / PageDown: what presenter clickers send) over ``names``."""
    position = names.index(st.session_state[key])
    for label, icon, delta, shortcut, at_end in (
        ("previous", "arrow_back", -1, PREVIOUS_SHORTCUT, position == 0),
        ("next", "arrow_forward", 1, NEXT_SHORTCUT, position == len(names) - 1),
    ):
        st.button(
            t(f"present.{label}"), key=f"{key}_{label}", icon=f":material/{icon}:",
            on_click=_step, args=(key, names, delta, url_key), disabled=at_end,
            shortcut=shortcut,
        )  # fmt: skip


def _arrow_twins_ui(key: str, names: list[str], url_key: str | None) -> None:
    """The arrow keys step too: twins of the buttons, kept out of view (presentation mode)."""
    position = names.index(st.session_state[key])
    with st.container(key=f"vx_arrow_keys_{key}"):
        for shortcut, delta, at_end in (
            (ARROW_SHORTCUTS[0], -1, position == 0),
            (ARROW_SHORTCUTS[1], 1, position == len(names) - 1),
        ):
            st.button(
                shortcut, key=f"{key}_{shortcut.lower()}", on_click=_step,
                args=(key, names, delta, url_key), disabled=at_end, shortcut=shortcut,
            )  # fmt: skip


def _present_row(key: str, names: list[str], url_key: str, where: str) -> None:
    """Presentation mode's one control row: previous, next, where we are, the students' link."""
    with st.container(horizontal=True, vertical_alignment="center", key=f"vx_stepper_{key}"):
        _buttons_ui(key, names, url_key)
        st.markdown(where)
        share_link_ui()
    _arrow_twins_ui(key, names, url_key)


def option_stepper_ui(key: str, options: list[str], labels: dict[str, str], url_key: str) -> None:
    """Presentation mode over any list (the Learn page's lessons, in ``st.session_state[key]``
    and ``url_key=``): previous / next by button, PageUp / PageDown and the arrow keys."""
    position = options.index(st.session_state[key])
    where = t("classroom.present.step", n=position + 1, total=len(options),
              name=labels[st.session_state[key]])  # fmt: skip
    _present_row(key, options, url_key, where)


def layer_stepper_ui(analysis: Analysis, key: str) -> LayerInfo:
    """Previous / slider / next over the layers; the choice is kept in ``layer=``."""
    names = [info.name for info in analysis.layers]
    wanted = link_value(LAYER_KEY)
    if key not in st.session_state and wanted is not None and wanted not in names:
        bad_value_note(LAYER_KEY, wanted, names[0])
    if st.session_state.get(key) not in names:  # first run, or another network
        st.session_state[key] = wanted if wanted in names else names[0]
    elif wanted in names and wanted != st.session_state[key]:
        st.session_state[key] = wanted
    if presentation_active():
        where = t("classroom.present.position", n=names.index(st.session_state[key]) + 1,
                  total=len(names), name=st.session_state[key])  # fmt: skip
        _present_row(key, names, LAYER_KEY, where)
    else:
        st.select_slider(
            t("present.layer", total=len(names)),
            options=names,
            key=key,
            on_change=keep_key_in_link,
            args=(LAYER_KEY, key),
        )
        with st.container(horizontal=True):
            _buttons_ui(key, names, LAYER_KEY)
    return analysis.layers[names.index(st.session_state[key])]


def present_layer_ui(analysis: Analysis, key: str) -> None:
    """One layer per screen: the stepper, then the chart beside the layer's explanation
    (shape change, its size/parameter/compute formulas, what it sees), all in view at 1024×768."""
    from components.ui.network_view import show_diagram

    info = layer_stepper_ui(analysis, f"{key}_step")
    chart, words = st.columns([5, 4], gap="medium")
    with chart:
        show_diagram(analysis, key, info.name, height=460, projector=True)
    with words, st.container(key=f"vx_present_explain_{key}"):
        explain_compactly(info)


PRESENT_FORMULAS = (
    FormulaLabel.OUTPUT_SIZE,
    FormulaLabel.OUTPUT_HEIGHT,
    FormulaLabel.OUTPUT_WIDTH,
    FormulaLabel.PARAMS,
    FormulaLabel.MACS,
)


def explain_compactly(info: LayerInfo) -> None:
    """The explanation of one layer that fits beside the chart on a projector."""
    from components.engine.report import shape_text
    from components.ui.layer_explain import receptive_field_text
    from components.ui.practice import formula_text

    st.markdown(
        t("explain.heading", name=info.name, type=info.keras_class,
          before=shape_text(info.input_shape), after=shape_text(info.output_shape))
    )  # fmt: skip
    shown = [f for f in info.formulas if f.label in PRESENT_FORMULAS]
    for formula in shown:
        st.markdown(formula_text(formula))
    if not shown:
        st.markdown(t("explain.no_formula", type=info.keras_class))
    st.markdown(receptive_field_text(info))


def student_link() -> str:
    """This view's address for students: the page's URL and its query, without ``present``."""
    base = (st.context.url or "").split("?", 1)[0]
    query = {k: v for k, v in link_params().items() if k != PRESENT_KEY}
    return base + ("?" + urlencode(query) if query else "")


def qr_png(text: str) -> bytes:
    """A QR code of ``text`` as PNG bytes, big enough to scan from the back of a room."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def share_link_ui() -> None:
    """A visible "link for students" button: the link to copy and its QR code."""
    link = student_link()
    with st.popover(t("classroom.present.share"), icon=":material/qr_code_2:"):
        st.caption(t("classroom.present.share_help"))
        st.code(link, language=None, wrap_lines=True)
        st.image(qr_png(link), width=320, output_format="PNG")
