"""An administrator removes a rule and restores the default rule table: each asks first, on a
page that says what will change, and changes nothing until confirmed (no JavaScript needed).
Screenshots of both confirmation pages at 390 px and 1280 px, in English and Khmer, go to
test-artifacts/ (taken before the assertions that could fail)."""

import pytest
from playwright.sync_api import expect

from .test_journeys import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rules_admin(transactional_db, settings):
    """An organisation with the default rule table, one open high-risk case and an
    administrator (two-factor sign-in is another test's subject: not required here). Built
    before `browser` starts Playwright."""
    from phteah.accounts.roles import Role
    from phteah.care.services import care_rules_seed
    from tests.factories import CaseFactory, MembershipFactory, OrganisationFactory

    settings.PHTEAH_TWO_FACTOR_ROLES = ()
    organisation = OrganisationFactory(name="Rules Test Organisation")
    care_rules_seed(organisation=organisation)
    admin = MembershipFactory(organisation=organisation, role=Role.ORG_ADMIN)
    CaseFactory(organisation=organisation, risk_level="high")
    return admin.user


def sign_in(page, base_url: str, email: str) -> None:
    from tests.factories import PASSWORD

    page.goto(f"{base_url}/account/login/")
    page.locator('input[name="username"]').fill(email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('form.stack button[type="submit"]').click()
    page.wait_for_url(lambda url: "/account/login/" not in url)


def shots(page, artifacts_dir, name: str) -> None:
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.screenshot(path=artifacts_dir / f"{name}-phone.png", full_page=True)
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    page.screenshot(path=artifacts_dir / f"{name}-desktop.png", full_page=True)
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})


def test_removing_a_rule_and_restoring_the_defaults_ask_first(
    live_server, rules_admin, new_page, artifacts_dir
):
    page, watch = new_page(*PHONE, locale="en-US")
    sign_in(page, live_server.url, rules_admin.email)
    page.goto(f"{live_server.url}/org/rules/")
    visit_rules = page.locator("section.card", has_text="Visit at least every (days)")
    row = visit_rules.locator("tr", has_text="Risk level: High")
    row.get_by_role("link", name="Remove").click()

    expect(page.locator("h1")).to_have_text("Remove a rule")
    shots(page, artifacts_dir, "rule-remove-en")
    expect(page.locator("main")).to_contain_text("It applies to 1 open case now")
    expect(page.locator("main")).to_contain_text("Risk level: High · 7 days")
    page.get_by_role("button", name="Remove the rule").click()
    expect(page.locator(".messages")).to_contain_text("The rule was removed.")
    expect(
        page.locator("section.card", has_text="Visit at least every (days)").locator(
            "tr", has_text="Risk level: High"
        )
    ).to_have_count(0)

    page.get_by_role("link", name="Restore the default rules").click()
    expect(page.locator("h1")).to_have_text("Restore the default rules")
    shots(page, artifacts_dir, "rules-restore-en")
    expect(page.locator("main")).to_contain_text("Added back")
    expect(page.locator("main li", has_text="Risk level: High")).to_have_count(1)

    # The same pages in Khmer (the language switch; the page comes back in Khmer).
    page.locator('form.lang-switch button[name="language"][value="km"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "km")
    page.goto(f"{live_server.url}/org/rules/restore/")
    shots(page, artifacts_dir, "rules-restore-km")
    page.goto(f"{live_server.url}/org/rules/")
    page.locator("a.button.danger").first.click()
    shots(page, artifacts_dir, "rule-remove-km")

    page.goto(f"{live_server.url}/org/rules/restore/")
    page.locator("form button.danger").click()
    expect(page.locator(".messages .msg-success")).to_be_visible()
    assert not watch.page_errors, watch.page_errors
    assert not watch.csp_violations(), watch.csp_violations()
