"""Closing a case (requested by a case worker, approved or sent back by a supervisor) and
reopening it."""

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

from ..events import CaseClosed, CaseReopened, ClosureRequested, ClosureSentBack
from ..models import Assessment, Case, CaseReopening
from .records import case_changed, case_for_change, case_joins_open_cases, require

CLOSURE_FIELDS = (
    "status",
    "stage",
    "closure_reason",
    "closure_notes",
    "closure_requested_by",
    "closure_requested_on",
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


@once
def closure_request(
    *, actor: Membership, case_id, reason: str, notes: str = "", ip: str | None = None
) -> Case:
    """A case worker or supervisor asks for the case to be closed. Needs a closure
    assessment; a supervisor then approves it or sends it back."""
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
        _save_closure(
            case,
            {
                "closure_reason": reason,
                "closure_notes": notes.strip(),
                "closure_requested_by": actor.user,
                "closure_requested_on": timezone.localdate(),
                "closure_sent_back_note": "",
                "closure_sent_back_by": None,
                "closure_sent_back_on": None,
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
    """A supervisor (APPROVE_CLOSURES) closes the case, or sends the request back with a
    note saying why (kept on the case for the case worker to read)."""
    require(actor, Capability.APPROVE_CLOSURES)
    with audited_atomic():
        case = case_for_change(actor, case_id, open_only=False)
        if not closure_pending(case):
            raise ServiceError(_("Nobody has asked to close this case."))
        check_text(note, field="note", max_length=NOTE_LENGTH)
        if approve:
            _save_closure(
                case,
                {
                    "status": Case.Status.CLOSED,
                    "stage": Case.Stage.CLOSED,
                    "closed_on": timezone.localdate(),
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


def case_reopen(*, actor: Membership, case_id, reason: str, ip: str | None = None) -> Case:
    """Reopen a closed case: keep what its closure was, clear it, and work it out again."""
    with audited_atomic():
        case = case_for_change(actor, case_id, open_only=False)
        if case.status != Case.Status.CLOSED:
            raise ServiceError(_("This case is open."))
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
                "closure_notes": "",
                "closure_requested_by": None,
                "closure_requested_on": None,
                "closed_on": None,
                "closure_approved_by": None,
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
