"""Referral letters to partners not on Phteah: written on a consent that names the partner,
the letter as a PDF in English or Khmer with the Khmer font embedded, every download
audited, the partner's answer recorded once (corrected only with a note, audited), and 404
for anyone who may not see the case."""

import datetime
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django_scopes import scope, scopes_disabled

from phteah.accounts.roles import Role
from phteah.core.errors import NotFound, ServiceError
from phteah.core.models import AuditEvent
from phteah.people.models import Consent
from phteah.referrals import services
from phteah.referrals.letter import letter_html, letter_pdf
from phteah.referrals.models import ReferralLetter
from phteah.referrals.selectors import letter_sender_office
from tests.conftest import sign_in
from tests.factories import (
    CaseFactory,
    MembershipFactory,
    OfficeFactory,
    OffSystemConsentFactory,
    PersonFactory,
    ServiceTypeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
HOSPITAL = "Battambang Provincial Referral Hospital"


@pytest.fixture
def worker(member):
    return member(
        Role.CASE_WORKER,
        user=UserFactory(full_name="Lim Vanna", full_name_km="លីម វណ្ណា", phone="012 345 678"),
    )


@pytest.fixture
def child_case(organisation, worker, supervisor):
    person = PersonFactory(
        organisation=organisation,
        family_name_latin="Chan",
        given_name_latin="Sreypov",
        family_name_km="ចាន់",
        given_name_km="ស្រីពៅ",
        date_of_birth=datetime.date(2019, 3, 14),
    )
    return CaseFactory(
        organisation=organisation, person=person, workers=[worker.user], supervisor=supervisor.user
    )


@pytest.fixture
def health(organisation):
    return ServiceTypeFactory(
        organisation=organisation, code="health", name_en="Health care", name_km="ការថែទាំសុខភាព"
    )


@pytest.fixture
def hospital_consent(child_case):
    return OffSystemConsentFactory(person=child_case.person, shared_with_name=HOSPITAL)


def write(worker, case, consent, **kwargs):
    values = {
        "partner_kind": "hospital",
        "partner_contact": "Dr Sok, 053 952 111",
        "service_codes": ["health"],
        "urgency": "urgent",
        "reason": "A fall from a tree; needs an X-ray.",
        "language": "en",
    } | kwargs
    with scope(organisation=worker.organisation_id):
        return services.referral_letter_create(
            actor=worker, case_id=case.pk, consent_id=consent.pk, **values
        )


def answer(worker, letter, **kwargs):
    values = {"state": "accepted", "answered_on": TODAY, "note": "Seen on Monday."} | kwargs
    with scope(organisation=worker.organisation_id):
        return services.referral_letter_answer_record(
            actor=worker, case_id=letter.case_id, letter_id=letter.pk, **values
        )


def _events(action):
    with scopes_disabled():
        return list(AuditEvent.objects.filter(action=action).order_by("created_at"))


# --- services ------------------------------------------------------------------------------


def test_a_letter_freezes_the_childs_details_and_names_the_consented_partner(
    worker, child_case, health, hospital_consent
):
    letter = write(worker, child_case, hospital_consent)
    assert letter.partner_name == HOSPITAL and letter.consent == hospital_consent
    assert letter.state == ReferralLetter.State.PENDING
    assert (letter.given_name_latin, letter.worker_name, letter.worker_phone) == (
        "Sreypov",
        "Lim Vanna",
        "012 345 678",
    )
    assert letter.services == [
        {"code": "health", "name_en": "Health care", "name_km": "ការថែទាំសុខភាព"}
    ]
    # Changing the person later does not change the letter.
    child_case.person.given_name_latin = "Other"
    child_case.person.save()
    letter.refresh_from_db()
    assert letter.given_name_latin == "Sreypov"
    (event,) = _events("referrals.letter.created")
    assert event.case_id == child_case.pk and event.data["services"] == ["health"]


@pytest.mark.parametrize(
    "consent_values",
    [
        {"withdrawn_on": TODAY - datetime.timedelta(days=1)},
        {"valid_until": TODAY - datetime.timedelta(days=1)},
        {"for_referral": False},
        {"given_as": Consent.GivenAs.CHILD_ASSENT},
        {"shared_with_name": ""},
        {"purpose": Consent.Purpose.SERVICES},
    ],
    ids=["withdrawn", "expired", "not-for-referral", "child-assent", "no-partner", "services"],
)
def test_no_letter_without_a_consent_naming_a_partner_for_referral(
    worker, child_case, health, consent_values
):
    consent = OffSystemConsentFactory(person=child_case.person, **consent_values)
    with pytest.raises(ServiceError) as refused:
        write(worker, child_case, consent)
    assert refused.value.field == "consent"
    with scopes_disabled():
        assert not ReferralLetter.objects.exists()


def test_another_childs_consent_does_not_cover_the_letter(worker, child_case, health):
    sibling = PersonFactory(organisation=child_case.organisation)
    consent = OffSystemConsentFactory(person=sibling)
    with pytest.raises(ServiceError):
        write(worker, child_case, consent)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"partner_kind": "spaceship"}, "partner_kind"),
        ({"urgency": "soon"}, "urgency"),
        ({"language": "fr"}, "language"),
        ({"reason": "  "}, "reason"),
        ({"reason": "a\x00b"}, "reason"),
        ({"partner_contact": "x" * 201}, "partner_contact"),
        ({"service_codes": []}, "services"),
        ({"service_codes": ["not-ours"]}, "services"),
    ],
)
def test_hostile_values_are_refused_with_their_field(
    worker, child_case, health, hospital_consent, values, field
):
    with pytest.raises(ServiceError) as refused:
        write(worker, child_case, hospital_consent, **values)
    assert refused.value.field == field


