"""A referral letter to a partner not on Phteah, in Khmer on a phone: a case worker writes
the letter to the provincial hospital that the guardian's consent names, downloads the PDF,
and records the hospital's answer; the pages are then looked at in English and in Khmer, on
a phone and on a desktop. Screenshots go to test-artifacts/ (taken before the assertions that
could fail)."""

import pytest
from playwright.sync_api import expect

from .test_journeys import DESKTOP, KHMER, PHONE, not_drawn_in_khmer_font
from .test_referral_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HOSPITAL = "Battambang Provincial Referral Hospital"


@pytest.fixture
def casework(transactional_db, settings):
    """Hope for Mothers: a child's case, two workers on it (one in Khmer, one in English),
    the guardian's consent naming the hospital. Built before `browser` starts Playwright."""
    from django_scopes import scopes_disabled

    from phteah.accounts.roles import Role
    from tests import factories

    settings.PHTEAH_TWO_FACTOR_ROLES = ()
    with scopes_disabled():
        sender = factories.OrganisationFactory(
            name="Hope for Mothers", name_km="ក្តីសង្ឃឹមសម្រាប់ម្តាយ", short_code="HFM"
        )
        workers = [
            factories.MembershipFactory(
                organisation=sender,
                role=Role.CASE_WORKER,
                user__email=f"{language}@hfm.test",
                user__language=language,
                user__full_name="Lim Vanna",
                user__full_name_km="លីម វណ្ណា",
                user__phone="012 345 678",
            )
            for language in ("km", "en")
        ]
        factories.ServiceTypeFactory(
            organisation=sender,
            code="physiotherapy",
            name_en="Physiotherapy",
            name_km="ការព្យាបាលដោយចលនា",
        )
        person = factories.PersonFactory(
            organisation=sender,
            family_name_km="ចាន់",
            given_name_km="ស្រីពៅ",
            family_name_latin="Chan",
            given_name_latin="Sreypov",
        )
        case = factories.CaseFactory(
            organisation=sender,
            person=person,
            workers=[w.user for w in workers],
            supervisor=workers[0].user,
        )
        consent = factories.OffSystemConsentFactory(person=person, shared_with_name=HOSPITAL)
    return {"case": case, "consent": consent}


def test_a_letter_to_the_hospital_is_written_downloaded_and_answered(
    live_server, casework, new_page, artifacts_dir
):
    base = live_server.url
    case = casework["case"]
    page, watch = new_page(*PHONE)
    sign_in(page, base, "km@hfm.test")

    page.goto(f"{base}/cases/{case.pk}/letters/new/")
    page.locator(f'input[name="consent"][value="{casework["consent"].pk}"]').check()
    page.locator('input[name="partner_kind"][value="hospital"]').check()
    page.locator('input[name="partner_contact"]').fill("វេជ្ជបណ្ឌិត ជា សុខា ០៥៣ ៩៥២ ១១១")
    page.locator('input[name="services"][value="physiotherapy"]').check()
    page.locator('input[name="urgency"][value="urgent"]').check()
    page.locator('textarea[name="reason"]').fill("កុមារធ្លាក់ពីដើមឈើ ហើយត្រូវការថតកាំរស្មី។")
    page.locator('input[name="language"][value="km"]').check()
    page.screenshot(path=artifacts_dir / "letter-1-form-km-phone.png", full_page=True)
    page.locator("form.care-form button.primary").click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=artifacts_dir / "letter-2-detail-km-phone.png", full_page=True)
    expect(page.locator("h1")).to_contain_text(HOSPITAL)
    assert KHMER.search(page.locator("h1").inner_text())

    with page.expect_download() as download:
        page.locator("a.button.primary", has_text="PDF").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    (artifacts_dir / "letter-km.pdf").write_bytes(pdf)

    page.locator("a.button", has_text="កត់ត្រាចម្លើយរបស់ដៃគូ").click()
    page.wait_for_load_state("networkidle")
    page.locator('input[name="state"][value="accepted"]').check()
    page.locator('textarea[name="note"]').fill("បានពិនិត្យនៅថ្ងៃដដែល។")
    page.screenshot(path=artifacts_dir / "letter-3-answer-km-phone.png", full_page=True)
    page.locator("form.card button.primary").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("main")).to_contain_text("បានពិនិត្យនៅថ្ងៃដដែល។")
    assert not not_drawn_in_khmer_font(page)
    assert watch.page_errors == [] and watch.bad_static == []

    # Every page of the letter in both languages, on a phone and on a desktop.
    letter_url = page.url
    pages = {
        "case": f"{base}/cases/{case.pk}/",
        "new": f"{base}/cases/{case.pk}/letters/new/",
        "detail": letter_url,
        "answer": letter_url + "answer/",
        "sent": f"{base}/referrals/sent/",
    }
    for language in ("km", "en"):
        for size_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
            viewer, _ = new_page(*size)
            sign_in(viewer, base, f"{language}@hfm.test")
            for name, url in pages.items():
                viewer.goto(url)
                viewer.wait_for_load_state("networkidle")
                viewer.screenshot(
                    path=artifacts_dir / f"letter-{name}-{language}-{size_name}.png",
                    full_page=True,
                )
                overflow = viewer.evaluate(
                    "() => document.documentElement.scrollWidth"
                    " - document.documentElement.clientWidth"
                )
                assert overflow <= 0, (name, language, size_name, overflow)
