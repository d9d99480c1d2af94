"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against pytest-django's live server.

Every browser context reports Content-Security-Policy violations, and a browser test fails if its pages had
any: the policy allows no inline script, so a template that grows one is caught by whichever test renders it.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import require

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# axe-core, the accessibility checker: fetched from the npm registry by `make install` into the ignored var/node
AXE_CORE = Path(
    os.environ.get("AXE_CORE_PATH", Path(__file__).resolve().parents[2] / "var/node/node_modules/axe-core/axe.min.js")
)
# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True, scope="session")
def _patient_expectations():
    """An expectation waits as long as an action does (15 s, not Playwright's 5 s): in CI three test sessions
    share two cores, and a page that submits a review (a scorecard, notifications) can take longer than 5 s."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def chromium():
    require(shutil.which(CHROMIUM), f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield CspCheckedBrowser(browser)
        browser.close()


CSP_WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__sicrmCspViolation(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " +
                             e.documentURI + (e.sample ? " (" + e.sample + ")" : ""));
});
"""
CSP_VIOLATIONS: list[str] = []


class CspCheckedBrowser:
    """The Playwright browser, whose new contexts collect CSP violations into ``CSP_VIOLATIONS``."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        context.expose_function("__sicrmCspViolation", lambda report: CSP_VIOLATIONS.append(report))
        context.add_init_script(CSP_WATCH)
        return context

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(autouse=True)
def no_csp_violations():
    CSP_VIOLATIONS.clear()
    yield
    assert CSP_VIOLATIONS == [], "Content-Security-Policy violations"


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def login(page, username: str, password: str = "demo") -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


@pytest.fixture
def browser_as(chromium, live_server):
    """``browser_as(username, locale=...)``: a fresh browser context (its own cookies), logged in as that person."""
    contexts = []

    def open_as(username: str, locale: str = "zh-CN"):
        context = chromium.new_context(base_url=live_server.url, locale=locale)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        login(page, username)
        return page

    yield open_as
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:
    """The page as the user last saw it, kept with the run's files (``<var dir>/screenshots``) for CI to collect."""
    from django.conf import settings

    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
