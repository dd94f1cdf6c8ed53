"""The closure rules in the browser: asking to close "reintegrated with family" while the child
is in emergency foster care is refused until the request says how that placement ends (and
the reason agrees with it); the supervisor's approval page shows what closing changes; once
approved, the case page offers no action but reopening, and the visit form of the case sends
back to it. Screenshots of the approval page in English and Khmer at 390 and 1280 px go to
test-artifacts/ (taken before the assertions that could fail)."""

import datetime

import pytest
from playwright.sync_api import expect

from .test_journeys import DESKTOP, HORIZONTAL_OVERFLOW_JS, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def closure_setup(transactional_db, settings):
    """A case of a case worker and a supervisor: a closure assessment, the child in emergency
    foster care for 40 days, a reunification with her aunt recorded yesterday, a goal still
    open. Built before `browser` starts Playwright (see conftest)."""
    from django.urls import reverse
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from phteah.accounts.roles import Role
    from phteah.care.models import Placement, ReunificationAssessment
    from phteah.care.services import care_rules_seed
    from tests import factories

    settings.PHTEAH_TWO_FACTOR_ROLES = ()  # the supervisor signs in with a password only
    today = timezone.localdate()
    with scopes_disabled():
        organisation = factories.OrganisationFactory(name="Family Bridge")
        care_rules_seed(organisation=organisation)
        factories.domains(organisation)
        worker = factories.MembershipFactory(organisation=organisation, role=Role.CASE_WORKER)
        supervisor = factories.MembershipFactory(organisation=organisation, role=Role.SUPERVISOR)
        case = factories.CaseFactory(
            organisation=organisation,
            workers=[worker.user],
            supervisor=supervisor.user,
            identified_at=timezone.now() - datetime.timedelta(days=60),
        )
        factories.assessment(case, worker.user, kind="closure", day=today, risk="high")
        provider = factories.CareProviderFactory(
            organisation=organisation, name="Foster family Sok"
        )
        placement = factories.dated_placement(
            case, "emergency_foster", today - datetime.timedelta(days=40), by=worker.user
        )
        Placement.objects.filter(pk=placement.pk).update(provider=provider)
        ReunificationAssessment.objects.create(
            organisation=organisation,
            case=case,
            assessed_on=today - datetime.timedelta(days=2),
            recommendation="reunify",
            notes="The aunt is ready to care for her.",
            reunified_on=today - datetime.timedelta(days=1),
            assessed_by=worker.user,
        )
        factories.goal(case, "Back to school")
    return {
        "worker": worker.user.email,
        "supervisor": supervisor.user.email,
        "case": reverse("cases:case_detail", args=[case.pk]),
        "request": reverse("cases:closure_request", args=[case.pk]),
        "approve": reverse("cases:closure_approve", args=[case.pk]),
        "visit": reverse("cases:visit_add", args=[case.pk]),
    }


def _sign_in(page, base_url: str, email: str) -> None:
    from tests.factories import PASSWORD

    page.goto(f"{base_url}/account/login/")
    page.locator('input[name="username"]').fill(email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('form.stack button[type="submit"]').click()
    expect(page).to_have_url(f"{base_url}/work/")


def _ask(page, outcome: str | None) -> None:
    page.locator('select[name="reason"]').select_option("reintegrated")
    if outcome is not None:
        page.locator('select[name="placement_outcome"]').select_option(outcome)
    page.locator("form.stack.card button.primary").click()


def test_closure_rules_from_request_to_a_read_only_case(
    live_server, closure_setup, new_page, artifacts_dir
):
    base = live_server.url
    s = closure_setup

    # The case worker asks to close: refused until the request agrees with the placement.
    page, watch = new_page(*PHONE, locale="en-US")
    _sign_in(page, base, s["worker"])
    page.goto(base + s["request"])
    expect(page.locator("body")).to_contain_text("Closing the case ends this placement")
    form = page.locator("form.stack.card")
    _ask(page, None)
    expect(form).to_contain_text("Choose how it ends with the closure")
    _ask(page, "other")
    expect(form).to_contain_text("with the birth family or with relatives")
    page.screenshot(path=artifacts_dir / "closure-request-refused-en-phone.png", full_page=True)
    _ask(page, "reintegrated")
    expect(page).to_have_url(base + s["case"])
    expect(page.locator(".messages")).to_contain_text("waits for a supervisor's approval")

    # The supervisor sees what closing changes, in both languages, on a phone and a desktop.
    page, watch = new_page(*DESKTOP, locale="en-US")
    _sign_in(page, base, s["supervisor"])
    page.goto(base + s["approve"])
    changes = page.locator("section.closure-changes")
    page.screenshot(path=artifacts_dir / "closure-approve-en-desktop.png", full_page=True)
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.screenshot(path=artifacts_dir / "closure-approve-en-phone.png", full_page=True)
    phone_overflow_en = page.evaluate(HORIZONTAL_OVERFLOW_JS)
    page.locator('form.lang-switch button[name="language"][value="km"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "km")
    page.screenshot(path=artifacts_dir / "closure-approve-km-phone.png", full_page=True)
    phone_overflow_km = page.evaluate(HORIZONTAL_OVERFLOW_JS)
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    page.screenshot(path=artifacts_dir / "closure-approve-km-desktop.png", full_page=True)
    page.locator('form.lang-switch button[name="language"][value="en"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    expect(changes).to_contain_text("Emergency foster care with Foster family Sok")
    expect(changes).to_contain_text("with the outcome “Returned to family”")
    expect(changes).to_contain_text("Next visit due")
    expect(changes).to_contain_text("→ Closed")
    expect(changes).to_contain_text("Back to school")
    expect(page.locator(".closure-problem")).to_have_count(0)
    assert phone_overflow_en <= 0 and phone_overflow_km <= 0, (phone_overflow_en, phone_overflow_km)

    page.locator('input[name="decision"][value="approve"]').check()
    page.locator("form.stack.card button.primary").click()
    expect(page).to_have_url(base + s["case"])
    expect(page.locator(".messages")).to_contain_text("The case was closed.")

    # The closed case: no action but reopening, and no risk badge.
    case_id = s["case"].strip("/").split("/")[-1]
    links = page.eval_on_selector_all(
        "main a[href], main form[action]",
        "els => els.map(el => el.getAttribute('href') || el.getAttribute('action'))",
    )
    page.screenshot(path=artifacts_dir / "closure-closed-case-en-desktop.png", full_page=True)
    actions = [
        url
        for url in links
        if url.startswith(f"/cases/{case_id}/")
        and not url.rstrip("/").endswith(("print", case_id, "reopen"))
        and "/assessments/" not in url
    ]  # fmt: skip
    assert actions == [], actions
    expect(page.locator(".risk-high")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Reopen the case")

    # The visit form of the closed case is refused.
    page.goto(base + s["visit"])
    expect(page).to_have_url(base + s["case"])
    expect(page.locator(".messages")).to_contain_text("This case is closed.")
    assert not watch.page_errors, watch.page_errors
