"""Referral letters to partners not on Phteah in the demo, written through the services as a
worker would: Hope for Mothers refers a young mother's baby to the provincial referral
hospital (the hospital accepted; the answer is recorded) and asks the police's anti-
trafficking office for legal support (waiting for an answer). Each rests on the guardian's
signed consent naming the partner. Idempotent: an organisation that has letters is left
alone."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_scopes import scope, scopes_disabled

from phteah.accounts.models import Membership, Organisation
from phteah.accounts.roles import Role
from phteah.cases.models import Case, CaseWorkerAssignment, ServiceType
from phteah.core.audit import audited_atomic
from phteah.people.models import Consent
from phteah.referrals.models import ReferralGroup, ReferralLetter
from phteah.referrals.services import referral_letter_answer_record, referral_letter_create

HOSPITAL = "Battambang Provincial Referral Hospital"
POLICE = "Battambang Provincial Police, Anti-Human Trafficking and Juvenile Protection Office"
LETTERS = (
    # partner, kind, contact, services (the first the organisation has), reason, urgency,
    # language, answer
    (
        HOSPITAL,
        "hospital",
        "Dr Chea Sokha, paediatric ward, 053 952 111",
        ("physiotherapy", "antenatal_care"),
        "The baby was born early and does not gain weight; the mother asks for a check-up "
        "and advice on feeding.",
        "urgent",
        "km",
        ("accepted", "Seen by the paediatric ward on the same day; follow-up in two weeks."),
    ),
    (
        POLICE,
        "police",
        "Captain Mao Vuthy, 012 888 456",
        ("legal_support", "rescue"),
        "The mother was brought to Thailand by a broker and fears he will come back; she asks "
        "for protection and for her complaint to be heard.",
        "routine",
        "en",
        None,
    ),
)


def _letter_consent(case: Case, partner: str) -> None:
    Consent.objects.create(
        organisation=case.organisation,
        person=case.person,
        given_as=Consent.GivenAs.GUARDIAN,
        given_by_name="Chan Sreymom",
        given_on=timezone.localdate() - timedelta(days=15),
        purpose=Consent.Purpose.SHARE_ORGANISATION,
        shared_with_name=partner,
        for_referral=True,
        method=Consent.Method.SIGNED_FORM,
        witness_name="Keo Sovann",
    )


def demo_letters_create() -> int:
    """Write the demo's letters; returns how many were written (0 when there were some)."""
    with scopes_disabled():
        organisation = Organisation.objects.filter(short_code="HFM").first()
        if (
            organisation is None
            or ReferralLetter.objects.filter(organisation=organisation).exists()
        ):
            return 0
        referred = ReferralGroup.objects.filter(organisation=organisation).values("case_id")
        case = (
            Case.objects.filter(organisation=organisation, status=Case.Status.OPEN)
            .exclude(pk__in=referred)
            .select_related("person")
            .order_by("reference")
            .first()
        )
        if case is None:
            return 0
        assigned = CaseWorkerAssignment.objects.filter(case=case).values("user_id")
        worker = (
            Membership.objects.filter(
                organisation=organisation,
                role=Role.CASE_WORKER,
                is_active=True,
                user_id__in=assigned,
            )
            .select_related("user", "organisation")
            .first()
        ) or (
            Membership.objects.filter(
                organisation=organisation, role=Role.SUPERVISOR, is_active=True
            )
            .select_related("user", "organisation")
            .order_by("user__email")
            .first()
        )
        codes = set(
            ServiceType.objects.filter(organisation=organisation, is_active=True).values_list(
                "code", flat=True
            )
        )
    if worker is None:
        return 0
    written = 0
    for partner, kind, contact, wanted, reason, urgency, language, answer in LETTERS:
        service = next((code for code in wanted if code in codes), None)
        if service is None:
            continue
        with scope(organisation=organisation.pk):
            with audited_atomic():
                _letter_consent(case, partner)
            consent = Consent.objects.filter(person=case.person, shared_with_name=partner).first()
            letter = referral_letter_create(
                actor=worker,
                case_id=case.pk,
                consent_id=consent.pk,
                partner_kind=kind,
                partner_contact=contact,
                service_codes=[service],
                urgency=urgency,
                reason=reason,
                language=language,
            )
            if answer is not None:
                state, note = answer
                referral_letter_answer_record(
                    actor=worker,
                    case_id=case.pk,
                    letter_id=letter.pk,
                    state=state,
                    answered_on=timezone.localdate(),
                    note=note,
                )
        written += 1
    return written
