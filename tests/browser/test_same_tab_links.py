"""Cross-page links open in the same tab (in class, new tabs pile up)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.harness import after_action, assert_no_error, open_page

pytestmark = pytest.mark.browser


def test_see_its_activations_stays_in_the_tab(page) -> None:
    open_page(page, "/?arch=vgg11&input=32x32x3&layer=block2_conv1")
    link = page.locator('[data-testid="stPageLink"] a', has_text="activations").first
    expect(link).to_be_visible(timeout=60_000)
    assert link.get_attribute("target") in (None, "", "_self")
    link.click()
    after_action(page)
    assert len(page.context.pages) == 1
    expect(page).to_have_url(re.compile(r"/activations\?.*arch=vgg11.*layer=block2_conv1"))
    assert_no_error(page, alerts=False)
