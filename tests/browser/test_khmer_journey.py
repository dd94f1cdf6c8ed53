"""Every main page of a case worker's day, in Khmer with Khmer digits, in a real browser.

The demo case worker of KCN (an organisation that keeps its records in Khmer) reads in Khmer
with the digits of the language. Each page is read as chromium has it once its scripts ran —
the folds of the case page opened, the calendar of a date field drawn — so text written by
JavaScript is checked too, which tests/test_khmer_pages.py (server-rendered HTML) cannot see:

- no Latin word but data, codes and the allow-list (the check of tests/test_khmer_pages.py);
- no Latin digit outside a code (a case reference, an e-mail address, a web address);
- no script error.

Screenshots at 390 px (and the case page at 1280 px) go to test-artifacts/."""

import pytest
from playwright.sync_api import expect

from phteah.demo.cases import demo_cases_create
from phteah.demo.network import DEMO_PASSWORD, demo_network_create
from phteah.geography.services import geography_load
from tests.test_khmer_pages import data_words, english_on, latin_digits

from .test_casework import DESKTOP, PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORKER = "caseworker@kcn.test"


@pytest.fixture
def khmer_day(transactional_db):
    """The demo network and its cases; the KCN case worker's pages of a day, and the words
    of the data. Made before `browser` starts Playwright (see conftest)."""
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from phteah.accounts.models import Membership
    from phteah.care.models import CareProvider
    from phteah.cases.access import cases_for
    from phteah.cases.models import Conference

    geography_load()
    demo_network_create()
    with scopes_disabled():
        demo_cases_create()
        worker = Membership.objects.select_related("user").get(user__email=WORKER)
        assert worker.user.language == "km" and worker.user.numerals == ""
        # One of the worker's open cases, with a conference if one has any.
        mine = cases_for(worker).filter(status="open", visits__isnull=False)
        case = (mine.filter(conferences__isnull=False).first() or mine.first()).pk
        conference = Conference.objects.filter(case__in=cases_for(worker)).first()
        provider = CareProvider.objects.filter(organisation=worker.organisation).first()
        pages = {
            "my-work": reverse("work:my_work"),
            "case-list": reverse("cases:case_list"),
            "case": reverse("cases:case_detail", kwargs={"case_id": case}),
            "visit-form": reverse("cases:visit_add", kwargs={"case_id": case}),
            "assessment-form": reverse("cases:assessment_add", kwargs={"case_id": case}),
            "conference": reverse(
                "cases:conference_detail",
                kwargs={"case_id": conference.case_id, "conference_id": conference.pk},
            ),
            "providers": reverse("care:provider_list"),
            "provider": reverse("care:provider_detail", kwargs={"provider_id": provider.pk}),
            "people": reverse("people:person_list"),
            "account": reverse("accounts:profile"),
        }
        return {"pages": pages, "data": data_words()}


OPEN_FOLDS_JS = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"


def test_a_khmer_case_workers_day_shows_khmer_words_and_digits_only(
    live_server, khmer_day, new_page, artifacts_dir
):
    page, watch = new_page(*PHONE, locale="km-KH")
    sign_in(page, live_server.url, WORKER, DEMO_PASSWORD)
    problems = {}
    for name, url in khmer_day["pages"].items():
        page.goto(live_server.url + url)
        expect(page.locator("html")).to_have_attribute("lang", "km")
        page.screenshot(path=artifacts_dir / f"khmer-day-{name}-phone.png", full_page=True)
        page.evaluate(OPEN_FOLDS_JS)
        if name == "visit-form":  # the calendar is drawn by date-picker.js
            page.locator("button.date-open").first.click()
            expect(page.locator(".date-calendar").first).to_be_visible()
            page.screenshot(path=artifacts_dir / "khmer-day-calendar-phone.png")
        html = page.content()
        found = english_on(html, khmer_day["data"]) + latin_digits(html)
        if found:
            problems[name] = found
    assert not problems, problems
    assert not watch.page_errors, watch.page_errors

    wide, _ = new_page(*DESKTOP, locale="km-KH")
    sign_in(wide, live_server.url, WORKER, DEMO_PASSWORD)
    wide.goto(live_server.url + khmer_day["pages"]["case"])
    wide.screenshot(path=artifacts_dir / "khmer-day-case-desktop.png", full_page=True)
    assert not latin_digits(wide.content())