def test_a_viewer_cannot_write_a_letter_and_another_organisation_finds_no_case(
    member, other_organisation, child_case, health, hospital_consent
):
    with pytest.raises(PermissionError):
        write(member(Role.VIEWER), child_case, hospital_consent)
    stranger = MembershipFactory(organisation=other_organisation, role=Role.SUPERVISOR)
    with pytest.raises(NotFound):
        write(stranger, child_case, hospital_consent)


def test_the_answer_is_recorded_once_and_corrected_only_with_a_note(
    worker, child_case, health, hospital_consent
):
    letter = write(worker, child_case, hospital_consent)
    answer(worker, letter, state="declined", note="No surgeon this week.")
    letter.refresh_from_db()
    assert (letter.state, letter.answered_on, letter.answer_recorded_by) == (
        "declined",
        TODAY,
        worker.user,
    )
    with pytest.raises(ServiceError) as refused:
        answer(worker, letter, state="accepted")
    assert refused.value.field == "correction"
    letter.refresh_from_db()
    assert letter.state == "declined" and letter.answer_note == "No surgeon this week."
    answer(worker, letter, state="accepted", note="Seen after all.", correction="Misheard.")
    letter.refresh_from_db()
    assert (letter.state, letter.correction_note) == ("accepted", "Misheard.")
    (first,) = _events("referrals.letter.answered")
    assert first.changes["state"] == ["pending", "declined"]
    (corrected,) = _events("referrals.letter.answer_corrected")
    assert corrected.changes["state"] == ["declined", "accepted"]
    assert corrected.data == {"correction": "Misheard."}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"state": "pending"}, "state"),
        ({"state": "maybe"}, "state"),
        ({"answered_on": None}, "answered_on"),
        ({"answered_on": TODAY + datetime.timedelta(days=1)}, "answered_on"),
        ({"answered_on": TODAY - datetime.timedelta(days=3)}, "answered_on"),
        ({"note": "x\x00"}, "note"),
    ],
)
def test_a_bad_answer_is_refused(worker, child_case, health, hospital_consent, values, field):
    letter = write(worker, child_case, hospital_consent)
    with pytest.raises(ServiceError) as refused:
        answer(worker, letter, **values)
    assert refused.value.field == field
    letter.refresh_from_db()
    assert letter.state == "pending" and letter.answered_on is None


def test_another_organisation_cannot_answer(
    other_organisation, worker, child_case, health, hospital_consent
):
    letter = write(worker, child_case, hospital_consent)
    stranger = MembershipFactory(organisation=other_organisation, role=Role.SUPERVISOR)
    with pytest.raises(NotFound):
        answer(stranger, letter)


# --- the PDF --------------------------------------------------------------------------------


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _fonts(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout


needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext, pdffonts) not installed"
)


@needs_poppler
def test_the_english_letter_carries_what_the_partner_needs(
    tmp_path, worker, child_case, health, hospital_consent
):
    worker.office = OfficeFactory(
        organisation=worker.organisation,
        name="Battambang office",
        address_detail="House 12, Street 3",
        phone="053 111 222",
    )
    worker.save()
    letter = write(worker, child_case, hospital_consent)
    with scope(organisation=worker.organisation_id):
        office = letter_sender_office(letter)
        text = _text(letter_pdf(letter, office=office), tmp_path)
    flat = " ".join(text.split())
    for expected in (
        f"Reference: {child_case.reference}",
        "Family Bridge",
        "Battambang office",
        "House 12, Street 3",
        "Phone: 053 111 222",
        "Referral letter",
        f"To: {HOSPITAL}",
        "Chan Sreypov",
        "14 March 2019",
        "Health care",
        "A fall from a tree; needs an X-ray.",
        "Lim Vanna",
        "012 345 678",
        "Urgent (within a day or two)",
        "We accept the referral.",
        "Signature and date:",
    ):
        assert expected in flat, expected


