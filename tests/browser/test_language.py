"""Chinese in a real browser: the switch and ``lang=zh`` links show Chinese, in real CJK glyphs."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from components.ui.i18n import translate
from tests.browser.harness import after_action, assert_no_error, open_page

pytestmark = pytest.mark.browser

# Draws a character on a canvas in the page's font; a character the fonts lack is drawn
# as the same "missing glyph" box as an unassigned code point (U+0378).
SAME_AS_MISSING_GLYPH = """text => {
    const font = getComputedStyle(document.body).fontFamily;
    const draw = s => {
        const c = document.createElement('canvas');
        c.width = 64; c.height = 64;
        const g = c.getContext('2d');
        g.font = `40px ${font}`;
        g.fillText(s, 4, 48);
        return g.getImageData(0, 0, 64, 64).data.join(',');
    };
    return [...text].filter(ch => ch.trim()).some(ch => draw(ch) === draw('\\u0378'));
}"""


def test_cjk_font_installed() -> None:
    if shutil.which("fc-list") is None:
        pytest.skip("fc-list (fontconfig) is not installed")
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    assert fonts.strip(), "no Chinese font: apt-get install fonts-noto-cjk"


def assert_chinese(page) -> None:
    title = translate("nav.activations", "zh")
    link = page.get_by_text(title, exact=True).first
    box = link.bounding_box()
    assert box and box["width"] > 10 and box["height"] > 5, f"{title!r} is not drawn"
    assert not page.evaluate(SAME_AS_MISSING_GLYPH, title), "Chinese drawn as missing glyphs"
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_contain_text(translate("app.language", "zh"))


def test_switch_to_chinese(page) -> None:
    open_page(page, "/")
    page.locator('[data-testid="stSidebar"]').get_by_text("简体中文", exact=True).click()
    after_action(page)
    assert_no_error(page)
    assert "lang=zh" in page.url
    assert_chinese(page)


def test_chinese_share_link(page) -> None:
    open_page(page, "/?lang=zh")
    assert_no_error(page)
    assert_chinese(page)
