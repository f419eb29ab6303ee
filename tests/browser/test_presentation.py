"""Presentation mode on a 1024×768 projector: one layer per screen, keys step, link and QR."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.harness import after_action, assert_no_error, open_page

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1024, "height": 768}
# The smallest font of the visible text of every chart on the page, in px.
SMALLEST_CHART_FONT = """() => Math.min(...[...document.querySelectorAll('.js-plotly-plot text')]
    .filter(e => e.textContent.trim() && e.getBoundingClientRect().width > 0)
    .map(e => parseFloat(getComputedStyle(e).fontSize)))"""


def settled(page) -> None:
    """Presentation mode's style has applied (no sidebar) and the step buttons are drawn."""
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
    expect(page.get_by_role("button", name=re.compile("Next|Previous")).first).to_be_visible()
    page.locator("h1").first.click()  # the page has the keyboard, as after a presenter's click


def in_view(box: dict | None) -> bool:
    return (
        bool(box)
        and box["y"] >= 0
        and box["x"] >= 0
        and (
            box["y"] + box["height"] <= PROJECTOR["height"]
            and box["x"] + box["width"] <= PROJECTOR["width"]
        )
    )


@pytest.mark.parametrize("layer", ["block3_conv2", "block5_pool", "fc1"])
def test_one_layer_per_screen_at_1024x768(page, layer: str) -> None:
    page.set_viewport_size(PROJECTOR)
    open_page(page, f"/?arch=vgg16&present=1&layer={layer}")
    assert_no_error(page)
    settled(page)
    explanation = page.locator('[class*="st-key-vx_present_explain"]')
    expect(explanation).to_contain_text(layer)
    expect(explanation).to_be_in_viewport(ratio=1.0)  # waits while the layout settles
    assert in_view(explanation.bounding_box()), explanation.bounding_box()
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot text').length > 10")
    assert page.evaluate(SMALLEST_CHART_FONT) >= 18
    page.screenshot(path=f".artifacts/browser/presentation_{layer}.png")


def test_keys_step_through_layers_and_lessons(page) -> None:
    page.set_viewport_size(PROJECTOR)
    open_page(page, "/?arch=vgg11&present=1&layer=block1_conv1")
    settled(page)
    for key, layer in (("PageDown", "block1_pool"), ("ArrowRight", "block2_conv1"),
                       ("ArrowLeft", "block1_pool"), ("PageUp", "block1_conv1")):  # fmt: skip
        page.keyboard.press(key)
        after_action(page)
        expect(page).to_have_url(re.compile(f"layer={layer}(&|$)"))
    open_page(page, "/learn?lesson=size&present=1")
    settled(page)
    for key, lesson in (("PageDown", "params"), ("ArrowRight", "stack"), ("PageUp", "params")):
        page.keyboard.press(key)
        after_action(page)
        expect(page).to_have_url(re.compile(f"lesson={lesson}(&|$)"))
    assert_no_error(page)


def test_link_for_students_with_a_qr_code(page) -> None:
    page.set_viewport_size(PROJECTOR)
    open_page(page, "/?arch=vgg19&present=1&layer=fc2")
    settled(page)
    page.get_by_role("button", name=re.compile("Link for students")).click()
    code = page.locator('[data-testid="stPopoverBody"] [data-testid="stCode"]')
    expect(code).to_contain_text("arch=vgg19")
    assert "present=1" not in code.inner_text()
    qr = page.locator('[data-testid="stPopoverBody"] img')
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 200
