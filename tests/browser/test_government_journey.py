"""The government journey, in Khmer, on a phone: a Battambang DoSVY officer opens the case an
NGO shared with the office, records the follow-up visit the officer made, and finds every
other page of the NGO's (the case's records, the person, another case) answering 404; the
NGO's case worker then sees the visit, marked as made by the office. Screenshots go to
test-artifacts/ (taken before the assertions that could fail)."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .test_journeys import KHMER, PHONE, not_drawn_in_khmer_font
from .test_referral_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def share(transactional_db, settings):
    """Family Bridge's case of Chan Sreypov, shared with the Battambang DoSVY on the
    guardian's consent and given to its officer; another of its cases is not shared. Built
    before `browser` starts Playwright (see conftest)."""
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from phteah.accounts.models import Organisation
    from phteah.accounts.roles import Role
    from phteah.cases.models import CaseGrant
    from phteah.people.models import Consent, SharingPurpose
    from tests import factories
    from tests.cases.test_list import village

    settings.PHTEAH_TWO_FACTOR_ROLES = ()

    def member(organisation, role, email):
        return factories.MembershipFactory(
            organisation=organisation, role=role, user__email=email, user__language="km"
        )

    with scopes_disabled():
        place = village("02")
        ngo = factories.OrganisationFactory(name="Family Bridge", short_code="FBC")
        office = factories.OrganisationFactory(
            name="Battambang DoSVY", short_code="BTB", kind=Organisation.Kind.PROVINCIAL_OFFICE
        )
        office.provinces.add(place.commune.district.province)
        worker = member(ngo, Role.CASE_WORKER, "worker@fbc.test")
        officer = member(office, Role.CASE_WORKER, "officer@btb.test")
        person = factories.PersonFactory(
            organisation=ngo,
            village=place,
            family_name_km="ចាន់",
            given_name_km="ស្រីពៅ",
            family_name_latin="Chan",
            given_name_latin="Sreypov",
        )
        case = factories.CaseFactory(
            organisation=ngo, person=person, workers=[worker.user], supervisor=worker.user
        )
        other = factories.CaseFactory(organisation=ngo, workers=[worker.user])
        consent = factories.ConsentFactory(
            person=person,
            purpose=Consent.Purpose.SHARE_GOVERNMENT,
            method=Consent.Method.SIGNED_FORM,
        )
        now = timezone.now()
        CaseGrant.objects.create(
            organisation=ngo,
            case=case,
            grantee=office,
            level=CaseGrant.Level.VIEW,
            purpose=SharingPurpose.GOVERNMENT_SHARE,
            consent=consent,
            granted_by=worker.user,
            granted_at=now - datetime.timedelta(days=1),
            valid_until=now + datetime.timedelta(days=90),
            handled_by=officer.user,
        )
    return {"case": case, "other": other, "person": person}


def test_the_officer_records_a_visit_and_sees_nothing_else(
    live_server, share, new_page, artifacts_dir
):
    base, case = live_server.url, share["case"]
    officer, _ = new_page(*PHONE)
    sign_in(officer, base, "officer@btb.test")

    officer.goto(base + reverse("cases:shared_with_us"))
    officer.screenshot(path=artifacts_dir / "government-1-shared-km-phone.png", full_page=True)
    officer.locator("table a", has_text="ចាន់ ស្រីពៅ").click()
    officer.wait_for_load_state("networkidle")
    officer.screenshot(path=artifacts_dir / "government-2-case-km-phone.png", full_page=True)
    expect(officer.locator("h1")).to_contain_text("ចាន់ ស្រីពៅ")
    assert not not_drawn_in_khmer_font(officer)

    officer.locator(f'a[href$="/cases/{case.pk}/authority-visit/"]').click()
    officer.wait_for_load_state("networkidle")
    officer.locator('input[name="people_seen"]').fill("កុមារ និងម្ដាយមីង")
    officer.locator('textarea[name="wellbeing_notes"]').fill("កុមារទៅសាលារៀនវិញហើយ។")
    officer.screenshot(path=artifacts_dir / "government-3-visit-km-phone.png", full_page=True)
    officer.locator("main form button.primary").click()
    officer.wait_for_load_state("networkidle")
    expect(officer.locator("main")).to_contain_text("កុមារ និងម្ដាយមីង")

    # Everything else of the NGO's answers "not found", whatever the officer types.
    for path in (
        f"/cases/{case.pk}/edit/",
        f"/cases/{case.pk}/visits/",
        f"/cases/{case.pk}/visits/add/",
        f"/cases/{case.pk}/closure/request/",
        f"/cases/{case.pk}/print/",
        f"/cases/{share['other'].pk}/",
        f"/people/{share['person'].pk}/",
        "/cases/",
    ):
        response = officer.goto(f"{base}{path}")
        assert response.status == 404 or path == "/cases/", path
        if path == "/cases/":
            expect(officer.locator("main")).not_to_contain_text("ស្រីពៅ")

    # The NGO's case worker sees the visit, made by the office.
    worker, _ = new_page(*PHONE)
    sign_in(worker, base, "worker@fbc.test")
    worker.goto(f"{base}/cases/{case.pk}/")
    worker.locator("details", has_text="កុមារ និងម្ដាយមីង").first.locator("summary").click()
    worker.screenshot(path=artifacts_dir / "government-4-owner-km-phone.png", full_page=True)
    expect(worker.locator("main")).to_contain_text("កុមារ និងម្ដាយមីង")
    expect(worker.locator("main")).to_contain_text("Battambang DoSVY")
    assert KHMER.search(worker.locator("h1").inner_text())
