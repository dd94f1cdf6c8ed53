"""Who may see and change which case: the one place that decides it.

- supervisors (VIEW_ALL_CASES) see every case of their organisation;
- case workers and viewers (VIEW_OWN_CASES) see the cases assigned to them, the cases they
  supervise, and their team's cases (cases assigned to a colleague of the same office);
- M&E officers and administrators see no case records (aggregates only, later).
Changing a case also needs EDIT_CASES. Missing and forbidden both give 404."""

from django.db.models import Q, QuerySet
from django.http import Http404

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability

from .models import Case, CaseWorkerAssignment


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


def case_get_for_user(*, actor: Membership, case_id, edit: bool = False) -> Case:
    """The access function for cases: the case if *actor* may see it (and change it, with
    ``edit``), else Http404 — the same answer as for a case that does not exist."""
    try:
        case = cases_for(actor).select_related("person").get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
    if edit and not can_edit_case(actor, case):
        raise Http404
    return case
