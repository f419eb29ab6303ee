"""The shared network choice in the sidebar, kept in the share link.

``pick_network(key) -> NetworkSpec | None`` draws the controls
(a VGG configuration with batch norm, input H/W/C, head, classes, FC-as-conv; or
a custom CNN from a preset or from the link's ``spec=``) and
keeps them in the URL's public, stable parameters: ``arch``, ``input`` (``224x224x3``),
``top``, ``bn``, ``fcconv`` (``1``/``0``), ``classes``, ``spec`` (base64url JSON),
``preset``. ``lang`` and any other parameter are left alone. Bad link values fall
back to defaults with a visible note; a combination the engine refuses (a 16×16
input for a VGG) shows the engine's message with ``st.error`` and returns None.

``key`` prefixes the widget keys (one picker per key); the link is read and written
through :mod:`components.ui.url_state`.
``network_params()`` and ``page_url()`` build links to other pages with the same network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from components.engine.analysis import Analysis, analyze
from components.engine.choice import VGGChoice, ascii_int, parse_input_size, with_input
from components.engine.errors import InputError
from components.engine.formatting import size_text
from components.engine.presets import load_preset, preset_names
from components.engine.spec import (
    MAX_CHANNELS_IN,
    MAX_INPUT_SIDE,
    MAX_WIDTH,
    NetworkSpec,
    decode_spec,
    encode_spec,
)
from components.engine.vgg import CONFIGS, resolve_arch
from components.ui.i18n import LANGUAGE_KEY, t
from components.ui.messages import issue_lines
from components.ui.url_state import (
    bad_value_note,
    in_link,
    link_params,
    link_parsed,
    link_value,
    refused_as_none,
    write_link,
)

CUSTOM = "custom"
LINK_SOURCE = "link"  # the custom CNN decoded from ``spec=``
NETWORK_PARAMS = ("arch", "input", "top", "bn", "classes", "fcconv", "spec", "preset")
_FLAGS = {"1": True, "0": False}


@dataclass
class _Start:
    """Widget values read once from the link, before the widgets first exist."""

    arch: str
    bn: bool
    shape: tuple[int, int, int] | None
    top: bool
    classes: int
    fcconv: bool
    source: str | None
    link_spec: NetworkSpec | None


# For Streamlit's caches keyed by a spec (alone or inside a tuple): hash its text, built
# once per spec, rather than walking its layers on every rerun (4 ms for VGG19-BN).
SPEC_HASH_FUNCS: dict[str | type[Any], Callable[[Any], Any]] = {NetworkSpec: attrgetter("identity")}


@lru_cache(maxsize=64)
def analysis_of(spec: NetworkSpec) -> Analysis:
    """The engine's analysis, cached per spec (specs are frozen, so hashable)."""
    return analyze(spec)


def spec_error_text(error: InputError) -> str:
    """The engine's issues (capped), in the page language, user text escaped."""
    return issue_lines(error.issues)


def _read_flag(name: str, shown_default: bool) -> bool | None:
    return link_parsed(name, _FLAGS.get, int(shown_default))


def _read_link_spec() -> NetworkSpec | None:
    token = link_value("spec")
    if token is None:
        return None
    try:
        return decode_spec(token)
    except InputError as error:
        used = t("common.net.vgg_default")
        bad_value_note("spec", token, used, spec_error_text(error))
        return None


def _read_link() -> _Start:
    default = VGGChoice()
    start = _Start(default.arch, False, None, True, default.classes, False, None, None)
    arch = link_parsed("arch", refused_as_none(resolve_arch), default.arch)
    if arch is not None:
        start.arch, start.bn = arch
    bn = _read_flag("bn", start.bn)
    if bn is not None:
        start.bn = bn or start.bn  # arch=vgg16_bn already asks for it
    top, fcconv = _read_flag("top", start.top), _read_flag("fcconv", start.fcconv)
    start.top = start.top if top is None else top
    start.fcconv = start.fcconv if fcconv is None else fcconv
    classes = link_parsed("classes", lambda v: ascii_int(v, 1, MAX_WIDTH), default.classes)
    start.classes = default.classes if classes is None else classes
    shown_size = size_text(default.input_shape)
    start.shape = link_parsed("input", refused_as_none(parse_input_size), shown_size)
    start.link_spec = _read_link_spec()
    if start.link_spec is not None:
        start.source = LINK_SOURCE
    elif not in_link("spec"):
        presets = preset_names()
        preset = link_parsed("preset", lambda v: v if v in presets else None,
                             t("common.net.vgg_default"))  # fmt: skip
        start.source = preset
    return start


def _custom_spec(key: str, source: str) -> NetworkSpec:
    if source == LINK_SOURCE:
        return st.session_state[f"{key}_link_spec"]
    return load_preset(source)


def _set_shape(key: str, shape: tuple[int, int, int]) -> None:
    st.session_state[f"{key}_h"], st.session_state[f"{key}_w"], st.session_state[f"{key}_c"] = shape


def _source_changed(key: str) -> None:
    """A new custom network brings its own input size."""
    _set_shape(key, _custom_spec(key, st.session_state[f"{key}_source"]).input_shape)


def _arch_changed(key: str) -> None:
    source = st.session_state.get(f"{key}_source")
    if st.session_state[f"{key}_arch"] == CUSTOM and source is not None:
        _source_changed(key)


