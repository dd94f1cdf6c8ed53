"""Browser fixtures: Playwright driving Debian's chromium (never a downloaded browser).

Playwright's sync API keeps an asyncio loop marked as running in the test thread for as long
as it is started, and Django refuses ORM calls from such a thread ("You cannot call this from
an async context"). So Playwright is started per test, *after* the database fixtures, and
stopped before they are torn down: test data is created in fixtures listed before `browser`,
and the live server does its own database work in its own thread.
"""

import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.skip("Debian's chromium is not installed (`make test` installs it)")
    return path


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def browser(chromium_executable, live_server):
    """A headless chromium, started once the live server (and so the test database) is up."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


class PageWatch:
    """Console errors, uncaught page errors, failed requests and static files that did not
    load, as seen by one page."""

    def __init__(self, page):
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed_requests: list[str] = []
        self.bad_static: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _on_console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def _on_request_failed(self, request):
        self.failed_requests.append(f"{request.url}: {request.failure}")

    def _on_response(self, response):
        if "/static/" in response.url and response.status >= 400:
            self.bad_static.append(f"{response.status} {response.url}")

    def csp_violations(self) -> list[str]:
        return [
            text
            for text in self.console_errors + self.page_errors
            if "content security policy" in text.lower()
        ]


# Marks every rendered element whose own text (not its children's) contains Khmer characters.
_MARK_KHMER_JS = r"""() => {
  const found = [...document.body.querySelectorAll('*')].filter(el => el.checkVisibility() &&
    [...el.childNodes].some(
      n => n.nodeType === Node.TEXT_NODE && /[\u1780-\u17FF]/.test(n.textContent)));
  found.forEach((el, i) => el.setAttribute('data-khmer-probe', i));
  return found.map(el => el.tagName.toLowerCase() + ' "' + el.textContent.trim() + '"');
}"""


def khmer_text_fonts(page) -> dict[str, list[str]]:
    """{element: [font families chromium really drew its text with]} for every rendered
    element with Khmer text of its own (closed menus are not drawn, so not checked).

    Computed styles cannot tell this: a family list can name the web font and still have the
    text drawn by a system font without Khmer glyphs (tofu). Chromium only (CDP)."""
    described = page.evaluate(_MARK_KHMER_JS)
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        result = {}
        for index, description in enumerate(described):
            node = cdp.send(
                "DOM.querySelector",
                {"nodeId": root, "selector": f'[data-khmer-probe="{index}"]'},
            )["nodeId"]
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            result[description] = [font["familyName"] for font in fonts]
        return result
    finally:
        cdp.detach()
        page.evaluate(
            "() => document.querySelectorAll('[data-khmer-probe]')"
            ".forEach(el => el.removeAttribute('data-khmer-probe'))"
        )


@pytest.fixture
def new_page(browser):
    """new_page(width, height, locale="en-US") → (page, PageWatch) in a fresh context."""
    contexts = []

    def make(width: int, height: int, locale: str = "en-US"):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale=locale, device_scale_factor=1
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        return page, PageWatch(page)

    yield make
    for context in contexts:
        context.close()
