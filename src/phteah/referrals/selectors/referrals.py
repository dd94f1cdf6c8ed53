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
from django.db.models import Case, Count, Q, QuerySet, When
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability
from phteah.cases.access import cases_for
from phteah.core.access import access_denied
from phteah.core.audit import audit_access
from phteah.core.errors import NotFound
from phteah.people.models import Consent, IdentityDocument, Person

from ..models import Referral, ReferralAttachment, ReferralUpdate

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
        .order_by(
            Case(When(state=Referral.State.PENDING, then=0), default=1),
            Case(When(state=Referral.State.PENDING, then="answer_due_on")).asc(nulls_last=True),
            "-state_on",
            "pk",
        )
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


def _referral_for(actor: Membership, referral_id) -> tuple[Referral, str]:
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
    return referral, side


def _record(actor: Membership, referral: Referral, action: str, target) -> None:
    """A reading, in the sender's trail (mirrored in the reader's when it is the receiver)."""
    audit_access(
        actor=actor.user,
        organisation=referral.organisation_id,
        action=action,
        target=target,
        case=referral.group.case_id,
        mirror_to=actor.organisation_id,
    )


def referral_get_for_user(*, actor: Membership, referral_id) -> tuple[Referral, str]:
    """The access function for referrals: the referral and the side *actor* is on (SENDER or
    RECEIVER), else NotFound. The view is recorded in the sender's trail (mirrored in the
    receiver's when the receiver reads it)."""
    referral, side = _referral_for(actor, referral_id)
    _record(actor, referral, "referrals.referral.viewed", referral)
    return referral, side


def attachments_open(referral: Referral, side: str) -> bool:
    """Whether *side* may read the documents sent with *referral*: the sender always; the
    receiver while the referral waits under an active grant, and once it took the child —
    never after a decline or a withdrawal."""
    if side == SENDER:
        return True
    if referral.state == Referral.State.PENDING:
        return referral.grant is not None and referral.grant.is_active()
    return referral.state in (
        Referral.State.ACCEPTED,
        Referral.State.COMPLETED,
        Referral.State.CLOSED,
    )


def referral_attachments(referral: Referral) -> list[ReferralAttachment]:
    """The documents sent with *referral* (the caller checked access), read in the sender's
    scope, pinned to the referral's group."""
    with scope(organisation=referral.organisation_id):
        return list(ReferralAttachment.objects.filter(group_id=referral.group_id))


def referral_attachment_file(*, actor: Membership, referral_id, attachment_id):
    """One document sent with a referral *actor* may read, recording the download (in the
    sender's trail, mirrored in the reader's)."""
    referral, side = _referral_for(actor, referral_id)
    attachment = None
    if attachments_open(referral, side):
        attachment = next(
            (a for a in referral_attachments(referral) if str(a.pk) == str(attachment_id)), None
        )
    if attachment is None or not attachment.file:
        access_denied(actor=actor, model=ReferralAttachment, record_id=attachment_id)
        raise NotFound
    _record(actor, referral, "referrals.attachment.downloaded", attachment)
    return attachment


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


def attachable_documents(person: Person) -> list[tuple[str, str, object]]:
    """The child's stored documents that can go with a referral: (key, label, stored file)
    for each unwithdrawn consent with its signed form and each identity document with a
    scan."""
    found = []
    consents = Consent.objects.filter(person=person, withdrawn_on__isnull=True).exclude(scan="")
    for consent in consents:
        label = _("Signed consent form of %(date)s") % {
            "date": formats.date_format(consent.given_on)
        }
        found.append((f"consent:{consent.pk}", label, consent.scan))
    for document in IdentityDocument.objects.filter(person=person).exclude(scan=""):
        found.append((f"document:{document.kind}", document.get_kind_display(), document.scan))
    return found
