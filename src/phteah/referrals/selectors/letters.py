"""Reads of referral letters (referrals to partners not on Phteah), each taking the acting
member. A letter is a record of its case: whoever may see the case sees its letters, and
nobody else (missing and forbidden are the same NotFound)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from phteah.accounts.models import Membership, Office
from phteah.cases.access import case_record_get_for_user, cases_for
from phteah.core.audit import audit_access
from phteah.people.models import Consent

from ..models import ReferralLetter


def letter_consents(case) -> QuerySet:
    """The consents on record that let *case*'s child be referred by letter to a partner not
    on Phteah: given by an adult or a guardian, dated by today, neither withdrawn nor
    expired, for sharing with a named partner, naming one that is not on Phteah, and covering
    referrals. The caller checked access to *case*."""
    today = timezone.localdate()
    return (
        Consent.objects.filter(
            person_id=case.person_id,
            organisation_id=case.organisation_id,
            given_as__in=[Consent.GivenAs.ADULT, Consent.GivenAs.GUARDIAN],
            given_on__lte=today,
            purpose=Consent.Purpose.SHARE_ORGANISATION,
            for_referral=True,
        )
        .exclude(shared_with_name="")
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("shared_with_name", "-given_on", "pk")
    )


def letter_consent_holds(letter: ReferralLetter) -> bool:
    """Whether the consent the letter rests on still covers it (not withdrawn, not expired):
    a letter is printed only while it does."""
    return letter_consents(letter.case).filter(pk=letter.consent_id).exists()


def letters_sent(*, actor: Membership) -> QuerySet:
    """The letters of the cases *actor* may see, newest first."""
    return (
        ReferralLetter.objects.filter(
            organisation_id=actor.organisation_id, case__in=cases_for(actor)
        )
        .select_related("case", "sent_by")
        .order_by("-sent_at", "pk")
    )


def case_letters(*, actor: Membership, case) -> list[ReferralLetter]:
    """The letters of *case* (the actor's own, checked by the caller), newest first."""
    if case.organisation_id != actor.organisation_id:
        return []
    return list(ReferralLetter.objects.filter(case=case).order_by("-sent_at", "pk"))


def letter_get_for_user(
    *,
    actor: Membership,
    case_id=None,
    letter_id,
    checked_case=None,
    edit: bool = False,
    lock: bool = False,
) -> ReferralLetter:
    """The access function for referral letters: through the letter's case (NotFound, and
    recorded as refused, for anyone who may not see it). A service holding the case locked
    passes it as *checked_case*."""
    return case_record_get_for_user(
        ReferralLetter,
        actor=actor,
        case_id=case_id,
        checked_case=checked_case,
        record_id=letter_id,
        edit=edit,
        lock=lock,
        related=(
            "case",
            "sent_by",
            "answer_recorded_by",
            "village__commune__district__province",
        ),
    )


def letter_sender_office(letter: ReferralLetter) -> Office | None:
    """The office whose address heads the letter: its writer's office in the organisation,
    else the organisation's first active office."""
    offices = Office.objects.filter(organisation_id=letter.organisation_id, is_active=True)
    membership = (
        Membership.objects.filter(
            organisation_id=letter.organisation_id, user_id=letter.sent_by_id, office__isnull=False
        )
        .select_related("office__village__commune__district__province")
        .first()
    )
    if membership is not None and membership.office.is_active:
        return membership.office
    return offices.select_related("village__commune__district__province").order_by("name").first()


def letter_downloaded(*, actor: Membership, letter: ReferralLetter) -> None:
    """Record that *actor* downloaded *letter* (its PDF)."""
    audit_access(
        actor=actor.user,
        organisation=letter.organisation_id,
        action="referrals.letter.downloaded",
        target=letter,
        case=letter.case_id,
        data={"language": letter.language},
    )
