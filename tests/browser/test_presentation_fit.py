"""Presentation mode at 1024×768: inputs enlarged, slider values clear of their labels,
the layer names under the chart readable (not drawn over each other)."""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.browser.harness import after_action, assert_no_error, open_page

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1024, "height": 768}
ENLARGED_FIELD = 'input[data-testid="stNumberInputField"]'

SLIDER_GAPS = """() => [...document.querySelectorAll('[data-testid="stSlider"]')].map(s => {
    const label = s.querySelector('[data-testid="stWidgetLabel"] p').getBoundingClientRect();
    const value = s.querySelector('[data-testid="stSliderThumbValue"]').getBoundingClientRect();
    return value.top - label.bottom; })"""
# Names slanted at 60°: two neighbours' lines of text are (their anchors' distance) × sin 60°
# apart; below one font size they are drawn over each other. Returns the smallest ratio.
TICK_SPACING = """() => { const ticks = [...document.querySelectorAll('.x2tick text')]
    .filter(e => e.textContent.trim() && e.getBoundingClientRect().width > 0);
  const size = parseFloat(getComputedStyle(ticks[0]).fontSize);
  const ends = ticks.map(e => e.getBoundingClientRect().right).sort((a, b) => a - b);
  let tightest = Infinity;
  for (let i = 1; i < ends.length; i++)
    tightest = Math.min(tightest, (ends[i] - ends[i - 1]) * Math.sin(Math.PI / 3) / size);
  return [ticks.length, tightest]; }"""


def test_lesson_inputs_are_enlarged_and_slider_values_clear_their_labels(page) -> None:
    page.set_viewport_size(PROJECTOR)
    open_page(page, "/learn?lesson=size&present=1")
    assert_no_error(page)
    field = page.locator(ENLARGED_FIELD).first
    expect(field).to_be_visible()
    with contextlib.suppress(PlaywrightTimeout):  # the style may land a moment after the run
        page.wait_for_function(f"() => parseFloat(getComputedStyle(document.querySelector("
                               f"'{ENLARGED_FIELD}')).fontSize) >= 20", timeout=10_000)  # fmt: skip
    assert float(field.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 20
    page.wait_for_selector('[data-testid="stSliderThumbValue"]')
    gaps = page.evaluate(SLIDER_GAPS)
    assert gaps and min(gaps) >= -1, gaps  # below its label's text (to a pixel), not on it


def test_layer_names_under_the_projector_chart_do_not_overlap(page) -> None:
    page.set_viewport_size(PROJECTOR)
    open_page(page, "/?arch=vgg16&present=1&layer=block5_pool")
    assert_no_error(page)
    page.wait_for_function("() => document.querySelectorAll('.x2tick text').length > 5")
    count, tightest = page.evaluate(TICK_SPACING)
    assert count >= 8 and tightest >= 1, (count, tightest)  # every other name, each readable


def box_of(page, selector: str) -> dict:
    element = page.locator(selector).first
    expect(element).to_be_visible()
    box = element.bounding_box()
    assert box is not None, selector
    return box


def test_lesson_one_step_fits_one_projector_screen(page) -> None:
    """Lesson 1 at 1024×768: the tabs in one row, and the explanation (why the output has
    its size) and the sliding-window chart in view without scrolling."""
    page.set_viewport_size(PROJECTOR)
    open_page(page, "/learn?lesson=size&present=1")
    assert_no_error(page)
    tabs = page.locator(".st-key-learn_lesson button")
    expect(tabs).to_have_count(7)  # the lesson bar is drawn
    tops = {round(tabs.nth(i).bounding_box()["y"]) for i in range(tabs.count())}
    assert tabs.count() == 7 and len(tops) == 1, tops  # one row
    explanation = box_of(page, '[data-testid="stAlertContainer"]')
    assert explanation["y"] >= 0 and explanation["y"] + explanation["height"] <= 768, explanation
    page.wait_for_selector(".js-plotly-plot")
    chart = box_of(page, ".js-plotly-plot")
    assert chart["y"] + chart["height"] <= 768, chart
    assert page.evaluate("() => document.scrollingElement.scrollTop") == 0
    # W = 8: the longer explanation (a row and a column left out) fits too.
    field = page.locator('input[data-testid="stNumberInputField"]').first
    field.fill("8")
    field.press("Enter")
    after_action(page)
    expect(page.locator('[data-testid="stAlertContainer"]').first).to_contain_text("never seen")
    explanation = box_of(page, '[data-testid="stAlertContainer"]')
    assert explanation["y"] + explanation["height"] <= 768, explanation


def test_lesson_three_table_fits_the_projector_width(page) -> None:
    """Lesson 3's enlarged table wraps to the screen instead of scrolling sideways."""
    page.set_viewport_size(PROJECTOR)
    open_page(page, "/learn?lesson=stack&present=1")
    assert_no_error(page)
    table = page.locator('[data-testid="stTable"]').first
    expect(table).to_be_visible()
    widths = table.evaluate(
        "e => [e.scrollWidth, e.clientWidth, ...[...e.querySelectorAll('table, div')]"
        ".filter(d => d.scrollWidth > d.clientWidth + 1).map(d => d.tagName)]"
    )
    assert widths[0] <= widths[1] and len(widths) == 2, widths
    box = table.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PROJECTOR["width"], box
    assert "1,769,472 / 3,211,264" in table.inner_text()  # C = 256: the stack's weights
