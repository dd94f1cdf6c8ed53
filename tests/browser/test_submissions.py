"""A form that creates something is saved once, in a real browser on a slow connection:

- three taps on Save over emulated slow 3G make one visit, and the button says it is saving;
- with scripts off (an old phone, a failed download of phteah.js), three taps still make one
  visit: the server refuses the token the second and third time;
- Back after saving a service, and Save again, makes no second service.

The case and the service type are made through the services before the browser starts (see
conftest). The UI is in English so that the selectors read as the labels do."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from phteah.demo.network import DEMO_PASSWORD, demo_network_create
from phteah.geography.services import geography_load

from .test_casework import CASE_WORKER, PHONE, SUPERVISOR, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The "Slow 3G" preset of Chrome's DevTools (and Puppeteer): 2 s latency, 400 kbit/s.
SLOW_3G = {
    "offline": False,
    "latency": 400 * 5,
    "downloadThroughput": 500 * 1000 / 8 * 0.8,
    "uploadThroughput": 500 * 1000 / 8 * 0.8,
}


@pytest.fixture
def open_case(transactional_db):
    """An FBC case of the demo case worker (in English), with the default service types."""
    from django.utils import timezone

    from phteah.accounts.models import Membership, User
    from phteah.cases import services as case_services
    from phteah.people import services as people_services

    geography_load()
    demo_network_create()
    User.objects.filter(email=CASE_WORKER).update(language="en")
    worker = Membership.objects.select_related("organisation").get(user__email=CASE_WORKER)
    person = people_services.person_create(
        actor=worker,
        sex="male",
        family_name_km="កែវ",
        given_name_km="វិបុល",
        family_name_latin="Keo",
        given_name_latin="Vibol",
        age_years=10,
    )
    case = case_services.case_open(
        actor=worker,
        person_id=person.pk,
        case_type="emergency",
        referral_source="police",
        referral_reason="Found alone at the bus station.",
        identified_at=timezone.now(),
        risk_level="medium",
        workers=[worker.user],
        supervisor=User.objects.get(email=SUPERVISOR),
    )
    case_services.service_types_seed(organisation=worker.organisation_id)
    return case


def counts(case) -> tuple[int, int]:
    """(visits, services) of the case, read from the database in a thread of its own (the
    test's thread runs Playwright's event loop, where Django refuses database calls)."""
    from django.db import connection
    from django_scopes import scopes_disabled

    from phteah.cases.models import ServiceDelivery, Visit

    def read():
        try:
            with scopes_disabled():
                return (
                    Visit.objects.filter(case_id=case.pk).count(),
                    ServiceDelivery.objects.filter(case_id=case.pk).count(),
                )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(read).result()


def test_three_taps_on_save_over_slow_3g_make_one_visit(
    live_server, open_case, new_page, artifacts_dir, monkeypatch
):
    from phteah.cases import services as case_services

    # Slow 3G is emulated below, but its delay does not always hold the first request (it
    # was seen answered before the page could be looked at): the server also takes its time
    # (3 s) before saving, so that the page is surely still the form while it is looked at.
    record = case_services.visit_record

    def slow_record(**kwargs):
        time.sleep(3)
        return record(**kwargs)

    monkeypatch.setattr(case_services, "visit_record", slow_record)
    page, watch = new_page(*PHONE)
    sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/cases/{open_case.pk}/visits/add/")
    page.get_by_label("Who was seen").fill("the child, the grandmother")
    # What the page shows while the slow network carries the form is written down by the page
    # itself, into the tab's session storage (kept across the navigation that follows): a
    # listener that runs after phteah.js's, when the tap has been taken, sends the form twice
    # more (requestSubmit is what a tap that came first would do; a tap on a disabled button
    # sends nothing) and notes whether the button is disabled and what it says. Looking from
    # the test instead raced the navigation on a loaded machine.
    page.evaluate(
        """() => {
          sessionStorage.removeItem("saving-state");
          let seen = false;
          window.addEventListener("submit", (event) => {
            if (seen) return;
            seen = true;
            const form = event.target;
            setTimeout(() => {
              const button = form.querySelector("button[type=submit]");
              form.requestSubmit(); form.requestSubmit();
              setTimeout(() => sessionStorage.setItem("saving-state", JSON.stringify(
                  [form.hasAttribute("aria-busy"), button.disabled, button.textContent.trim()])),
                50);
            }, 50);
          });
        }"""
    )
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)

    posts = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    started = time.monotonic()
    page.get_by_role("button", name="Save the visit").click(no_wait_after=True)
    # The page as it is now. Not through the DevTools session: a screenshot asked for while
    # the next page commits can wait for a frame forever; Playwright's gives up.
    try:
        page.screenshot(path=artifacts_dir / "visit-saving-en-phone.png", timeout=5_000)
    except PlaywrightTimeoutError:
        pass  # the page was being replaced: no picture of it, the assertions still hold
    expect(page.locator(".messages")).to_contain_text("The visit was recorded.", timeout=30_000)
    state = page.evaluate("() => JSON.parse(sessionStorage.getItem('saving-state'))")
    assert state == [True, True, "Saving…"], state
    assert len(posts) == 1, posts  # the two later sends never left the browser
    assert time.monotonic() - started > 2, "the slow network was not emulated"
    assert counts(open_case) == (1, 0)
    assert not watch.page_errors, watch.page_errors


def test_three_taps_without_scripts_still_make_one_visit(live_server, open_case, browser):
    """Without phteah.js nothing stops the taps in the browser: each one sends the form. The
    server saves the first and answers the others with "already saved"."""
    context = browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]})
    context.route("**/phteah.js*", lambda route: route.abort())
    try:
        page = context.new_page()
        sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
        page.goto(f"{live_server.url}/cases/{open_case.pk}/visits/add/")
        form = page.locator("form:has(button:text('Save the visit'))")
        # The same form, sent three times, as three taps do when nothing holds the button
        # (one after the other: two requests at once are tests/core/test_submissions.py's).
        statuses = page.evaluate(
            """async (form) => { const statuses = [];
                 for (const tap of [1, 2, 3]) {
                   const response = await fetch(form.action || location.href,
                       {method: "POST", body: new FormData(form), credentials: "same-origin"});
                   statuses.push(response.status);
                 }
                 return statuses; }""",
            form.element_handle(),
        )
        assert statuses == [200, 200, 200], statuses
        assert counts(open_case) == (1, 0)
    finally:
        context.close()


def test_back_after_saving_a_service_and_save_again_makes_nothing(
    live_server, open_case, new_page, artifacts_dir
):
    page, watch = new_page(*PHONE)
    sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/cases/{open_case.pk}/services/add/")
    page.get_by_label("Service").select_option(index=1)
    page.get_by_label("Notes").fill("Rice and soap for the family")
    page.get_by_role("button", name="Save the service").click()
    expect(page.locator(".messages")).to_contain_text("recorded")
    assert counts(open_case) == (0, 1)

    page.go_back()
    save = page.get_by_role("button", name="Save the service")
    expect(save).to_be_visible()
    page.screenshot(path=artifacts_dir / "service-back-en-phone.png", full_page=True)
    if page.get_by_label("Service").input_value() == "":
        # The browser did not restore what was typed (the page is not cached, no-store): the
        # case worker types it again. The form still carries the token that was sent.
        page.get_by_label("Service").select_option(index=1)
        page.get_by_label("Notes").fill("Rice and soap for the family")
    save.click()
    expect(page.locator(".messages")).to_contain_text("already saved")
    assert counts(open_case) == (0, 1)
    assert not watch.page_errors, watch.page_errors
