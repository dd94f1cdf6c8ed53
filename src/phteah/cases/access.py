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
raise the same ``NotFound``, and every refusal is recorded (``core.access.access_denied``).

**Across organisations** a case is seen only under an active ``CaseGrant`` (consent-backed,
time-limited, revocable: docs/design/network.md §3), and only where a caller asks for it
with ``shared=Shared.READ`` (the shared case page) or ``Shared.AUTHORITY_VISIT`` (the one
write an authority may make). A granted case is read in its owner's scope, pinned to the ids
of the grant; every other caller keeps the default ``Shared.NO``: lists, search, My work and
every service stay inside the actor's organisation."""

from contextlib import contextmanager
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability
from phteah.core.access import access_denied
from phteah.core.audit import audit_access
from phteah.core.errors import NotFound
from phteah.people.models import SharingPurpose

from .models import (
    Action,
    Assessment,
    Case,
    CaseGrant,
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


class Shared(StrEnum):
    """Whether a caller of ``case_get_for_user`` accepts a case shared with the actor's
    organisation."""

    NO = ""  # the actor's own organisation only: every caller but the two below
    READ = "read"  # also a case under an active view grant the actor may use (read-only)
    AUTHORITY_VISIT = "authority_visit"  # also a government share, locked, for a visit


def grants_held(actor: Membership, *, now=None) -> QuerySet:
    """The active view grants *actor* may use: held by their organisation, neither revoked
    nor past their end; without VIEW_ALL_CASES only those handed to them (``handled_by``) or
    linked to a case of their own they may see. Minimal grants are not here: their reader
    sees the referral's frozen copy, never the case."""
    if actor is None or not actor.is_active:
        return CaseGrant.objects.none()
    with scope(organisation=actor.organisation_id):  # the grantee's side, whoever calls
        grants = CaseGrant.received.filter(
            grantee_id=actor.organisation_id,
            level=CaseGrant.Level.VIEW,
            revoked_at__isnull=True,
            valid_until__gt=now or timezone.now(),
        )
        if actor.can(Capability.VIEW_ALL_CASES):
            return grants
        if not actor.can(Capability.VIEW_OWN_CASES):
            return grants.none()
        return grants.filter(Q(handled_by_id=actor.user_id) | Q(linked_case__in=cases_for(actor)))


def cases_shared_with(actor: Membership) -> QuerySet:
    """The cases of other organisations *actor* may open under a grant. Read with scopes
    disabled, pinned by the grantee-scoped subquery of the actor's own grants."""
    held = grants_held(actor).values("case_id")
    return Case.objects.with_scopes_disabled().filter(pk__in=held)


def _shared_case(actor, case_id, *, shared: Shared, lock: bool, related) -> Case | None:
    """The case *case_id* under a grant *actor* may use for *shared*, else None."""
    grants = grants_held(actor).filter(case_id=case_id)
    if shared == Shared.AUTHORITY_VISIT:
        grants = grants.filter(purpose=SharingPurpose.GOVERNMENT_SHARE)
    grant = grants.order_by("-granted_at").first()
    if grant is None:
        return None
    with scope(organisation=grant.organisation_id):
        cases = Case.objects.select_related(*related)
        if lock:
            cases = cases.select_for_update(of=("self",), no_key=True)
        case = cases.get(pk=grant.case_id)
    if lock:  # the case first, then the grant, and look again: it may have ended meanwhile
        grant = (
            grants_held(actor)
            .select_for_update(of=("self",), no_key=True)
            .filter(pk=grant.pk)
            .first()
        )
        if grant is None:
            return None
    case.grant = grant
    return case


def case_get_for_user(
    *,
    actor: Membership,
    case_id,
    edit: bool = False,
    lock: bool = False,
    related=("person",),
    shared: Shared = Shared.NO,
) -> Case:
    """The access function for cases: the case if *actor* may see it (and change it, with
    *edit*), else NotFound — the same answer as for a case that does not exist. *lock* takes
    the case's row lock for the caller's transaction: services that change anything in a case
    take it first (the lock order: the case, then its records, then shared rows, the audit
    chain last). The case is read under its lock, so what the caller checks and saves is the
    row as the transaction that held the lock before left it, never an older copy.

    *shared* (see ``Shared``): also a case of another organisation under a grant, never for
    *edit*; such a case carries its grant as ``case.grant`` (an own case has ``grant`` None).
    A refusal where the actor's organisation holds a grant on the case (expired, revoked, not
    theirs) is also recorded in the owner's trail as ``core.access.denied_beyond_grant``."""
    cases = cases_for(actor).select_related(*related)
    if lock:
        cases = cases.select_for_update(of=("self",), no_key=True)
    try:
        case = cases.get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError, ValidationError) as error:
        case = None
        if shared and not edit:
            try:
                case = _shared_case(actor, case_id, shared=shared, lock=lock, related=related)
            except (Case.DoesNotExist, ValueError, TypeError, ValidationError):
                case = None
        if case is None:
            _denied(actor, case_id)
            raise NotFound from error
        return case
    if edit and not can_edit_case(actor, case):
        access_denied(actor=actor, model=Case, record_id=case_id)
        raise NotFound
    case.grant = None
    return case


