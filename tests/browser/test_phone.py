"""On a 390 px phone, from My work: the first case's "Record visit" button is on the first
screen without scrolling, one tap opens that case's visit form, and My work shows compact
rows. Screenshots of My work in English and Khmer at 390 px and 1280 px go to
test-artifacts/ (taken before the assertions that could fail)."""

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


@pytest.fixture
def worker_with_overdue_cases(demo_case_worker):  # noqa: F811 (the imported fixture)
    """Eight more cases of the demo case worker, identified 60 days ago and never visited:
    all in "Overdue visits" (built before `browser` starts Playwright)."""
    import datetime

    from django.utils import timezone

    from tests.factories import CaseFactory

    organisation = demo_case_worker.memberships.first().organisation
    for _ in range(8):
        CaseFactory(
            organisation=organisation,
            identified_at=timezone.now() - datetime.timedelta(days=60),
            workers=[demo_case_worker],
        )
    return demo_case_worker


IN_FIRST_SCREEN_JS = """(selector) => [...document.querySelectorAll(selector)]
  .filter(el => { const r = el.getBoundingClientRect();
                  return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; })
  .length"""


def test_record_a_visit_from_my_work_in_one_tap_without_scrolling(
    live_server, worker_with_overdue_cases, new_page, artifacts_dir
):
    page, watch = new_page(*PHONE, locale="en-US")
    sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
    page.screenshot(path=artifacts_dir / "my-work-en-phone.png", full_page=True)
    rows_in_view = page.evaluate(IN_FIRST_SCREEN_JS, "tr.work-row")
    buttons_in_view = page.evaluate(IN_FIRST_SCREEN_JS, "td.work-act a.button")
    overflow = page.evaluate(HORIZONTAL_OVERFLOW_JS)
    total_rows = page.locator("tr.work-row").count()

    assert page.evaluate("() => window.scrollY") == 0
    assert buttons_in_view >= 1, "no Record visit button on the first phone screen"
    assert rows_in_view >= min(5, total_rows), (rows_in_view, total_rows)
    assert overflow <= 0, f"My work scrolls sideways on a phone by {overflow}px"

    first = page.locator("td.work-act a.button").first
    href = first.get_attribute("href")
    first.click()  # tap 1: the visit form of that case; tap 2 would be Save
    expect(page).to_have_url(f"{live_server.url}{href}")
    assert href.endswith("/visits/add/")
    expect(page.locator("form button[type=submit]").last).to_be_visible()
    page.screenshot(path=artifacts_dir / "visit-form-en-phone.png", full_page=True)
    assert not watch.page_errors, watch.page_errors


def test_my_work_in_khmer_and_on_desktop(
    live_server, worker_with_overdue_cases, new_page, artifacts_dir
):
    page, watch = new_page(*PHONE, locale="en-US")
    sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    page.screenshot(path=artifacts_dir / "my-work-en-desktop.png", full_page=True)
    page.locator('form.lang-switch button[name="language"][value="km"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "km")
    page.screenshot(path=artifacts_dir / "my-work-km-desktop.png", full_page=True)
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.screenshot(path=artifacts_dir / "my-work-km-phone.png", full_page=True)
    overflow = page.evaluate(HORIZONTAL_OVERFLOW_JS)
    buttons_in_view = page.evaluate(IN_FIRST_SCREEN_JS, "td.work-act a.button")
    assert overflow <= 0, f"Khmer My work scrolls sideways on a phone by {overflow}px"
    assert buttons_in_view >= 1


def test_case_list_filters_closed_once_applied_screenshots(
    live_server, worker_with_overdue_cases, new_page, artifacts_dir
):
    page, watch = new_page(*PHONE, locale="en-US")
    sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/cases/?risk_level=high")
    page.screenshot(path=artifacts_dir / "case-list-filtered-en-phone.png", full_page=False)
    panel = page.locator("details.case-filters")
    assert panel.get_attribute("open") is None
    expect(panel.locator("summary .filter-chip")).to_have_count(1)
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    page.screenshot(path=artifacts_dir / "case-list-filtered-en-desktop.png", full_page=False)
    page.locator('form.lang-switch button[name="language"][value="km"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "km")
    page.screenshot(path=artifacts_dir / "case-list-filtered-km-desktop.png", full_page=False)
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.screenshot(path=artifacts_dir / "case-list-filtered-km-phone.png", full_page=False)
    assert page.evaluate(HORIZONTAL_OVERFLOW_JS) <= 0
