"""Reads of referrals, each taking the acting member: the inboxes (sent, received), one
referral with the side the member is on, the counts on My work, and a case's referrals.

Who sees a referral:

- **the sender's side**: members who may see its case (``cases_for``);
- **the receiver's side**: its members who answer referrals (ANSWER_REFERRALS) see every
  referral sent to their organisation — while pending the referral's details, after a
  decline or a withdrawal those details only — and, once accepted, also the members who may
  see the receiver's own case of the child.

Everything else is NotFound, recorded as refused."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability
from phteah.cases.access import cases_for
from phteah.core.access import access_denied
from phteah.core.audit import audit_access
from phteah.core.errors import NotFound

from ..models import Referral, ReferralUpdate

SENDER, RECEIVER = "sender", "receiver"
# What a referral's page shows; the inboxes join only what their rows show (LISTED): each
# join is planned for every page, and the inboxes' sort runs over all the rows joined.
RELATED = ("group", "group__village", "receiver", "group__sent_by", "answered_by")
LISTED = ("group", "receiver", "organisation")


def referrals_sent(*, actor: Membership) -> QuerySet:
    """The referrals of the cases *actor* may see, newest first. The group's organisation is
    the referral's: said again, so that PostgreSQL reads the organisation's groups by their
    index instead of every group (bench/run.py ``referrals_sent``: 18 → 4 ms at 50,000
    referrals)."""
    return (
        Referral.objects.filter(
            organisation_id=actor.organisation_id,
            group__organisation_id=actor.organisation_id,
            group__case__in=cases_for(actor),
        )
        .select_related(*LISTED)
        .order_by("-group__sent_at", "pk")
    )


def _received_visibility(actor: Membership) -> Q | None:
    if actor is None or not actor.is_active:
        return None
    if actor.can(Capability.ANSWER_REFERRALS):
        return Q(receiver_id=actor.organisation_id)
    if actor.can(Capability.VIEW_OWN_CASES):
        return Q(receiver_id=actor.organisation_id, receiver_case__in=cases_for(actor))
    return None


def referrals_received(*, actor: Membership) -> QuerySet:
    """The referrals sent to *actor*'s organisation that *actor* may see: waiting ones first
    (the soonest due first), then the others, newest first."""
    visible = _received_visibility(actor)
    if visible is None:
        return Referral.received.none()
    return (
        Referral.received.filter(visible)
        .select_related(*LISTED)
        .order_by("state", "answer_due_on", "-state_on")
    )


@dataclass
class ReferralCounts:
    waiting: int = 0  # received, pending
    overdue: int = 0  # received, pending, past the answer date
    sent_waiting: int = 0  # sent from the actor's cases, pending

    @property
    def any(self) -> bool:
        return bool(self.waiting or self.sent_waiting)


def referral_counts(*, actor: Membership) -> ReferralCounts:
    """What My work shows of referrals, in two queries (counted in SQL)."""
    counts = ReferralCounts()
    today = timezone.localdate()
    visible = _received_visibility(actor)
    if visible is not None:
        received = Referral.received.filter(visible, state=Referral.State.PENDING).aggregate(
            waiting=Count("pk"), overdue=Count("pk", filter=Q(answer_due_on__lt=today))
        )
        counts.waiting, counts.overdue = received["waiting"], received["overdue"]
    if actor is not None and actor.can(Capability.REFER_CASES):
        counts.sent_waiting = (
            referrals_sent(actor=actor).filter(state=Referral.State.PENDING).count()
        )
    return counts


def referral_get_for_user(*, actor: Membership, referral_id) -> tuple[Referral, str]:
    """The access function for referrals: the referral and the side *actor* is on (SENDER or
    RECEIVER), else NotFound. The view is recorded in the sender's trail (mirrored in the
    receiver's when the receiver reads it)."""
    try:
        referral = referrals_sent(actor=actor).select_related(*RELATED).filter(pk=referral_id)
        referral = referral.first()
        side = SENDER
        if referral is None:
            referral = (
                referrals_received(actor=actor)
                .select_related(*RELATED)
                .filter(pk=referral_id)
                .first()
            )
            side = RECEIVER
    except (ValueError, TypeError, ValidationError):
        referral = None
    if referral is None:
        access_denied(actor=actor, model=Referral, record_id=referral_id)
        raise NotFound
    audit_access(
        actor=actor.user,
        organisation=referral.organisation_id,
        action="referrals.referral.viewed",
        target=referral,
        case=referral.group.case_id,
        mirror_to=actor.organisation_id,
    )
    return referral, side


def referral_history(referral: Referral) -> list[ReferralUpdate]:
    """The referral's shared history, oldest first (the caller checked access)."""
    return list(referral.updates.select_related("by", "by_organisation").order_by("on", "pk"))


def case_referrals(*, actor: Membership, case) -> list[Referral]:
    """The referrals of *case* (the actor's own, checked by the caller), newest first."""
    if case.organisation_id != actor.organisation_id:
        return []
    return list(
        Referral.objects.filter(group__case=case)
        .select_related("receiver", "group")
        .order_by("-group__sent_at", "receiver__name", "service_code")
    )
