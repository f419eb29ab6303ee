"""Drawing a digit on the canvas of /activations (digits-vgg) changes the prediction."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.harness import after_action, assert_no_error, open_page

pytestmark = pytest.mark.browser
SLOW = 30_000  # ms: the widgets and images of a section far down load lazily
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
    toolbar = page.get_by_test_id("stBidiComponentIsolated")  # the canvas' own toolbar
    toolbar.get_by_role("button", name="Undo", exact=True).click()
    after_action(page)
    expect(first_map).to_have_attribute("src", seven)  # the same input as before the line
    expect(page.locator(PREDICTION)).to_have_text("7")
    page.locator(".st-key-digits_clear button").click()
    after_action(page)
    expect(page.locator(PREDICTION)).to_have_count(0)
    expect(page.locator(".st-key-digits_clear button")).to_be_disabled()
    assert_no_error(page)


def test_undo_button_takes_back_the_last_stroke_and_keeps_the_rest(page) -> None:
    """The visible Undo: the picture before the last stroke, and the canvas keeps the others
    (a stroke drawn after Undo adds to them)."""
    open_page(page, "/activations?preset=digits-vgg&sample=blank&layer=block2_pool&cam=guided")
    undo = page.locator(".st-key-digits_undo button")
    expect(undo).to_be_disabled()  # nothing drawn yet
    stroke(page, [(50, 40), (110, 40), (170, 40), (140, 110), (110, 195)])  # a 7
    after_action(page)
    expect(page.locator(PREDICTION)).to_have_text("7")
    first_map = page.locator("[data-testid='stImage'] img").nth(2)
    seven = first_map.get_attribute("src")
    stroke(page, [(30, 120), (200, 120)])  # a bar across
    after_action(page)
    expect(first_map).not_to_have_attribute("src", seven)
    undo.click()
    after_action(page)
    expect(first_map).to_have_attribute("src", seven)
    expect(page.locator(PREDICTION)).to_have_text("7")
    stroke(page, [(150, 180), (152, 182)])  # a dot: the 7 is still on the canvas under it
    after_action(page)
    expect(page.locator(PREDICTION)).to_have_text("7")
    expect(first_map).not_to_have_attribute("src", seven)
    undo.click()
    after_action(page)
    expect(first_map).to_have_attribute("src", seven)
    undo.click()  # the 7 itself: nothing left
    after_action(page)
    expect(page.locator(PREDICTION)).to_have_count(0)
    expect(undo).to_be_disabled()
    # the widgets below, hidden by the empty canvas, come back with their values and keep
    # them on the next run (the browser sends back what it shows)
    for dot in ((150, 180), (60, 60)):
        stroke(page, [dot, (dot[0] + 2, dot[1] + 2)])
        after_action(page)
        layer = page.locator(".st-key-digits_step_layer input")
        expect(layer).to_have_value(re.compile("block2_pool"))
        method = page.locator(".st-key-cam_method").get_by_role("radio", checked=True)
        expect(method).to_have_text("Guided Grad-CAM", timeout=SLOW)
        expect(page).to_have_url(re.compile(r"[?&]cam=guided(&|$)"))
        assert_no_error(page)


def test_switching_the_grad_cam_method_updates_the_maps(page) -> None:
    """The Grad-CAM section is a fragment inside the drawing's fragment: its own controls and
    a new stroke both redraw its maps, without errors."""
    open_page(page, "/activations?preset=digits-vgg")
    maps = page.locator(".st-key-cam_view [data-testid='stImage'] img")
    expect(maps).to_have_count(3, timeout=SLOW)  # the input and the two classes' maps
    gradcam = maps.nth(1).get_attribute("src")
    for method, name in (("saliency", "Saliency"), ("guided", "Guided Grad-CAM")):
        page.locator(".st-key-cam_method button", has_text=name).click()
        after_action(page)
        expect(maps.nth(1)).not_to_have_attribute("src", gradcam, timeout=SLOW)
        expect(page).to_have_url(re.compile(rf"[?&]cam={method}(&|$)"))
        assert_no_error(page)
    page.locator(".st-key-cam_method button", has_text="Grad-CAM").first.click()
    after_action(page)
    expect(maps.nth(1)).to_have_attribute("src", gradcam, timeout=SLOW)  # the same map as at first
    stroke(page, [(30, 120), (200, 120)])  # a new input: the section follows it
    after_action(page)
    expect(maps.nth(1)).not_to_have_attribute("src", gradcam, timeout=SLOW)
    assert_no_error(page)
