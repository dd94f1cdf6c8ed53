"""Date entry from a Khmer keyboard, and the calendar beside every date field, on a 390 px
phone and a desktop, in Khmer and English. Screenshots (test-artifacts/dates-*.png) are
taken before the assertions that could fail."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from phteah.demo.network import DEMO_PASSWORD

from .test_journeys import (  # noqa: F401 (demo_case_worker is a fixture)
    CASE_WORKER,
    DESKTOP,
    HORIZONTAL_OVERFLOW_JS,
    PHONE,
    demo_case_worker,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KHMER_DIGIT = re.compile("[០-៩]")
KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
KHMER_MONTHS = "មករា កុម្ភៈ មីនា មេសា ឧសភា មិថុនា កក្កដា សីហា កញ្ញា តុលា វិច្ឆិកា ធ្នូ".split()


def khmer(text: str) -> str:
    return text.translate(KHMER_DIGITS)


@pytest.fixture
def overdue_case_worker(demo_case_worker):  # noqa: F811 (the imported fixture)
    """The demo case worker with one more case, identified 60 days ago and never visited
    (first in My work, with its "Record visit" button)."""
    from django.utils import timezone

    from tests.factories import CaseFactory

    CaseFactory(
        organisation=demo_case_worker.memberships.first().organisation,
        identified_at=timezone.now() - datetime.timedelta(days=60),
        workers=[demo_case_worker],
    )
    return demo_case_worker


@pytest.fixture
def khmer_case_worker(overdue_case_worker):
    """The demo case worker in Khmer, with the digits of the language (Khmer)."""
    user = overdue_case_worker
    user.language, user.numerals = "km", ""
    user.save(update_fields=["language", "numerals"])
    return user


def open_visit_form(page):
    """From My work, the first case's visit form (the first "Record visit" button)."""
    page.locator("td.work-act a.button").first.click()
    expect(page.locator('input[name="visited_on"]')).to_be_visible()


def test_a_visit_date_typed_with_khmer_digits_is_saved(
    live_server, khmer_case_worker, new_page, artifacts_dir
):
    today = datetime.date.today()
    page, watch = new_page(*PHONE, locale="km-KH")
    sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
    open_visit_form(page)
    date = page.locator('input[name="visited_on"]')
    expect(date).to_have_attribute("type", "text")
    expect(date).to_have_attribute("aria-describedby", "id_visited_on_format")
    date.fill("")
    typed = khmer(f"{today.day}/{today.month}/{today.year}")  # ២/១២/២០២៦, as typed in Khmer
    date.press_sequentially(typed)
    page.locator('input[name="people_seen"]').fill("កុមារ និងយាយ")
    page.screenshot(path=artifacts_dir / "dates-visit-typed-km-phone.png", full_page=True)
    page.locator("form.stack button[type=submit]").last.click()
    page.wait_for_load_state()
    page.screenshot(path=artifacts_dir / "dates-visit-saved-km-phone.png", full_page=False)
    shown = khmer(f"{today.day} {KHMER_MONTHS[today.month - 1]} {today.year}")
    expect(page.locator(".messages")).to_be_visible()
    assert "/visits/add/" not in page.url, page.locator(".errorlist").all_inner_texts()
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    expect(page.get_by_text(shown).first).to_be_visible()
    assert not watch.page_errors, watch.page_errors


