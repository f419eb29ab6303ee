"""A share link that is the first visit to a freshly started server opens the routed app."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.harness import ARTIFACTS, RUN_TIMEOUT, start_server, wait_for_run

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["activations", "compare"])
def test_deep_link_on_fresh_server(browser, path: str) -> None:
    """Without components.ui.navigation.route_through_app the page would run alone."""
    server = start_server(ARTIFACTS / "server-fresh.log")
    try:
        tab = browser.new_page()
        tab.set_default_timeout(RUN_TIMEOUT)
        tab.goto(f"{server.url}/{path}?lang=zh", wait_until="domcontentloaded")
        wait_for_run(tab)
        # Widgets' code loads lazily: wait for the switch rather than counting at once.
        expect(tab.get_by_text("简体中文", exact=True)).to_be_visible(timeout=15_000)
        legacy = tab.locator('[data-testid="stSidebarNav"]').count()
        top = tab.locator('[data-testid="stTopNavLink"]').count()
        tab.close()
    finally:
        server.stop()
    assert legacy == 0 and top >= 2
