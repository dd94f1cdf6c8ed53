"""Every change to a case and what is recorded in it.

Each service takes the acting member (``actor``: a Membership), checks access through
``phteah.cases.access``, validates everything before writing, and writes the change and its
audit event in one transaction. Services that record something that can move the case's
stage or when its work falls due refresh them (``case_refresh``) in the same transaction."""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from phteah.accounts.models import Membership, User
from phteah.accounts.roles import Capability, Role
from phteah.core.audit import audit_log, audited_update, snapshot
from phteah.core.concurrency import save_versioned
from phteah.core.errors import ServiceError
from phteah.people.access import person_get_for_user
from phteah.people.models import Person

from .access import case_get_for_user
from .models import (
    Action,
    Assessment,
    AssessmentDomain,
    AssessmentScore,
    Case,
    CaseReferenceCounter,
    CaseReopening,
    CaseWorkerAssignment,
    Conference,
    Goal,
    PlanReview,
    RiskLevel,
)
from .stage import case_refresh


class CaseExists(ServiceError):
    """The person already has a case in this organisation (``.case`` is it)."""

    def __init__(self, message, *, case: Case):
        super().__init__(message)
        self.case = case


def _creates(obj, fields) -> dict:
    return {name: [None, value] for name, value in snapshot(obj, fields).items()}


def _editable_case(actor: Membership, case: Case, *, open_only: bool = True) -> Case:
    """The case again, checked through the access function for a change (Http404 if not)."""
    case = case_get_for_user(actor=actor, case_id=case.pk, edit=True)
    if open_only and case.status != Case.Status.OPEN:
        raise ServiceError(_("This case is closed. Reopen it before recording anything in it."))
    return case


def _not_in_future(day: date, field: str) -> None:
    if day and day > timezone.localdate():
        raise ServiceError(_("The date cannot be in the future."), field=field)


# --- members who can be chosen -----------------------------------------------------------


def roles_with(capability: Capability) -> list[str]:
    from phteah.accounts.roles import capabilities_of

    return [role.value for role in Role if capability in capabilities_of(role)]


def case_worker_members(organisation_id):
    """Active members who may be assigned to a case (they can edit cases)."""
    return (
        Membership.objects.filter(
            organisation_id=organisation_id,
            is_active=True,
            user__is_active=True,
            role__in=roles_with(Capability.EDIT_CASES),
        )
        .select_related("user")
        .order_by("user__full_name")
    )


def supervisor_members(organisation_id):
    return (
        Membership.objects.filter(
            organisation_id=organisation_id,
            is_active=True,
            user__is_active=True,
            role=Role.SUPERVISOR,
        )
        .select_related("user")
        .order_by("user__full_name")
    )


def _check_team(organisation_id, *, supervisor: User | None, workers: list[User]) -> None:
    if not workers:
        raise ServiceError(_("Choose at least one case worker."), field="main_worker")
    if len({w.pk for w in workers}) != len(workers):
        raise ServiceError(_("A case worker is chosen twice."), field="other_workers")
    allowed = set(case_worker_members(organisation_id).values_list("user_id", flat=True))
    if any(worker.pk not in allowed for worker in workers):
        raise ServiceError(
            _("Case workers must be active staff who can record case work."), field="main_worker"
        )
    if supervisor is not None:
        supervisors = supervisor_members(organisation_id).values_list("user_id", flat=True)
        if supervisor.pk not in set(supervisors):
            raise ServiceError(
                _("The supervisor must be an active supervisor of the organisation."),
                field="supervisor",
            )


def _set_workers(case: Case, workers: list[User]) -> None:
    CaseWorkerAssignment.objects.filter(case=case).delete()
    CaseWorkerAssignment.objects.bulk_create(
        [
            CaseWorkerAssignment(
                organisation_id=case.organisation_id, case=case, user=user, is_primary=index == 0
            )
            for index, user in enumerate(workers)
        ]
    )


def _worker_labels(workers) -> list[str]:
    return [str(user) for user in workers]


# --- opening a case ----------------------------------------------------------------------

