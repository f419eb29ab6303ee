"""What a session keeps alive after its run: not the shared network (the cache decides)."""

from __future__ import annotations

import gc

import pytest

from components.keras_side.activations import Network
from components.ui import activation_views
from tests.apptest import open_page

pytestmark = pytest.mark.keras
SMALL = {"arch": "vgg11", "input": "32x32x3", "top": "0"}


def live_networks() -> list[Network]:
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, Network)]


def test_an_evicted_network_is_not_held_by_the_session_that_used_it() -> None:
    activation_views.network.clear()
    before = len(live_networks())
    at = open_page("pages/activations.py", timeout=120, **SMALL)
    assert not at.exception and any("channels of block1_conv1" in c.value for c in at.caption)
    assert len(live_networks()) == before + 1  # in the cache, shared
    at.select_slider(key="act_layer").set_value("block2_conv1").run()
    assert not at.exception  # the fragment still has what it needs
    assert any("channels of block2_conv1" in c.value for c in at.caption)
    activation_views.network.clear()  # what eviction does
    assert len(live_networks()) == before  # the open session does not keep it
