"""Closing a case (requested by a case worker, approved or sent back by a supervisor) and
reopening it.

What closing means for the records of the apps above (the child's current placement ends
with the closure, with the outcome chosen in the request; the closure reason must agree with
the child's last placement) is theirs to say, through the closure steps they register
(phteah.cases.closing): each checks the request, and again the approval, and the approval
runs each, all in the one transaction."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability
from phteah.core import events
from phteah.core.audit import audited_atomic, audited_update
from phteah.core.errors import ServiceError
from phteah.core.limits import NOTE_LENGTH, check_text
from phteah.core.submissions import once
from phteah.people.models import SharingPurpose

from ..closing import closure_steps
from ..events import CaseClosed, CaseReopened, ClosureRequested, ClosureSentBack
from ..models import Assessment, Case, CaseGrant, CaseReopening, PlacementOutcome
from .records import case_changed, case_for_change, case_joins_open_cases, require

CLOSURE_FIELDS = (
    "status",
    "stage",
    "closure_reason",
    "closure_notes",
    "closure_requested_by",
    "closure_requested_on",
    "closure_placement_outcome",
    "closed_on",
    "closure_approved_by",
    "closure_sent_back_note",
    "closure_sent_back_by",
    "closure_sent_back_on",
)


def _save_closure(case: Case, values: dict, *, actor, action, ip, data=None) -> None:
    values = values | {"version": case.version + 1}
    audited_update(
        case,
        values=values,
        fields=CLOSURE_FIELDS,
        actor=actor.user,
        organisation=case.organisation_id,
        action=action,
        data=data,
        ip=ip,
    )


def _publish(event_type, case: Case) -> None:
    events.publish(event_type(organisation_id=case.organisation_id, case_id=case.pk))


def closure_pending(case: Case) -> bool:
    return case.status == Case.Status.OPEN and case.closure_requested_on is not None


def closure_check(case: Case, *, reason: str, placement_outcome: str) -> None:
    """Whether *case* can be closed for *reason*, its current placement (if any) ending with
    *placement_outcome*: every closure step's check (ServiceError if not)."""
    if placement_outcome and placement_outcome not in PlacementOutcome.values:
        raise ServiceError(_("Choose one of the options in the list."), field="placement_outcome")
    for step in closure_steps():
        step.check(case=case, reason=reason, placement_outcome=placement_outcome)


@once
def closure_request(
    *,
    actor: Membership,
    case_id,
    reason: str,
    notes: str = "",
    placement_outcome: str = "",
    ip: str | None = None,
) -> Case:
    """A case worker or supervisor asks for the case to be closed. Needs a closure
    assessment, and a reason that agrees with the child's placement (*placement_outcome*:
    how the current placement, if any, ends with the closure); a supervisor then approves it
    or sends it back."""
    with audited_atomic():
        case = case_for_change(actor, case_id, open_only=False)
        if case.status != Case.Status.OPEN:
            raise ServiceError(_("This case is already closed."))
        if closure_pending(case):
            raise ServiceError(_("Closing this case is already waiting for approval."))
        if reason not in Case.ClosureReason.values:
            raise ServiceError(_("Choose the reason for closing."), field="reason")
        check_text(notes, field="notes", max_length=NOTE_LENGTH)
        if not Assessment.objects.valid().filter(case=case, kind=Assessment.Kind.CLOSURE).exists():
            raise ServiceError(
                _("Record a closure assessment before asking to close the case."),
                field="reason",
            )
        closure_check(case, reason=reason, placement_outcome=placement_outcome)
        _save_closure(
            case,
            {
                "closure_reason": reason,
                "closure_placement_outcome": placement_outcome,
                "closure_notes": notes.strip(),
                "closure_requested_by": actor.user,
                "closure_requested_on": timezone.localdate(),
                **SENT_BACK_CLEARED,
            },
            actor=actor,
            action="cases.closure.requested",
            ip=ip,
        )
        case_changed(case)
        _publish(ClosureRequested, case)
    return case


def closure_approve(
    *, actor: Membership, case_id, approve: bool, note: str = "", ip: str | None = None
) -> Case:
    """A supervisor (APPROVE_CLOSURES) closes the case — checked again, as the case may have
    changed since the request, and each closure step runs (the current placement ends) — or
    sends the request back with a note saying why (kept on the case for the case worker to
    read, in their My work, until they ask again)."""
    require(actor, Capability.APPROVE_CLOSURES)
    with audited_atomic():
        case = case_for_change(actor, case_id, open_only=False)
        if not closure_pending(case):
            raise ServiceError(_("Nobody has asked to close this case."))
        check_text(note, field="note", max_length=NOTE_LENGTH)
        if approve:
            outcome = case.closure_placement_outcome
            closure_check(case, reason=case.closure_reason, placement_outcome=outcome)
            closed_on = timezone.localdate()
            for step in closure_steps():
                step.close(
                    actor=actor, case=case, placement_outcome=outcome, closed_on=closed_on, ip=ip
                )
            _save_closure(
                case,
                {
                    "status": Case.Status.CLOSED,
                    "stage": Case.Stage.CLOSED,
                    "closed_on": closed_on,
                    "closure_approved_by": actor.user,
                },
                actor=actor,
                action="cases.closure.approved",
                ip=ip,
            )
            case_changed(case)
            _publish(CaseClosed, case)
        else:
            if not note.strip():
                raise ServiceError(
                    _("Say why the request is sent back, so the case worker knows what to do."),
                    field="note",
                )
            _save_closure(
                case,
                {
                    "closure_reason": "",
                    "closure_placement_outcome": "",
                    "closure_notes": "",
                    "closure_requested_by": None,
                    "closure_requested_on": None,
                    "closure_sent_back_note": note.strip(),
                    "closure_sent_back_by": actor.user,
                    "closure_sent_back_on": timezone.localdate(),
                },
                actor=actor,
                action="cases.closure.sent_back",
                ip=ip,
            )
            case_changed(case)
            _publish(ClosureSentBack, case)
    return case