CASE_FIELDS = (
    "reference",
    "person",
    "case_type",
    "referral_source",
    "referral_source_detail",
    "referral_reason",
    "identified_at",
    "opened_on",
    "risk_level",
    "supervisor",
)
CASE_EDIT_FIELDS = [
    "case_type",
    "referral_source",
    "referral_source_detail",
    "referral_reason",
    "risk_level",
    "supervisor",
]


def _lock_counter(organisation_id, year: int) -> CaseReferenceCounter:
    counters = CaseReferenceCounter.objects.select_for_update()
    try:
        return counters.get(organisation_id=organisation_id, year=year)
    except CaseReferenceCounter.DoesNotExist:
        try:
            with transaction.atomic():
                CaseReferenceCounter.objects.create(organisation_id=organisation_id, year=year)
        except IntegrityError:
            pass  # another transaction created it first: lock theirs
        return counters.get(organisation_id=organisation_id, year=year)


def case_reference_next(*, organisation, year: int) -> str:
    """The next free reference ``<SHORTCODE>-<YEAR>-<NNNN>``. Locks the organisation's
    counter for the year until the caller's transaction ends."""
    counter = _lock_counter(organisation.pk, year)
    number = counter.last_number
    while True:
        number += 1
        reference = f"{organisation.short_code}-{year}-{number:04d}"
        taken = Case.objects.filter(organisation_id=organisation.pk, reference=reference)
        if not taken.exists():
            break
    CaseReferenceCounter.objects.filter(pk=counter.pk).update(last_number=number)
    return reference


def _existing_case_error(case: Case) -> CaseExists:
    if case.status == Case.Status.CLOSED:
        message = _(
            "This person already has a case (%(reference)s), now closed. Reopen it instead "
            "of opening a new one."
        )
    else:
        message = _("This person already has a case: %(reference)s.")
    return CaseExists(message % {"reference": case.reference}, case=case)


def case_open(
    *,
    actor: Membership,
    person: Person,
    case_type: str,
    referral_source: str,
    referral_reason: str,
    identified_at: datetime,
    risk_level: str,
    workers: list[User],
    supervisor: User | None = None,
    referral_source_detail: str = "",
    ip: str | None = None,
) -> Case:
    """Open the one case of *person* in the actor's organisation, numbered
    ``<SHORTCODE>-<YEAR>-<NNNN>``, with its case workers (the first is the main one)."""
    if not actor.can(Capability.EDIT_CASES):
        raise PermissionError(Capability.EDIT_CASES)
    if identified_at > timezone.now():
        raise ServiceError(_("The date cannot be in the future."), field="identified_on")
    if not referral_reason.strip():
        raise ServiceError(_("Say why the person was referred."), field="referral_reason")
    with transaction.atomic():
        person = person_get_for_user(actor=actor, person_id=person.pk, edit=True)
        existing = Case.objects.filter(organisation_id=actor.organisation_id, person=person)
        if existing := existing.first():
            raise _existing_case_error(existing)
        _check_team(actor.organisation_id, supervisor=supervisor, workers=workers)
        opened_on = timezone.localdate()
        organisation = actor.organisation
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    organisation=organisation,
                    person=person,
                    reference=case_reference_next(organisation=organisation, year=opened_on.year),
                    case_type=case_type,
                    referral_source=referral_source,
                    referral_source_detail=referral_source_detail,
                    referral_reason=referral_reason,
                    identified_at=identified_at,
                    opened_on=opened_on,
                    risk_level=risk_level,
                    supervisor=supervisor,
                )
        except IntegrityError as error:
            # Opened at the same moment by someone else.
            existing = Case.objects.filter(
                organisation_id=actor.organisation_id, person=person
            ).first()
            if existing:
                raise _existing_case_error(existing) from error
            raise
        _set_workers(case, workers)
        case_refresh(case)
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            action="cases.case.opened",
            target=case,
            changes=_creates(case, CASE_FIELDS) | {"case_workers": [None, _worker_labels(workers)]},
            data={"person": str(person)},
            ip=ip,
        )
    return case


