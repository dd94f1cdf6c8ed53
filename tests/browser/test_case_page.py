"""The case page, the case list and the visit form on a 390×844 phone (and at 1280 px):
the case page opens on its summary with the folds closed and is short; the action bar stays
on screen; a visit is recorded from My work in two taps without scrolling; the case list
shows at least five cases a screen. Screenshots in English and Khmer at both widths go to
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
from .test_phone import IN_FIRST_SCREEN_JS, worker_with_overdue_cases  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Measured with the same demo case on main before this change: 4,700–10,400 px.
CASE_PAGE_MAX_HEIGHT = 2000
HEIGHT_JS = "() => document.documentElement.scrollHeight"
IN_VIEW_JS = """(selector) => { const el = document.querySelector(selector);
  if (!el) return false; const r = el.getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }"""


@pytest.fixture
def biggest_demo_case(demo_case_worker):  # noqa: F811 (the imported fixture)
    """The demo cases, and the demo case worker's open case with the most records (built
    before `browser` starts)."""
    from django.db.models import Count
    from django_scopes import scopes_disabled

    from phteah.cases.models import Case
    from phteah.demo.cases import demo_cases_create

    demo_cases_create()
    with scopes_disabled():
        return (
            Case.objects.filter(case_workers=demo_case_worker, status=Case.Status.OPEN)
            .annotate(
                records=Count("visits", distinct=True)
                + Count("services", distinct=True)
                + Count("assessments", distinct=True)
            )
            .order_by("-records")
            .first()
        )


def _switch_language(page, language):
    page.locator(f'form.lang-switch button[name="language"][value="{language}"]').click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_the_case_page_opens_on_its_summary_and_is_short_on_a_phone(
    live_server, biggest_demo_case, new_page, artifacts_dir
):
    page, watch = new_page(*PHONE, locale="en-US")
    sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
    url = f"{live_server.url}/cases/{biggest_demo_case.pk}/"
    page.goto(url)
    page.screenshot(path=artifacts_dir / "case-page-en-phone.png", full_page=True)
    height = page.evaluate(HEIGHT_JS)
    open_folds = page.locator("details.fold[open]").count()
    bar_in_view = page.evaluate(IN_VIEW_JS, "nav.action-bar")
    summary_in_view = page.evaluate(IN_VIEW_JS, ".case-glance dl")
    overflow = page.evaluate(HORIZONTAL_OVERFLOW_JS)

    assert open_folds == 0
    assert page.locator("details.fold").count() >= 7
    assert height <= CASE_PAGE_MAX_HEIGHT, f"the case page is {height}px long on a phone"
    assert bar_in_view, "the action bar is not on the first screen"
    assert summary_in_view
    assert overflow <= 0, f"the case page scrolls sideways by {overflow}px"
    # Scrolled to the bottom, the action bar is still at hand, and the timeline is last.
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate(IN_VIEW_JS, "nav.action-bar")
    assert page.locator("details.fold").last.get_attribute("id") == "timeline"
    # A fold opens with a tap, without a script.
    page.locator("#fold-records > summary").click()
    expect(page.locator("#fold-records table.list").first).to_be_visible()
    page.locator("#fold-records").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "case-page-en-phone-records-open.png")

    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=artifacts_dir / "case-page-en-phone-first-screen.png")
    _switch_language(page, "km")
    page.goto(url)
    page.screenshot(path=artifacts_dir / "case-page-km-phone.png", full_page=True)
    page.screenshot(path=artifacts_dir / "case-page-km-phone-first-screen.png")
    km_height = page.evaluate(HEIGHT_JS)
    assert page.evaluate(IN_VIEW_JS, "nav.action-bar")
    assert page.evaluate(HORIZONTAL_OVERFLOW_JS) <= 0
    assert km_height <= CASE_PAGE_MAX_HEIGHT, f"the Khmer case page is {km_height}px long"
    assert not watch.page_errors, watch.page_errors


def test_the_case_page_on_a_desktop_has_its_folds_open_and_the_bar_in_the_page(
    live_server, biggest_demo_case, new_page, artifacts_dir
):
    page, watch = new_page(*DESKTOP, locale="en-US")
    sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
    url = f"{live_server.url}/cases/{biggest_demo_case.pk}/"
    page.goto(url)
    page.screenshot(path=artifacts_dir / "case-page-en-desktop.png", full_page=True)
    position = page.evaluate(
        "() => getComputedStyle(document.querySelector('nav.action-bar')).position"
    )
    assert position == "static"
    assert page.locator("details.fold:not([open])").count() == 0
    _switch_language(page, "km")
    page.goto(url)
    page.screenshot(path=artifacts_dir / "case-page-km-desktop.png", full_page=True)
    page.screenshot(path=artifacts_dir / "case-page-km-desktop-top.png")
    assert page.evaluate(HORIZONTAL_OVERFLOW_JS) <= 0
    assert not watch.page_errors, watch.page_errors


def test_a_visit_is_recorded_from_my_work_in_two_taps_without_scrolling(
    live_server,
    worker_with_overdue_cases,  # noqa: F811
    new_page,
    artifacts_dir,
):
    page, watch = new_page(*PHONE, locale="en-US")
    sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
    case_url = page.locator("td.work-act a.button").first.get_attribute("href")
    case_url = case_url.removesuffix("visits/add/")
    visits = page.locator("table.list tbody tr:has(td.date)")
    page.goto(f"{live_server.url}{case_url}visits/")
    before = visits.count()
    page.goto(f"{live_server.url}/work/")
    button = page.locator("td.work-act a.button").first
    assert button.get_attribute("href") == f"{case_url}visits/add/"
    assert page.evaluate(IN_FIRST_SCREEN_JS, "td.work-act a.button") >= 1
    button.click()  # tap 1
    expect(page).to_have_url(f"{live_server.url}{case_url}visits/add/")
    page.screenshot(path=artifacts_dir / "visit-form-en-phone-first-screen.png")
    save = page.locator("form.care-form button[type=submit]")
    assert page.evaluate("() => window.scrollY") == 0
    box = save.bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE[1], box
    save.click()  # tap 2
    expect(page).to_have_url(f"{live_server.url}{case_url}")
    expect(page.locator(".messages")).to_contain_text("The visit was recorded.")
    # One more visit in the case. (No ORM here: the Playwright thread may not use it.)
    page.goto(f"{live_server.url}{case_url}visits/")
    expect(visits).to_have_count(before + 1)
    assert not watch.page_errors, watch.page_errors


def test_the_case_list_shows_five_cases_a_phone_screen(
    live_server,
    worker_with_overdue_cases,  # noqa: F811
    new_page,
    artifacts_dir,
):
    page, watch = new_page(*PHONE, locale="en-US")
    sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/cases/")
    page.screenshot(path=artifacts_dir / "case-list-en-phone.png")
    rows = page.evaluate(IN_FIRST_SCREEN_JS, "tr.case-row")
    assert rows >= 5, f"{rows} cases on the first phone screen"
    assert page.evaluate(HORIZONTAL_OVERFLOW_JS) <= 0
    _switch_language(page, "km")
    page.screenshot(path=artifacts_dir / "case-list-km-phone.png")
    km_rows = page.evaluate(IN_FIRST_SCREEN_JS, "tr.case-row")
    assert km_rows >= 5, f"{km_rows} cases on the first Khmer phone screen"
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    page.screenshot(path=artifacts_dir / "case-list-km-desktop.png")
    wrapped = page.evaluate(
        """() => [...document.querySelectorAll('tr.case-row td.date')]
          .filter(td => td.getClientRects().length && td.textContent.trim() !== '—'
                        && td.getBoundingClientRect().height > 40).length"""
    )
    assert wrapped == 0, "dates wrap on desktop"
    assert not watch.page_errors, watch.page_errors


def test_the_assessment_form_shows_what_each_score_means_and_a_failed_form_its_errors(
    live_server, biggest_demo_case, new_page, artifacts_dir
):
    page, watch = new_page(*PHONE, locale="en-US")
    sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
    url = f"{live_server.url}/cases/{biggest_demo_case.pk}/assessments/add/"
    page.goto(url)
    page.screenshot(path=artifacts_dir / "assessment-form-en-phone.png")
    first = page.locator("fieldset.score-row").first
    expect(first.locator(".score-guidance")).to_have_count(4)
    assert page.evaluate(HORIZONTAL_OVERFLOW_JS) <= 0
    # Sent without scores: the summary at the top says so and links to the first score.
    page.locator("form.stack button[type=submit]").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    page.screenshot(path=artifacts_dir / "assessment-form-errors-en-phone.png")
    link = summary.locator("a").first
    target = link.get_attribute("href")
    assert target.startswith("#id_")
    link.click()
    assert page.evaluate("(id) => !!document.getElementById(id)", target[1:])
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    page.goto(url)
    page.screenshot(path=artifacts_dir / "assessment-form-en-desktop.png")
    _switch_language(page, "km")
    page.screenshot(path=artifacts_dir / "assessment-form-km-desktop.png")
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.screenshot(path=artifacts_dir / "assessment-form-km-phone.png")
    assert page.evaluate(HORIZONTAL_OVERFLOW_JS) <= 0
    assert not watch.page_errors, watch.page_errors
