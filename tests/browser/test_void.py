"""On a 390 px phone, a case worker voids a mistaken visit from the case page: a reason is
asked for, the visit is then struck through with who voided it and why, and the next visit
due comes from the visit before it again. Screenshots of the case page after voiding, in
English and Khmer at 390 px and 1280 px, go to test-artifacts/ (taken before the assertions
that could fail)."""

import datetime

import pytest
from playwright.sync_api import expect

from phteah.demo.network import DEMO_PASSWORD

from .test_casework import open_fold, shown
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
def case_with_a_mistaken_visit(demo_case_worker):  # noqa: F811 (the imported fixture)
    """A case of the demo case worker with two visits: the latest, recorded by mistake,
    plans the next visit in 3 days; the one before it tomorrow (both sooner than any rule
    of the demo's asks, so the stored due date is the planned one)."""
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from tests.factories import CaseFactory, dated_visit

    today = timezone.localdate()
    organisation = demo_case_worker.memberships.first().organisation
    with scopes_disabled():
        case = CaseFactory(
            organisation=organisation,
            identified_at=timezone.now() - datetime.timedelta(days=40),
            workers=[demo_case_worker],
        )
        dated_visit(
            case,
            today - datetime.timedelta(days=3),
            next_visit_due=today + datetime.timedelta(days=1),
            by=demo_case_worker,
        )
        dated_visit(
            case,
            today - datetime.timedelta(days=1),
            next_visit_due=today + datetime.timedelta(days=3),
            by=demo_case_worker,
        )
    return {
        "case_id": case.pk,
        "kept_due": shown(today + datetime.timedelta(days=1)),
        "wrong_due": shown(today + datetime.timedelta(days=3)),
    }


def test_void_a_visit_from_the_case_page_on_a_phone(
    live_server, case_with_a_mistaken_visit, new_page, artifacts_dir
):
    data = case_with_a_mistaken_visit
    page, watch = new_page(*PHONE, locale="en-US")
    sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/cases/{data['case_id']}/")
    visits = page.locator("#care-visits")
    expect(visits).to_contain_text(f"Next visit due: {data['wrong_due']}")
    open_fold(page, "fold-records")  # the visits are in a fold, closed on a phone

    visits.locator("td.row-actions a").first.click()  # "Void…" on the latest visit
    expect(page.locator("h1")).to_have_text("Void a visit")
    page.locator("form.care-form button[type=submit]").click()  # no reason: refused
    expect(page.locator("h1")).to_have_text("Void a visit")
    page.locator('textarea[name="reason"]').fill("Recorded twice by mistake.")
    page.screenshot(path=artifacts_dir / "void-form-en-phone.png", full_page=True)
    page.locator("form.care-form button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/cases/{data['case_id']}/#care-visits")
    page.screenshot(path=artifacts_dir / "void-case-en-phone.png", full_page=True)
    page.locator("#care-visits").screenshot(path=artifacts_dir / "void-visits-en-phone.png")
    visits = page.locator("#care-visits")
    voided = visits.locator("tr.voided")
    expect(voided).to_have_count(1)
    expect(voided).to_contain_text("Recorded twice by mistake.")
    expect(voided).to_contain_text("Voided by")
    decoration = (
        voided.locator("td").nth(1).evaluate("el => getComputedStyle(el).textDecorationLine")
    )
    assert "line-through" in decoration
    # The next visit due comes from the visit before the voided one again.
    expect(visits).to_contain_text(f"Next visit due: {data['kept_due']}")
    expect(page.locator("#timeline li.voided")).to_have_count(1)
    assert page.evaluate(HORIZONTAL_OVERFLOW_JS) <= 0

    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    page.screenshot(path=artifacts_dir / "void-case-en-desktop.png", full_page=True)
    page.locator("#care-visits").screenshot(path=artifacts_dir / "void-visits-en-desktop.png")
    page.locator("#timeline").screenshot(path=artifacts_dir / "void-timeline-en-desktop.png")
    page.locator('form.lang-switch button[name="language"][value="km"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "km")
    page.goto(f"{live_server.url}/cases/{data['case_id']}/#care-visits")
    page.screenshot(path=artifacts_dir / "void-case-km-desktop.png", full_page=True)
    page.locator("#care-visits").screenshot(path=artifacts_dir / "void-visits-km-desktop.png")
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.screenshot(path=artifacts_dir / "void-case-km-phone.png", full_page=True)
    page.locator("#care-visits").screenshot(path=artifacts_dir / "void-visits-km-phone.png")
    page.locator("#timeline").screenshot(path=artifacts_dir / "void-timeline-km-phone.png")
    assert page.evaluate(HORIZONTAL_OVERFLOW_JS) <= 0
    assert not watch.page_errors, watch.page_errors
