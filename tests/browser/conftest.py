"""Browser tests: a real Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Each test gets a ``page`` on the live server (pytest-django's ``live_server``) and fails
at teardown if any page it visited raised a JavaScript error or answered with a server
error. ``login(page, user)`` logs in through the real login form.

Playwright never downloads a browser here: it is pointed at the system Chromium. Without
that binary the tests fail when ``CI`` is set (a CI machine must have it) and are skipped
otherwise (a developer's machine may not).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in the test's own thread. Django's
# async-unsafe guard sees a running loop there and refuses ORM calls from the test
# (SynchronousOnlyOperation), although they are plain synchronous calls that never run
# inside the loop. Tell Django so before any test touches the database. Only the test
# process is concerned; the live server answers requests in its own thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PASSWORD = "secret-pass-1"  # every user of tests/conftest.py
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000

# Chromium reports a 4xx answer as a console error ("Failed to load resource: the server
# responded with a status of 422"). Forms shown again with their errors (422) and refused
# pages (403, 404) are expected answers, not JavaScript errors; server errors still count.
EXPECTED_HTTP_ERROR = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")


def _unavailable(reason: str) -> None:
    message = f"Browser tests cannot run: {reason}."
    if os.environ.get("CI"):
        pytest.fail(message + " CI must provide it (scripts/bootstrap --with-test-deps).", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (install Debian's chromium package)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (see requirements.lock)")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    except Exception:
        playwright.stop()
        raise
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """Quick password hashing, and rendered documents written to the test's own folder."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


class PageProblems:
    """What went wrong in the pages of one test: JavaScript errors and server errors."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def watch(self, page) -> None:
        page.on("pageerror", lambda error: self.problems.append(f"JavaScript error on {page.url}: {error}"))
        page.on("console", lambda message: self._console(page, message))
        page.on("response", lambda response: self._response(response))

    def _console(self, page, message) -> None:
        if message.type == "error" and not EXPECTED_HTTP_ERROR.search(message.text):
            self.problems.append(f"Console error on {page.url}: {message.text}")

    def _response(self, response) -> None:
        if response.status >= 500:
            self.problems.append(f"Server error {response.status} on {response.request.method} {response.url}")


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[..., object]]:
    """Open a page in a fresh browser context (own cookies); keyword arguments go to the context.

    The test fails at teardown if any of its pages saw a JavaScript or server error.
    """
    problems = PageProblems()
    contexts = []

    def open_page(**context_args):
        context = browser.new_context(
            base_url=live_server.url,
            locale="en-GB",
            timezone_id="Europe/Brussels",
            accept_downloads=True,
            **{"viewport": DESKTOP, **context_args},
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    yield open_page
    for context in contexts:
        context.close()
    if problems.problems:
        pytest.fail("No JavaScript errors on any page visited, but:\n" + "\n".join(problems.problems), pytrace=False)


@pytest.fixture
def page(new_page):
    return new_page()


def login(page, user, password: str = PASSWORD) -> None:
    """Log in through the login form, as a person would, and wait for their first screen."""
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/work/")


def field_errors(page, label: str):
    """The error messages shown in the block of the field labelled ``label``."""
    return page.locator(".it-field").filter(has=page.get_by_label(label)).locator(".it-errors")


def click_and_wait_for_render(page, target) -> None:
    """Click ``target`` and wait until the page it leads to is drawn.

    Turbo submits forms with fetch and swaps in a new <body> when the answer comes; until
    then the old page, with the same fields and messages, is still there. Mark the old body
    so that a test never acts on a page that is about to be replaced.
    """
    page.evaluate("document.body.dataset.itOld = 'true'")
    target.click()
    # A locator, not wait_for_function: the page's Content-Security-Policy forbids eval.
    from playwright.sync_api import expect

    expect(page.locator("body[data-it-old]")).to_have_count(0)
