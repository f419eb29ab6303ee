"""The custom CNN page in a real browser: a preset from the share link."""

from __future__ import annotations

import pytest

from components.engine.analysis import analyze
from components.engine.presets import load_preset
from tests.browser.conftest import require_page
from tests.browser.harness import assert_no_error, main_text, open_page

pytestmark = pytest.mark.browser

SEED_EXAMPLE_TOTAL = 9_494_561  # the question's Keras model.summary() total


def test_seed_example_preset_loads(page) -> None:
    require_page("custom")
    expected = analyze(load_preset("seed-example")).total_params
    assert expected == SEED_EXAMPLE_TOTAL
    open_page(page, "/custom?preset=seed-example")
    assert_no_error(page)
    assert f"{expected:,}" in main_text(page)
