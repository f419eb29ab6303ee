"""The one owner of link values: any value is either used or falls back with the one note,
escaped; a widget change goes back into the link and is not undone by the link."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from components.ui.safe_text import plain
from components.ui.url_state import SHOWN_CHARS, bad_value_text
from tests.apptest import as_read

OPTIONS = ("alpha", "beta", "gamma")


def _page() -> None:
    import streamlit as st

    from components.ui.url_state import keep_key_in_link, start_from_link

    start_from_link("pick", "pick", ("alpha", "beta", "gamma"), "alpha")
    st.selectbox("Pick", ("alpha", "beta", "gamma"), key="pick", on_change=keep_key_in_link,
                 args=("pick", "pick"))  # fmt: skip


def _open(value: str | None) -> AppTest:
    at = AppTest.from_function(_page, default_timeout=30)
    if value is not None:
        at.query_params["pick"] = value
    return at.run()


link_text = st.one_of(
    st.sampled_from([*OPTIONS, "", "ALPHA", "[x](https://e.com)", "<script>", "a" * 500]),
    st.text(max_size=60),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(link_text)
def test_any_link_value_is_used_or_falls_back_with_one_escaped_note(value: str) -> None:
    at = _open(value)
    assert not at.exception
    notes = [w.value for w in at.warning]
    if value in OPTIONS:
        assert at.selectbox(key="pick").value == value and not notes
    else:
        assert at.selectbox(key="pick").value == "alpha"
        (note,) = notes
        assert f"pick={plain(value[:SHOWN_CHARS])}" in note  # the value as text, never markup
        assert "alpha" in note  # what is used instead


def test_a_widget_change_goes_into_the_link_and_the_link_does_not_undo_it() -> None:
    at = _open("beta")
    at.selectbox(key="pick").set_value("gamma").run()
    assert at.query_params["pick"] == "gamma"
    at.run()
    assert at.selectbox(key="pick").value == "gamma" and not at.warning


def test_the_note_shows_the_value_as_written_and_never_as_markup() -> None:
    text = bad_value_text("layer", "[x](https://e.com)", "block1_conv1")
    assert "[x](https" not in text  # no live link inside the app's own message
    assert "layer=[x](https://e.com)" in as_read(text) and "block1_conv1" in text
