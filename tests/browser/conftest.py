"""Playwright in Debian's chromium against Django's live server (no browser download)."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; Django must still allow ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
# Every browser context: Dutch, and "prefers-reduced-motion" (as a resident may set it), so
# Bootstrap skips its transitions and smooth scrolling: Playwright then need not wait for an
# element to stop moving before it taps it. What the pages do is the same.
CONTEXT = {"locale": "nl-NL", "reduced_motion": "reduce"}
FAST_ARGS = [
    "--disable-gpu",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    "--disable-extensions",
    "--disable-component-update",
    "--no-first-run",
]


def _chromium_missing_reason() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        return "Debian's chromium is not installed (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _chromium_missing_reason()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required in CI but cannot run: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", *FAST_ARGS])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, reference_data):
    context = browser.new_context(base_url=live_server.url, **CONTEXT)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server, reference_data):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 320, "height": 640}, **CONTEXT
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def login(page, email: str, password: str) -> None:
    page.goto("/account/login/")
    page.get_by_label("E-mail").first.fill(email)
    page.get_by_label("Wachtwoord").first.fill(password)
    page.locator("main form button[type=submit]").first.click()


def _phone_context(browser, live_server):
    """A phone as residents use it (issue 15): 390 × 844, touch, mobile viewport meta."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        **CONTEXT,
    )
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def phone_390(browser, live_server, reference_data):
    """Makes phone pages (one per person in the journey); all are closed afterwards."""
    contexts = []

    def new_page():
        context = _phone_context(browser, live_server)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()
