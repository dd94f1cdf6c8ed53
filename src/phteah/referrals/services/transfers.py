"""Transfers of a case to another organisation: send, withdraw, decline, accept (the state
table: phteah.referrals.states, TRANSFER_TRANSITIONS).

- **Sending** (a supervisor, TRANSFER_CASES) freezes the child's details on the ``Transfer``
  and gives the receiver a minimal grant on the case, on a consent that names it and covers a
  transfer; one transfer of a case waits at a time.
- **Accepting** (the receiver's supervisor, ANSWER_REFERRALS) gives the receiver a case of
  its own, opened from those details (its person matched by the child's global id, or
  registered with it); the sender's case closes as ``transferred``
  (``cases.services.case_close_transferred``: the closure steps run), and the receiver reads
  it, read-only, under a view grant linked to its new case until the consent ends (five
  years at most). The sender cannot reopen it while that grant lasts.
- **Declining** keeps only the transfer's frozen details; **withdrawing** ends the grant.

Nothing changes organisation: the sender's case and everything in it stay the sender's.
Every step writes an audit event in the sender's chain (mirrored in the receiver's when the
receiver acts) and an id-only event for notifications. Lock order: the sender's case (through
the grant on the receiver's side), the grant, the transfer, the receiver's own rows, the audit
chains last."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_scopes import scope

from phteah.accounts.models import GOVERNMENT_KINDS, Membership, Organisation
from phteah.accounts.roles import Capability
from phteah.cases.access import case_lock_for_grant
from phteah.cases.models import Case, CaseGrant
from phteah.cases.services import case_close_transferred, case_open
from phteah.cases.services.closure import closure_check
from phteah.cases.services.grants import case_grant_end, case_grant_issue
from phteah.cases.services.records import case_for_change, require
from phteah.core import events
from phteah.core.access import access_denied
from phteah.core.audit import audit_log, audited_atomic
from phteah.core.errors import NotFound, ServiceError
from phteah.core.limits import NOTE_LENGTH, check_text
from phteah.core.submissions import once
from phteah.people.models import SharingPurpose
from phteah.people.selectors import consent_for_sharing

from .. import states
from ..events import TransferAccepted, TransferDeclined, TransferSent, TransferWithdrawn
from ..models import Transfer
from .referrals import frozen_details, receiver_person

ACTIONS = {
    "sent": "referrals.transfer.sent",
    "accepted": "referrals.transfer.accepted",
    "declined": "referrals.transfer.declined",
    "withdrawn": "referrals.transfer.withdrawn",
}


def _event(cls, transfer: Transfer, by_user, **extra) -> None:
    events.publish(
        cls(
            transfer_id=transfer.pk,
            organisation_id=transfer.organisation_id,
            receiver_id=transfer.receiver_id,
            case_id=transfer.case_id,
            by_user_id=getattr(by_user, "pk", None),
            **extra,
        )
    )


def _audit(transfer: Transfer, step: str, *, by_user, by_organisation_id, ip=None, data=None):
    """The audit event of one step, in the sender's chain (mirrored in the actor's
    organisation's when it is the receiver)."""
    audit_log(
        actor=by_user,
        organisation=transfer.organisation_id,
        action=ACTIONS[step],
        target=transfer,
        case=transfer.case_id,
        data={"receiver": str(transfer.receiver_id)} | (data or {}),
        ip=ip,
        mirror_to=by_organisation_id,
    )


def _move(transfer: Transfer, transition: str, **values) -> None:
    transfer.state = states.transfer_transition_to(transfer, transition)
    transfer.state_on = timezone.now()
    for name, value in values.items():
        setattr(transfer, name, value)
    transfer.save()


def _withdraw(
    transfer: Transfer,
    *,
    transition: str,
    reason: str,
    by_user,
    by_organisation_id,
    grant_reason: str | None,
    ip=None,
) -> None:
    """Withdraw *transfer* for *reason* (a ``Transfer.WithdrawReason``): its state, audit
    event, its grant ended (unless *grant_reason* is None: it has ended already), and the
    receiver told."""
    _move(transfer, transition, withdraw_reason=reason)
    _audit(
        transfer,
        "withdrawn",
        by_user=by_user,
        by_organisation_id=by_organisation_id,
        ip=ip,
        data={"reason": reason},
    )
    if grant_reason is not None and transfer.grant is not None:
        case_grant_end(transfer.grant, reason=grant_reason, by_user=by_user)
    _event(TransferWithdrawn, transfer, by_user, reason=reason)


# --- the sender ------------------------------------------------------------------------------


