"""The shared network choice in the sidebar, kept in the share link.

``pick_network(key, allow_custom=True) -> NetworkSpec | None`` draws the controls
(a VGG configuration with batch norm, input H/W/C, head, classes, FC-as-conv; or,
with ``allow_custom``, a custom CNN from a preset or from the link's ``spec=``) and
keeps them in the URL's public, stable parameters: ``arch``, ``input`` (``224x224x3``),
``top``, ``bn``, ``fcconv`` (``1``/``0``), ``classes``, ``spec`` (base64url JSON),
``preset``. ``lang`` and any other parameter are left alone. Bad link values fall
back to defaults with a visible note; a combination the engine refuses (a 16×16
input for a VGG) shows the engine's message with ``st.error`` and returns None.

``key`` prefixes the widget keys (one picker per key); ``url_prefix`` prefixes the
URL parameters, so a page can hold two pickers (``a_arch``, ``b_arch``).
``network_params()`` and ``page_url()`` build links to other pages with the same network.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

import streamlit as st

from components.engine.analysis import Analysis, analyze
from components.engine.choice import VGGChoice, ascii_int, parse_input_size, with_input
from components.engine.errors import InputError
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
from components.ui.safe_text import plain

CUSTOM = "custom"
LINK_SOURCE = "link"  # the custom CNN decoded from ``spec=``
VGG_PARAMS = ("arch", "input", "top", "bn", "classes", "fcconv")
CUSTOM_PARAMS = ("spec", "preset", "input")
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


@lru_cache(maxsize=64)
def analysis_of(spec: NetworkSpec) -> Analysis:
    """The engine's analysis, cached per spec (specs are frozen, so hashable)."""
    return analyze(spec)


def spec_error_text(error: InputError) -> str:
    """The engine's issues (capped), in the page language, user text escaped."""
    return issue_lines(error.issues)


def _note(name: str, value: str, default: object) -> None:
    st.warning(t("common.url.bad_value", name=name, value=plain(value[:40]), default=default))


def _read_link(prefix: str, allow_custom: bool) -> _Start:
    query = st.query_params
    default = VGGChoice()
    start = _Start(default.arch, False, None, True, default.classes, False, None, None)
    arch = query.get(prefix + "arch")
    if arch is not None:
        try:
            start.arch, start.bn = resolve_arch(arch)
        except InputError:
            _note("arch", arch, default.arch)
    for name, attr in (("bn", "bn"), ("top", "top"), ("fcconv", "fcconv")):
        value = query.get(prefix + name)
        if value is None:
            continue
        if value in _FLAGS:
            named_bn = attr == "bn" and start.bn  # arch=vgg16_bn already asks for it
            setattr(start, attr, _FLAGS[value] or named_bn)
        else:
            _note(name, value, int(getattr(start, attr)))
    classes = query.get(prefix + "classes")
    if classes is not None:
        count = ascii_int(classes, 1, MAX_WIDTH)
        if count is not None:
            start.classes = count
        else:
            _note("classes", classes, default.classes)
    size = query.get(prefix + "input")
    if size is not None:
        try:
            start.shape = parse_input_size(size)
        except InputError:
            _note("input", size, "224x224x3")
    if allow_custom:
        token, preset = query.get(prefix + "spec"), query.get(prefix + "preset")
        if token is not None:
            try:
                start.link_spec = decode_spec(token)
                start.source = LINK_SOURCE
            except InputError as error:
                st.warning(t("common.url.bad_spec", error=spec_error_text(error)))
        elif preset is not None:
            if preset in preset_names():
                start.source = preset
            else:
                _note("preset", preset, t("common.net.vgg_default"))
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


def _init_state(key: str, prefix: str, allow_custom: bool) -> None:
    start = _read_link(prefix, allow_custom)
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


def _write_link(prefix: str, values: dict[str, str]) -> None:
    query = st.query_params
    for name in NETWORK_PARAMS:
        if name in values:
            if query.get(prefix + name) != values[name]:
                query[prefix + name] = values[name]
        elif prefix + name in query:
            del query[prefix + name]


def pick_network(
    key: str, *, allow_custom: bool = True, url_prefix: str = ""
) -> NetworkSpec | None:
    """Draw the network controls in the sidebar; the chosen spec, or None if it cannot be built."""
    state = st.session_state
    if f"{key}_arch" not in state:
        _init_state(key, url_prefix, allow_custom)
    arches = list(CONFIGS) + ([CUSTOM] if allow_custom else [])
    sources = ([LINK_SOURCE] if state.get(f"{key}_link_spec") else []) + preset_names()
    bar = st.sidebar
    bar.subheader(t("common.net.heading"))
    arch = bar.selectbox(
        t("common.net.arch"),
        arches,
        format_func=_arch_label,
        key=f"{key}_arch",
        on_change=_arch_changed,
        args=(key,),
    )
    custom = arch == CUSTOM
    if custom:
        if state.get(f"{key}_source") not in sources:
            state[f"{key}_source"] = sources[0]
            _source_changed(key)
        source = bar.selectbox(
            t("common.net.source"),
            sources,
            format_func=_source_label,
            key=f"{key}_source",
            on_change=_source_changed,
            args=(key,),
        )
    else:
        bar.toggle(t("common.net.bn"), key=f"{key}_bn", help=t("common.net.bn_help"))
    bar.caption(t("common.net.input"))
    cols = bar.columns(3)
    h = cols[0].number_input(t("common.net.height"), 1, MAX_INPUT_SIDE, step=1, key=f"{key}_h")
    w = cols[1].number_input(t("common.net.width"), 1, MAX_INPUT_SIDE, step=1, key=f"{key}_w")
    c = cols[2].number_input(t("common.net.channels"), 1, MAX_CHANNELS_IN, step=1, key=f"{key}_c")
    shape = (int(h), int(w), int(c))
    size = "x".join(map(str, shape))
    if not custom:
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
        bn = bool(state[f"{key}_bn"])
        choice = VGGChoice(arch, shape, top, bn, int(classes), fcconv)
        flags = {"top": top, "bn": bn, "fcconv": fcconv}
        values = {"arch": arch, "input": size, "classes": str(int(classes))}
        _write_link(url_prefix, values | {k: str(int(v)) for k, v in flags.items()})
    elif source == LINK_SOURCE:
        _write_link(url_prefix, {"spec": encode_spec(_custom_spec(key, source)), "input": size})
    else:
        _write_link(url_prefix, {"preset": source, "input": size})
    try:
        spec = with_input(_custom_spec(key, source), shape) if custom else choice.spec()
        analysis_of(spec)
    except InputError as error:
        st.error(t("common.net.cannot_build", error=spec_error_text(error)))
        return None
    return spec


def network_params(url_prefix: str = "") -> dict[str, str]:
    """The network's link parameters as they stand in the URL (plus ``lang``), unprefixed."""
    query = st.query_params
    params = {
        name: query[url_prefix + name] for name in NETWORK_PARAMS if url_prefix + name in query
    }
    if LANGUAGE_KEY in query:
        params[LANGUAGE_KEY] = query[LANGUAGE_KEY]
    return params


def page_url(page: str, params: dict[str, str], **extra: str) -> str:
    """A relative link to another page of the app (``activations?arch=vgg16&layer=...``)."""
    return f"{page}?{urlencode(params | extra)}"
