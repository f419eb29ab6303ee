"""Every page of the app loads in a real browser without an error or exception text."""

from __future__ import annotations

import pytest

from components.ui.navigation import PAGES
from tests.browser.harness import assert_no_error, main_text, open_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("url_path", [entry.url_path for entry in PAGES], ids=lambda p: p or "home")
def test_page_loads(page, url_path: str) -> None:
    open_page(page, f"/{url_path}")
    assert_no_error(page)
    assert main_text(page).strip(), "the page rendered nothing"
    assert page.locator('[data-testid="stSidebar"]').count() == 1
