"""Activation page: server files only from the operator's weights folder, as a list; MAC budget."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from components.engine.spec import encode_spec
from components.engine.vgg import vgg_spec
from components.ui.weights_folder import ENV_VAR
from tests.apptest import open_page
from tests.conftest import SMALL_VGG
from tests.test_compute_budget import heavy_spec

pytestmark = pytest.mark.keras
PAGE = "pages/activations.py"


def sidebar_selectboxes(at) -> list[str]:
    return [box.key for box in at.sidebar.selectbox]


def test_no_server_path_can_be_typed_without_a_weights_folder(monkeypatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    for kind in ("keras", "torch"):
        at = open_page(PAGE, timeout=120, **SMALL_VGG, weights=kind)
        assert not at.exception
        assert not at.sidebar.text_input  # no free-text path of any kind
        assert f"act_wserver_{kind}" not in sidebar_selectboxes(at)
        assert at.sidebar.get("file_uploader")


def test_the_weights_folder_offers_its_files_as_a_list(tmp_path: Path, monkeypatch) -> None:
    from components.keras_side.builder import build_model

    folder, private = tmp_path / "weights", tmp_path / "private"
    folder.mkdir(), private.mkdir()
    build_model(vgg_spec("vgg11", (64, 64, 3), include_top=False)).save_weights(
        folder / "vgg11.weights.h5"
    )
    build_model(vgg_spec("vgg16", (32, 32, 3), include_top=False)).save_weights(
        folder / "vgg16.weights.h5"
    )
    (private / "secret.h5").write_bytes(b"x")
    (folder / "escape.h5").symlink_to(private / "secret.h5")
    os.mkfifo(folder / "pipe.h5")
    (folder / "tv.safetensors").write_bytes(b"x")
    monkeypatch.setenv(ENV_VAR, str(folder))
    at = open_page(PAGE, timeout=120, **SMALL_VGG, weights="keras")
    assert not at.exception and not at.sidebar.text_input
    box = at.selectbox(key="act_wserver_keras")
    assert box.options == ["vgg11.weights.h5", "vgg16.weights.h5"]
    box.set_value("vgg16.weights.h5").run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "does not fit this network" in errors
    at.selectbox(key="act_wserver_keras").set_value("vgg11.weights.h5").run()
    assert not at.exception and not at.error
    assert at.get("plotly_chart")


def test_a_spec_link_over_the_compute_budget_is_refused_with_its_numbers() -> None:
    at = open_page(PAGE, timeout=60, spec=encode_spec(heavy_spec()))
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "3.98e+13 multiply-accumulates" in errors and "1.2e+11" in errors


def test_the_folder_can_be_named_in_secrets_toml(tmp_path: Path, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    monkeypatch.delenv(ENV_VAR, raising=False)
    (tmp_path / "tv_vgg11.safetensors").write_bytes(b"x")
    (tmp_path / "keras.weights.h5").write_bytes(b"x")
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=120)
    at.secrets["weights_dir"] = str(tmp_path)
    for name, value in {**SMALL_VGG, "weights": "torch"}.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    assert at.selectbox(key="act_wserver_torch").options == ["tv_vgg11.safetensors"]
