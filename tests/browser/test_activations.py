"""The activation viewer in a real browser: a PNG upload, a damaged one, then a good one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from components.ui.i18n import translate
from tests.browser.conftest import require_page
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
    require_page("activations")
    open_page(page, "/activations")
    upload(page, png)
    assert_grid(page, png.name)


def test_damaged_upload_says_so_and_next_upload_works(page, png: Path, tmp_path: Path) -> None:
    require_page("activations")
    damaged = tmp_path / "damaged.png"
    data = png.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])
    open_page(page, "/activations")

    upload(page, damaged)
    assert_no_error(page, alerts=False)
    error = page.locator('[data-testid="stAlertContentError"]')
    assert error.count() == 1
    assert translate("act.err.truncated", "en", format="PNG") in error.inner_text()
    assert translate("act.image.try_again", "en").split(":")[0] in main_text(page)
    assert shown_tiles(page) == 0

    upload(page, png)
    assert_grid(page, png.name)
