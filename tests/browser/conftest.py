"""Browser-test fixtures: one Streamlit server and one headless Chromium per test session."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.harness import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    RUN_TIMEOUT,
    VIEWPORT,
    Server,
    chromium_executable,
    screenshot,
    start_server,
    wait_for_run,
)


def missing(reason: str) -> None:
    """Skip locally; in CI (``CI=true``) a missing prerequisite is a failure."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures know how the test went."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    started = start_server(ARTIFACTS / "server.log")
    yield started
    started.stop()


@pytest.fixture(scope="session")
def browser():
    executable = chromium_executable()
    if executable is None:
        missing("no Chromium: apt-get install chromium, or playwright install chromium")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def warm_app(browser, server) -> None:
    """Open ``/`` once so the server routes by ``st.navigation`` whatever test runs first.

    (On a fresh server Streamlit routes deep links through the legacy ``pages/``
    folder until ``app.py`` has run once; ``test_deep_link_on_fresh_server`` covers it.)
    """
    tab = browser.new_page()
    tab.set_default_timeout(RUN_TIMEOUT)
    tab.goto(server.url + "/", wait_until="domcontentloaded")
    wait_for_run(tab)
    tab.close()


@pytest.fixture
def page(browser, server, warm_app, request):
    """A fresh browser context per test; a full-page screenshot is saved unless it skipped."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(RUN_TIMEOUT)
    tab = context.new_page()
    tab.base_url = server.url  # type: ignore[attr-defined]
    yield tab
    call = getattr(request.node, "report_call", None)
    try:
        if call is not None and not call.skipped:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
            screenshot(tab, ARTIFACTS / f"{name}.png")
    finally:
        context.close()
