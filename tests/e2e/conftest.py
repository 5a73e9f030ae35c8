"""Browser-journey harness: pytest-django's ``live_server`` + Playwright on system Chromium.

Every test collected under ``tests/e2e`` gets the ``e2e`` marker; without
``/usr/bin/chromium`` they are all skipped (no download of a Playwright browser build).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SKIP_REASON = "Chromium not installed (/usr/bin/chromium): browser journeys skipped"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Playwright's sync API runs an event loop in the test thread; Django would then refuse the
# test's own (synchronous) database access as "async-unsafe". The tests are not async code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    chromium_missing = not CHROMIUM.exists()
    for item in items:
        if _HERE not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.e2e)
        if chromium_missing:
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser context per test, in Indonesian like a typical citizen's phone."""
    context = browser.new_context(locale="id-ID", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Run background tasks (e-mails) at once, inside the live server's request."""
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture
def new_context(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """Open several browser contexts in one test (a citizen's phone, an officer's desktop…).

    Each is in Indonesian with the live server as base URL unless told otherwise; all are
    closed at the end of the test.
    """
    contexts: list[Any] = []

    def open_context(**options: Any) -> Any:
        options.setdefault("locale", "id-ID")
        options.setdefault("base_url", live_server.url)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()
