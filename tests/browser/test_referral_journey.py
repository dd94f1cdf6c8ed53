"""The referral journey across organisations, in Khmer, on a phone: a crisis-pregnancy NGO
finds free emergency foster places in the partner directory, refers a baby to two partners,
one accepts, the other sees its request withdrawn, the receiver reports back, and the sender
sees the news. Each organisation's member works in a browser context of their own.
Screenshots go to test-artifacts/ (taken before the assertions that could fail)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

from .test_journeys import KHMER, PHONE, not_drawn_in_khmer_font

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REPORT = b"%PDF-1.4\n% the hospital's report\n%%EOF\n"


@pytest.fixture
def network(transactional_db, settings, tmp_path):
    """Hope for Mothers (a baby's case, the guardian's consent naming both partners), Family
    Bridge (a published foster family with two places) and Kumar Care, all in Khmer. Built
    before `browser` starts Playwright (see conftest)."""
    from django_scopes import scopes_disabled

    from phteah.accounts.roles import Role
    from phteah.care.models import CareProvider, ProviderCareType
    from phteah.people.models import Consent
    from tests import factories
    from tests.referrals.support import published_organisation

    settings.PHTEAH_TWO_FACTOR_ROLES = ()  # supervisors sign in with a password only
    settings.MEDIA_ROOT = str(tmp_path / "media")

    def member(organisation, role, email):
        return factories.MembershipFactory(
            organisation=organisation,
            role=role,
            user__email=email,
            user__language="km",
        )

    with scopes_disabled():
        sender = factories.OrganisationFactory(name="Hope for Mothers", short_code="HFM")
        bridge = published_organisation("Family Bridge", answer_days=2)
        kumar = published_organisation("Kumar Care")
        worker = member(sender, Role.CASE_WORKER, "worker@hfm.test")
        chiefs = [
            member(bridge, Role.SUPERVISOR, "chief@fbc.test"),
            member(kumar, Role.SUPERVISOR, "chief@kcn.test"),
        ]
        member(bridge, Role.CASE_WORKER, "worker@fbc.test")
        factories.ServiceTypeFactory(
            organisation=sender,
            code="emergency_foster_care",
            name_en="Emergency foster care",
            name_km="ការថែទាំបណ្តោះអាសន្នក្នុងគ្រួសារអុបត្ថម្ភ",
        )
        person = factories.PersonFactory(
            organisation=sender,
            family_name_km="ចាន់",
            given_name_km="ស្រីពៅ",
            family_name_latin="Chan",
            given_name_latin="Sreypov",
        )
        case = factories.CaseFactory(
            organisation=sender, person=person, workers=[worker.user], supervisor=worker.user
        )
        factories.ConsentFactory(
            person=person,
            purpose=Consent.Purpose.SHARE_ORGANISATION,
            for_referral=True,
            method=Consent.Method.SIGNED_FORM,
            organisations=[bridge, kumar],
        )
        foster = factories.CareProviderFactory(
            organisation=bridge,
            kind=CareProvider.Kind.FOSTER_FAMILY,
            capacity=2,
            network_published=True,
        )
        ProviderCareType.objects.create(
            organisation=bridge, provider=foster, care_type="emergency_foster", age_max=5
        )
    return {"case": case, "bridge": bridge, "kumar": kumar, "chiefs": chiefs}


def sign_in(page, base_url, email):
    page.goto(f"{base_url}/account/login/")
    page.locator('input[name="username"]').fill(email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('form.stack button[type="submit"]').click()
    page.wait_for_load_state("networkidle")


def test_a_baby_is_referred_to_two_partners_and_one_takes_her(
    live_server, network, new_page, artifacts_dir
):
    base = live_server.url
    case = network["case"]
    sender, _ = new_page(*PHONE)
    sign_in(sender, base, "worker@hfm.test")

    # Free emergency foster places for a baby in the directory.
    sender.goto(f"{base}/network/?care_type=emergency_foster&age=០")
    sender.screenshot(path=artifacts_dir / "referral-1-directory-km-phone.png", full_page=True)
    expect(sender.locator("main")).to_contain_text("Family Bridge")
    assert not not_drawn_in_khmer_font(sender)

    # Refer the baby to both partners for emergency foster care.
    sender.goto(f"{base}/cases/{case.pk}/refer/")
    for partner in (network["bridge"], network["kumar"]):
        sender.locator(f'input[name="receivers"][value="{partner.pk}"]').check()
    sender.locator('input[name="services"][value="emergency_foster_care"]').check()
    sender.locator('input[name="urgency"][value="urgent"]').check()
    sender.locator('textarea[name="reason"]').fill("ទារកត្រូវបានទុកចោលនៅមន្ទីរពេទ្យ។")
    # ... with the hospital's report, which goes along as a copy.
    sender.locator('input[name="upload"]').set_input_files(
        files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": REPORT}]
    )
    sender.locator('input[name="upload_title"]').fill("របាយការណ៍មន្ទីរពេទ្យ")
    sender.screenshot(path=artifacts_dir / "referral-2-form-km-phone.png", full_page=True)
    sender.locator("form.care-form button.primary").click()
    sender.wait_for_load_state("networkidle")
    expect(sender.locator("h1")).to_have_text("ការបញ្ជូនករណីដែលបានផ្ញើ")
    expect(sender.locator("table.list tbody tr")).to_have_count(2)

    # Family Bridge accepts, in its own browser.
    bridge, _ = new_page(*PHONE)
    sign_in(bridge, base, "chief@fbc.test")
    bridge.goto(f"{base}/referrals/received/")
    bridge.locator("table.list a").first.click()
    bridge.wait_for_load_state("networkidle")
    expect(bridge.locator("main")).to_contain_text("ទារកត្រូវបានទុកចោលនៅមន្ទីរពេទ្យ។")
    bridge.screenshot(path=artifacts_dir / "referral-3-received-km-phone.png", full_page=True)
    expect(bridge.locator("main")).to_contain_text("ឯកសារផ្ញើភ្ជាប់")
    with bridge.expect_download() as download:
        bridge.locator("main a", has_text="របាយការណ៍មន្ទីរពេទ្យ").click()
    assert Path(download.value.path()).read_bytes() == REPORT
    bridge.locator("a.button.primary").first.click()  # Accept
    bridge.wait_for_load_state("networkidle")
    bridge.locator('select[name="case_type"]').select_option("foster_care")
    bridge.locator("form.card button.primary").click()
    bridge.wait_for_load_state("networkidle")
    expect(bridge.locator("main")).to_contain_text("បានទទួលយក")
    # ... and reports back.
    bridge.locator('textarea[name="note"]').first.fill("ទារកស្នាក់នៅជាមួយគ្រួសារអុបត្ថម្ភ។")
    bridge.locator('form[action$="/feedback/"] button').click()
    bridge.wait_for_load_state("networkidle")
    bridge.screenshot(path=artifacts_dir / "referral-4-accepted-km-phone.png", full_page=True)

    # Kumar Care's request was withdrawn: another organisation accepted first.
    kumar, _ = new_page(*PHONE)
    sign_in(kumar, base, "chief@kcn.test")
    kumar.goto(f"{base}/referrals/received/")
    kumar.screenshot(path=artifacts_dir / "referral-5-withdrawn-km-phone.png", full_page=True)
    expect(kumar.locator("table.list tbody")).to_contain_text("បានដកវិញ")

    # The sender sees the answer and the news.
    sender.reload()
    sender.locator("table.list tbody tr", has_text="Family Bridge").locator("a").click()
    sender.wait_for_load_state("networkidle")
    sender.screenshot(path=artifacts_dir / "referral-6-sender-km-phone.png", full_page=True)
    expect(sender.locator("main")).to_contain_text("ទារកស្នាក់នៅជាមួយគ្រួសារអុបត្ថម្ភ។")
    assert KHMER.search(sender.locator("h1").inner_text())
    assert not not_drawn_in_khmer_font(sender)
