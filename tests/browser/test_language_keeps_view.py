"""In a real browser: switch language, touch another control, the network and sample stay."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.harness import after_action, assert_no_error, open_page

pytestmark = pytest.mark.browser

LANGUAGE_NAMES = {"en": "English", "zh": "简体中文"}


@pytest.mark.parametrize("start, to", [("en", "zh"), ("zh", "en")])
def test_switch_then_touch_keeps_the_network(page, start: str, to: str) -> None:
    open_page(page, f"/?arch=vgg16&input=64x64x3&lang={start}")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text(LANGUAGE_NAMES[to], exact=True).click()
    after_action(page)
    expect(page).to_have_url(re.compile(f"lang={to}"))
    sidebar.locator('[data-testid="stCheckbox"]').first.click()  # the batch-norm toggle
    after_action(page)
    assert_no_error(page)
    assert "arch=vgg16" in page.url and "bn=1" in page.url, page.url
    expect(page.locator('[data-testid="stMain"] h1').first).to_contain_text("VGG16")
