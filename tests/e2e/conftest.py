"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

Never downloads a browser: Chromium comes from Debian (`make system-deps`). The browser runs per
test, so Playwright's event loop exists only while a browser test runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Generous for a loaded CI machine; a passing run waits far less.
TIMEOUT_MS = 15_000


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the test thread use the ORM while Playwright's sync API is running.

    Playwright's sync API runs an asyncio event loop on the test thread, and Django refuses ORM
    calls whenever a loop is running there (SynchronousOnlyOperation), although nothing is
    async. The usual remedy for pytest-django with Playwright is DJANGO_ALLOW_ASYNC_UNSAFE; it is
    set only for the duration of each browser test, so the rest of the suite keeps the guard.
    """
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def playwright(_orm_beside_playwright: None) -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make system-deps` (Debian's chromium package)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
