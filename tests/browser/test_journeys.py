"""End-to-end journeys in headless chromium: a case worker signs in and switches the interface
to Khmer (and the Khmer web font really loads and draws the Khmer text); an anonymous visitor
sees the sign-in form on a phone under a Content-Security-Policy that the page does not violate.

Screenshots go to test-artifacts/ for a human to look at; they are taken before the
assertions that could fail, so that a failing run still leaves them behind."""

import re

import pytest
from playwright.sync_api import expect

from phteah.demo.network import DEMO_PASSWORD, demo_network_create
from phteah.geography.services import geography_load

from .conftest import khmer_text_fonts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CASE_WORKER = "caseworker@fbc.test"
PHONE = (390, 844)
DESKTOP = (1280, 800)
KHMER = re.compile(r"[\u1780-\u17FF]")
KHMER_FONT = "Noto Sans Khmer"

# Resolves once every font in use has loaded, then asks for the Khmer face explicitly: a
# FontFace with a unicode-range only loads when Khmer characters are rendered.
KHMER_FONT_STATUS_JS = """async () => {
  await document.fonts.ready;
  await document.fonts.load('16px "Noto Sans Khmer"', 'ផ្ទះ');
  return [...document.fonts]
    .filter(f => f.family.replace(/"/g, '') === 'Noto Sans Khmer')
    .map(f => f.status);
}"""

HORIZONTAL_OVERFLOW_JS = (
    "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
)


def not_drawn_in_khmer_font(page) -> dict[str, list[str]]:
    """Elements with Khmer text that chromium did not draw with Noto Sans Khmer."""
    fonts = khmer_text_fonts(page)
    assert fonts, "no element has Khmer text"
    return {element: used for element, used in fonts.items() if KHMER_FONT not in used}


@pytest.fixture
def demo_case_worker(transactional_db):
    """The demo network, with the FBC case worker preferring English so that the test can
    switch to Khmer. Created before `browser` starts Playwright (see conftest)."""
    from phteah.accounts.models import User

    geography_load()
    demo_network_create()
    user = User.objects.get(email=CASE_WORKER)
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def choose_english(page, base_url: str) -> None:
    """What the language switch leaves behind: pages before sign-in follow this cookie,
    never the browser's language."""
    page.context.add_cookies([{"name": "phteah_language", "value": "en", "url": base_url}])


