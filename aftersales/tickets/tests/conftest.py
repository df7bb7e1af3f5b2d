"""Browser fixtures: one Debian Chromium per test module, driven by Playwright's sync API.

Nothing here imports Playwright until a browser test asks for it, so the rest of the
suite runs where Playwright or Chromium is missing.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
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
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
# Runs in every page before its own scripts; CSP does not apply to scripts added by the browser driver.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}:${event.columnNumber}`
    + (event.sample ? ` (${event.sample})` : ""));
});
"""


@dataclass
class BrowserProblems:
    """Console errors, uncaught page errors and CSP violations seen by the pages of one test."""

    seen: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.seen.append(f"page error: {error}"))

    def _console(self, message) -> None:
        if message.type == "error":
            self.seen.append(f"console: {message.text} ({message.location.get('url', '')})")


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Playwright's sync API runs an event loop, which Django's
    async-safety check mistakes for async code; allow it only while the browser is up."""
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_problems():
    return BrowserProblems()


@pytest.fixture
def open_page(browser, live_server, browser_problems):
    """open_page(phone=False) -> a page in a fresh context (its own cookies: one person at one device).

    Every page reports console errors, page errors and CSP violations into `browser_problems`.
    """
    contexts = []

    def open_new(*, phone: bool = False):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", **(PHONE if phone else DESKTOP))
        context.set_default_timeout(10_000)
        context.expose_binding("reportCspViolation", lambda _source, text: browser_problems.seen.append(f"CSP: {text}"))
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        browser_problems.watch(page)
        return page

    yield open_new
    for context in contexts:
        context.close()
