"""Referral letters to partners not on Phteah: written on a consent that names the partner,
the letter as a PDF in English or Khmer with the Khmer font embedded, every download
audited, the partner's answer recorded once (corrected only with a note, audited), and 404
for anyone who may not see the case."""

import datetime
import shutil
import subprocess

import pytest
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
from tests.factories import (
    CaseFactory,
    MembershipFactory,
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
    letter = write(worker, child_case, hospital_consent)
    with scope(organisation=worker.organisation_id):
        text = _text(letter_pdf(letter), tmp_path)
    flat = " ".join(text.split())
    for expected in (
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
    # Shaped Khmer comes out of pdftotext with spaces inside words: compare without them.
    text = "".join(_text(pdf, tmp_path).split())
    assert "ចាន់ស្រីពៅ" in text and "កុមារ" in text
    # Khmer month name and Khmer digits: 14 March 2019; the phone in Khmer digits.
    with translation.override("km"):
        march = str(MONTHS[3])
    assert f"១៤{march}២០១៩" in text and "០១២៣៤៥៦៧៨" in text
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
