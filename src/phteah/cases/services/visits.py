"""Visits and calls: the case notes, with who was seen, schooling, wellbeing and when the
next visit is due. (Their audit codes keep the ``care.visit`` prefix they were first
recorded with.)"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from phteah.accounts.roles import Capability
from phteah.core.access import access_denied
from phteah.core.audit import audit_log, audited_atomic, audited_update
from phteah.core.errors import NotFound, ServiceError
from phteah.core.limits import check_values
from phteah.core.submissions import once

from ..access import Shared, case_get_for_user, grant_scope, visit_get_for_user
from ..models import Case, Visit
from .records import (
    case_changed,
    case_date,
    case_for_change,
    case_record_create,
    creates,
    not_voided,
    require,
)

VISIT_FIELDS = (
    "visited_on",
    "kind",
    "people_seen",
    "schooling",
    "wellbeing_notes",
    "next_visit_due",
)


def _check_visit(case, visited_on, next_visit_due, **values) -> None:
    check_values(Visit, {"visited_on": visited_on, "next_visit_due": next_visit_due, **values})
    case_date(case, visited_on, "visited_on")
    if next_visit_due is not None and next_visit_due <= visited_on:
        raise ServiceError(
            _("The next visit must be due after the date of this visit."), field="next_visit_due"
        )


@once
def visit_record(
    *,
    actor,
    case_id,
    visited_on: datetime.date,
    kind: str,
    people_seen: str = "",
    schooling: str = "",
    wellbeing_notes: str = "",
    next_visit_due: datetime.date | None = None,
    ip: str | None = None,
) -> Visit:
    """Record a visit or call (a case note) on a case."""
    with audited_atomic():
        case = case_for_change(actor, case_id)
        _check_visit(
            case,
            visited_on,
            next_visit_due,
            kind=kind,
            people_seen=people_seen,
            schooling=schooling,
            wellbeing_notes=wellbeing_notes,
        )
        visit = case_record_create(
            actor,
            case,
            Visit,
            values=dict(
                visited_on=visited_on,
                kind=kind,
                people_seen=people_seen,
                schooling=schooling,
                wellbeing_notes=wellbeing_notes,
                next_visit_due=next_visit_due,
                recorded_by=actor.user,
            ),
            fields=VISIT_FIELDS,
            action="care.visit.recorded",
            ip=ip,
        )
    return visit


def visit_update(
    *,
    actor,
    case_id,
    visit_id,
    visited_on: datetime.date,
    kind: str,
    people_seen: str = "",
    schooling: str = "",
    wellbeing_notes: str = "",
    next_visit_due: datetime.date | None = None,
    ip: str | None = None,
) -> Visit:
    with audited_atomic():
        case = case_for_change(actor, case_id)
        visit = visit_get_for_user(actor=actor, checked_case=case, visit_id=visit_id, lock=True)
        not_voided(visit)
        _check_visit(
            case,
            visited_on,
            next_visit_due,
            kind=kind,
            people_seen=people_seen,
            schooling=schooling,
            wellbeing_notes=wellbeing_notes,
        )
        audited_update(
            visit,
            values={
                "visited_on": visited_on,
                "kind": kind,
                "people_seen": people_seen,
                "schooling": schooling,
                "wellbeing_notes": wellbeing_notes,
                "next_visit_due": next_visit_due,
            },
            fields=VISIT_FIELDS,
            actor=actor.user,
            organisation=case.organisation_id,
            action="care.visit.updated",
            case=case,
            ip=ip,
        )
        case_changed(case)
    return visit


@once
def authority_visit_record(
    *,
    actor,
    case_id,
    visited_on: datetime.date,
    people_seen: str = "",
    schooling: str = "",
    wellbeing_notes: str = "",
    ip: str | None = None,
) -> Visit:
    """A government officer records a follow-up visit they made to a case shared with their
    office (the one write a government share allows). The visit is the owner's record, of
    kind "visit by authorities", made by the officer for their office; the owner may void it,
    the officer cannot change it. Audited in the owner's trail, mirrored in the office's."""
    require(actor, Capability.EDIT_CASES)
    with audited_atomic():
        case = case_get_for_user(
            actor=actor, case_id=case_id, lock=True, shared=Shared.AUTHORITY_VISIT
        )
        if case.grant is None:  # the organisation's own case: an ordinary visit
            access_denied(actor=actor, model=Case, record_id=case_id)
            raise NotFound
        if case.status != Case.Status.OPEN:
            raise ServiceError(_("This case is closed. Reopen it before recording anything in it."))
        if visited_on is not None and visited_on < timezone.localtime(case.grant.granted_at).date():
            raise ServiceError(
                _("The visit cannot be before the case was shared with your office."),
                field="visited_on",
            )
        _check_visit(
            case,
            visited_on,
            None,
            kind=Visit.Kind.AUTHORITIES,
            people_seen=people_seen,
            schooling=schooling,
            wellbeing_notes=wellbeing_notes,
        )
        with grant_scope(case):
            visit = Visit.objects.create(
                organisation_id=case.organisation_id,
                case=case,
                visited_on=visited_on,
                kind=Visit.Kind.AUTHORITIES,
                people_seen=people_seen,
                schooling=schooling,
                wellbeing_notes=wellbeing_notes,
                recorded_by=actor.user,
                recorded_by_organisation_id=actor.organisation_id,
            )
        audit_log(
            actor=actor.user,
            organisation=case.organisation_id,
            action="cases.visit.authority_recorded",
            target=visit,
            case=case,
            changes=creates(visit, VISIT_FIELDS),
            data={"grant": str(case.grant.pk)},
            ip=ip,
            mirror_to=actor.organisation_id,
        )
        with grant_scope(case):
            case_changed(case)
    return visit
