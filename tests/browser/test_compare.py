"""The Compare page in a real browser: a share link, a one-click comparison, a bad item."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from components.ui.i18n import translate
from tests.browser.harness import after_action, assert_no_error, main_text, open_page

pytestmark = pytest.mark.browser

DELTA = "+5,309,696 params (+3.8%), +4.16 G MACs (+26.9%), receptive field 212 → 268 px"


def link_value(url: str) -> str:
    return parse_qs(urlparse(url).query)["cmp"][0]


def test_share_link_then_four_depths_in_one_click(page) -> None:
    open_page(page, "/compare?cmp=vgg16,vgg19&lang=en")
    assert_no_error(page)
    assert DELTA in main_text(page)
    pills = page.locator('[data-testid="stButtonGroup"]')
    pills.get_by_text(translate("compare.quick.depth", "en"), exact=True).click()
    after_action(page)
    assert_no_error(page)
    assert link_value(page.url) == "vgg11,vgg13,vgg16,vgg19"
    assert "lang=en" in page.url
    text = main_text(page)
    assert "VGG11 → VGG13" in text and DELTA in text
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(3)  # plotly loads lazily


def test_a_bad_item_is_flagged_and_the_rest_shows(page) -> None:
    open_page(page, "/compare?cmp=vgg16,vgg16@16x16,vgg19&lang=zh")
    assert_no_error(page)  # a warning, not an error box
    warnings = page.locator('[data-testid="stAlertContentWarning"]')
    expect(warnings).to_have_count(1)
    assert "vgg16@16x16" in warnings.first.inner_text()
    assert link_value(page.url) == "vgg16,vgg19" and "lang=zh" in page.url
    assert translate("compare.title", "zh") in main_text(page)