def _init_state(key: str) -> None:
    start = _read_link()
    state = st.session_state
    state[f"{key}_link_spec"] = start.link_spec
    if start.source is not None:
        state[f"{key}_arch"] = CUSTOM
        state[f"{key}_source"] = start.source
    else:
        state[f"{key}_arch"] = start.arch
    state[f"{key}_bn"] = start.bn
    state[f"{key}_top"] = start.top
    state[f"{key}_classes"] = start.classes
    state[f"{key}_fcconv"] = start.fcconv
    shape = start.shape
    if shape is None:
        shape = (
            _custom_spec(key, start.source).input_shape
            if start.source is not None
            else VGGChoice().input_shape
        )
    _set_shape(key, shape)


def _arch_label(arch: str) -> str:
    if arch == CUSTOM:
        return t("common.net.custom")
    cfg = CONFIGS[arch]
    return t("common.net.arch_option", title=cfg.title, letter=cfg.letter)


def _source_label(source: str) -> str:
    return t("common.net.from_link") if source == LINK_SOURCE else source


def pick_network(key: str) -> NetworkSpec | None:
    """Draw the network controls in the sidebar; the chosen spec, or None if it cannot be built."""
    if f"{key}_arch" not in st.session_state:
        _init_state(key)
    bar = st.sidebar
    bar.subheader(t("common.net.heading"))
    arch = _arch_ui(bar, key)
    if arch == CUSTOM:
        source = _source_ui(bar, key)
        shape = _input_ui(bar, key)
        _keep_custom_in_link(key, source, shape)
        return _build_or_report(lambda: with_input(_custom_spec(key, source), shape))
    bar.toggle(t("common.net.bn"), key=f"{key}_bn", help=t("common.net.bn_help"))
    choice = _vgg_ui(bar, key, arch, _input_ui(bar, key))
    _keep_vgg_in_link(choice)
    return _build_or_report(choice.spec)


def _arch_ui(bar: Any, key: str) -> str:
    """The VGG configurations and "custom"."""
    return bar.selectbox(
        t("common.net.arch"),
        [*CONFIGS, CUSTOM],
        format_func=_arch_label,
        key=f"{key}_arch",
        on_change=_arch_changed,
        args=(key,),
    )


def _source_ui(bar: Any, key: str) -> str:
    """Where the custom network comes from: the link's ``spec=`` or a preset."""
    state = st.session_state
    sources = ([LINK_SOURCE] if state.get(f"{key}_link_spec") else []) + preset_names()
    if state.get(f"{key}_source") not in sources:
        state[f"{key}_source"] = sources[0]
        _source_changed(key)
    return bar.selectbox(
        t("common.net.source"),
        sources,
        format_func=_source_label,
        key=f"{key}_source",
        on_change=_source_changed,
        args=(key,),
    )


def _input_ui(bar: Any, key: str) -> tuple[int, int, int]:
    """The input's height, width and channels, side by side."""
    bar.caption(t("common.net.input"))
    cols = bar.columns(3)
    h = cols[0].number_input(t("common.net.height"), 1, MAX_INPUT_SIDE, step=1, key=f"{key}_h")
    w = cols[1].number_input(t("common.net.width"), 1, MAX_INPUT_SIDE, step=1, key=f"{key}_w")
    c = cols[2].number_input(t("common.net.channels"), 1, MAX_CHANNELS_IN, step=1, key=f"{key}_c")
    return (int(h), int(w), int(c))


def _vgg_ui(bar: Any, key: str, arch: str, shape: tuple[int, int, int]) -> VGGChoice:
    """The head's options (classes and FC-as-conv only with a head): the whole VGG choice."""
    top = bar.toggle(t("common.net.top"), key=f"{key}_top", help=t("common.net.top_help"))
    classes = bar.number_input(
        t("common.net.classes"), 1, MAX_WIDTH, step=1, key=f"{key}_classes", disabled=not top
    )
    fcconv = bar.toggle(
        t("common.net.fcconv"),
        key=f"{key}_fcconv",
        disabled=not top,
        help=t("common.net.fcconv_help"),
    )
    bn = bool(st.session_state[f"{key}_bn"])
    return VGGChoice(arch, shape, top, bn, int(classes), fcconv)


def _keep_vgg_in_link(choice: VGGChoice) -> None:
    flags = {"top": choice.include_top, "bn": choice.batch_norm, "fcconv": choice.fc_as_conv}
    values = {
        "arch": choice.arch,
        "input": size_text(choice.input_shape),
        "classes": str(choice.classes),
    }
    write_link(values | {k: str(int(v)) for k, v in flags.items()}, NETWORK_PARAMS)


def _keep_custom_in_link(key: str, source: str, shape: tuple[int, int, int]) -> None:
    size = size_text(shape)
    if source == LINK_SOURCE:
        write_link({"spec": encode_spec(_custom_spec(key, source)), "input": size}, NETWORK_PARAMS)
    else:
        write_link({"preset": source, "input": size}, NETWORK_PARAMS)


def _build_or_report(make: Callable[[], NetworkSpec]) -> NetworkSpec | None:
    """The spec, checked by the engine's analysis; the engine's message and None if refused."""
    try:
        spec = make()
        analysis_of(spec)
    except InputError as error:
        st.error(t("common.net.cannot_build", error=spec_error_text(error)))
        return None
    return spec


def network_params() -> dict[str, str]:
    """The network's link parameters as they stand in the URL (plus ``lang``)."""
    return link_params((*NETWORK_PARAMS, LANGUAGE_KEY))


def page_url(page: str, params: dict[str, str], **extra: str) -> str:
    """A relative link to another page of the app (``activations?arch=vgg16&layer=...``)."""
    return f"{page}?{urlencode(params | extra)}"
