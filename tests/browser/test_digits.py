"""Drawing a digit on the canvas of /activations (digits-vgg) changes the prediction."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import require_page
from tests.browser.harness import after_action, assert_no_error, open_page

pytestmark = pytest.mark.browser
PREDICTION = ".st-key-digits_prediction [data-testid='stMetricValue']"


def stroke(page, points: list[tuple[float, float]]) -> None:
    """One stroke with the mouse on the canvas' top layer (the last <canvas>), in its pixels."""
    canvas = page.locator("canvas").last
    canvas.evaluate("c => c.scrollIntoView({block: 'center'})")  # mouse events need it on screen
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 100
    x0, y0 = box["x"], box["y"]
    page.mouse.move(x0 + points[0][0], y0 + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(x0 + x, y0 + y, steps=8)
    page.mouse.up()


def test_drawing_a_seven_changes_the_prediction_and_the_maps(page) -> None:
    require_page("activations")
    open_page(page, "/activations?preset=digits-vgg")
    assert_no_error(page)
    prediction = page.locator(PREDICTION)
    expect(prediction).to_have_text("3")  # the held-out sample 3 the page starts from

    page.locator("[data-testid='stButtonGroup'] button", has_text="Blank").click()
    after_action(page)
    expect(page.locator(PREDICTION)).to_have_count(0)  # nothing drawn yet

    stroke(page, [(50, 40), (110, 40), (170, 40), (140, 110), (110, 195)])
    after_action(page)
    expect(page.locator(PREDICTION)).to_have_text("7")
    assert_no_error(page)

    maps = page.locator("[data-testid='stImage'] img")
    before = maps.nth(2).get_attribute("src")
    stroke(page, [(40, 120), (180, 120)])  # a bar across: every layer's maps change too
    after_action(page)
    expect(maps.nth(2)).not_to_have_attribute("src", before)
    assert_no_error(page)


def test_toolbar_undo_takes_back_the_last_stroke_and_clear_empties(page) -> None:
    require_page("activations")
    open_page(page, "/activations?preset=digits-vgg")
    page.locator("[data-testid='stButtonGroup'] button", has_text="Blank").click()
    after_action(page)
    stroke(page, [(50, 40), (110, 40), (170, 40), (140, 110), (110, 195)])  # a 7
    after_action(page)
    expect(page.locator(PREDICTION)).to_have_text("7")
    first_map = page.locator("[data-testid='stImage'] img").nth(2)
    seven = first_map.get_attribute("src")
    stroke(page, [(60, 200), (180, 200)])  # a line under it: other maps
    after_action(page)
    expect(first_map).not_to_have_attribute("src", seven)
    page.get_by_role("button", name="Undo", exact=True).click()  # the canvas' own toolbar
    after_action(page)
    expect(first_map).to_have_attribute("src", seven)  # the same input as before the line
    expect(page.locator(PREDICTION)).to_have_text("7")
    page.locator(".st-key-digits_clear button").click()
    after_action(page)
    expect(page.locator(PREDICTION)).to_have_count(0)
    expect(page.locator(".st-key-digits_clear button")).to_be_disabled()
    assert_no_error(page)