@needs_poppler
def test_the_khmer_letter_is_in_khmer_with_the_khmer_font_embedded(
    tmp_path, worker, child_case, health, hospital_consent
):
    letter = write(worker, child_case, hospital_consent, language="km")
    with scope(organisation=worker.organisation_id):
        pdf = letter_pdf(letter)
    # WeasyPrint maps each shaped glyph back to one piece of text, so pdftotext gives a few
    # clusters (a vowel drawn as a ligature) wrongly; these words and the digits come out
    # whole. The exact text is checked on the letter's HTML below.
    text = "".join(_text(pdf, tmp_path).split())
    assert "លិខិតបញ្ជូន" in text and "កុមារ" in text
    assert sum("\u1780" <= char <= "\u17ff" for char in text) > 300
    # The date of birth (14 March 2019) and the phone in Khmer digits.
    assert "១៤" in text and "២០១៩" in text and "០១២៣៤៥៦៧៨" in text
    assert "Referral letter" not in text
    fonts = _fonts(pdf, tmp_path)
    khmer = [line for line in fonts.splitlines() if "Noto-Sans-Khmer" in line]
    assert khmer, fonts
    # Embedded (the "emb" column says yes), subset.
    assert all(" yes " in line for line in khmer)


def test_the_letter_html_declares_utf8_and_the_khmer_font(
    worker, child_case, health, hospital_consent
):
    letter = write(worker, child_case, hospital_consent, language="km")
    with scope(organisation=worker.organisation_id):
        html = letter_html(letter)
    assert '<meta charset="utf-8">' in html
    assert "@font-face" in html and "NotoSansKhmer" in html
    with translation.override("km"):
        march = str(MONTHS[3])
    assert "ចាន់ ស្រីពៅ" in html and f"១៤ {march} ២០១៩" in html
    assert "ការថែទាំសុខភាព" in html and "លីម វណ្ណា" in html


# --- the pages ------------------------------------------------------------------------------


def _new_url(case):
    return reverse("referrals:letter_new", args=[case.pk])


def _url(name, letter):
    return reverse(f"referrals:{name}", args=[letter.case_id, letter.pk])


LETTER_POST = {
    "partner_kind": "hospital",
    "partner_contact": "Dr Sok",
    "services": ["health"],
    "urgency": "urgent",
    "reason": "A fall from a tree; needs an X-ray.",
    "language": "km",
}


def test_a_worker_writes_a_letter_from_the_case_page_and_downloads_it(
    client, worker, child_case, health, hospital_consent
):
    sign_in(client, worker.user)
    page = client.get(reverse("cases:case_detail", args=[child_case.pk])).content.decode()
    assert _new_url(child_case) in page
    form = client.get(_new_url(child_case)).content.decode()
    assert HOSPITAL in form
    response = client.post(
        _new_url(child_case), LETTER_POST | {"consent": str(hospital_consent.pk)}
    )
    assert response.status_code == 302
    with scopes_disabled():
        letter = ReferralLetter.objects.get(case=child_case)
    assert response.url == _url("letter_detail", letter)
    assert letter.language == "km"
    detail = client.get(response.url).content.decode()
    assert _url("letter_download", letter) in detail and "Waiting for an answer" in detail
    download = client.get(_url("letter_download", letter))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
    assert "attachment" in download["Content-Disposition"]
    (event,) = _events("referrals.letter.downloaded")
    assert event.actor == worker.user and event.case_id == child_case.pk
    # The case page and the sent inbox list it; the timeline shows it.
    page = client.get(reverse("cases:case_detail", args=[child_case.pk])).content.decode()
    assert _url("letter_detail", letter) in page
    assert "Referral letter written" in page
    answer(worker, letter, note="Seen on Monday by Dr Sok.")
    page = client.get(reverse("cases:case_detail", args=[child_case.pk])).content.decode()
    assert "Answer to a referral letter" in page and "Seen on Monday by Dr Sok." in page
    sent = client.get(reverse("referrals:sent")).content.decode()
    assert HOSPITAL in sent and _url("letter_detail", letter) in sent


def test_a_double_submit_writes_one_letter(client, worker, child_case, health, hospital_consent):
    from phteah.core.submissions import submission_issue

    sign_in(client, worker.user)
    token = submission_issue(worker.user)
    data = LETTER_POST | {"consent": str(hospital_consent.pk), "submission": token}
    assert client.post(_new_url(child_case), data).status_code == 302
    assert client.post(_new_url(child_case), data).status_code == 302
    with scopes_disabled():
        assert ReferralLetter.objects.filter(case=child_case).count() == 1


