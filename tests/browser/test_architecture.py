"""The architecture page in a real browser: the sidebar's network choice and share links."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from components.engine.analysis import analyze
from components.engine.vgg import CONFIGS, vgg_spec
from components.ui.i18n import translate
from tests.browser.harness import after_action, assert_no_error, main_text, open_page

pytestmark = pytest.mark.browser

VGG16_TOTAL = 138_357_544  # Keras' VGG16 with its ImageNet head
VGG19_TOTAL = 143_667_240  # Keras' VGG19 with its ImageNet head
SHARE_LINK = "/?arch=vgg19&input=224x224x3&top=1&bn=0"


def total(arch: str) -> str:
    return f"{analyze(vgg_spec(arch)).total_params:,}"


def arch_option(arch: str) -> str:
    config = CONFIGS[arch]
    return translate("common.net.arch_option", "en", title=config.title, letter=config.letter)


def view_text(page) -> str:
    """The title and headline figures (the charts render asynchronously, so they are left out)."""
    return page.locator("h1").first.inner_text() + page.locator(".vx-metrics").inner_text()


def choose(page, label: str, option: str) -> None:
    """Open the sidebar select box labelled ``label`` and pick ``option``."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]')
    box.filter(has_text=label).first.locator('[role="combobox"]').click()
    page.get_by_role("option", name=option, exact=True).click()
    after_action(page)


def test_engine_totals_are_keras_figures() -> None:
    assert (total("vgg16"), total("vgg19")) == (f"{VGG16_TOTAL:,}", f"{VGG19_TOTAL:,}")


def test_vgg16_to_vgg19_updates_the_total(page) -> None:
    open_page(page, "/")
    figures = page.locator(".vx-metrics")
    expect(figures).to_contain_text(total("vgg16"))
    choose(page, translate("common.net.arch", "en"), arch_option("vgg19"))
    assert_no_error(page)
    expect(figures).to_contain_text(total("vgg19"))
    assert total("vgg16") not in main_text(page)
    assert "arch=vgg19" in page.url


def test_share_link_opens_the_same_view(page, browser) -> None:
    open_page(page, SHARE_LINK)
    assert_no_error(page)
    expect(page.locator(".vx-metrics")).to_contain_text(total("vgg19"))
    combobox = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]')
    assert combobox.first.locator('[role="combobox"]').input_value() == arch_option("vgg19")

    other = browser.new_context(viewport=page.viewport_size)
    try:
        again = other.new_page()
        again.base_url = page.base_url
        open_page(again, page.url.removeprefix(page.base_url))  # the link as the page keeps it
        expect(again.locator(".vx-metrics")).to_contain_text(total("vgg19"))
        assert view_text(again) == view_text(page)
    finally:
        other.close()
