"""Playwright for Python driving Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
INSTALL_HINT = "apt-get install -y chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if Path(candidate).exists() else None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = f"Chromium is not installed; install it with: {INSTALL_HINT}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop; Django's ORM calls from the test are safe here.
    # Only for the browser tests: restored afterwards so no other test inherits it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def _contexts(browser):
    """One browser context per test process and kind of page, each test getting a new tab in
    it: a new context cost about 0.5 s of Chromium's CPU per test (a renderer started anew),
    a new tab about none. What a context keeps, its cookies and the site's storage, is cleared
    after every test (``_fresh_page``); what a tab keeps (routes, init scripts, listeners,
    viewport, media) goes with the tab."""
    contexts = {
        # bypass_csp lets axe-core be injected; test_csp_page_works checks our CSP itself.
        "page": browser.new_context(locale="nl-NL", bypass_csp=True),
        "strict": browser.new_context(locale="nl-NL"),
    }
    yield contexts
    for context in contexts.values():
        context.close()


@contextlib.contextmanager
def _fresh_page(context):
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        if page.url.startswith("http"):  # htmx keeps its history snapshots in localStorage
            page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        page.close()
        context.clear_cookies()


@pytest.fixture
def page(_contexts):
    with _fresh_page(_contexts["page"]) as page:
        yield page


@pytest.fixture
def strict_page(_contexts):
    """A page that enforces the site's Content-Security-Policy and records console errors."""
    with _fresh_page(_contexts["strict"]) as page:
        page.console_errors = []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        yield page


@pytest.fixture
def another_browser(browser):
    """Opens a page in a browser of someone else's (a context of its own: their own cookies),
    ``another_browser(**context_options)``; each is closed after the test. A context left
    open kept its pages alive, and Chromium working on them, for the rest of the session."""
    contexts = []

    def open_page(**options):
        context = browser.new_context(locale="nl-NL", **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.1 A and AA rules) on the page; return its violations, each as its
    rule, impact and the elements found. Only violations are asked for and carried back: the
    passes' element lists were most of what a run cost."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => (await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })).violations.map(v => ({
            id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target),
        }))"""
    )