def case_update(
    *,
    actor: Membership,
    case: Case,
    expected_version: int,
    case_type: str,
    referral_source: str,
    referral_source_detail: str,
    referral_reason: str,
    risk_level: str,
    supervisor: User | None,
    workers: list[User],
    ip: str | None = None,
) -> Case:
    """Change a case's programme, referral data, risk and team, unless someone else saved it
    since *expected_version* was read (EditConflict)."""
    with transaction.atomic():
        case = _editable_case(actor, case)
        if not referral_reason.strip():
            raise ServiceError(_("Say why the person was referred."), field="referral_reason")
        _check_team(actor.organisation_id, supervisor=supervisor, workers=workers)
        before = snapshot(case, CASE_EDIT_FIELDS)
        before_workers = _worker_labels(
            [a.user for a in case.assignments.select_related("user").order_by("-is_primary")]
        )
        case.case_type = case_type
        case.referral_source = referral_source
        case.referral_source_detail = referral_source_detail
        case.referral_reason = referral_reason
        case.risk_level = risk_level
        case.supervisor = supervisor
        save_versioned(case, expected_version=expected_version, fields=CASE_EDIT_FIELDS)
        after = snapshot(case, CASE_EDIT_FIELDS)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        after_workers = _worker_labels(workers)
        if after_workers != before_workers:
            _set_workers(case, workers)
            changes["case_workers"] = [before_workers, after_workers]
        if "risk_level" in changes:
            case_refresh(case)
        if changes:
            audit_log(
                actor=actor.user,
                organisation=actor.organisation_id,
                action="cases.case.updated",
                target=case,
                changes=changes,
                ip=ip,
            )
    return case


def case_view(*, actor: Membership, case: Case, ip: str | None = None) -> None:
    """Record that *actor* looked at the case page (one event per page view)."""
    with transaction.atomic():
        audit_log(
            actor=actor.user,
            organisation=case.organisation_id,
            action="cases.case.viewed",
            target=case,
            ip=ip,
        )


def case_print(*, actor: Membership, case: Case, ip: str | None = None) -> None:
    """Record that *actor* printed the case summary."""
    with transaction.atomic():
        audit_log(
            actor=actor.user,
            organisation=case.organisation_id,
            action="cases.case.printed",
            target=case,
            ip=ip,
        )


# --- assessment domains ------------------------------------------------------------------

DEFAULT_DOMAINS = [
    ("food_security", "Food security", "សន្តិសុខស្បៀង"),
    ("nutrition_growth", "Nutrition & growth", "អាហារូបត្ថម្ភ និងការលូតលាស់"),
    ("shelter", "Shelter", "ទីជម្រក"),
    ("care", "Care", "ការថែទាំ"),
    ("abuse_exploitation", "Abuse & exploitation", "ការរំលោភបំពាន និងការកេងប្រវ័ញ្ច"),
    ("legal_protection", "Legal protection", "កិច្ចការពារផ្លូវច្បាប់"),
    ("wellness", "Wellness", "សុខុមាលភាព"),
    ("health_care_services", "Health care services", "សេវាថែទាំសុខភាព"),
    ("emotional_health", "Emotional health", "សុខភាពផ្លូវចិត្ត"),
    ("social_behaviour", "Social behaviour", "ឥរិយាបថសង្គម"),
    ("education_performance", "Education performance", "លទ្ធផលសិក្សា"),
    ("work_education", "Work & education", "ការងារ និងការអប់រំ"),
]
DOMAIN_FIELDS = ("code", "name_en", "name_km", "position", "is_active")


def assessment_domains_seed(*, organisation) -> int:
    """Give *organisation* the Child Status Index domains if it has no domains at all.
    Returns how many were created. Safe to call again."""
    organisation_id = getattr(organisation, "pk", organisation)
    with transaction.atomic():
        if AssessmentDomain.objects.filter(organisation_id=organisation_id).exists():
            return 0
        AssessmentDomain.objects.bulk_create(
            [
                AssessmentDomain(
                    organisation_id=organisation_id,
                    code=code,
                    name_en=name_en,
                    name_km=name_km,
                    position=(index + 1) * 10,
                )
                for index, (code, name_en, name_km) in enumerate(DEFAULT_DOMAINS)
            ]
        )
    return len(DEFAULT_DOMAINS)


