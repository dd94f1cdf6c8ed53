"""Who may see and change which case, and the records in it: the one place that decides it.

- supervisors (VIEW_ALL_CASES) see every case of their organisation;
- case workers and viewers (VIEW_OWN_CASES) see the cases assigned to them, the cases they
  supervise, and their team's cases (cases assigned to a colleague of the same office);
- M&E officers and administrators see no case records (aggregates only).

Changing a case also needs EDIT_CASES. A record of a case (an assessment, a visit, a
placement...) is reached through its case: visible and changeable when its case is.

One access function per record type: ``case_get_for_user`` for cases, and
``case_record_get_for_user`` (wrapped by each record type's own function, here and in the
care app) for the records in a case. Missing, another organisation's and not allowed all
raise the same ``NotFound``, and every refusal is recorded (``core.access.access_denied``)."""

from django.db.models import Q, QuerySet

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability
from phteah.core.access import access_denied
from phteah.core.errors import NotFound

from .models import (
    Action,
    Assessment,
    Case,
    CaseWorkerAssignment,
    Conference,
    Goal,
    ServiceDelivery,
    Visit,
)


def case_visibility(actor: Membership) -> Q | None:
    """A filter on Case for what *actor* may see; None means nothing."""
    if actor is None or not actor.is_active:
        return None
    if actor.can(Capability.VIEW_ALL_CASES):
        return Q(organisation_id=actor.organisation_id)
    if not actor.can(Capability.VIEW_OWN_CASES):
        return None
    # Non-correlated subqueries: the database finds the few assignments of me (or of my
    # office) once through their index, instead of testing every case of the organisation.
    assignments = CaseWorkerAssignment.objects.filter(organisation_id=actor.organisation_id)
    mine = assignments.filter(user_id=actor.user_id).values("case_id")
    visible = Q(pk__in=mine) | Q(supervisor_id=actor.user_id)
    if actor.office_id:
        colleagues = Membership.objects.filter(
            organisation_id=actor.organisation_id, office_id=actor.office_id, is_active=True
        ).values("user_id")
        visible |= Q(pk__in=assignments.filter(user_id__in=colleagues).values("case_id"))
    return Q(organisation_id=actor.organisation_id) & visible


def cases_for(actor: Membership) -> QuerySet:
    """Every case *actor* may see (unordered, nothing joined)."""
    visibility = case_visibility(actor)
    if visibility is None:
        return Case.objects.none()
    return Case.objects.filter(visibility)


def can_edit_case(actor: Membership, case: Case) -> bool:
    return (
        actor is not None
        and actor.can(Capability.EDIT_CASES)
        and case.organisation_id == actor.organisation_id
    )


def can_record_in_case(actor: Membership, case: Case) -> bool:
    """Whether *actor* may record anything in *case* now: they may change it and it is open
    (a closed case is read-only until it is reopened)."""
    return can_edit_case(actor, case) and case.status == Case.Status.OPEN


def case_get_for_user(
    *, actor: Membership, case_id, edit: bool = False, lock: bool = False, related=("person",)
) -> Case:
    """The access function for cases: the case if *actor* may see it (and change it, with
    *edit*), else NotFound — the same answer as for a case that does not exist. *lock* takes
    the case's row lock for the caller's transaction: services that change anything in a case
    take it first (the lock order: the case, then its records, then shared rows, the audit
    chain last). The case is read under its lock, so what the caller checks and saves is the
    row as the transaction that held the lock before left it, never an older copy."""
    cases = cases_for(actor).select_related(*related)
    if lock:
        cases = cases.select_for_update(of=("self",), no_key=True)
    try:
        case = cases.get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError) as error:
        access_denied(actor=actor, model=Case, record_id=case_id)
        raise NotFound from error
    if edit and not can_edit_case(actor, case):
        access_denied(actor=actor, model=Case, record_id=case_id)
        raise NotFound
    return case


def case_record_get_for_user(
    model,
    *,
    actor: Membership,
    record_id,
    case_id=None,
    checked_case: Case | None = None,
    edit: bool = False,
    lock: bool = False,
    related=(),
    case_path: str = "case",
):
    """A record of a case (*model*: Visit, Assessment, Placement...) through its case: the
    case's access decides, and the record must be in that case. Returns the record, with the
    checked case as ``record.checked_case``. *lock* locks the case first, then the record.
    A service that already holds the case from ``case_get_for_user`` passes it as
    *checked_case* instead of *case_id*."""
    case = checked_case or case_get_for_user(actor=actor, case_id=case_id, edit=edit, lock=lock)
    records = model.objects.filter(**{case_path: case}).select_related(*related)
    if lock:
        records = records.select_for_update(of=("self",), no_key=True)
    try:
        record = records.get(pk=record_id)
    except (model.DoesNotExist, ValueError, TypeError) as error:
        access_denied(actor=actor, model=model, record_id=record_id)
        raise NotFound from error
    record.checked_case = case
    return record


def assessment_get_for_user(
    *, actor, assessment_id, case_id=None, checked_case=None, edit=False, lock=False
) -> Assessment:
    return case_record_get_for_user(
        Assessment,
        actor=actor,
        case_id=case_id,
        checked_case=checked_case,
        record_id=assessment_id,
        edit=edit,
        lock=lock,
        related=() if lock else ("assessed_by", "voided_by"),
    )


def goal_get_for_user(
    *, actor, goal_id, case_id=None, checked_case=None, edit=False, lock=False
) -> Goal:
    return case_record_get_for_user(
        Goal,
        actor=actor,
        case_id=case_id,
        checked_case=checked_case,
        record_id=goal_id,
        edit=edit,
        lock=lock,
        related=("domain",),
    )


def action_get_for_user(
    *, actor, action_id, case_id=None, checked_case=None, edit=False, lock=False
) -> Action:
    return case_record_get_for_user(
        Action,
        actor=actor,
        case_id=case_id,
        checked_case=checked_case,
        record_id=action_id,
        edit=edit,
        lock=lock,
        related=("goal", "owner"),
        case_path="goal__case",
    )


def conference_get_for_user(*, actor, case_id, conference_id) -> Conference:
    return case_record_get_for_user(
        Conference,
        actor=actor,
        case_id=case_id,
        record_id=conference_id,
        related=("recorded_by",),
    )


def visit_get_for_user(
    *, actor, visit_id, case_id=None, checked_case=None, edit=False, lock=False
) -> Visit:
    return case_record_get_for_user(
        Visit,
        actor=actor,
        case_id=case_id,
        checked_case=checked_case,
        record_id=visit_id,
        edit=edit,
        lock=lock,
    )


def service_delivery_get_for_user(
    *, actor, service_id, case_id=None, checked_case=None, edit=False, lock=False
) -> ServiceDelivery:
    return case_record_get_for_user(
        ServiceDelivery,
        actor=actor,
        case_id=case_id,
        checked_case=checked_case,
        record_id=service_id,
        edit=edit,
        lock=lock,
        related=("provider", "service_type"),
    )
