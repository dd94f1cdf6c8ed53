"""Referral letters: referring a child to a partner not on Phteah (a hospital, the police, an
organisation that does not use it), and recording the partner's answer.

- **Writing** a letter freezes what it carries (the child's details, the services, the
  reason, the worker and their phone) on a ``ReferralLetter``, on a consent that names the
  partner (``Consent.shared_with_name``) and covers referrals. The partner gets no grant:
  it reads the printed letter only (``phteah.referrals.letter``).
- **The answer** (accepted, declined, no answer came) is recorded by a worker who may change
  the case. A recorded answer is never overwritten silently: correcting it needs a note
  saying why, and the correction is audited with the old and new values.

Both run in ``audited_atomic()`` with the case locked first, then the letter."""

from __future__ import annotations

import datetime
import uuid

from django.utils import timezone
from django.utils.translation import gettext as _

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability
from phteah.cases.services.records import case_for_change, require
from phteah.core.audit import audit_log, audited_atomic
from phteah.core.errors import ServiceError
from phteah.core.limits import NOTE_LENGTH, check_date, check_text
from phteah.core.submissions import once

from ..models import LetterLanguage, PartnerKind, ReferralLetter, Urgency
from ..selectors.letters import letter_consents, letter_get_for_user
from .referrals import chosen_services, frozen_details

CONTACT_LENGTH = 200
ANSWERS = (
    ReferralLetter.State.ACCEPTED,
    ReferralLetter.State.DECLINED,
    ReferralLetter.State.NO_ANSWER,
)


def _services(case, service_codes) -> list[dict]:
    return [
        {"code": s.code, "name_en": s.name_en, "name_km": s.name_km}
        for s in chosen_services(case, service_codes)
    ]


@once
def referral_letter_create(
    *,
    actor: Membership,
    case_id,
    consent_id,
    partner_kind: str,
    partner_contact: str = "",
    service_codes,
    urgency: str,
    reason: str,
    language: str,
    ip: str | None = None,
) -> ReferralLetter:
    """Write a referral letter to the partner not on Phteah that *consent_id* names."""
    require(actor, Capability.REFER_CASES)
    if partner_kind not in PartnerKind.values:
        raise ServiceError(_("Choose what kind of partner it is."), field="partner_kind")
    if urgency not in Urgency.values:
        raise ServiceError(_("Choose how urgent it is."), field="urgency")
    if language not in LetterLanguage.values:
        raise ServiceError(_("Choose the language of the letter."), field="language")
    partner_contact = (partner_contact or "").strip()
    check_text(partner_contact, field="partner_contact", max_length=CONTACT_LENGTH)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the child is referred."), field="reason")
    check_text(reason, field="reason", max_length=NOTE_LENGTH)
    with audited_atomic():
        case = case_for_change(actor, case_id)
        consent = letter_consents(case).filter(pk=_uuid(consent_id)).first()
        if consent is None:
            raise ServiceError(
                _(
                    "No consent on record lets this child be referred to that partner. Record "
                    "the consent of the child's parent or guardian, naming the partner, first."
                ),
                field="consent",
            )
        services = _services(case, service_codes)
        letter = ReferralLetter.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            consent=consent,
            partner_name=consent.shared_with_name,
            partner_kind=partner_kind,
            partner_contact=partner_contact,
            services=services,
            urgency=urgency,
            reason=reason,
            language=language,
            sent_by=actor.user,
            sent_at=timezone.now(),
            **frozen_details(case, actor),
        )
        audit_log(
            actor=actor.user,
            organisation=case.organisation_id,
            action="referrals.letter.created",
            target=letter,
            case=case.pk,
            data={
                "consent": str(consent.pk),
                "partner_kind": partner_kind,
                "services": [row["code"] for row in services],
                "urgency": urgency,
                "language": language,
            },
            ip=ip,
        )
    return letter


def _uuid(value) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        return None


def referral_letter_answer_record(
    *,
    actor: Membership,
    case_id,
    letter_id,
    state: str,
    answered_on: datetime.date,
    note: str = "",
    correction: str = "",
    ip: str | None = None,
) -> ReferralLetter:
    """Record the partner's answer to a letter (accepted, declined, or no answer came), as
    the worker heard it. An answer recorded already is changed only with a *correction*: a
    note saying why, kept with the letter and in the audit trail with the old values."""
    require(actor, Capability.REFER_CASES)
    if state not in ANSWERS:
        raise ServiceError(_("Choose the partner's answer."), field="state")
    check_date(answered_on, field="answered_on")
    if answered_on is None:
        raise ServiceError(_("Enter the date of the answer."), field="answered_on")
    note = (note or "").strip()
    check_text(note, field="note", max_length=NOTE_LENGTH)
    correction = (correction or "").strip()
    check_text(correction, field="correction", max_length=NOTE_LENGTH)
    with audited_atomic():
        case = case_for_change(actor, case_id, open_only=False)
        letter = letter_get_for_user(actor=actor, checked_case=case, letter_id=letter_id, lock=True)
        if answered_on > timezone.localdate():
            raise ServiceError(_("The answer cannot be dated in the future."), field="answered_on")
        if answered_on < timezone.localtime(letter.sent_at).date():
            raise ServiceError(
                _("The answer cannot be dated before the letter was written."),
                field="answered_on",
            )
        corrects = letter.state != ReferralLetter.State.PENDING
        if corrects and not correction:
            raise ServiceError(
                _(
                    "An answer is recorded already. To correct it, say why in the note about "
                    "the correction."
                ),
                field="correction",
            )
        before = {
            "state": letter.state,
            "answered_on": letter.answered_on.isoformat() if letter.answered_on else None,
            "answer_note": letter.answer_note,
        }
        letter.state = state
        letter.answered_on = answered_on
        letter.answer_note = note
        letter.answer_recorded_by = actor.user
        letter.answer_recorded_at = timezone.now()
        if corrects:
            letter.correction_note = correction
        letter.save()
        after = {"state": state, "answered_on": answered_on.isoformat(), "answer_note": note}
        audit_log(
            actor=actor.user,
            organisation=letter.organisation_id,
            action=(
                "referrals.letter.answer_corrected" if corrects else "referrals.letter.answered"
            ),
            target=letter,
            case=case.pk,
            changes={
                name: [before[name], after[name]] for name in after if before[name] != after[name]
            },
            data={"correction": correction} if corrects else None,
            ip=ip,
        )
    return letter
