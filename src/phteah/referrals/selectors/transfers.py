"""Reads of transfers, each taking the acting member: the list (received and sent), one
transfer with the side the member is on, the counts, and a case's transfers.

Who sees a transfer:

- **the sender's side**: members who may see its case (``cases_for``);
- **the receiver's side**: its members who answer referrals (ANSWER_REFERRALS) see every
  transfer sent to their organisation — its frozen details only, whatever its state — and,
  once accepted, the members who may see the receiver's own case of the child.

Everything else is NotFound, recorded as refused."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability
from phteah.cases.access import cases_for
from phteah.core.access import access_denied
from phteah.core.audit import audit_access
from phteah.core.errors import NotFound

from ..models import Transfer
from .referrals import RECEIVER, SENDER

RELATED = ("receiver", "organisation", "sent_by", "answered_by", "village")


def transfers_sent(*, actor: Membership) -> QuerySet:
    """The transfers of the cases *actor* may see, newest first."""
    if actor is None or not actor.is_active:
        return Transfer.objects.none()
    return (
        Transfer.objects.filter(organisation_id=actor.organisation_id, case__in=cases_for(actor))
        .select_related(*RELATED)
        .order_by("-sent_at", "pk")
    )


def _received_visibility(actor: Membership) -> Q | None:
    if actor is None or not actor.is_active:
        return None
    if actor.can(Capability.ANSWER_REFERRALS):
        return Q(receiver_id=actor.organisation_id)
    if actor.can(Capability.VIEW_OWN_CASES):
        return Q(receiver_id=actor.organisation_id, receiver_case__in=cases_for(actor))
    return None


def transfers_received(*, actor: Membership) -> QuerySet:
    """The transfers sent to *actor*'s organisation that *actor* may see: waiting ones
    first, then the others, newest first."""
    visible = _received_visibility(actor)
    if visible is None:
        return Transfer.received.none()
    return (
        Transfer.received.filter(visible)
        .select_related(*RELATED)
        .order_by("state", "-state_on", "pk")
    )


@dataclass
class TransferCounts:
    waiting: int = 0  # received, pending
    sent_waiting: int = 0  # sent from the actor's cases, pending

    @property
    def any(self) -> bool:
        return bool(self.waiting or self.sent_waiting)


def transfer_counts(*, actor: Membership) -> TransferCounts:
    """How many transfers wait for an answer, received and sent (counted in SQL)."""
    counts = TransferCounts()
    visible = _received_visibility(actor)
    if visible is not None:
        counts.waiting = Transfer.received.filter(visible, state=Transfer.State.PENDING).count()
    if actor is not None and actor.can(Capability.TRANSFER_CASES):
        counts.sent_waiting = (
            transfers_sent(actor=actor).filter(state=Transfer.State.PENDING).count()
        )
    return counts


def transfer_get_for_user(*, actor: Membership, transfer_id) -> tuple[Transfer, str]:
    """The access function for transfers: the transfer and the side *actor* is on (SENDER or
    RECEIVER), else NotFound. The view is recorded in the sender's trail (mirrored in the
    receiver's when the receiver reads it)."""
    try:
        transfer = transfers_sent(actor=actor).filter(pk=transfer_id).first()
        side = SENDER
        if transfer is None:
            transfer = transfers_received(actor=actor).filter(pk=transfer_id).first()
            side = RECEIVER
    except (ValueError, TypeError, ValidationError):
        transfer = None
    if transfer is None:
        access_denied(actor=actor, model=Transfer, record_id=transfer_id)
        raise NotFound
    audit_access(
        actor=actor.user,
        organisation=transfer.organisation_id,
        action="referrals.transfer.viewed",
        target=transfer,
        case=transfer.case_id,
        mirror_to=actor.organisation_id,
    )
    return transfer, side


@dataclass
class CaseTransfers:
    sent: list  # the transfers of the case (its owner's side), newest first
    received: Transfer | None  # the accepted transfer this case was opened from

    @property
    def pending(self) -> Transfer | None:
        return next((t for t in self.sent if t.state == Transfer.State.PENDING), None)

    @property
    def accepted(self) -> Transfer | None:
        return next((t for t in self.sent if t.state == Transfer.State.ACCEPTED), None)


def case_transfers(*, actor: Membership, case) -> CaseTransfers:
    """The transfers of *case* (seen by its own organisation: the caller checked access),
    and the one it was opened from."""
    if actor is None or case.organisation_id != actor.organisation_id:
        return CaseTransfers(sent=[], received=None)
    sent = list(
        Transfer.objects.filter(case=case).select_related("receiver").order_by("-sent_at", "pk")
    )
    received = (
        Transfer.received.filter(
            receiver_id=actor.organisation_id,
            receiver_case=case,
            state=Transfer.State.ACCEPTED,
        )
        .select_related("organisation", "history_grant")
        .first()
    )
    return CaseTransfers(sent=sent, received=received)