def transfer_receivers(case: Case):
    """The organisations *case* may be transferred to: active, in the directory, accepting
    referrals, not its own."""
    return (
        Organisation.objects.filter(
            is_active=True,
            partner_profile__published=True,
            partner_profile__accepts_referrals=True,
        )
        .exclude(pk=case.organisation_id)
        .select_related("partner_profile")
        .order_by("name")
    )


def transfer_uncovered(case: Case, receivers) -> list[Organisation]:
    """The organisations among *receivers* no consent on record lets *case* be transferred
    to."""
    return [
        receiver
        for receiver in receivers
        if consent_for_sharing(
            person=case.person, organisation=receiver, purpose=SharingPurpose.TRANSFER
        )
        is None
    ]


def _receiver(case: Case, receiver_id) -> Organisation:
    try:
        return transfer_receivers(case).get(pk=receiver_id)
    except (Organisation.DoesNotExist, ValueError, TypeError, ValidationError) as error:
        raise ServiceError(
            _("Choose an organisation that accepts referrals."), field="receiver"
        ) from error


def _pending_grant_end(consent, today: datetime.date) -> datetime.date | None:
    """When the minimal grant of a pending transfer ends: as a referral's (GRANT_DAYS), or
    None (the grant's longest, cut at the consent's end) when the consent ends sooner."""
    end = today + datetime.timedelta(days=settings.GRANT_DAYS[SharingPurpose.REFERRAL])
    if consent.valid_until is not None and consent.valid_until < end:
        return None
    return end


@once
def transfer_send(
    *, actor: Membership, case_id, receiver_id, reason: str, ip: str | None = None
) -> Transfer:
    """A supervisor asks another organisation to take over the case. It needs a consent on
    record that names the organisation and covers a transfer."""
    require(actor, Capability.TRANSFER_CASES)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the case is transferred."), field="reason")
    check_text(reason, field="reason", max_length=NOTE_LENGTH)
    with audited_atomic():
        case = case_for_change(actor, case_id)
        receiver = _receiver(case, receiver_id)
        person = case.person
        consent = consent_for_sharing(
            person=person, organisation=receiver, purpose=SharingPurpose.TRANSFER
        )
        if consent is None:
            raise ServiceError(
                _(
                    "No consent on record lets this case be transferred to %(organisation)s. "
                    "Record the consent of the child's parent or guardian first."
                )
                % {"organisation": receiver.display_name(get_language())},
                field="receiver",
            )
        if Transfer.objects.filter(case=case, state=Transfer.State.PENDING).exists():
            raise ServiceError(_("A transfer of this case is already waiting for an answer."))
        # What accepting will do to the case must be possible now (the closure steps).
        closure_check(case, reason=Case.ClosureReason.TRANSFERRED, placement_outcome="other")
        if CaseGrant.objects.filter(
            case=case,
            grantee=receiver,
            level=CaseGrant.Level.MINIMAL,
            revoked_at__isnull=True,
            valid_until__gt=timezone.now(),
        ).exists():
            raise ServiceError(
                _(
                    "%(organisation)s has a referral of this child waiting for an answer. "
                    "Wait for its answer or withdraw it before transferring the case."
                )
                % {"organisation": receiver.display_name(get_language())},
                field="receiver",
            )
        grant = case_grant_issue(
            case=case,
            by_user=actor.user,
            grantee=receiver,
            level=CaseGrant.Level.MINIMAL,
            purpose=SharingPurpose.TRANSFER,
            valid_until=_pending_grant_end(consent, timezone.localdate()),
            ip=ip,
        )
        now = timezone.now()
        transfer = Transfer.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            receiver=receiver,
            consent=grant.consent,
            sent_by=actor.user,
            sent_at=now,
            reason=reason,
            state=Transfer.State.PENDING,
            state_on=now,
            grant=grant,
            global_id=person.global_id,
            case_type=case.case_type,
            **frozen_details(case, actor),
        )
        _audit(
            transfer, "sent", by_user=actor.user, by_organisation_id=actor.organisation_id, ip=ip
        )
        _event(TransferSent, transfer, actor.user)
    return transfer


def _sent(actor: Membership, transfer_id) -> Transfer:
    """The sender's side of a transfer: its case locked (the actor must be able to change
    it), then the transfer."""
    try:
        case_id = (
            Transfer.objects.filter(pk=transfer_id, organisation_id=actor.organisation_id)
            .values_list("case_id", flat=True)
            .first()
        )
    except (ValueError, TypeError, ValidationError):
        case_id = None
    if case_id is None:
        access_denied(actor=actor, model=Transfer, record_id=transfer_id)
        raise NotFound
    case = case_for_change(actor, case_id, open_only=False)
    return (
        Transfer.objects.select_for_update(of=("self",), no_key=True)
        .select_related("grant")
        .get(pk=transfer_id, case=case)
    )