def _require(actor: Membership, capability: Capability) -> None:
    if actor is None or not actor.can(capability):
        raise PermissionError(capability)


def domain_seed(*, actor: Membership, ip: str | None = None) -> int:
    """An administrator sets up the standard domains for their organisation."""
    _require(actor, Capability.MANAGE_SETTINGS)
    with transaction.atomic():
        created = assessment_domains_seed(organisation=actor.organisation_id)
        if created:
            audit_log(
                actor=actor.user,
                organisation=actor.organisation_id,
                action="cases.domain.seeded",
                data={"count": created},
                ip=ip,
            )
    return created


def _check_domain_names(actor, name_en: str, name_km: str, exclude=None) -> None:
    if not name_en.strip():
        raise ServiceError(_("Give the domain a name in English."), field="name_en")
    same = AssessmentDomain.objects.filter(
        organisation_id=actor.organisation_id, name_en__iexact=name_en.strip()
    )
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if same.exists():
        raise ServiceError(_("There is already a domain with this name."), field="name_en")


def domain_create(
    *,
    actor: Membership,
    name_en: str,
    name_km: str = "",
    position: int | None = None,
    ip: str | None = None,
) -> AssessmentDomain:
    _require(actor, Capability.MANAGE_SETTINGS)
    with transaction.atomic():
        _check_domain_names(actor, name_en, name_km)
        domains = AssessmentDomain.objects.filter(organisation_id=actor.organisation_id)
        base = slugify(name_en)[:30] or "domain"
        code, suffix = base, 1
        while domains.filter(code=code).exists():
            suffix += 1
            code = f"{base}-{suffix}"
        if position is None:
            last = domains.order_by("-position").values_list("position", flat=True).first()
            position = (last or 0) + 10
        domain = AssessmentDomain.objects.create(
            organisation_id=actor.organisation_id,
            code=code,
            name_en=name_en.strip(),
            name_km=name_km.strip(),
            position=position,
        )
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            action="cases.domain.created",
            target=domain,
            changes=_creates(domain, DOMAIN_FIELDS),
            ip=ip,
        )
    return domain


def domain_update(
    *,
    actor: Membership,
    domain: AssessmentDomain,
    name_en: str,
    name_km: str,
    position: int,
    is_active: bool,
    ip: str | None = None,
) -> AssessmentDomain:
    """Rename, move or stop using a domain (scores already given keep it)."""
    _require(actor, Capability.MANAGE_SETTINGS)
    if domain.organisation_id != actor.organisation_id:
        raise PermissionError("another organisation's domain")
    with transaction.atomic():
        _check_domain_names(actor, name_en, name_km, exclude=domain)
        audited_update(
            domain,
            values={
                "name_en": name_en.strip(),
                "name_km": name_km.strip(),
                "position": position,
                "is_active": is_active,
            },
            fields=DOMAIN_FIELDS,
            actor=actor.user,
            organisation=actor.organisation_id,
            action="cases.domain.updated",
            ip=ip,
        )
    return domain


# --- assessments -------------------------------------------------------------------------

ASSESSMENT_FIELDS = ("kind", "assessed_on", "risk_level", "summary")


