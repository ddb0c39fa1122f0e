"""Browser tests: Debian's Chromium, driven by Playwright's sync API, against pytest-django's
live server. Our own fixtures, not pytest-playwright's: that plugin would fetch its own browser
build, which cannot be downloaded here.

Three things a live-server test needs in this project, each handled by a fixture below:

* The audit table's append-only triggers make the flush that ends a transactional test fail
  (TRUNCATE on PostgreSQL, DELETE on SQLite): the root conftest lifts them for that flush.
* Tests run with DEBUG off: static files use the manifest storage, which needs collectstatic.
  `live_static_files` switches to the plain storage, served from the apps' folders.
* Playwright's sync API marks its event loop as running in the test's thread between calls,
  so Django would refuse database work there (SynchronousOnlyOperation). Nothing runs
  concurrently in fact; `chromium` sets DJANGO_ALLOW_ASYNC_UNSAFE while the browser lives.

Session and CSRF cookies are Secure (DEBUG off): Chromium keeps Secure cookies on
http://localhost, a secure context, and pytest-django's live server is on localhost.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium per test module. Missing Chromium skips, except in CI."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: `apt-get install chromium` (Debian's package)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def live_static_files(settings: Any) -> None:
    """`{% static %}` without the manifest. The live server wraps the app in staticfiles'
    handler, which serves /static/ from the apps' folders before WhiteNoise sees the request;
    the WhiteNoise settings count only if the live server starts after this fixture."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


@dataclass
class Browsing:
    """A fresh browser context on the live server, with what its pages told the console."""

    page: Any
    base_url: str
    console: list[Any] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def console_lines(self, kind: str | None = None) -> list[str]:
        return [f"{m.type}: {m.text}" for m in self.console if kind is None or m.type == kind]

    def csp_violations(self) -> list[str]:
        return [line for line in self.console_lines() if "content security policy" in line.lower()]

    def console_errors(self) -> list[str]:
        """Errors on the console, less the 404 of the favicon Chromium asks for on its own."""
        return [
            f"{m.text} ({m.location.get('url', '')})"
            for m in self.console
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
        ]


@pytest.fixture
def browsing(chromium: Any, live_server: Any, live_static_files: None) -> Iterator[Browsing]:
    # A person in Bolivia: Spanish first, as Accept-Language tells the server.
    context = chromium.new_context(base_url=live_server.url, locale="es-BO")
    context.set_default_timeout(10_000)
    page = context.new_page()
    session = Browsing(page=page, base_url=live_server.url)
    page.on("console", lambda message: session.console.append(message))
    page.on("pageerror", lambda error: session.page_errors.append(str(error)))
    try:
        yield session
    finally:
        context.close()
