"""Case conferences: who took part, the child's and the family's views, the decisions."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from phteah.accounts.models import Membership
from phteah.core.audit import audit_log, audited_atomic
from phteah.core.errors import ServiceError
from phteah.core.limits import check_values
from phteah.core.submissions import once

from ..models import Conference
from .records import case_date, case_for_change, creates

CONFERENCE_FIELDS = (
    "held_on",
    "participants",
    "child_views",
    "family_views",
    "decisions",
    "next_steps",
)


@once
def conference_add(
    *,
    actor: Membership,
    case_id,
    held_on: date,
    participants: str,
    decisions: str,
    child_views: str = "",
    family_views: str = "",
    next_steps: str = "",
    ip: str | None = None,
) -> Conference:
    with audited_atomic():
        case = case_for_change(actor, case_id)
        check_values(
            Conference,
            {
                "held_on": held_on,
                "participants": participants,
                "child_views": child_views,
                "family_views": family_views,
                "decisions": decisions,
                "next_steps": next_steps,
            },
        )
        case_date(case, held_on, "held_on")
        lines = [line.strip() for line in participants.splitlines() if line.strip()]
        if not lines:
            raise ServiceError(_("List who took part, one per line."), field="participants")
        if not decisions.strip():
            raise ServiceError(_("Write the decisions taken."), field="decisions")
        conference = Conference.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            held_on=held_on,
            participants="\n".join(lines),
            child_views=child_views.strip(),
            family_views=family_views.strip(),
            decisions=decisions.strip(),
            next_steps=next_steps.strip(),
            recorded_by=actor.user,
        )
        audit_log(
            actor=actor.user,
            organisation=case.organisation_id,
            action="cases.conference.created",
            target=conference,
            changes=creates(conference, CONFERENCE_FIELDS),
            ip=ip,
        )
    return conference
