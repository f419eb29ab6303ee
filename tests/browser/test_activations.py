"""The activation viewer in a real browser: a PNG upload, a damaged one, then a good one."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from components.engine.analysis import analyze
from components.engine.vgg import vgg_spec
from components.ui.i18n import translate
from tests.browser.harness import (
    after_action,
    assert_no_error,
    main_text,
    open_page,
)
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

SAMPLE = ROOT / "assets" / "samples" / "chelsea.jpg"
UPLOAD = '[data-testid="stFileUploaderDropzoneInput"]'
TILE = re.compile(r"^#\d+$")


@pytest.fixture
def png(tmp_path: Path) -> Path:
    """A real PNG photo (not one of the samples' files, so the upload is what is shown)."""
    path = tmp_path / "cat-upload.png"
    Image.open(SAMPLE).convert("RGB").resize((320, 240)).save(path, format="PNG")
    return path


def upload(page, path: Path) -> None:
    page.locator(UPLOAD).set_input_files(path)
    after_action(page)


def shown_tiles(page) -> int:
    """Feature-map tiles on screen whose picture actually loaded in the browser."""
    tiles = page.locator('[data-testid="stImageContainer"]').filter(
        has=page.locator('[data-testid="stImageCaption"]', has_text=TILE)
    )
    return sum(
        1
        for i in range(tiles.count())
        if tiles.nth(i).locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    )


def assert_grid(page, name: str) -> None:
    assert_no_error(page)
    text = main_text(page)
    assert name in text, "the input caption does not name the uploaded file"
    caption = translate("act.maps.caption", "en", shown=16, total=64, layer="block1_conv1")
    assert caption in text
    assert shown_tiles(page) == 16


def test_png_upload_shows_feature_maps(page, png: Path) -> None:
    open_page(page, "/activations")
    upload(page, png)
    assert_grid(page, png.name)


def test_damaged_upload_says_so_and_next_upload_works(page, png: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.png"
    data = png.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])
    open_page(page, "/activations")

    upload(page, damaged)
    assert_no_error(page, alerts=False)
    error = page.locator('[data-testid="stAlertContentError"]')
    assert error.count() == 1
    assert translate("issue.act.err.truncated", "en", format="PNG") in error.inner_text()
    assert translate("act.image.try_again", "en").split(":")[0] in main_text(page)
    assert shown_tiles(page) == 0

    upload(page, png)
    assert_grid(page, png.name)


SMALL = "/activations?arch=vgg11&input=64x64x3&top=0"
VGG11_64 = analyze(vgg_spec("vgg11", (64, 64, 3), include_top=False))
DIAGRAM = ".st-key-act_diagram_side .js-plotly-plot"
# The same test as ``laid_out`` below, in the page: diagram and maps beside or stacked.
LAID_OUT = """([sides, beside]) => {
    const [d, m] = [...document.querySelectorAll(sides)].map(e => e.getBoundingClientRect());
    if (!d || !m) return false;
    return beside ? m.x >= d.x + d.width && m.y === d.y : m.y >= d.y + d.height;
}"""


def tile_sources(page) -> list[str]:
    imgs = page.locator('[data-testid="stImageContainer"] img')
    return [imgs.nth(i).get_attribute("src") or "" for i in range(imgs.count())]


def click_bar(page, index: int) -> None:
    """Click the diagram's bar of layer ``index`` (d3 binds each bar's point index as ``i``),
    just below its top: on the log axis the bar's path reaches far below the clipped plot."""
    box = page.evaluate(
        """([selector, index]) => {
            const bars = document.querySelectorAll(selector + ' .barlayer .point path');
            const bar = [...bars].find(p => p.parentNode.__data__.i === index);
            bar.scrollIntoView({block: "center"});
            const r = bar.getBoundingClientRect();
            return [r.x + r.width / 2, r.y + 6];
        }""",
        [DIAGRAM, index],
    )
    page.mouse.click(*box)
    after_action(page)


def test_a_click_on_the_diagram_changes_the_feature_maps(page) -> None:
    open_page(page, SMALL)
    page.wait_for_selector(DIAGRAM + " .barlayer .point path")
    caption = translate("act.maps.caption", "en", shown=16, total=64, layer="block1_conv1")
    assert caption in main_text(page)
    before = tile_sources(page)
    click_bar(page, VGG11_64.layer("block3_conv1").index)
    assert_no_error(page)
    caption = translate("act.maps.caption", "en", shown=16, total=256, layer="block3_conv1")
    page.get_by_text(caption).wait_for()
    assert shown_tiles(page) == 16
    assert tile_sources(page) != before
    assert "layer=block3_conv1" in page.url


def test_diagram_beside_the_maps_when_wide_above_them_when_narrow(page) -> None:
    """1280 px: side by side; 1024 px with the sidebar open: stacked; never a horizontal scroll."""
    open_page(page, SMALL)
    sides = ".st-key-act_diagram_side, .st-key-act_maps_side"

    def laid_out(beside: bool) -> bool:
        diagram, maps = (page.locator(sides).nth(i).bounding_box() for i in (0, 1))
        assert diagram and maps
        if beside:
            return maps["x"] >= diagram["x"] + diagram["width"] and maps["y"] == diagram["y"]
        return maps["y"] >= diagram["y"] + diagram["height"]

    for width, beside in ((1280, True), (1024, False)):
        page.set_viewport_size({"width": width, "height": 1400})
        with contextlib.suppress(PlaywrightTimeout):  # the browser re-flows after the resize
            page.wait_for_function(LAID_OUT, arg=[sides, beside], timeout=5000)
        assert laid_out(beside), f"{width} px: expected {'beside' if beside else 'stacked'}"
        overflow = page.evaluate(
            """() => { const m = document.querySelector('[data-testid="stMain"]');
                return m.scrollWidth - m.clientWidth; }"""
        )
        assert overflow <= 0, f"horizontal scroll at {width} px"
