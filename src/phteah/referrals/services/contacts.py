"""Contact requests (network.md §7): from a possible match in another organisation, "can we
talk about a child we may both know?". The request carries only the requester's message and
contact; the receiver's supervisors see it with their own person, and answer (optionally "yes,
we hold this child, contact X") or decline; the requester sees the answer alone.

Limit: 10 requests per member and day; over it the request is refused and recorded as
``people.linkage.limited``. Each step is audited in the requester's chain and mirrored in the
receiver's (the receiver's person is named in the receiver's chain only), and publishes an
id-only event for the notifications."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability
from phteah.core import events
from phteah.core.audit import audit_log, audited_atomic
from phteah.core.errors import ServiceError
from phteah.core.limits import NOTE_LENGTH, check_text
from phteah.core.submissions import once
from phteah.people.linkage import opted_out
from phteah.people.network import LinkageLimited, linkage_limited, network_match_get

from ..events import ContactAnswered, ContactRequested
from ..models import ContactRequest

REQUESTS_PER_MEMBER_DAY = 10
CONTACT_LENGTH = 200


def _text(value, *, field: str, missing=None, length: int = NOTE_LENGTH) -> str:
    """A checked text; *missing* is the refusal when it is empty and required."""
    check_text(value, field=field, max_length=length)
    value = (value or "").strip()
    if missing is not None and not value:
        raise ServiceError(missing, field=field)
    return value


@once
def contact_request_send(
    *, actor: Membership, match_id, message: str, contact: str, ip: str | None = None
) -> ContactRequest:
    """Ask the organisation of a current match of *actor*'s organisation to get in touch."""
    if not actor.can(Capability.EDIT_CASES):
        raise ServiceError(_("You may not send contact requests."))
    match = network_match_get(actor=actor, match_id=match_id)
    message = _text(message, field="message", missing=_("Write a message."))
    contact = _text(
        contact,
        field="contact",
        missing=_("Say how the other organisation can reach you."),
        length=CONTACT_LENGTH,
    )
    if str(match.candidate_organisation_id) in opted_out() or str(actor.organisation_id) in (
        opted_out()
    ):
        raise ServiceError(_("This organisation no longer takes part in the duplicate check."))
    since = timezone.now() - datetime.timedelta(days=1)
    sent = ContactRequest.objects.filter(
        organisation_id=actor.organisation_id, sent_by_id=actor.user_id, created_at__gt=since
    ).count()
    if sent >= REQUESTS_PER_MEMBER_DAY:
        linkage_limited(actor=actor, limit="contact_requests", ip=ip)
        raise LinkageLimited(
            _("You sent %(count)s contact requests today: send more tomorrow.")
            % {"count": REQUESTS_PER_MEMBER_DAY}
        )
    with audited_atomic():
        request = ContactRequest.objects.create(
            organisation_id=actor.organisation_id,
            receiver_id=match.candidate_organisation_id,
            person_id=match.person_id,
            receiver_person_id=match.candidate_person_id,
            band=match.band,
            kinds=match.kinds,
            message=message,
            contact=contact,
            sent_by_id=actor.user_id,
        )
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            action="referrals.contact.sent",
            target=request,
            data={"receiver": str(request.receiver_id), "person": str(request.person_id)},
            ip=ip,
        )
        # The receiver's chain names its own person (the checker's organisation is known to
        # it now: it was asked).
        audit_log(
            actor=None,
            organisation=request.receiver_id,
            action="referrals.contact.received",
            target=("people.person", request.receiver_person_id),
            data={"from": str(actor.organisation_id), "contact_request": str(request.pk)},
        )
        events.publish(
            ContactRequested(
                contact_request_id=request.pk,
                organisation_id=request.organisation_id,
                receiver_id=request.receiver_id,
            )
        )
    return request


def _for_answer(actor: Membership, contact_request_id) -> ContactRequest:
    from ..selectors.contacts import contact_request_get_for_user

    if not actor.can(Capability.ANSWER_REFERRALS):
        raise ServiceError(_("You may not answer contact requests."))
    request, side = contact_request_get_for_user(
        actor=actor, contact_request_id=contact_request_id, record_view=False
    )
    if side != "receiver":
        raise ServiceError(_("Only the organisation asked may answer."))
    request = (
        ContactRequest.received.select_for_update()
        .filter(receiver_id=actor.organisation_id)
        .get(pk=request.pk)
    )
    if request.state != ContactRequest.State.PENDING:
        raise ServiceError(_("This contact request was already answered."))
    return request


def _answered(actor, request, action, ip) -> None:
    audit_log(
        actor=actor.user,
        organisation=request.organisation_id,
        action=action,
        target=request,
        data={"receiver": str(request.receiver_id)},
        ip=ip,
        mirror_to=actor.organisation_id,
    )
    events.publish(
        ContactAnswered(
            contact_request_id=request.pk,
            organisation_id=request.organisation_id,
            receiver_id=request.receiver_id,
            sent_by_id=request.sent_by_id,
        )
    )


def contact_request_answer(
    *,
    actor: Membership,
    contact_request_id,
    answer: str,
    holds_child: bool = False,
    answer_contact: str = "",
    ip: str | None = None,
) -> ContactRequest:
    """Answer a contact request sent to *actor*'s organisation (a supervisor's)."""
    answer = _text(answer, field="answer", missing=_("Write an answer."))
    answer_contact = _text(
        answer_contact,
        field="answer_contact",
        missing=_("Say who the other organisation should contact.") if holds_child else None,
        length=CONTACT_LENGTH,
    )
    with audited_atomic():
        request = _for_answer(actor, contact_request_id)
        request.state = ContactRequest.State.ANSWERED
        request.answer, request.holds_child = answer, bool(holds_child)
        request.answer_contact = answer_contact if holds_child else ""
        request.answered_by_id, request.answered_at = actor.user_id, timezone.now()
        request.save()
        _answered(actor, request, "referrals.contact.answered", ip)
    return request


def contact_request_decline(
    *, actor: Membership, contact_request_id, answer: str = "", ip: str | None = None
) -> ContactRequest:
    """Decline a contact request sent to *actor*'s organisation; a note is optional."""
    answer = _text(answer, field="answer")
    with audited_atomic():
        request = _for_answer(actor, contact_request_id)
        request.state = ContactRequest.State.DECLINED
        request.answer, request.holds_child, request.answer_contact = answer, None, ""
        request.answered_by_id, request.answered_at = actor.user_id, timezone.now()
        request.save()
        _answered(actor, request, "referrals.contact.declined", ip)
    return request
