"""Small classroom details: the server's paths stay off students' screens."""

from __future__ import annotations

import pytest
from streamlit.runtime.context import ContextProxy

from tests.apptest import open_page


@pytest.mark.parametrize("where, shown", [("10.0.0.7", False), (None, True)])
def test_imagenet_cache_path_only_for_the_operator(tmp_path, monkeypatch, where, shown) -> None:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(ContextProxy, "ip_address", property(lambda self: where))
    at = open_page("pages/activations.py", weights="imagenet")
    assert not at.exception
    info = "\n".join(str(i.value) for i in at.info)
    assert str(tmp_path) not in info
    captions = "\n".join(c.value for c in at.caption)
    assert (str(tmp_path) in captions) is shown
