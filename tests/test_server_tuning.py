"""Server settings: Keras' session kept between runs, no full GC per run, models held."""

from __future__ import annotations

import sys
import tomllib
import types

from hypothesis import given
from hypothesis import strategies as st
from streamlit.runtime.scriptrunner import script_runner

from components.ui.activation_views import models_held
from components.ui.server_tuning import STREAMLIT_CLEANUP, keep_keras_session
from tests.conftest import ROOT


def fake_keras() -> tuple[types.ModuleType, list[str]]:
    calls: list[str] = []
    keras = types.ModuleType("keras")
    keras.backend = types.SimpleNamespace(clear_session=lambda: calls.append("clear"))  # type: ignore[attr-defined]
    return keras, calls


def test_streamlit_would_clear_keras_after_a_run_and_no_longer_does(monkeypatch):
    keras, calls = fake_keras()
    monkeypatch.setitem(sys.modules, "keras", keras)
    # Streamlit's own cleanup, even when an earlier test in this process ran app.py
    original = (STREAMLIT_CLEANUP or [script_runner._clean_problem_modules])[0]
    monkeypatch.setattr(script_runner, "_clean_problem_modules", original)
    original()
    assert calls == ["clear"]  # what Streamlit does after every run once Keras is loaded
    keep_keras_session()
    keep_keras_session()  # once per process is enough; twice changes nothing
    script_runner._clean_problem_modules()
    assert calls == ["clear"]


def test_pyplot_figures_are_still_closed(monkeypatch):
    closed: list[str] = []
    pyplot = types.SimpleNamespace(close=closed.append)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", pyplot)
    monkeypatch.setattr(script_runner, "_clean_problem_modules", lambda: None)
    keep_keras_session()
    script_runner._clean_problem_modules()
    assert closed == ["all"]


def test_no_full_gc_after_every_run():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


@given(st.one_of(st.none(), st.text(max_size=12)))
def test_models_held_is_a_sane_count_whatever_the_setting(setting):
    held = models_held(setting)
    assert 1 <= held <= 64
    if setting is None or not setting.strip().isdigit():
        assert held == 2  # the default when unset or not a number


def test_models_held_reads_a_count():
    assert (models_held("8"), models_held(" 3 "), models_held("0"), models_held("999")) == (
        8, 3, 1, 64,
    )  # fmt: skip
