"""``python -m components weights status|fetch`` against a fake Hub on loopback."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors.numpy import save

from components.cli import main
from components.keras_side import hub
from tests.fake_hub import Hub, serve

COMMIT = "89abcdef0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def hub_env(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    return tmp_path / "hf"


def test_status_lists_all_eight_without_network(capsys, monkeypatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # would fail if it were used
    assert main(["weights", "status", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [v["variant"] for v in out["variants"]] == list(hub.HUB_FILES)
    assert all(not v["cached"] and v["repo"].startswith("timm/") for v in out["variants"])
    assert main(["weights", "status"]) == 0
    table = capsys.readouterr().out
    assert "vgg19_bn" in table and "timm/vgg13.tv_in1k" in table


def test_fetch_downloads_verifies_and_status_shows_it(capsys, monkeypatch, hub_env) -> None:
    data = save({"x": np.arange(1000, dtype=np.float32)})
    monkeypatch.setitem(hub.HUB_FILES, "vgg13", hub.HubFile("vgg13", "timm/vgg13.tv_in1k", COMMIT))
    with serve(Hub()) as fake:
        fake.add("timm/vgg13.tv_in1k", COMMIT, hub.FILENAME, data)
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        assert main(["weights", "fetch", "vgg13"]) == 0
        assert "SHA-256 verified" in capsys.readouterr().out
        # a second variant that fails (its pinned revision is not on the Hub) fails the command
        monkeypatch.setitem(
            hub.HUB_FILES, "vgg11", hub.HubFile("vgg11", "timm/vgg13.tv_in1k", "1" * 40)
        )
        assert main(["weights", "fetch", "vgg13", "vgg11"]) == 1
        assert "revision" in capsys.readouterr().err
    assert main(["weights", "status", "--format", "json"]) == 0
    rows = {v["variant"]: v for v in json.loads(capsys.readouterr().out)["variants"]}
    assert rows["vgg13"]["cached"] and rows["vgg13"]["bytes_on_disk"] == len(data)
    assert str(hub_env) in rows["vgg13"]["path"]


def test_fetch_offline_fails_fast_with_exit_1(capsys, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(["weights", "fetch", "all"]) == 1
    err = capsys.readouterr().err
    assert err.count("works offline") == 8


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=60), min_size=1, max_size=4))
def test_any_variant_names_give_a_message_not_a_traceback(names) -> None:
    import os

    os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        code = main(["weights", "fetch", "--", *names])
    except SystemExit as exit_:  # argparse's own refusal
        code = exit_.code
    finally:
        del os.environ["HF_HUB_OFFLINE"]
    assert code in (1, 2)