def case_close_transferred(
    *, actor: Membership, case: Case, approved_by, ip: str | None = None
) -> Case:
    """Close *case* because another organisation took it over (a transfer accepted): an
    internal path for the referrals app's ``transfer_accept``, inside its transaction with
    the case locked (in its owner's scope). *actor* is the receiver's member who accepted;
    *approved_by* the case's own supervisor who sent the transfer (the closure is theirs).
    No request nor closure assessment: the closure steps run as for an approved closure
    (the current placement ends as "other", referrals still waiting are withdrawn), and the
    reason is ``transferred``."""
    if case.status != Case.Status.OPEN:
        raise ServiceError(_("This case is already closed."))
    reason = Case.ClosureReason.TRANSFERRED
    outcome = PlacementOutcome.OTHER
    closure_check(case, reason=reason, placement_outcome=outcome)
    closed_on = timezone.localdate()
    for step in closure_steps():
        step.close(actor=actor, case=case, placement_outcome=outcome, closed_on=closed_on, ip=ip)
    _save_closure(
        case,
        {
            "status": Case.Status.CLOSED,
            "stage": Case.Stage.CLOSED,
            "closure_reason": reason,
            "closure_placement_outcome": outcome,
            "closure_notes": "",
            "closure_requested_by": None,
            "closure_requested_on": None,
            "closed_on": closed_on,
            "closure_approved_by": approved_by,
            **SENT_BACK_CLEARED,
        },
        actor=actor,
        action="cases.closure.transferred",
        data={"by_organisation": str(actor.organisation_id)},
        ip=ip,
    )
    case_changed(case)
    _publish(CaseClosed, case)
    return case


def transfer_grant_active(case: Case) -> bool:
    """Whether the organisation *case* was transferred to still reads it (an active view
    grant for a transfer): the sender's case stays closed while it does."""
    return CaseGrant.objects.filter(
        case=case,
        purpose=SharingPurpose.TRANSFER,
        level=CaseGrant.Level.VIEW,
        revoked_at__isnull=True,
        valid_until__gt=timezone.now(),
    ).exists()


SENT_BACK_CLEARED = {
    "closure_sent_back_note": "",
    "closure_sent_back_by": None,
    "closure_sent_back_on": None,
}


def closure_sent_back_done(*, actor: Membership, case_id, ip: str | None = None) -> Case:
    """The case worker did what the supervisor asked when sending the request to close back
    (and will not ask again now): the note leaves their My work. Asking again to close
    clears it too. Nothing to do if nothing was sent back."""
    with audited_atomic():
        case = case_for_change(actor, case_id)
        if case.closure_sent_back_on is None:
            return case
        _save_closure(
            case, SENT_BACK_CLEARED, actor=actor, action="cases.closure.sent_back_done", ip=ip
        )
    return case


def case_reopen(*, actor: Membership, case_id, reason: str, ip: str | None = None) -> Case:
    """Reopen a closed case: keep what its closure was, clear it, and work it out again."""
    with audited_atomic():
        case = case_for_change(actor, case_id, open_only=False)
        if case.status != Case.Status.CLOSED:
            raise ServiceError(_("This case is open."))
        if transfer_grant_active(case):
            raise ServiceError(
                _(
                    "This case was transferred to another organisation, which now looks after "
                    "the child: it cannot be reopened here."
                )
            )
        check_text(reason, field="reason", max_length=NOTE_LENGTH)
        if not reason.strip():
            raise ServiceError(_("Say why the case is reopened."), field="reason")
        reopening = CaseReopening.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            reopened_on=timezone.localdate(),
            reason=reason.strip(),
            previous_closure_reason=case.closure_reason,
            previous_closed_on=case.closed_on,
            reopened_by=actor.user,
        )
        _save_closure(
            case,
            {
                "status": Case.Status.OPEN,
                "closure_reason": "",
                "closure_placement_outcome": "",
                "closure_notes": "",
                "closure_requested_by": None,
                "closure_requested_on": None,
                "closed_on": None,
                "closure_approved_by": None,
                **SENT_BACK_CLEARED,  # an old note is not work to do in the reopened case
            },
            actor=actor,
            action="cases.case.reopened",
            data={"reason": reopening.reason},
            ip=ip,
        )
        case_joins_open_cases(case)
        case_changed(case)
        _publish(CaseReopened, case)
    return case