def assessment_add(
    *,
    actor: Membership,
    case: Case,
    kind: str,
    assessed_on: date,
    risk_level: str,
    scores: dict,
    summary: str = "",
    ip: str | None = None,
) -> Assessment:
    """Record an assessment with a score 1–4 (and a reason) for every domain in use:
    ``scores = {domain_id: (score, reason)}``. An initial assessment sets the case's risk
    level to its own."""
    with transaction.atomic():
        case = _editable_case(actor, case)
        _not_in_future(assessed_on, "assessed_on")
        if kind not in Assessment.Kind.values:
            raise ServiceError(_("Choose the kind of assessment."), field="kind")
        if risk_level not in RiskLevel.values:
            raise ServiceError(_("Choose the risk level."), field="risk_level")
        domains = list(
            AssessmentDomain.objects.filter(organisation_id=case.organisation_id, is_active=True)
        )
        if not domains:
            raise ServiceError(
                _(
                    "Your organisation has no wellbeing domains to score. Ask your "
                    "administrator to set them up under Assessment domains."
                )
            )
        given = {str(key): value for key, value in scores.items()}
        rows = []
        for domain in domains:
            score, reason = given.get(str(domain.pk), (None, ""))
            if score not in (1, 2, 3, 4):
                raise ServiceError(
                    _("Give a score from 1 to 4 for every domain: %(domain)s is missing.")
                    % {"domain": domain.display_name(getattr(actor.user, "language", None))}
                )
            rows.append((domain, score, (reason or "").strip()))
        assessment = Assessment.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            kind=kind,
            assessed_on=assessed_on,
            assessed_by=actor.user,
            risk_level=risk_level,
            summary=summary,
        )
        AssessmentScore.objects.bulk_create(
            [
                AssessmentScore(
                    organisation_id=case.organisation_id,
                    assessment=assessment,
                    domain=domain,
                    score=score,
                    reason=reason,
                )
                for domain, score, reason in rows
            ]
        )
        audit_log(
            actor=actor.user,
            organisation=case.organisation_id,
            action="cases.assessment.created",
            target=case,
            changes=_creates(assessment, ASSESSMENT_FIELDS)
            | {"scores": [None, {domain.code: score for domain, score, _r in rows}]},
            data={"kind": kind, "assessment": str(assessment.pk)},
            ip=ip,
        )
        if kind == Assessment.Kind.INITIAL and case.risk_level != risk_level:
            old = case.risk_level
            Case.objects.filter(pk=case.pk).update(risk_level=risk_level, version=case.version + 1)
            case.risk_level, case.version = risk_level, case.version + 1
            audit_log(
                actor=actor.user,
                organisation=case.organisation_id,
                action="cases.case.risk_changed",
                target=case,
                changes={"risk_level": [old, risk_level]},
                ip=ip,
            )
        case_refresh(case)
    return assessment


# --- case plan ---------------------------------------------------------------------------

GOAL_FIELDS = ("domain", "description", "status")
ACTION_FIELDS = ("description", "owner", "owner_text", "due_on", "status")


def _check_domain(case: Case, domain: AssessmentDomain | None) -> None:
    if domain is not None and domain.organisation_id != case.organisation_id:
        raise ServiceError(_("Choose one of the organisation's domains."), field="domain")


def goal_add(
    *,
    actor: Membership,
    case: Case,
    description: str,
    domain: AssessmentDomain | None = None,
    ip: str | None = None,
) -> Goal:
    with transaction.atomic():
        case = _editable_case(actor, case)
        _check_domain(case, domain)
        if not description.strip():
            raise ServiceError(_("Describe the goal."), field="description")
        goal = Goal.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            domain=domain,
            description=description.strip(),
        )
        audit_log(
            actor=actor.user,
            organisation=case.organisation_id,
            action="cases.goal.created",
            target=case,
            changes=_creates(goal, GOAL_FIELDS),
            data={"goal": str(goal.pk)},
            ip=ip,
        )
        case_refresh(case)
    return goal


def goal_update(
    *,
    actor: Membership,
    goal: Goal,
    description: str,
    status: str,
    domain: AssessmentDomain | None = None,
    ip: str | None = None,
) -> Goal:
    with transaction.atomic():
        case = _editable_case(actor, goal.case)
        goal = Goal.objects.select_for_update().get(pk=goal.pk, case=case)
        _check_domain(case, domain)
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
            data={"case": case.reference},
            ip=ip,
        )
        case_refresh(case)
    return goal


def _check_action(case: Case, owner: User | None, owner_text: str, due_on) -> None:
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


def action_add(
    *,
    actor: Membership,
    goal: Goal,
    description: str,
    owner: User | None = None,
    owner_text: str = "",
    due_on: date | None = None,
    ip: str | None = None,
) -> Action:
    with transaction.atomic():
        case = _editable_case(actor, goal.case)
        goal = Goal.objects.get(pk=goal.pk, case=case)
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
        )
        audit_log(
            actor=actor.user,
            organisation=case.organisation_id,
            action="cases.action.created",
            target=case,
            changes=_creates(action, ACTION_FIELDS),
            data={"action": str(action.pk)},
            ip=ip,
        )
        case_refresh(case)
    return action


