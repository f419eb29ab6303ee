"""The custom CNN page in a real browser: a preset from the share link, and a real cell edit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from components.engine.analysis import analyze
from components.engine.presets import load_preset
from components.engine.spec import decode_spec
from tests.browser.harness import (
    RUN_TIMEOUT,
    after_action,
    assert_no_error,
    edit_grid_cell,
    open_page,
    select_grid_cell,
)

pytestmark = pytest.mark.browser

SEED_EXAMPLE_TOTAL = 9_494_561  # the question's Keras model.summary() total


def headline(page):
    """The headline figures (st.html paints a moment after the run ends)."""
    return page.locator(".vx-metrics")


def test_seed_example_preset_loads(page) -> None:
    expected = analyze(load_preset("seed-example")).total_params
    assert expected == SEED_EXAMPLE_TOTAL
    open_page(page, "/custom?preset=seed-example")
    assert_no_error(page)
    expect(headline(page)).to_contain_text(f"{expected:,}", timeout=RUN_TIMEOUT)


def test_editing_a_cell_updates_the_total_and_the_link(page) -> None:
    """Type 32 into the first conv's Filters cell of the grid (a canvas: keyboard only)."""
    open_page(page, "/custom?preset=seed-example")
    grid = page.locator('[class*="st-key-custom_editor_"] [data-testid="stDataFrame"]')
    select_grid_cell(page, grid, 3)  # → Filters
    edit_grid_cell(page)
    page.keyboard.type("32", delay=100)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"spec="), timeout=RUN_TIMEOUT)
    after_action(page)
    assert_no_error(page)
    spec = decode_spec(page.url.split("spec=")[1].split("&")[0])
    assert spec.layers[0].filters == 32
    expect(headline(page)).to_contain_text(f"{analyze(spec).total_params:,}", timeout=RUN_TIMEOUT)
