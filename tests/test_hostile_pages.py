"""Every page with hostile links, in AppTest as a link opens it.

No value of any query parameter may raise (``at.exception``) or become markup: the
Markdown the app sends, rendered the way the browser does (GitHub-flavoured, with
autolinks and HTML), holds no link the app did not write. The safety net turns an
unexpected exception into one short message with an id, logged in full.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from components.engine.presets import load_preset
from components.engine.spec import encode_spec
from tests.apptest import open_page, sources
from tests.conftest import ROOT

EVIL = "[Log in](https://evil.example)"
RENDER = MarkdownIt("gfm-like")  # what Streamlit's react-markdown does: GFM, autolinks, HTML
# remark-gfm also links bare URLs and e-mail addresses found in the rendered text
# (after backslash escapes are resolved): its patterns, applied to that text.
APP_LINKS = set(  # every documentation page the accuracy table cites
    re.findall(r'"(https://[^"]+)"', (ROOT / "assets" / "imagenet_accuracy.json").read_text())
)
AUTOLINK = re.compile(r"(?i)(?:https?://|www(?=\.))[-.\w]+|[-.\w+]+@[-\w]+(?:\.[-\w]+)+")


def own_link(anchor: str) -> bool:
    """The app's own citations (the accuracy table's documentation pages), not user text."""
    href = re.search(r'href="([^"]*)"', anchor)
    return href is not None and href.group(1) in APP_LINKS


def live_links(at: AppTest) -> list[str]:
    """Links in the Markdown of the page's text and messages, rendered as the browser does."""
    found = []
    for source in sources(at):
        rendered = RENDER.render(source)
        found += [a for a in re.findall(r"<a [^>]*>", rendered) if not own_link(a)]
        text = html.unescape(re.sub(r"<[^>]+>", " ", rendered))
        found += [match.group(0) for match in AUTOLINK.finditer(text)]
    return found


def token(raw: object) -> str:
    text = json.dumps(raw)  # a lone surrogate travels as \\ud800, as in a crafted link
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def named(name: str) -> str:
    """A valid custom network whose name is ``name`` (shown in titles and messages)."""
    raw = load_preset("tiny-vgg").to_dict() | {"name": name}
    return token(raw)


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert live_links(at) == [], live_links(at)


# ------------------------------------------------------------------ markup


@pytest.mark.parametrize(
    ("script", "params"),
    [
        ("pages/architecture.py", {"arch": EVIL}),
        ("pages/architecture.py", {"input": EVIL}),
        ("pages/architecture.py", {"preset": EVIL}),
        ("pages/architecture.py", {"top": EVIL, "bn": EVIL, "fcconv": EVIL, "classes": EVIL}),
        ("pages/architecture.py", {"layer": EVIL}),
        ("pages/architecture.py", {"spec": named(EVIL)}),
        ("pages/architecture.py", {"spec": named("<a href='https://evil.example'>x</a>")}),
        ("pages/architecture.py", {"spec": named("www.evil.example $x$ a@evil.example")}),
        ("pages/architecture.py", {"spec": token({"name": "x", "input": [8, 8, 3],
                                                  "layers": [{"type": "dense", "units": 2,
                                                              "activation": EVIL}]})}),
        ("pages/custom.py", {"preset": EVIL}),
        ("pages/custom.py", {"input": EVIL}),
        ("pages/custom.py", {"spec": named(EVIL)}),
        ("pages/custom.py", {"spec": token({"name": EVIL, "input": [8, 8, 3],
                                            "layers": [{"type": EVIL}]})}),
        ("pages/compare.py", {"cmp": f"vgg16,{EVIL},vgg16@{EVIL}"}),
        ("pages/compare.py", {"spec": named(EVIL)}),
        ("pages/compare.py", {"cmp": "spec,vgg16", "spec": named(EVIL)}),
        ("pages/learn.py", {"lesson": EVIL}),
        ("pages/activations.py", {"arch": EVIL, "input": "16x16x3", "weights": EVIL}),
    ],
)  # fmt: skip
def test_user_text_never_becomes_a_link(script: str, params: dict[str, str]) -> None:
    at = open_page(script, **params)
    assert_clean(at)
    shown = "\n".join(sources(at))
    assert "Log in" in shown or "evil" in shown or "x" in shown  # shown, as text


def test_a_spec_name_in_the_title_is_text() -> None:
    at = open_page("pages/architecture.py", spec=named(EVIL))
    assert_clean(at)
    assert "[Log in]" in RENDER.render(at.title[0].value)


def test_the_custom_pages_compare_link_is_honoured() -> None:
    """ "Open on Compare" carries spec=; the compare page shows that network beside VGG16."""
    spec = load_preset("tiny-vgg").to_dict() | {"name": "my-net"}
    spec["layers"][0]["filters"] = 12
    custom = open_page("pages/custom.py", spec=token(spec))
    urls = [b.proto.url for b in custom.get("link_button")]
    compare_url = next(u for u in urls if u.startswith("compare?"))
    query = parse_qs(urlsplit(compare_url).query)
    assert query["cmp"] == ["spec"]
    link = query["spec"][0]
    at = open_page("pages/compare.py", cmp="spec", spec=link)
    assert_clean(at)
    assert at.query_params["cmp"] in ("spec,vgg16", "spec")
    assert "my-net" in "\n".join(sources(at)).replace("\\", "")
    assert at.query_params["spec"] == link  # the share link keeps the network
    old = open_page("pages/compare.py", spec=link)  # a link without cmp=: the same comparison
    assert_clean(old)
    assert "my-net" in "\n".join(sources(old)).replace("\\", "")
    assert old.query_params["cmp"] == "spec,vgg16"
    old.selectbox(key="cmp_0_net").set_value("vgg11").run()  # the link's network left out
    assert old.query_params["cmp"] == "vgg11,vgg16" and "spec" not in old.query_params


