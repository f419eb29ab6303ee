"""The Grad-CAM section in a real browser: a trained-weights file, the maps load, a method
switch keeps the view in the link."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest

from components.engine.spec import encode_spec
from components.ui.i18n import translate
from tests.browser.harness import after_action, assert_no_error, main_text, open_page
from tests.test_page_saliency import TINY

pytestmark = pytest.mark.browser
WEIGHTS_INPUT = '.st-key-act_wfile_keras [data-testid="stFileUploaderDropzoneInput"]'
MAPS = '.st-key-cam_view [data-testid="stImageContainer"] img'


@pytest.fixture
def weights(tmp_path: Path) -> Path:
    from components.keras_side.builder import build_model, import_keras

    import_keras().utils.set_random_seed(3)
    path = tmp_path / "tiny.weights.h5"
    build_model(TINY).save_weights(path)
    return path


def loaded_maps(page) -> int:
    images = page.locator(MAPS)
    return sum(
        1
        for i in range(images.count())
        if images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
    )


def test_maps_load_and_the_method_goes_into_the_link(page, weights: Path) -> None:
    query = urllib.parse.urlencode({"spec": encode_spec(TINY), "weights": "keras"})
    open_page(page, f"/activations?{query}")
    page.locator(WEIGHTS_INPUT).set_input_files(weights)
    after_action(page)
    page.locator(MAPS).nth(2).wait_for()
    assert_no_error(page)
    page.wait_for_function(
        f"document.querySelectorAll('{MAPS}').length === 3 && [...document.querySelectorAll("
        f"'{MAPS}')].every(img => img.complete && img.naturalWidth > 0)"
    )
    assert loaded_maps(page) == 3  # the input and the two classes' maps
    assert translate("cam.title", "en") in main_text(page)
    page.locator(".st-key-cam_method button", has_text="Saliency").click()
    after_action(page)
    page.get_by_text("Saliency is the gradient of the class score").wait_for()
    assert "cam=saliency" in page.url
    assert_no_error(page)
