"""Visits and calls: the case notes, with who was seen, schooling, wellbeing and when the
next visit is due. (Their audit codes keep the ``care.visit`` prefix they were first
recorded with.)"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from phteah.core.audit import audited_atomic, audited_update
from phteah.core.errors import ServiceError
from phteah.core.limits import check_values
from phteah.core.submissions import once

from ..access import visit_get_for_user
from ..models import Visit
from .records import (
    case_changed,
    case_date,
    case_for_change,
    case_record_create,
    not_voided,
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