# ------------------------------------------------------------------ any value of any parameter

hostile = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=24),
    st.sampled_from([EVIL, "²", "①", "٣", "9" * 5000, "-1", "0", "1", "", " ", "vgg16",
                     "vgg19_bn", "224x224x3", "16x16x3", "4096x4096x4", "tiny-vgg", "nope",
                     "a\nb", "%00", "<b>x</b>", "size", "block1_conv1", "spec"]),
)  # fmt: skip
spec_token = st.one_of(
    hostile,
    st.sampled_from([named(EVIL), named("a\u202eb"), encode_spec(load_preset("lenet5")),
                     token({"type": []}), token({"name": "\ud800"}), token([[[[]]]]),
                     token({"input": [8, 8, 3], "layers": [{"type": "flatten",
                                                            "name": "input_layer"}]})]),
)  # fmt: skip
PAGE_SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def params_of(names: tuple[str, ...], spec: bool = False) -> st.SearchStrategy[dict[str, str]]:
    optional = {name: hostile for name in names}
    if spec:
        optional["spec"] = spec_token
    return st.fixed_dictionaries({}, optional=optional)


@PAGE_SETTINGS
@given(params_of(("arch", "input", "top", "bn", "fcconv", "classes", "layer", "present",
                  "preset", "lang"), spec=True))  # fmt: skip
def test_architecture_page_any_link(params: dict[str, str]) -> None:
    assert_clean(open_page("pages/architecture.py", **params))


@PAGE_SETTINGS
@given(params_of(("preset", "input", "lang"), spec=True))
def test_custom_page_any_link(params: dict[str, str]) -> None:
    assert_clean(open_page("pages/custom.py", **params))


@PAGE_SETTINGS
@given(params_of(("cmp", "lang"), spec=True))
def test_compare_page_any_link(params: dict[str, str]) -> None:
    assert_clean(open_page("pages/compare.py", **params))


@PAGE_SETTINGS
@given(params_of(("lesson", "present", "lang")))
def test_learn_page_any_link(params: dict[str, str]) -> None:
    assert_clean(open_page("pages/learn.py", **params))


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params_of(("weights", "sample", "layer", "input", "lang")))
def test_activations_page_any_link(params: dict[str, str]) -> None:
    """A small custom CNN with random weights: TensorFlow loads once, each run is quick."""
    assert_clean(open_page("pages/activations.py", preset="lenet5", **params))


# ------------------------------------------------------------------ the safety net

APP = """
import streamlit as st
from components.ui.safety import run_guarded
page = st.navigation([st.Page({bad!r}, url_path="bad"), st.Page({good!r}, url_path="good")])
run_guarded(page.run)
"""
BAD = """
import streamlit as st
st.session_state.runs = st.session_state.get("runs", 0) + 1
if st.session_state.runs == 1:
    st.rerun()  # Streamlit's control flow passes through the boundary
if st.query_params.get("stop") == "1":
    st.stop()
st.write("before the bug")
raise RuntimeError("secret internal detail /etc/passwd")
"""
GOOD = """
import streamlit as st
st.write("the good page")
"""


@pytest.fixture
def app(tmp_path: Path) -> AppTest:
    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "good.py").write_text(GOOD)
    main = tmp_path / "main.py"
    main.write_text(APP.format(bad=str(tmp_path / "bad.py"), good=str(tmp_path / "good.py")))
    return AppTest.from_file(str(main), default_timeout=30)


def test_an_unexpected_error_is_a_short_message_with_an_id(app, caplog) -> None:
    with caplog.at_level(logging.ERROR, logger="vgg_explorer"):
        app.run()
    assert not app.exception
    assert app.session_state.runs == 2  # st.rerun went through the boundary
    assert "before the bug" in [m.value for m in app.markdown]
    (message,) = [e.value for e in app.error]
    error_id = re.search(r"error ([0-9a-f]{8})", message).group(1)
    assert "secret" not in message and "Traceback" not in message
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and "secret internal detail" in logged[0].exc_text
    app.switch_page(str(Path(app._script_path).parent / "good.py")).run()  # the session goes on
    assert not app.exception and not app.error
    assert "the good page" in [m.value for m in app.markdown]


def test_st_stop_passes_through_the_boundary(app) -> None:
    app.query_params["stop"] = "1"
    app.run()
    assert not app.exception and not app.error


# ------------------------------------------------------------------ paste and upload on /custom

MANY_FIELDS = {"type": "flatten"} | {str(i): 1 for i in range(5000)}

pasted = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=200),
    st.sampled_from([json.dumps({"type": []}), "[" * 5000, '{"input": [8, 8, ' + "9" * 5000 + "]}",
                     json.dumps({"name": EVIL, "input": [8, 8, 3], "layers": [{"type": EVIL}]}),
                     '{"name": "\\ud800", "input": [8, 8, 3], "layers": [{"type": "flatten"}]}',
                     json.dumps({"name": "x", "input": [8, 8, 3], "layers": [MANY_FIELDS]}),
                     load_preset("lenet5").to_json()]),
)  # fmt: skip


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pasted, st.booleans())
def test_custom_page_any_paste_or_upload(text: str, upload: bool) -> None:
    at = open_page("pages/custom.py")
    if upload:
        data = text.encode("utf-8", "surrogatepass")
        at.file_uploader(key="custom_upload").set_value(("x.json", data, "application/json"))
    else:
        at.text_area(key="custom_paste").input(text).run()
        at.button(key="custom_paste_load").click()
    at.run()
    assert_clean(at)
    assert at.error or at.success  # refused with the reason, or loaded
    assert all(len(e.value) < 5000 for e in at.error)  # a capped list, not megabytes