def action_update(
    *,
    actor: Membership,
    action: Action,
    description: str,
    status: str,
    owner: User | None = None,
    owner_text: str = "",
    due_on: date | None = None,
    ip: str | None = None,
) -> Action:
    with transaction.atomic():
        case = _editable_case(actor, action.goal.case)
        action = Action.objects.select_for_update().get(pk=action.pk, goal__case=case)
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
            data={"case": case.reference},
            ip=ip,
        )
        case_refresh(case)
    return action


def plan_review_add(
    *, actor: Membership, case: Case, reviewed_on: date, notes: str, ip: str | None = None
) -> PlanReview:
    with transaction.atomic():
        case = _editable_case(actor, case)
        _not_in_future(reviewed_on, "reviewed_on")
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
            target=case,
            changes=_creates(review, ("reviewed_on", "notes")),
            ip=ip,
        )
        case_refresh(case)
    return review


# --- conferences -------------------------------------------------------------------------

CONFERENCE_FIELDS = (
    "held_on",
    "participants",
    "child_views",
    "family_views",
    "decisions",
    "next_steps",
)


def conference_add(
    *,
    actor: Membership,
    case: Case,
    held_on: date,
    participants: str,
    decisions: str,
    child_views: str = "",
    family_views: str = "",
    next_steps: str = "",
    ip: str | None = None,
) -> Conference:
    with transaction.atomic():
        case = _editable_case(actor, case)
        _not_in_future(held_on, "held_on")
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
            target=case,
            changes=_creates(conference, CONFERENCE_FIELDS),
            data={"conference": str(conference.pk)},
            ip=ip,
        )
    return conference


# --- closure and reopening ---------------------------------------------------------------

CLOSURE_FIELDS = (
    "status",
    "stage",
    "closure_reason",
    "closure_notes",
    "closure_requested_by",
    "closure_requested_on",
    "closed_on",
    "closure_approved_by",
)


def _locked(case: Case) -> Case:
    """The case row locked for this transaction (fresh values)."""
    return Case.objects.select_for_update().select_related("person").get(pk=case.pk)


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


def closure_pending(case: Case) -> bool:
    return case.status == Case.Status.OPEN and case.closure_requested_on is not None


def closure_request(
    *, actor: Membership, case: Case, reason: str, notes: str = "", ip: str | None = None
) -> Case:
    """A case worker or supervisor asks for the case to be closed. Needs a closure
    assessment; a supervisor then approves it or sends it back."""
    with transaction.atomic():
        _editable_case(actor, case)
        case = _locked(case)
        if case.status != Case.Status.OPEN:
            raise ServiceError(_("This case is already closed."))
        if closure_pending(case):
            raise ServiceError(_("Closing this case is already waiting for approval."))
        if reason not in Case.ClosureReason.values:
            raise ServiceError(_("Choose the reason for closing."), field="reason")
        if not Assessment.objects.filter(case=case, kind=Assessment.Kind.CLOSURE).exists():
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
            },
            actor=actor,
            action="cases.closure.requested",
            ip=ip,
        )
    return case


def closure_approve(
    *, actor: Membership, case: Case, approve: bool, note: str = "", ip: str | None = None
) -> Case:
    """A supervisor (APPROVE_CLOSURES) closes the case, or sends the request back with a
    note saying why."""
    _require(actor, Capability.APPROVE_CLOSURES)
    with transaction.atomic():
        _editable_case(actor, case)
        case = _locked(case)
        if not closure_pending(case):
            raise ServiceError(_("Nobody has asked to close this case."))
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
            case_refresh(case)
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
                },
                actor=actor,
                action="cases.closure.sent_back",
                data={"note": note.strip()},
                ip=ip,
            )
    return case


def case_reopen(*, actor: Membership, case: Case, reason: str, ip: str | None = None) -> Case:
    """Reopen a closed case: keep what its closure was, clear it, and work it out again."""
    with transaction.atomic():
        _editable_case(actor, case, open_only=False)
        case = _locked(case)
        if case.status != Case.Status.CLOSED:
            raise ServiceError(_("This case is open."))
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
        case_refresh(case)
    return case