def test_without_a_consent_the_form_says_so_and_saves_nothing(client, worker, child_case, health):
    sign_in(client, worker.user)
    form = client.get(_new_url(child_case)).content.decode()
    assert "No consent on record names a partner not on Phteah" in form
    response = client.post(_new_url(child_case), LETTER_POST | {"consent": "nonsense"})
    assert response.status_code == 200
    with scopes_disabled():
        assert not ReferralLetter.objects.exists()


def test_the_answer_form_records_once_then_asks_why_it_is_corrected(
    client, worker, child_case, health, hospital_consent
):
    letter = write(worker, child_case, hospital_consent)
    sign_in(client, worker.user)
    url = _url("letter_answer", letter)
    assert "correction" not in client.get(url).content.decode()
    response = client.post(
        url, {"state": "accepted", "answered_on": TODAY.isoformat(), "note": "Seen."}
    )
    assert response.status_code == 302
    # A second answer without saying why is refused on the form.
    response = client.post(url, {"state": "declined", "answered_on": TODAY.isoformat()})
    assert response.status_code == 200
    letter.refresh_from_db()
    assert letter.state == "accepted"
    response = client.post(
        url,
        {"state": "declined", "answered_on": TODAY.isoformat(), "correction": "Wrong letter."},
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert (letter.state, letter.correction_note) == ("declined", "Wrong letter.")
    detail = client.get(_url("letter_detail", letter)).content.decode()
    assert "Wrong letter." in detail


def test_everyone_who_may_not_see_the_case_gets_404_and_no_letter(
    client, member, other_organisation, child_case, health, hospital_consent, worker
):
    letter = write(worker, child_case, hospital_consent)
    outsider = member(Role.CASE_WORKER)  # same organisation, not on the case
    stranger = MembershipFactory(organisation=other_organisation, role=Role.SUPERVISOR)
    for person in (outsider, stranger):
        client.logout()
        sign_in(client, person.user)
        for name in ("letter_detail", "letter_download", "letter_answer"):
            assert client.get(_url(name, letter)).status_code == 404, (person, name)
        assert client.get(_new_url(child_case)).status_code == 404
    assert _events("referrals.letter.downloaded") == []
    client.logout()
    assert client.get(_url("letter_download", letter)).status_code in (302, 404)


def test_the_pages_in_khmer(client, worker, child_case, health, hospital_consent):
    letter = write(worker, child_case, hospital_consent)
    answer(worker, letter)
    worker.user.language = "km"
    worker.user.save()
    sign_in(client, worker.user)
    for url in (
        _new_url(child_case),
        _url("letter_detail", letter),
        _url("letter_answer", letter),
        reverse("referrals:sent"),
    ):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="km").content.decode()
        assert "Referral letter" not in page and "partner not on Phteah" not in page, url


def test_no_letter_is_printed_once_its_consent_is_withdrawn(
    client, worker, child_case, health, hospital_consent
):
    letter = write(worker, child_case, hospital_consent)
    hospital_consent.withdrawn_on = TODAY
    hospital_consent.save()
    sign_in(client, worker.user)
    response = client.get(_url("letter_download", letter))
    assert response.status_code == 302 and response.url == _url("letter_detail", letter)
    detail = client.get(response.url).content.decode()
    assert "was withdrawn or has expired" in detail
    assert _url("letter_download", letter) not in detail
    assert _events("referrals.letter.downloaded") == []
    # The answer can still be recorded (the partner may have answered before).
    answer(worker, letter)


@needs_poppler
def test_the_longest_values_wrap_onto_more_pages(
    tmp_path, worker, child_case, health, hospital_consent
):
    """A reason of the longest length, in Khmer without spaces and with an unbroken word,
    goes onto several pages; the answer box stays whole at the end."""
    reason = ("កុមារធ្លាក់ពីដើមឈើហើយត្រូវការថតកាំរស្មី" * 100 + " " + "a" * 500)[:5000]
    letter = write(worker, child_case, hospital_consent, language="km", reason=reason)
    with scope(organisation=worker.organisation_id):
        pdf = letter_pdf(letter)
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))[6:])
    assert pages >= 2
    last = subprocess.run(
        ["pdftotext", "-f", str(pages), "-l", str(pages), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "ទទួលយកការបញ្ជូន" in "".join(last.split())  # "We accept the referral."


def test_a_letter_is_found_only_under_its_own_case(
    client, organisation, worker, supervisor, child_case, health, hospital_consent
):
    letter = write(worker, child_case, hospital_consent)
    other_case = CaseFactory(
        organisation=organisation, workers=[worker.user], supervisor=supervisor.user
    )
    sign_in(client, worker.user)
    for name in ("letter_detail", "letter_download", "letter_answer"):
        url = reverse(f"referrals:{name}", args=[other_case.pk, letter.pk])
        assert client.get(url).status_code == 404