def _denied(actor, case_id) -> None:
    access_denied(actor=actor, model=Case, record_id=case_id)
    if actor is None:
        return
    try:
        with scopes_disabled():
            grant = (
                CaseGrant.objects.filter(case_id=case_id, grantee_id=actor.organisation_id)
                .values_list("organisation_id", flat=True)
                .first()
            )
    except (ValueError, TypeError, ValidationError):
        return
    if grant is not None:
        audit_access(
            actor=None,
            action="core.access.denied_beyond_grant",
            organisation=grant,
            target=("cases.case", case_id),
            case=case_id,
            data={"by_organisation": str(actor.organisation_id)},
        )


def grant_get_for_grantee(*, actor: Membership, grant_id, lock: bool = False) -> CaseGrant:
    """The access function for a grant seen from the grantee's side: a grant held by the
    actor's organisation (active or not: the caller checks), for its members who answer
    referrals; else NotFound."""
    if actor is None or not actor.can(Capability.ANSWER_REFERRALS):
        access_denied(actor=actor, model=CaseGrant, record_id=grant_id)
        raise NotFound
    with scope(organisation=actor.organisation_id):
        grants = CaseGrant.received.filter(grantee_id=actor.organisation_id)
    if lock:
        grants = grants.select_for_update(no_key=True)
    try:
        return grants.get(pk=grant_id)
    except (CaseGrant.DoesNotExist, ValueError, TypeError, ValidationError) as error:
        access_denied(actor=actor, model=CaseGrant, record_id=grant_id)
        raise NotFound from error


def case_lock_for_grant(grant: CaseGrant) -> None:
    """Lock the owner's case row of *grant* (the first lock of a change made from the
    grantee's side), pinned to the grant's own ids."""
    with scope(organisation=grant.organisation_id):
        list(
            Case.objects.filter(pk=grant.case_id)
            .select_for_update(no_key=True)
            .values_list("pk", flat=True)
        )


@contextmanager
def grant_scope(case: Case):
    """Read the records of a case shared with the actor (``case.grant`` set by
    ``case_get_for_user``) in its owner's scope: the block sees that organisation's rows, so
    it must only filter on this case, and must evaluate what it reads (lists, not lazy
    querysets) before it ends. An own case needs no scope change."""
    grant = getattr(case, "grant", None)
    if grant is None:
        yield case
        return
    if not grant.is_active():
        raise NotFound
    with scope(organisation=case.organisation_id):
        yield case


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
    shared: Shared = Shared.NO,
):
    """A record of a case (*model*: Visit, Assessment, Placement...) through its case: the
    case's access decides, and the record must be in that case. Returns the record, with the
    checked case as ``record.checked_case``. *lock* locks the case first, then the record.
    A service that already holds the case from ``case_get_for_user`` passes it as
    *checked_case* instead of *case_id*."""
    case = checked_case or case_get_for_user(
        actor=actor, case_id=case_id, edit=edit, lock=lock, shared=shared
    )
    with grant_scope(case):
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
    *,
    actor,
    assessment_id,
    case_id=None,
    checked_case=None,
    edit=False,
    lock=False,
    shared=Shared.NO,
) -> Assessment:
    return case_record_get_for_user(
        Assessment,
        shared=shared,
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


def conference_get_for_user(*, actor, case_id, conference_id, shared=Shared.NO) -> Conference:
    return case_record_get_for_user(
        Conference,
        shared=shared,
        actor=actor,
        case_id=case_id,
        record_id=conference_id,
        related=("recorded_by",),
    )


def visit_get_for_user(
    *, actor, visit_id, case_id=None, checked_case=None, edit=False, lock=False, shared=Shared.NO
) -> Visit:
    return case_record_get_for_user(
        Visit,
        shared=shared,
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
