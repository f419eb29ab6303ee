"""Typing in the builder's grid: the grid survives the rerun an edit starts; no digit is lost.

Each committed cell starts a rerun. The grid used to get new data and a new key from
that rerun, so the browser rebuilt it: what was typed meanwhile went into the old grid
and was dropped, and the cell selection was gone (Filters 128 then Kernel 5 typed
during the reruns: only 128 arrived). Now the grid's node stays the same across edits.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from components.engine.analysis import analyze
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


GRID = '[class*="st-key-custom_editor_"] [data-testid="stDataFrame"]'


def select_first_row(page, column: int) -> None:
    """Select row 1's cell ``column`` (0 = the row number) of the builder's grid."""
    select_grid_cell(page, page.locator(GRID), column)


def type_into_cell(page, value: str, leave: str) -> None:
    edit_grid_cell(page)
    page.keyboard.type(value, delay=40)  # several digits, quickly
    page.keyboard.press(leave)  # commits (a rerun starts); Tab moves to the next cell


def test_the_grid_survives_edits_and_every_digit_arrives(page) -> None:
    open_page(page, "/custom?preset=seed-example")
    select_first_row(page, 3)  # row · type · name · Filters
    page.evaluate(
        "window.vxGrid = document.querySelector("
        '\'[class*="st-key-custom_editor_"] [data-testid="stDataFrame"]\')'
    )
    type_into_cell(page, "128", "Tab")
    after_action(page)
    assert page.evaluate("window.vxGrid.isConnected"), "the rerun rebuilt the grid"
    type_into_cell(page, "5", "Tab")  # Kernel: the selection survived the rerun
    after_action(page)
    before = page.url
    type_into_cell(page, "2", "Enter")  # Stride
    # The grid sends its edits 150 ms after the last one; the rerun then writes the link.
    page.wait_for_url(lambda url: url != before and "spec=" in url, timeout=RUN_TIMEOUT)
    after_action(page)
    assert_no_error(page)
    assert page.evaluate("window.vxGrid.isConnected"), "the rerun rebuilt the grid"
    spec = decode_spec(page.url.split("spec=")[1].split("&")[0])
    layer = spec.layers[0]
    assert (layer.filters, layer.kernel, layer.strides) == (128, (5, 5), (2, 2))
    expect(page.locator(".vx-metrics")).to_contain_text(
        f"{analyze(spec).total_params:,}", timeout=RUN_TIMEOUT
    )
    # The check table beside the grid follows: (150 − 5) // 2 + 1 = 73 (a canvas; its
    # cells are in the grid's accessible table in the DOM).
    assert "73×73×128" in page.content()
