"""Family tracing, relatives found, and reunification assessments."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from phteah.cases.services.records import case_date, case_for_change, case_record_create
from phteah.core.audit import audited_atomic
from phteah.core.errors import ServiceError
from phteah.core.limits import check_values
from phteah.core.submissions import once

from ..models import Relative, ReunificationAssessment, TracingAction

TRACING_FIELDS = ("done_on", "where_searched", "done_by", "outcome")
RELATIVE_FIELDS = (
    "name",
    "relationship",
    "village",
    "phone",
    "willing_to_care",
    "found_on",
    "notes",
)
REUNIFICATION_FIELDS = ("assessed_on", "relative", "recommendation", "notes", "reunified_on")


@once
def tracing_record(
    *,
    actor,
    case_id,
    done_on: datetime.date,
    where_searched: str,
    done_by: str,
    outcome: str,
    ip: str | None = None,
) -> TracingAction:
    with audited_atomic():
        case = case_for_change(actor, case_id)
        check_values(
            TracingAction,
            {
                "done_on": done_on,
                "where_searched": where_searched,
                "done_by": done_by,
                "outcome": outcome,
            },
        )
        case_date(case, done_on, "done_on")
        action = case_record_create(
            actor,
            case,
            TracingAction,
            values=dict(
                done_on=done_on,
                where_searched=where_searched,
                done_by=done_by,
                outcome=outcome,
            ),
            fields=TRACING_FIELDS,
            action="care.tracing.recorded",
            ip=ip,
        )
    return action


@once
def relative_add(
    *,
    actor,
    case_id,
    name: str,
    relationship: str,
    found_on: datetime.date,
    village=None,
    phone: str = "",
    willing_to_care: bool = False,
    notes: str = "",
    ip: str | None = None,
) -> Relative:
    with audited_atomic():
        case = case_for_change(actor, case_id)
        check_values(
            Relative,
            {
                "name": name,
                "relationship": relationship,
                "phone": phone,
                "found_on": found_on,
                "notes": notes,
            },
        )
        case_date(case, found_on, "found_on")
        relative = case_record_create(
            actor,
            case,
            Relative,
            values=dict(
                name=name,
                relationship=relationship,
                village=village,
                phone=phone,
                willing_to_care=willing_to_care,
                found_on=found_on,
                notes=notes,
                recorded_by=actor.user,
            ),
            fields=RELATIVE_FIELDS,
            action="care.relative.added",
            ip=ip,
        )
    return relative


@once
def reunification_record(
    *,
    actor,
    case_id,
    assessed_on: datetime.date,
    recommendation: str,
    notes: str,
    relative: Relative | None = None,
    reunified_on: datetime.date | None = None,
    ip: str | None = None,
) -> ReunificationAssessment:
    """Record a reunification assessment; a reunification date (only with the
    recommendation "reunify") moves the case to follow-up."""
    with audited_atomic():
        case = case_for_change(actor, case_id)
        check_values(
            ReunificationAssessment,
            {
                "assessed_on": assessed_on,
                "recommendation": recommendation,
                "notes": notes,
                "reunified_on": reunified_on,
            },
        )
        if not recommendation:
            raise ServiceError(_("Choose one of the options in the list."), field="recommendation")
        case_date(case, assessed_on, "assessed_on")
        if relative is not None and relative.case_id != case.pk:
            raise ServiceError(_("Choose one of the options in the list."), field="relative")
        if reunified_on is not None:
            if recommendation != ReunificationAssessment.Recommendation.REUNIFY:
                raise ServiceError(
                    _("A reunification date needs the recommendation “Reunify”."),
                    field="reunified_on",
                )
            case_date(case, reunified_on, "reunified_on")
            if reunified_on < assessed_on:
                raise ServiceError(
                    _("The child cannot be reunified before the assessment."),
                    field="reunified_on",
                )
        assessment = case_record_create(
            actor,
            case,
            ReunificationAssessment,
            values=dict(
                assessed_on=assessed_on,
                relative=relative,
                recommendation=recommendation,
                notes=notes,
                reunified_on=reunified_on,
                assessed_by=actor.user,
            ),
            fields=REUNIFICATION_FIELDS,
            action="care.reunification.recorded",
            ip=ip,
        )
    return assessment