def test_a_first_visit_from_an_english_phone_gets_the_khmer_login_page(
    live_server, new_page, artifacts_dir
):
    page, watch = new_page(*PHONE, locale="en-US")
    page.goto(f"{live_server.url}/account/login/")
    expect(page.locator("html")).to_have_attribute("lang", "km")
    expect(page.locator('form.lang-switch button[value="en"]')).to_have_text("English")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.screenshot(path=artifacts_dir / "login-km-phone.png", full_page=True)
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    page.screenshot(path=artifacts_dir / "login-km-desktop.png", full_page=True)

    page.locator('form.lang-switch button[value="en"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Sign in")
    page.screenshot(path=artifacts_dir / "login-en-desktop.png", full_page=True)
    assert not watch.page_errors, watch.page_errors


def sign_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/account/login/")
    page.locator('input[name="username"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.locator('form.stack button[type="submit"]').click()
    expect(page).to_have_url(f"{base_url}/work/")  # case workers start from My work


def test_case_worker_switches_to_khmer_and_the_khmer_font_loads(
    live_server, demo_case_worker, new_page, artifacts_dir
):
    page, watch = new_page(*PHONE, locale="en-US")
    font_responses = []
    page.on(
        "response",
        lambda r: font_responses.append((r.url, r.status)) if "NotoSansKhmer" in r.url else None,
    )

    sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    khmer_button = page.locator('form.lang-switch button[name="language"][value="km"]')
    expect(khmer_button).to_have_text("ភាសាខ្មែរ")
    khmer_button.click()

    # Back on the same page (My work), now in Khmer: the switch offers English instead.
    expect(page).to_have_url(f"{live_server.url}/work/")
    expect(page.locator("html")).to_have_attribute("lang", "km")
    expect(page.locator('form.lang-switch button[name="language"][value="en"]')).to_be_visible()
    expect(page.locator("header .brand-km")).to_have_text("ផ្ទះ")
    assert KHMER.search(page.locator("body").inner_text())

    statuses = page.evaluate(KHMER_FONT_STATUS_JS)
    page.screenshot(path=artifacts_dir / "home-km-phone.png", full_page=True)
    phone_overflow = page.evaluate(HORIZONTAL_OVERFLOW_JS)
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    expect(page.locator("html")).to_have_attribute("lang", "km")
    page.screenshot(path=artifacts_dir / "home-km-desktop.png", full_page=True)

    assert not watch.bad_static, f"static files failed: {watch.bad_static}"
    assert "loaded" in statuses, f"{KHMER_FONT} did not load: {statuses}, {font_responses}"
    assert page.evaluate("() => document.fonts.check('16px \"Noto Sans Khmer\"', 'ផ្ទះ')")
    assert font_responses and all(status == 200 for _, status in font_responses), font_responses
    # The light WOFF2 that `phteah fonts build` made, not the 360 KB TTF it falls back to.
    assert all(url.endswith(".woff2") for url, _ in font_responses), font_responses
    missing = not_drawn_in_khmer_font(page)
    assert not missing, f"Khmer text drawn without {KHMER_FONT} (tofu): {missing}"
    assert phone_overflow <= 0, f"home page scrolls sideways on a phone by {phone_overflow}px"
    assert not watch.csp_violations(), watch.csp_violations()
    assert not watch.page_errors, watch.page_errors


def test_anonymous_visitor_sees_sign_in_form_on_phone_under_csp(
    live_server, new_page, artifacts_dir
):
    page, watch = new_page(*PHONE, locale="en-US")
    documents = []
    page.on(
        "response",
        lambda r: documents.append(r) if r.request.resource_type == "document" else None,
    )

    choose_english(page, live_server.url)
    response = page.goto(f"{live_server.url}/account/login/")
    assert response is not None and response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Sign in")
    expect(page.locator('input[name="username"]')).to_be_visible()
    expect(page.locator('input[name="password"]')).to_be_visible()
    expect(page.locator('form.stack button[type="submit"]')).to_be_visible()
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.screenshot(path=artifacts_dir / "login-en-phone.png", full_page=True)

    assert documents
    for document in documents:
        policy = document.headers.get("content-security-policy", "")
        assert "default-src" in policy, f"{document.url} has no Content-Security-Policy"
        assert "unsafe-inline" not in policy, policy
    assert not watch.csp_violations(), watch.csp_violations()
    assert not watch.page_errors, watch.page_errors
    assert not watch.bad_static, f"static files failed: {watch.bad_static}"
    assert not watch.failed_requests, watch.failed_requests
    overflow = page.evaluate(HORIZONTAL_OVERFLOW_JS)
    assert overflow <= 0, f"sign-in page scrolls sideways on a phone by {overflow}px"


def test_khmer_language_button_is_drawn_in_the_khmer_font_on_english_pages(live_server, new_page):
    """English pages still carry Khmer text (the language button, Khmer names): it must be
    drawn with the web font, not a system font without Khmer glyphs."""
    page, _watch = new_page(*PHONE, locale="en-US")
    choose_english(page, live_server.url)
    page.goto(f"{live_server.url}/account/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator('form.lang-switch button[value="km"]')).to_have_text("ភាសាខ្មែរ")
    statuses = page.evaluate(KHMER_FONT_STATUS_JS)
    assert "loaded" in statuses, f"{KHMER_FONT} did not load: {statuses}"

    missing = not_drawn_in_khmer_font(page)
    assert not missing, f"Khmer text drawn without {KHMER_FONT} (tofu): {missing}"