def test_the_calendar_opens_and_picks_a_day_on_a_phone_in_khmer(
    live_server, khmer_case_worker, new_page, artifacts_dir
):
    today = datetime.date.today()
    page, watch = new_page(*PHONE, locale="km-KH")
    sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
    open_visit_form(page)
    date = page.locator('input[name="visited_on"]')
    expect(date).to_have_value(khmer(today.strftime("%d/%m/%Y")))
    opener = page.locator("button.date-open").first
    opener.click()
    calendar = page.locator(".date-calendar").first
    expect(calendar).to_be_visible()
    page.screenshot(path=artifacts_dir / "dates-calendar-km-phone.png", full_page=False)
    title = calendar.locator(".date-title")
    expect(title).to_have_text(f"{KHMER_MONTHS[today.month - 1]} {khmer(str(today.year))}")
    box = calendar.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0], box
    assert page.evaluate(HORIZONTAL_OVERFLOW_JS) <= 0
    # Today has the focus; the keyboard moves a day back and Enter picks it.
    focused = page.evaluate("() => document.activeElement.dataset.day")
    assert focused == today.isoformat()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    yesterday = today - datetime.timedelta(days=1)
    expect(calendar).to_be_hidden()
    expect(date).to_have_value(khmer(yesterday.strftime("%d/%m/%Y")))
    # A tap on a day picks it too; Escape closes without picking.
    opener.click()
    calendar.locator(f'button[data-day="{today.isoformat()}"]').click()
    expect(date).to_have_value(khmer(today.strftime("%d/%m/%Y")))
    opener.click()
    page.keyboard.press("Escape")
    expect(calendar).to_be_hidden()
    expect(opener).to_be_focused()
    assert not watch.page_errors, watch.page_errors
    assert not watch.csp_violations(), watch.csp_violations()


def test_the_calendar_in_english_on_a_desktop(
    live_server, overdue_case_worker, new_page, artifacts_dir
):
    today = datetime.date.today()
    page, watch = new_page(*DESKTOP, locale="en-US")
    sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
    open_visit_form(page)
    date = page.locator('input[name="visited_on"]')
    expect(date).to_have_value(today.strftime("%d/%m/%Y"))
    page.locator("button.date-open").first.click()
    calendar = page.locator(".date-calendar").first
    expect(calendar.locator(".date-title")).to_have_text(today.strftime("%B %Y"))
    page.screenshot(path=artifacts_dir / "dates-calendar-en-desktop.png", full_page=False)
    calendar.locator("button.date-step").last.click()  # next month
    nxt = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    expect(calendar.locator(".date-title")).to_have_text(nxt.strftime("%B %Y"))
    calendar.locator(f'button[data-day="{nxt.isoformat()}"]').click()
    expect(date).to_have_value(nxt.strftime("%d/%m/%Y"))
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.locator("button.date-open").first.click()
    page.screenshot(path=artifacts_dir / "dates-calendar-en-phone.png", full_page=False)
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    page.locator("button.date-open").first.click()
    page.goto(f"{live_server.url}/work/")
    page.screenshot(path=artifacts_dir / "dates-my-work-en-desktop.png", full_page=False)
    assert not watch.page_errors, watch.page_errors


def test_a_khmer_user_chooses_latin_digits_on_the_account_page(
    live_server, khmer_case_worker, new_page, artifacts_dir
):
    page, watch = new_page(*PHONE, locale="km-KH")
    sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
    body = page.locator("main")
    assert KHMER_DIGIT.search(body.inner_text()), "My work in Khmer shows no Khmer digit"
    page.screenshot(path=artifacts_dir / "digits-my-work-km-phone.png", full_page=False)
    page.goto(f"{live_server.url}/account/")
    page.screenshot(path=artifacts_dir / "digits-account-km-phone.png", full_page=True)
    page.locator('input[name="numerals"][value="latin"]').check()
    page.locator('input[name="numerals"]').first.locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()
    expect(page.locator(".messages")).to_be_visible()
    page.goto(f"{live_server.url}/work/")
    text = body.inner_text()
    page.screenshot(path=artifacts_dir / "digits-my-work-km-latin-phone.png", full_page=False)
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    page.screenshot(path=artifacts_dir / "digits-my-work-km-latin-desktop.png", full_page=False)
    assert not KHMER_DIGIT.search(text), KHMER_DIGIT.findall(text)
    assert re.search("[0-9]", text)
    assert not watch.page_errors, watch.page_errors
