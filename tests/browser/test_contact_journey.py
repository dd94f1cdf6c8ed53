"""Duplicates across organisations, in a browser: a worker of Family Bridge registers a girl
whom Hope for Mothers already holds; her page says "a possible match exists at Hope for
Mothers" and nothing of Hope's record; the worker asks; Hope's supervisor, in Khmer, sees the
request with its own child linked and answers; Family Bridge's supervisor, in Khmer, reads
the answer. Screenshots of each page at phone and desktop width go to test-artifacts/ (taken
before the assertions that could fail)."""

import datetime

import pytest
from playwright.sync_api import expect

from .test_journeys import DESKTOP, KHMER, PHONE, not_drawn_in_khmer_font
from .test_referral_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRETS = ("Sopheap", "សុភាព", "097 111 2233", "behind the pagoda")


@pytest.fixture
def network(transactional_db, settings):
    from django_scopes import scopes_disabled

    from phteah.accounts.roles import Role
    from phteah.people.linkage import KEYS, linkage_record_refresh
    from phteah.people.names import person_search_fields
    from phteah.referrals.models import PartnerProfile
    from tests import factories

    settings.PHTEAH_TWO_FACTOR_ROLES = ()
    settings.LINKAGE_KEYS = "test-a:" + "ab" * 32
    KEYS.reload()

    def member(organisation, role, email, language):
        return factories.MembershipFactory(
            organisation=organisation, role=role, user__email=email, user__language=language
        )

    names = {
        "family_name_latin": "Sok",
        "given_name_latin": "Sopheap",
        "family_name_km": "សុខ",
        "given_name_km": "សុភាព",
    }
    with scopes_disabled():
        hope = factories.OrganisationFactory(name="Hope for Mothers", short_code="HFM")
        bridge = factories.OrganisationFactory(name="Family Bridge", short_code="FBC")
        for organisation in (hope, bridge):
            PartnerProfile.objects.get_or_create(organisation=organisation)
        member(bridge, Role.CASE_WORKER, "worker@fbc.test", "en")
        member(bridge, Role.SUPERVISOR, "chief@fbc.test", "km")
        member(hope, Role.SUPERVISOR, "chief@hfm.test", "km")
        theirs = factories.PersonFactory(
            organisation=hope,
            sex="female",
            date_of_birth=datetime.date(2014, 6, 15),
            phone="097 111 2233",
            address_detail="House 17, behind the pagoda",
            **names,
            **person_search_fields(**names),
        )
        linkage_record_refresh(theirs)
    yield {"theirs": theirs}
    KEYS.reload()


def shots(page, artifacts_dir, name):
    """The page at phone and at desktop width."""
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.evaluate("document.fonts.ready")
        page.wait_for_timeout(300)  # the layout settles at the new width
        page.screenshot(path=artifacts_dir / f"{name}-{label}.png", full_page=True)


def test_a_match_elsewhere_a_contact_request_and_its_answer(
    live_server, network, new_page, artifacts_dir
):
    base = live_server.url
    worker, _ = new_page(*PHONE)
    sign_in(worker, base, "worker@fbc.test")
    worker.goto(f"{base}/people/register/")
    worker.locator('input[name="family_name_km"]').fill("សុខ")
    worker.locator('input[name="given_name_km"]').fill("សុភា")
    worker.locator('input[name="family_name_latin"]').fill("Sok")
    worker.locator('input[name="given_name_latin"]').fill("Sophea")
    worker.locator('input[name="sex"][value="female"]').check()
    worker.locator('input[name="date_of_birth"]').fill("15/06/2014")
    worker.locator("form button.primary").click()
    worker.wait_for_load_state("networkidle")
    shots(worker, artifacts_dir, "contact-1-match-en")
    section = worker.locator("#network-matches")
    expect(section).to_contain_text("A possible match exists at Hope for Mothers — about")
    html = worker.content()
    assert not [secret for secret in SECRETS if secret in html]
    assert str(network["theirs"].pk) not in html

    section.locator("a.button").click()  # Ask them
    worker.wait_for_load_state("networkidle")
    worker.locator('textarea[name="message"]').fill("Do you know this girl? Her aunt named you.")
    worker.locator('input[name="contact"]').fill("Chan Thy, 012 999 888")
    shots(worker, artifacts_dir, "contact-2-ask-en")
    worker.locator("form button.primary").click()
    worker.wait_for_load_state("networkidle")
    expect(worker.locator("main")).to_contain_text("Your contact request was sent.")

    # Hope for Mothers' supervisor, in Khmer, sees its own child and answers.
    chief, _ = new_page(*PHONE)
    sign_in(chief, base, "chief@hfm.test")
    chief.goto(f"{base}/network/contacts/")
    shots(chief, artifacts_dir, "contact-3-inbox-km")
    chief.locator("table.list a").first.click()
    chief.wait_for_load_state("networkidle")
    shots(chief, artifacts_dir, "contact-4-request-km")
    expect(chief.locator("main")).to_contain_text("Do you know this girl?")
    expect(chief.locator(f'a[href="/people/{network["theirs"].pk}/"]')).to_have_count(1)
    assert not not_drawn_in_khmer_font(chief)
    chief.locator('input[name="holds_child"]').check()
    chief.locator('input[name="answer_contact"]').fill("Srey Neang, 011 222 333")
    chief.locator('textarea[name="answer"]').fill("យើងស្គាល់នាង។ សូមទូរសព្ទមក។")
    chief.locator("form button.primary").click()
    chief.wait_for_load_state("networkidle")
    expect(chief.locator("main")).to_contain_text("បានឆ្លើយ")

    # Family Bridge's supervisor, in Khmer, reads the answer, and nothing of Hope's record.
    reader, _ = new_page(*PHONE)
    sign_in(reader, base, "chief@fbc.test")
    reader.goto(f"{base}/network/contacts/")
    reader.locator("table.list a").first.click()
    reader.wait_for_load_state("networkidle")
    shots(reader, artifacts_dir, "contact-5-answer-km")
    expect(reader.locator("main")).to_contain_text("Srey Neang")  # the digits in Khmer
    html = reader.content()
    assert not [secret for secret in SECRETS if secret in html]
    assert KHMER.search(reader.locator("h1").inner_text())
    worker.goto(f"{base}/network/contacts/")
    shots(worker, artifacts_dir, "contact-6-list-en")
