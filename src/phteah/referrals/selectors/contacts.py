"""Reads of contact requests, each taking the acting member. The requester's side (members
who register people, EDIT_CASES) sees the requests its organisation sent, with the answer;
the receiver's side (ANSWER_REFERRALS) sees those sent to it, with its own person. Nothing
else: NotFound, recorded as refused."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability
from phteah.core.access import access_denied
from phteah.core.audit import audit_access
from phteah.core.errors import NotFound
from phteah.people.access import persons_for
from phteah.people.models import Person

from ..models import ContactRequest

REQUESTER, RECEIVER = "requester", "receiver"


def _active(actor) -> bool:
    return actor is not None and actor.is_active


def contact_requests_sent(*, actor: Membership) -> QuerySet:
    """The requests *actor*'s organisation sent about the people *actor* may see, newest first
    (EDIT_CASES)."""
    if not _active(actor) or not actor.can(Capability.EDIT_CASES):
        return ContactRequest.objects.none()
    return (
        ContactRequest.objects.filter(
            organisation_id=actor.organisation_id, person__in=persons_for(actor)
        )
        .select_related("receiver", "person")
        .order_by("-created_at", "pk")
    )


def contact_requests_received(*, actor: Membership) -> QuerySet:
    """The requests sent to *actor*'s organisation, waiting ones first (ANSWER_REFERRALS)."""
    if not _active(actor) or not actor.can(Capability.ANSWER_REFERRALS):
        return ContactRequest.received.none()
    return (
        ContactRequest.received.filter(receiver_id=actor.organisation_id)
        .select_related("organisation")
        .order_by("-state", "-created_at", "pk")
    )


def contact_request_get_for_user(
    *, actor: Membership, contact_request_id, record_view: bool = True
) -> tuple[ContactRequest, str]:
    """The access function for contact requests: the request and *actor*'s side."""
    try:
        request = contact_requests_sent(actor=actor).filter(pk=contact_request_id).first()
        side = REQUESTER
        if request is None:
            request = contact_requests_received(actor=actor).filter(pk=contact_request_id).first()
            side = RECEIVER
    except (ValueError, TypeError, ValidationError):
        request = None
    if request is None:
        access_denied(actor=actor, model=ContactRequest, record_id=contact_request_id)
        raise NotFound
    if record_view:
        audit_access(
            actor=actor.user,
            organisation=actor.organisation_id,
            action="referrals.contact.viewed",
            target=request,
        )
    return request, side


def contact_request_person(*, actor: Membership, request: ContactRequest) -> Person | None:
    """The receiver's own person a request is about, for the receiver's eyes only."""
    if str(request.receiver_id) != str(actor.organisation_id):
        return None
    return persons_for(actor).filter(pk=request.receiver_person_id).first()


@dataclass
class ContactCounts:
    waiting: int = 0  # received, pending


def contact_counts(*, actor: Membership) -> ContactCounts:
    """The requests waiting for *actor*'s organisation's answer (one query)."""
    if not _active(actor) or not actor.can(Capability.ANSWER_REFERRALS):
        return ContactCounts()
    return ContactCounts(
        waiting=ContactRequest.received.filter(
            receiver_id=actor.organisation_id, state=ContactRequest.State.PENDING
        ).count()
    )


def person_contact_requests(*, actor: Membership, person) -> dict:
    """The requests sent about *person* (one of *actor*'s organisation), by receiver."""
    if str(person.organisation_id) != str(actor.organisation_id):
        return {}
    return {
        str(r.receiver_id): r
        for r in ContactRequest.objects.filter(
            organisation_id=actor.organisation_id, person=person
        ).order_by("created_at")
    }