def transfer_withdraw(*, actor: Membership, transfer_id, ip: str | None = None) -> Transfer:
    """The sender's supervisor withdraws a transfer that is waiting for an answer."""
    require(actor, Capability.TRANSFER_CASES)
    with audited_atomic():
        transfer = _sent(actor, transfer_id)
        _withdraw(
            transfer,
            transition="withdraw",
            reason=Transfer.WithdrawReason.SENDER,
            by_user=actor.user,
            by_organisation_id=actor.organisation_id,
            grant_reason=CaseGrant.RevokeReason.WITHDRAWN,
            ip=ip,
        )
    return transfer


# --- the receiver ----------------------------------------------------------------------------


def _received(actor: Membership, transfer_id, *, lock: bool = False) -> Transfer:
    """The receiver's side of a transfer, for its members who answer referrals."""
    if actor is None or not actor.can(Capability.ANSWER_REFERRALS):
        access_denied(actor=actor, model=Transfer, record_id=transfer_id)
        raise NotFound
    transfers = Transfer.received.filter(receiver_id=actor.organisation_id).select_related("grant")
    if lock:
        transfers = transfers.select_for_update(of=("self",), no_key=True)
    try:
        return transfers.get(pk=transfer_id)
    except (Transfer.DoesNotExist, ValueError, TypeError, ValidationError) as error:
        access_denied(actor=actor, model=Transfer, record_id=transfer_id)
        raise NotFound from error


def _answering(actor: Membership, transfer_id) -> Transfer:
    """A transfer for an answer: the sender's case locked first (through the grant), then
    the grant, then the transfer, checked again under the locks."""
    transfer = _received(actor, transfer_id)
    if transfer.grant_id is not None:
        case_lock_for_grant(transfer.grant)
        list(
            CaseGrant.received.select_for_update(no_key=True)
            .filter(pk=transfer.grant_id)
            .values_list("pk", flat=True)
        )
    transfer = _received(actor, transfer_id, lock=True)
    if transfer.state == Transfer.State.PENDING and not (
        transfer.grant is not None and transfer.grant.is_active()
    ):
        raise ServiceError(_("This transfer has expired: ask the sender to send it again."))
    return transfer


def transfer_decline(
    *, actor: Membership, transfer_id, reason: str, note: str = "", ip: str | None = None
) -> Transfer:
    """The receiver declines, with a reason: it keeps only the transfer's details, and its
    access to the case ends. The sender's case goes on as it was."""
    if reason not in Transfer.DeclineReason.values:
        raise ServiceError(_("Choose why you decline."), field="reason")
    note = (note or "").strip()
    check_text(note, field="note", max_length=NOTE_LENGTH)
    if reason == Transfer.DeclineReason.OTHER and not note:
        raise ServiceError(_("Say why you decline."), field="note")
    with audited_atomic():
        transfer = _answering(actor, transfer_id)
        _move(
            transfer,
            "decline",
            decline_reason=reason,
            answer_note=note,
            answered_by=actor.user,
            answered_at=timezone.now(),
        )
        _audit(
            transfer,
            "declined",
            by_user=actor.user,
            by_organisation_id=actor.organisation_id,
            ip=ip,
            data={"reason": reason},
        )
        case_grant_end(
            transfer.grant,
            reason=CaseGrant.RevokeReason.ANSWERED,
            by_user=actor.user,
            mirror_to=actor.organisation_id,
        )
        _event(TransferDeclined, transfer, actor.user)
    return transfer


