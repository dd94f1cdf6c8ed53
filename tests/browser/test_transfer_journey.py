"""The transfer journey across organisations, in Khmer and in English, on a phone and on a
desktop: Hope for Mothers' supervisor transfers a child's case to Family Bridge from the
case page; Family Bridge's supervisor finds it in its transfers, accepts it and gives it to
a case worker; its new case says where it came from and opens the sender's history,
read-only; the sender's case says it was transferred and is closed. Each organisation's
member works in a browser context of their own. Screenshots go to test-artifacts/ (taken
before the assertions that could fail), at 390 px and at 1280 px."""

import pytest
from playwright.sync_api import expect

from .test_journeys import KHMER, PHONE, not_drawn_in_khmer_font
from .test_referral_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = (1280, 900)


@pytest.fixture(params=["km", "en"])
def network(request, transactional_db, settings):
    """Hope for Mothers (a child's case, the guardian's consent to transfer it to Family
    Bridge), Family Bridge (published, a supervisor and a case worker) and Kumar Care (no
    consent names it), the members working in the language of the test."""
    from django_scopes import scopes_disabled

    from phteah.accounts.roles import Role
    from phteah.people.models import Consent
    from tests import factories
    from tests.referrals.support import published_organisation

    settings.PHTEAH_TWO_FACTOR_ROLES = ()  # supervisors sign in with a password only
    language = request.param

    def member(organisation, role, email):
        return factories.MembershipFactory(
            organisation=organisation, role=role, user__email=email, user__language=language
        )

    with scopes_disabled():
        sender = factories.OrganisationFactory(name="Hope for Mothers", short_code="HFM")
        bridge = published_organisation("Family Bridge")
        published_organisation("Kumar Care")
        chief = member(sender, Role.SUPERVISOR, "chief@hfm.test")
        worker = member(sender, Role.CASE_WORKER, "worker@hfm.test")
        member(bridge, Role.SUPERVISOR, "chief@fbc.test")
        member(bridge, Role.CASE_WORKER, "worker@fbc.test")
        person = factories.PersonFactory(
            organisation=sender,
            family_name_km="ចាន់",
            given_name_km="ស្រីពៅ",
            family_name_latin="Chan",
            given_name_latin="Sreypov",
        )
        case = factories.CaseFactory(
            organisation=sender, person=person, workers=[worker.user], supervisor=chief.user
        )
        factories.VisitFactory(case=case, recorded_by=worker.user)
        factories.ConsentFactory(
            person=person,
            purpose=Consent.Purpose.SHARE_ORGANISATION,
            for_transfer=True,
            method=Consent.Method.SIGNED_FORM,
            organisations=[bridge],
        )
    return {"case": case, "bridge": bridge, "language": language}


def shots(page, directory, name, language):
    """The page at a phone's width and at a desktop's."""
    for label, (width, height) in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=directory / f"transfer-{name}-{language}-{label}.png", full_page=True)
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})


def test_a_case_is_transferred_and_its_history_read(live_server, network, new_page, artifacts_dir):
    base, case, language = live_server.url, network["case"], network["language"]
    khmer = language == "km"
    sender, _ = new_page(*PHONE)
    sign_in(sender, base, "chief@hfm.test")

    # "Transfer this case" on the case page; the form says which partner no consent covers.
    sender.goto(f"{base}/cases/{case.pk}/")
    sender.locator(f'a[href="/cases/{case.pk}/transfer/"]').click()
    sender.wait_for_load_state("networkidle")
    sender.locator(f'input[name="receiver"][value="{network["bridge"].pk}"]').check()
    sender.locator('textarea[name="reason"]').fill(
        "គ្រួសារបានផ្លាស់ទៅភ្នំពេញ។" if khmer else "The family moved to Phnom Penh."
    )
    shots(sender, artifacts_dir, "1-form", language)
    expect(sender.locator("p.warning")).to_contain_text("Kumar Care")
    sender.locator("form.care-form button.primary").click()
    sender.wait_for_load_state("networkidle")
    shots(sender, artifacts_dir, "2-list-sent", language)
    expect(sender.locator("table.list tbody tr")).to_have_count(1)

    # Family Bridge accepts, in its own browser.
    bridge, _ = new_page(*PHONE)
    sign_in(bridge, base, "chief@fbc.test")
    bridge.goto(f"{base}/transfers/")
    bridge.locator("table.list a").first.click()
    bridge.wait_for_load_state("networkidle")
    shots(bridge, artifacts_dir, "3-received", language)
    bridge.locator("a.button.primary").first.click()  # Accept
    bridge.wait_for_load_state("networkidle")
    shots(bridge, artifacts_dir, "4-accept", language)
    bridge.locator("form.card button.primary").click()
    bridge.wait_for_load_state("networkidle")
    shots(bridge, artifacts_dir, "5-accepted", language)
    # Its own case of the child, and the sender's history from there.
    bridge.locator('main section.card a[href^="/cases/"]').first.click()
    bridge.wait_for_load_state("networkidle")
    shots(bridge, artifacts_dir, "6-receiver-case", language)
    expect(bridge.locator("#transfers")).to_contain_text("Hope for Mothers")
    bridge.locator(f'#transfers a[href="/cases/{case.pk}/"]').click()
    bridge.wait_for_load_state("networkidle")
    shots(bridge, artifacts_dir, "7-history", language)
    expect(bridge.locator("#timeline")).to_be_visible()

    # The sender's case: transferred, closed, read-only.
    sender.goto(f"{base}/cases/{case.pk}/")
    shots(sender, artifacts_dir, "8-sender-case", language)
    expect(sender.locator("#transfers")).to_contain_text("Family Bridge")
    if khmer:
        assert KHMER.search(sender.locator("#transfers").inner_text())
        assert not not_drawn_in_khmer_font(sender)
        assert not not_drawn_in_khmer_font(bridge)
