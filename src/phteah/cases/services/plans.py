"""The case plan: goals by domain, actions with an owner and a due date, plan reviews."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from phteah.accounts.models import Membership, User
from phteah.core.audit import audit_log, audited_atomic, audited_update
from phteah.core.errors import ServiceError
from phteah.core.limits import check_values
from phteah.core.submissions import once

from ..access import action_get_for_user, goal_get_for_user
from ..models import Action, AssessmentDomain, Case, Goal, PlanReview
from .records import case_changed, case_date, case_for_change, creates

GOAL_FIELDS = ("domain", "description", "status")
ACTION_FIELDS = ("description", "owner", "owner_text", "due_on", "status")


def _check_domain(case: Case, domain: AssessmentDomain | None) -> None:
    if domain is not None and domain.organisation_id != case.organisation_id:
        raise ServiceError(_("Choose one of the organisation's domains."), field="domain")


@once
def goal_add(
    *,
    actor: Membership,
    case_id,
    description: str,
    domain: AssessmentDomain | None = None,
    ip: str | None = None,
) -> Goal:
    with audited_atomic():
        case = case_for_change(actor, case_id)
        _check_domain(case, domain)
        check_values(Goal, {"description": description})
        if not description.strip():
            raise ServiceError(_("Describe the goal."), field="description")
        goal = Goal.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            domain=domain,
            description=description.strip(),
            recorded_by=actor.user,
        )
        audit_log(
            actor=actor.user,
            organisation=case.organisation_id,
            action="cases.goal.created",
            target=goal,
            changes=creates(goal, GOAL_FIELDS),
            ip=ip,
        )
        case_changed(case)
    return goal


def goal_update(
    *,
    actor: Membership,
    case_id,
    goal_id,
    description: str,
    status: str,
    domain: AssessmentDomain | None = None,
    ip: str | None = None,
) -> Goal:
    with audited_atomic():
        case = case_for_change(actor, case_id)
        goal = goal_get_for_user(actor=actor, checked_case=case, goal_id=goal_id, lock=True)
        _check_domain(case, domain)
        check_values(Goal, {"description": description})
        if not description.strip():
            raise ServiceError(_("Describe the goal."), field="description")
        if status not in Goal.Status.values:
            raise ServiceError(_("Choose a status."), field="status")
        audited_update(
            goal,
            values={"description": description.strip(), "status": status, "domain": domain},
            fields=GOAL_FIELDS,
            actor=actor.user,
            organisation=case.organisation_id,
            action="cases.goal.updated",
            case=case,
            ip=ip,
        )
        case_changed(case)
    return goal


def _check_action(case: Case, owner: User | None, owner_text: str, due_on) -> None:
    check_values(Action, {"owner_text": owner_text, "due_on": due_on})
    case_date(case, due_on, "due_on", future=True)
    if owner is None and not owner_text.strip():
        raise ServiceError(
            _("Say who will do it: a member of staff, or someone outside the organisation."),
            field="owner",
        )
    if owner is not None and owner_text.strip():
        raise ServiceError(
            _("Choose a member of staff or write a name, not both."), field="owner_text"
        )
    if (
        owner is not None
        and not Membership.objects.filter(
            organisation_id=case.organisation_id, user=owner, is_active=True
        ).exists()
    ):
        raise ServiceError(_("Choose an active member of staff."), field="owner")


@once
def action_add(
    *,
    actor: Membership,
    case_id,
    goal_id,
    description: str,
    owner: User | None = None,
    owner_text: str = "",
    due_on: date | None = None,
    ip: str | None = None,
) -> Action:
    with audited_atomic():
        case = case_for_change(actor, case_id)
        goal = goal_get_for_user(actor=actor, checked_case=case, goal_id=goal_id)
        check_values(Action, {"description": description})
        if not description.strip():
            raise ServiceError(_("Describe the action."), field="description")
        _check_action(case, owner, owner_text, due_on)
        action = Action.objects.create(
            organisation_id=case.organisation_id,
            goal=goal,
            description=description.strip(),
            owner=owner,
            owner_text=owner_text.strip(),
            due_on=due_on,
            recorded_by=actor.user,
        )
        audit_log(
            actor=actor.user,
            organisation=case.organisation_id,
            action="cases.action.created",
            target=action,
            case=case,
            changes=creates(action, ACTION_FIELDS),
            ip=ip,
        )
        case_changed(case)
    return action


def action_update(
    *,
    actor: Membership,
    case_id,
    action_id,
    description: str,
    status: str,
    owner: User | None = None,
    owner_text: str = "",
    due_on: date | None = None,
    ip: str | None = None,
) -> Action:
    with audited_atomic():
        case = case_for_change(actor, case_id)
        action = action_get_for_user(actor=actor, checked_case=case, action_id=action_id, lock=True)
        check_values(Action, {"description": description})
        if not description.strip():
            raise ServiceError(_("Describe the action."), field="description")
        if status not in Action.Status.values:
            raise ServiceError(_("Choose a status."), field="status")
        _check_action(case, owner, owner_text, due_on)
        audited_update(
            action,
            values={
                "description": description.strip(),
                "status": status,
                "owner": owner,
                "owner_text": owner_text.strip(),
                "due_on": due_on,
            },
            fields=ACTION_FIELDS,
            actor=actor.user,
            organisation=case.organisation_id,
            action="cases.action.updated",
            case=case,
            ip=ip,
        )
        case_changed(case)
    return action


@once
def plan_review_add(
    *, actor: Membership, case_id, reviewed_on: date, notes: str, ip: str | None = None
) -> PlanReview:
    with audited_atomic():
        case = case_for_change(actor, case_id)
        check_values(PlanReview, {"reviewed_on": reviewed_on, "notes": notes})
        case_date(case, reviewed_on, "reviewed_on")
        if not notes.strip():
            raise ServiceError(_("Write what the review found."), field="notes")
        review = PlanReview.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            reviewed_on=reviewed_on,
            reviewed_by=actor.user,
            notes=notes.strip(),
        )
        audit_log(
            actor=actor.user,
            organisation=case.organisation_id,
            action="cases.plan_review.created",
            target=review,
            changes=creates(review, ("reviewed_on", "notes")),
            ip=ip,
        )
        case_changed(case)
    return review