def transfer_accept(
    *,
    actor: Membership,
    transfer_id,
    workers,
    case_type: str | None = None,
    ip: str | None = None,
) -> Transfer:
    """The receiver takes the case over: its own case of the child is opened from the
    transfer (or its open case reused), with *workers* (the first is the main one) and the
    accepting supervisor; the sender's case closes as transferred, and the receiver reads
    its history under a view grant linked to the new case."""
    with audited_atomic():
        transfer = _answering(actor, transfer_id)
        states.transfer_transition_to(transfer, "accept")
        sender = Organisation.objects.get(pk=transfer.organisation_id)
        person = receiver_person(actor, transfer)
        case = Case.objects.filter(person=person, status=Case.Status.OPEN).first()
        if case is None:
            case = case_open(
                actor=actor,
                person_id=person.pk,
                case_type=case_type or transfer.case_type,
                referral_source=(
                    Case.ReferralSource.GOVERNMENT
                    if sender.kind in GOVERNMENT_KINDS
                    else Case.ReferralSource.NGO
                ),
                referral_source_detail=sender.display_name()[:200],
                referral_reason=transfer.reason,
                identified_at=transfer.sent_at,
                risk_level=transfer.risk_level,
                workers=list(workers or ()),
                supervisor=actor.user,
                ip=ip,
            )
        # Accepted before the sender's case closes, so that its closure steps do not take
        # this transfer for one left waiting.
        _move(
            transfer,
            "accept",
            receiver_case=case,
            answered_by=actor.user,
            answered_at=timezone.now(),
        )
        with scope(organisation=transfer.organisation_id):  # the sender's rows, by their ids
            sent_case = (
                Case.objects.select_for_update(of=("self",), no_key=True)
                .select_related("person")
                .get(pk=transfer.case_id)
            )
            case_close_transferred(actor=actor, case=sent_case, approved_by=transfer.sent_by, ip=ip)
            case_grant_end(
                transfer.grant,
                reason=CaseGrant.RevokeReason.ANSWERED,
                by_user=actor.user,
                mirror_to=actor.organisation_id,
            )
            # A view the receiver held already (a share) gives way to the transfer's.
            for held in CaseGrant.objects.select_for_update(no_key=True).filter(
                case=sent_case,
                grantee_id=actor.organisation_id,
                level=CaseGrant.Level.VIEW,
                revoked_at__isnull=True,
            ):
                case_grant_end(
                    held,
                    reason=CaseGrant.RevokeReason.REVOKED,
                    by_user=actor.user,
                    mirror_to=actor.organisation_id,
                )
            history = case_grant_issue(
                case=sent_case,
                by_user=actor.user,
                grantee=Organisation.objects.get(pk=actor.organisation_id),
                level=CaseGrant.Level.VIEW,
                purpose=SharingPurpose.TRANSFER,
                linked_case_id=case.pk,
                ip=ip,
            )
        transfer.history_grant = history
        transfer.save(update_fields=["history_grant", "updated_at"])
        _audit(
            transfer,
            "accepted",
            by_user=actor.user,
            by_organisation_id=actor.organisation_id,
            ip=ip,
            data={"receiver_case": str(case.pk)},
        )
        _event(TransferAccepted, transfer, actor.user, receiver_case_id=case.pk)
    return transfer


# --- what ends a pending transfer on its own -------------------------------------------------


# Why a grant ended → why the pending transfer resting on it is withdrawn.
WITHDRAWN_WITH_GRANT = {
    CaseGrant.RevokeReason.CONSENT_WITHDRAWN: Transfer.WithdrawReason.CONSENT_WITHDRAWN,
    CaseGrant.RevokeReason.EXPIRED: Transfer.WithdrawReason.EXPIRED,
}


def transfers_withdraw_for_grant(event) -> None:
    """``GrantRevoked`` because the consent was withdrawn or the grant's time ran out (in
    that transaction): a pending transfer resting on the grant is withdrawn with that
    reason, and its receiver told."""
    reason = WITHDRAWN_WITH_GRANT.get(event.reason)
    if reason is None:
        return
    # The sender's rows, in its scope (the hourly expiry runs outside any).
    with scope(organisation=event.organisation_id):
        pending = (
            Transfer.objects.select_for_update(of=("self",), no_key=True)
            .select_related("grant")
            .filter(grant_id=event.grant_id, state=Transfer.State.PENDING)
            .order_by("pk")
        )
        for transfer in pending:
            _withdraw(
                transfer,
                transition="withdraw_auto",
                reason=reason,
                by_user=None,
                by_organisation_id=transfer.organisation_id,
                grant_reason=None,
            )


def _waiting(case):
    return Transfer.objects.filter(case=case, state=Transfer.State.PENDING)


def transfers_closure_check(*, case, reason: str, placement_outcome: str) -> None:
    """Nothing to refuse: a case closes with its transfer waiting; it is withdrawn."""


def transfers_closure_preview(*, case, reason: str, placement_outcome: str, closed_on) -> list:
    if not _waiting(case).exists():
        return []
    return [_("The transfer waiting for a partner's answer will be withdrawn.")]


def transfers_closure_close(*, actor, case, placement_outcome: str, closed_on, ip) -> None:
    """Closing the case (not by its transfer) withdraws its transfer still waiting, in the
    approving transaction, the case locked."""
    waiting = _waiting(case).select_for_update(of=("self",), no_key=True).select_related("grant")
    for transfer in waiting:
        _withdraw(
            transfer,
            transition="withdraw_auto",
            reason=Transfer.WithdrawReason.CASE_CLOSED,
            by_user=actor.user,
            by_organisation_id=actor.organisation_id,
            grant_reason=CaseGrant.RevokeReason.CASE_CLOSED,
            ip=ip,
        )
