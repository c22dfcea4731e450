"""Browser tests: Playwright driving Debian's chromium against pytest-django's live server."""

import os
import threading
import time
from pathlib import Path

import pytest

from e2e.browser import CHROMIUM_FLAGS, SCREENSHOTS, chromium_path

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# there are still synchronous, so Django's guard against async use does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if not executable:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"browser tests may not be skipped in CI: {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    # Requesting the database here sets it up before the browser context and flushes it only after
    # the context has closed: a request the page still has in flight (an autosave, an htmx panel)
    # would otherwise hold table locks while the flush truncates them (a deadlock on PostgreSQL).
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    _wait_for_requests_in_flight()


def _wait_for_requests_in_flight(timeout: float = 10.0) -> None:
    """The live server answers each request on a thread of its own; wait until they are done."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any("process_request_thread" in thread.name for thread in threading.enumerate()):
            return
        time.sleep(0.05)


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
