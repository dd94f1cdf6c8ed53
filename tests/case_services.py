"""Every service that changes a case, or what a case's stored stage and due dates are derived
from, each ready to run in a world built for it.

Used by the concurrency test (tests/test_concurrency.py: every pair at once on one case, on
PostgreSQL) and by the stored-values invariant (tests/care/test_progress_invariant.py: each in
turn, on both databases). ``discovered_services()`` finds the services in src/ that change a
case — those that lock one, publish ``CaseChanged`` or refresh stored values — so that a new
one fails the coverage tests until it is given a ``Spec`` here.

A world is one organisation, seeded like a new one (domains, service catalogue, rule table),
with a supervisor, a case worker and an administrator, four people, one case (the first
person's) that has something of every kind recorded in it — two of each record a service
updates, so that the two sides of a pair can each change their own — and a second open case
with nothing recorded. It is written straight to the database (no services, no audit events),
identically each time apart from the organisation's code, so that a pair run concurrently in
one world can be compared with the same pair run one after the other in another
(``snapshots``)."""

from __future__ import annotations

import ast
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from phteah.accounts.models import Membership, Organisation, User
from phteah.accounts.roles import Role
from phteah.care import services as care
from phteah.care.models import CareProvider, CareRule, Placement, Relative, TracingAction
from phteah.care.models import ReunificationAssessment as Reunification
from phteah.care.progress import cases_progress_refresh
from phteah.cases import services as cases
from phteah.cases.models import (
    Action,
    Assessment,
    AssessmentDomain,
    AssessmentScore,
    Case,
    CaseGrant,
    CaseReferenceCounter,
    CaseReopening,
    CaseWorkerAssignment,
    Conference,
    Goal,
    PlanReview,
    ServiceDelivery,
    ServiceType,
    Visit,
)
from phteah.core.audit import chain_key_for
from phteah.core.models import AuditEvent
from phteah.people import services as people
from phteah.people.models import Consent, Person, SharingPurpose

from .factories import PASSWORD

SRC = Path(__file__).resolve().parents[1] / "src" / "phteah"

# The members of a world, by the label their user has in snapshots.
ROLES = {"supervisor": Role.SUPERVISOR, "worker": Role.CASE_WORKER, "admin": Role.ORG_ADMIN}
# Case states a world can be built in.
OPEN, PENDING, CLOSED = "open", "closure pending", "closed"


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


@dataclass
class World:
    organisation: object
    supervisor: object
    worker: object
    admin: object
    persons: list
    case: Case
    domains: list
    goals: list
    actions: list
    visits: list
    services: list
    service_type: ServiceType
    placement: Placement
    providers: list
    relative: Relative
    rules: dict
    state: str
    # The versions a form opened now would send back.
    case_version: int = 0
    person_version: int = 0
    labels: dict = field(default_factory=dict)
    # A record of each voidable kind voided by mistake, for the restore services.
    voided_visit: object = None
    voided_service: object = None
    voided_assessment: object = None
    voided_placement: object = None

    @property
    def chain_key(self) -> str:
        return chain_key_for(self.organisation.pk)


def _voided(w) -> dict:
    """The fields of a record voided by the world's case worker."""
    return {
        "voided_at": timezone.now(),
        "voided_by": w.worker.user,
        "void_reason": "Recorded by mistake.",
    }


def _bulk(model, rows: list) -> list:
    model.objects.bulk_create(rows)
    return rows


def build_worlds(wanted: list[tuple[str, str]]) -> list[World]:
    """One world per ``(organisation code, case state)`` in *wanted*, all written with one
    INSERT per table and their stored stage and due dates computed in one refresh: a world
    is one organisation seeded like a new one (OrganisationCreated: domains, service
    catalogue, rule table), three members, four people, one case (the first person's) in that
    state with something of every kind recorded in it, and another open case with nothing
    recorded."""
    from phteah.accounts.models import Membership, Organisation, User
    from phteah.people.names import person_search_fields

    password = make_password(PASSWORD)
    identified = datetime.datetime.combine(days(-60), datetime.time(8, 0), tzinfo=datetime.UTC)
    organisations = _bulk(
        Organisation,
        [
            Organisation(name=f"World {code}", short_code=code, kind=Organisation.Kind.NGO)
            for code, _state in wanted
        ],
    )
    users = _bulk(
        User,
        [
            User(
                email=f"{role}@{code.lower()}.test",
                full_name=f"Sok {role.title()} {code}",
                language="en",
                password=password,
            )
            for code, _state in wanted
            for role in ROLES
        ],
    )
    members = _bulk(
        Membership,
        [
            Membership(user=user, organisation=org, role=ROLES[role])
            for index, org in enumerate(organisations)
            for role, user in zip(ROLES, users[3 * index : 3 * index + 3], strict=True)
        ],
    )
    names = ("Dara", "Bopha", "Chantha", "Dalin")
    persons = []
    for org in organisations:
        for index, name in enumerate(names):
            values = {
                "family_name_latin": "Sok",
                "given_name_latin": name,
                "family_name_km": "សុខ",
                "given_name_km": "ដារ៉ា",
            }
            persons.append(
                Person(
                    organisation=org,
                    sex="female",
                    date_of_birth=datetime.date(2014, 3, 1) + datetime.timedelta(days=index),
                    **values,
                    **person_search_fields(**values, nickname=""),
                )
            )
    _bulk(Person, persons)
    _bulk(
        AssessmentDomain,
        [
            AssessmentDomain(
                organisation=org, code=code, name_en=en, name_km=km, position=(i + 1) * 10
            )
            for org in organisations
            for i, (code, en, km) in enumerate(cases.DEFAULT_DOMAINS)
        ],
    )
    _bulk(
        ServiceType,
        [
            ServiceType(organisation=org, code=code, name_en=en, name_km=km)
            for org in organisations
            for code, en, km in cases.STANDARD_SERVICE_TYPES
        ],
    )
    _bulk(
        CareRule,
        [
            CareRule(organisation=org, kind=k, care_type=c, risk_level=r, value=v)
            for org in organisations
            for k, c, r, v in care.DEFAULT_RULES
        ],
    )
    worlds = []
    for index, ((_code, state), org) in enumerate(zip(wanted, organisations, strict=True)):
        supervisor, worker, admin = members[3 * index : 3 * index + 3]
        closure = {}
        if state in (PENDING, CLOSED):
            closure = {
                # Transferred to another agency: any placement agrees; the current one ends.
                "closure_reason": "transferred",
                "closure_placement_outcome": "other",
                "closure_requested_by": worker.user,
                "closure_requested_on": days(-1),
            }
        if state == CLOSED:
            closure |= {
                "status": Case.Status.CLOSED,
                "stage": Case.Stage.CLOSED,
                "closed_on": days(-1),
                "closure_approved_by": supervisor.user,
            }
        case = Case(
            organisation=org,
            person=persons[4 * index],
            reference="C-0001",
            case_type="emergency",
            referral_source="police",
            referral_reason="Found alone at the bus station.",
            identified_at=identified,
            opened_on=identified.date(),
            risk_level="high",
            supervisor=supervisor.user,
            **closure,
        )
        worlds.append(
            World(
                organisation=org,
                supervisor=supervisor,
                worker=worker,
                admin=admin,
                persons=persons[4 * index : 4 * index + 4],
                case=case,
                domains=[],
                goals=[],
                actions=[],
                visits=[],
                services=[],
                service_type=None,
                placement=None,
                providers=[],
                relative=None,
                rules={},
                state=state,
                labels={
                    supervisor.user_id: "supervisor",
                    worker.user_id: "worker",
                    admin.user_id: "admin",
                    org.pk: "organisation",
                },
            )
        )
    # Another open case of the organisation, with nothing recorded yet: rule changes refresh
    # it too.
    others = [
        Case(
            organisation=w.organisation,
            person=w.persons[3],
            reference="C-0002",
            case_type="community_support",
            referral_source="commune_council",
            referral_reason="The family asked for help.",
            identified_at=identified,
            opened_on=identified.date(),
            risk_level="medium",
            supervisor=w.supervisor.user,
        )
        for w in worlds
    ]
    _bulk(Case, [w.case for w in worlds] + others)
    by_org = {w.organisation.pk: w for w in worlds}
    orgs = [w.organisation.pk for w in worlds]
    for domain in AssessmentDomain.objects.filter(organisation__in=orgs).order_by("position"):
        by_org[domain.organisation_id].domains.append(domain)
    for service_type in ServiceType.objects.filter(organisation__in=orgs, code="counselling"):
        by_org[service_type.organisation_id].service_type = service_type
    for rule in CareRule.objects.filter(organisation__in=orgs):
        key = (rule.kind, rule.care_type, rule.risk_level, rule.value)
        by_org[rule.organisation_id].rules[key] = rule
    _bulk(
        CaseWorkerAssignment,
        [
            CaseWorkerAssignment(
                organisation=w.organisation, case=case, user=w.worker.user, is_primary=True
            )
            for w, other in zip(worlds, others, strict=True)
            for case in (w.case, other)
        ],
    )
    assessments = []
    for w in worlds:
        for kind, day, risk in (
            ("initial", -50, "high"),
            ("review", -30, "low"),
            ("closure", -1, "low"),
        ):
            assessments.append(
                Assessment(
                    organisation=w.organisation,
                    case=w.case,
                    kind=kind,
                    assessed_on=days(day),
                    assessed_by=w.worker.user,
                    risk_level=risk,
                    summary=f"{kind} assessment",
                    **_voided(w) if kind == "review" else {},
                )
            )
    _bulk(Assessment, assessments)
    for w in worlds:
        w.voided_assessment = next(
            a for a in assessments if a.case_id == w.case.pk and a.kind == "review"
        )
    _bulk(
        AssessmentScore,
        [
            AssessmentScore(
                organisation=a.organisation,
                assessment=a,
                domain=d,
                score=3 if a.kind == "initial" else 4,
            )
            for a in assessments
            for d in by_org[a.organisation_id].domains
        ],
    )
    for w in worlds:
        w.goals = [
            Goal(
                organisation=w.organisation,
                case=w.case,
                domain=d,
                description=text,
                recorded_by=w.worker.user,
            )
            for d, text in zip(w.domains, ("Back to school", "Safe at home"), strict=False)
        ]
    _bulk(Goal, [g for w in worlds for g in w.goals])
    for w in worlds:
        w.actions = [
            Action(
                organisation=w.organisation,
                goal=w.goals[0],
                description=text,
                owner_text="Commune council",
                due_on=days(due),
                recorded_by=w.worker.user,
            )
            for text, due in (("Meet the school director", 5), ("Visit the aunt", 9))
        ]
        w.visits = [
            Visit(
                organisation=w.organisation,
                case=w.case,
                visited_on=days(visited),
                kind="home",
                recorded_by=w.worker.user,
                next_visit_due=days(next_due),
            )
            for visited, next_due in ((-30, -2), (-20, 3))
        ]
        w.voided_visit = Visit(
            organisation=w.organisation, case=w.case, visited_on=days(-10), kind="phone",
            recorded_by=w.worker.user, next_visit_due=days(20), **_voided(w),
        )  # fmt: skip
        w.services = [
            ServiceDelivery(
                organisation=w.organisation,
                case=w.case,
                service_type=w.service_type,
                provider=w.organisation,
                delivered_on=days(day),
                cost=10,
                recorded_by=w.worker.user,
                notes=f"Session {n}",
            )
            for n, day in ((1, -25), (2, -15))
        ]
        w.voided_service = ServiceDelivery(
            organisation=w.organisation, case=w.case, service_type=w.service_type,
            delivered_on=days(-12), cost=99, recorded_by=w.worker.user, notes="Twice",
            **_voided(w),
        )  # fmt: skip
        w.providers = [
            CareProvider(
                organisation=w.organisation, kind="foster_family", name=name, capacity=capacity
            )
            for name, capacity in (("Foster family Sok", 2), ("Foster family Chan", 1))
        ]
        w.relative = Relative(
            organisation=w.organisation, case=w.case, name="Chan Srey", relationship="aunt",
            found_on=days(-10), recorded_by=w.worker.user,
        )  # fmt: skip
    _bulk(Action, [a for w in worlds for a in w.actions])
    _bulk(Visit, [v for w in worlds for v in (*w.visits, w.voided_visit)])
    _bulk(ServiceDelivery, [s for w in worlds for s in (*w.services, w.voided_service)])
    _bulk(CareProvider, [p for w in worlds for p in w.providers])
    _bulk(Relative, [w.relative for w in worlds])
    for w in worlds:
        w.placement = Placement(
            organisation=w.organisation,
            case=w.case,
            care_type="emergency_foster",
            provider=w.providers[0],
            started_on=days(-40),
            reason="No safe family home yet.",
            recorded_by=w.worker.user,
            # A closed case has no current placement: it ended with the closure.
            ended_on=days(-1) if w.state == CLOSED else None,
            outcome="other" if w.state == CLOSED else "",
        )
    for w in worlds:
        w.voided_placement = Placement(
            organisation=w.organisation, case=w.case, care_type="temporary_centre",
            started_on=days(-50), ended_on=days(-41), outcome="moved",
            reason="Recorded for the wrong child.", recorded_by=w.worker.user, **_voided(w),
        )  # fmt: skip
    _bulk(Placement, [p for w in worlds for p in (w.placement, w.voided_placement)])
    cases_progress_refresh(Case.objects.filter(organisation__in=orgs))
    for w in worlds:
        w.case.refresh_from_db()
        w.case_version = w.case.version
        w.person_version = w.persons[0].version
    return worlds


def reread(world: World) -> World:
    """After services ran in *world*: what a user opening the forms now would see — the case's
    and the person's current versions, the current rule rows, the current placement."""
    world.case_version = Case.objects.get(pk=world.case.pk).version
    world.person_version = Person.objects.get(pk=world.persons[0].pk).version
    world.rules = {
        (rule.kind, rule.care_type, rule.risk_level, rule.value): rule
        for rule in CareRule.objects.filter(organisation=world.organisation)
    }
    current = Placement.objects.valid().filter(case=world.case, ended_on__isnull=True).first()
    world.placement = current or world.placement
    return world


def build_world(code: str, state: str = OPEN) -> World:
    """One world (see ``build_worlds``)."""
    return build_worlds([(code, state)])[0]


# --- the services -----------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """How to call one service in a world: *call(world, side)* (side 0 or 1: the two sides of
    a pair change different things where the service allows it). *needs*: the case state it
    works in."""

    name: str
    call: Callable
    needs: str = OPEN


def _scores(world, side):
    return {d.pk: (2 + side, f"Reason {side}") for d in world.domains}


def _case_update(w, side):
    return cases.case_update(
        actor=w.supervisor,
        case_id=w.case.pk,
        expected_version=w.case_version,
        case_type="reintegration",
        referral_source="police",
        referral_source_detail=f"Officer {side}",
        referral_reason="Found alone at the bus station.",
        risk_level=("medium", "low")[side],
        supervisor=w.supervisor.user,
        workers=[w.worker.user],
    )


def _case_open(w, side):
    return cases.case_open(
        actor=w.supervisor,
        person_id=w.persons[1 + side].pk,
        case_type="emergency",
        referral_source="police",
        referral_reason=f"Referral {side}",
        identified_at=datetime.datetime.combine(days(-2), datetime.time(9), tzinfo=datetime.UTC),
        risk_level="high",
        workers=[w.worker.user],
        supervisor=w.supervisor.user,
    )


def _assessment_add(w, side):
    return cases.assessment_add(
        actor=w.worker,
        case_id=w.case.pk,
        kind="initial",
        assessed_on=today(),
        risk_level=("low", "medium")[side],
        scores=_scores(w, side),
        summary=f"Assessment {side}",
    )


def _goal_add(w, side):
    return cases.goal_add(
        actor=w.worker, case_id=w.case.pk, description=f"New goal {side}", domain=w.domains[2]
    )


def _goal_update(w, side):
    return cases.goal_update(
        actor=w.worker,
        case_id=w.case.pk,
        goal_id=w.goals[side].pk,
        description=f"Goal changed {side}",
        status=("achieved", "dropped")[side],
        domain=w.domains[side],
    )


def _action_add(w, side):
    return cases.action_add(
        actor=w.worker,
        case_id=w.case.pk,
        goal_id=w.goals[1].pk,
        description=f"New action {side}",
        owner=w.worker.user,
        due_on=days(10 + side),
    )


def _action_update(w, side):
    return cases.action_update(
        actor=w.worker,
        case_id=w.case.pk,
        action_id=w.actions[side].pk,
        description=f"Action changed {side}",
        status="done",
        owner_text="Commune council",
        due_on=days(6 + side),
    )


def _plan_review_add(w, side):
    return cases.plan_review_add(
        actor=w.worker, case_id=w.case.pk, reviewed_on=today(), notes=f"Review {side}"
    )


def _conference_add(w, side):
    return cases.conference_add(
        actor=w.worker,
        case_id=w.case.pk,
        held_on=today(),
        participants="Sok, social worker\nCCWC focal point",
        decisions=f"Decision {side}",
    )


def _visit_record(w, side):
    return cases.visit_record(
        actor=w.worker,
        case_id=w.case.pk,
        visited_on=today(),
        kind="home",
        wellbeing_notes=f"Visit {side}",
        next_visit_due=days(10 + side),
    )


def _authority_visit_record(w, side):
    """A visit by an officer of a government office the case is shared with (MoSVY serves
    every child), on the consent of the child's guardian: office, officer, consent and grant
    written straight to the database, one per side."""
    code = f"{w.organisation.short_code}G{side}"
    office = Organisation.objects.create(
        name=f"Ministry {code}", short_code=code, kind=Organisation.Kind.NATIONAL_GOVERNMENT
    )
    user = User.objects.create(
        email=f"officer{side}@{code.lower()}.test", full_name=f"Officer {code}", language="en"
    )
    officer = Membership.objects.create(user=user, organisation=office, role=Role.CASE_WORKER)
    w.labels |= {user.pk: f"officer {side}", office.pk: f"office {side}"}
    consent = Consent.objects.create(
        organisation=w.organisation,
        person=w.case.person,
        given_as=Consent.GivenAs.GUARDIAN,
        given_by_name="Chan Sreymom",
        given_on=days(-30),
        purpose=Consent.Purpose.SHARE_GOVERNMENT,
        method=Consent.Method.SIGNED_FORM,
    )
    now = timezone.now()
    CaseGrant.objects.create(
        organisation=w.organisation,
        case=w.case,
        grantee=office,
        level=CaseGrant.Level.VIEW,
        purpose=SharingPurpose.GOVERNMENT_SHARE,
        consent=consent,
        granted_by=w.supervisor.user,
        granted_at=now - datetime.timedelta(days=20),
        valid_until=now + datetime.timedelta(days=100),
        handled_by=user,
    )
    return cases.authority_visit_record(
        actor=officer,
        case_id=w.case.pk,
        visited_on=today(),
        people_seen="The child and her grandmother",
        wellbeing_notes=f"Authority visit {side}",
    )


def _visit_update(w, side):
    visit = w.visits[side]
    return cases.visit_update(
        actor=w.worker,
        case_id=w.case.pk,
        visit_id=visit.pk,
        visited_on=visit.visited_on,
        kind="phone",
        wellbeing_notes=f"Visit changed {side}",
        next_visit_due=days(4 + side),
    )


def _service_record(w, side):
    return cases.service_record(
        actor=w.worker,
        case_id=w.case.pk,
        service_type=w.service_type,
        delivered_on=today(),
        cost=5 + side,
        notes=f"Service {side}",
    )


def _service_update(w, side):
    service = w.services[side]
    return cases.service_update(
        actor=w.worker,
        case_id=w.case.pk,
        service_id=service.pk,
        service_type=w.service_type,
        delivered_on=service.delivered_on,
        cost=20 + side,
        notes=f"Service changed {side}",
    )


def _placement_start(w, side):
    if side == 0:
        return care.placement_start(
            actor=w.worker,
            case_id=w.case.pk,
            care_type="long_term_foster",
            started_on=today(),
            reason="A foster family for longer.",
            provider=w.providers[1],
        )
    return care.placement_start(
        actor=w.worker,
        case_id=w.case.pk,
        care_type="kinship",
        started_on=today(),
        reason="With the aunt.",
    )


def _placement_end(w, side):
    return care.placement_end(
        actor=w.worker,
        case_id=w.case.pk,
        placement_id=w.placement.pk,
        ended_on=today(),
        outcome=("reintegrated", "other")[side],
    )


def _tracing_record(w, side):
    return care.tracing_record(
        actor=w.worker,
        case_id=w.case.pk,
        done_on=today(),
        where_searched=f"Village {side}",
        done_by="Sok",
        outcome="Neighbours know the family.",
    )


def _relative_add(w, side):
    return care.relative_add(
        actor=w.worker,
        case_id=w.case.pk,
        name=f"Relative {side}",
        relationship="uncle",
        found_on=today(),
    )


def _reunification_record(w, side):
    return care.reunification_record(
        actor=w.worker,
        case_id=w.case.pk,
        assessed_on=today(),
        recommendation=("reunify", "not_yet")[side],
        notes=f"Reunification {side}",
        relative=w.relative,
        reunified_on=(today(), None)[side],
    )


def _closure_request(w, side):
    return cases.closure_request(
        actor=w.worker,
        case_id=w.case.pk,
        reason="transferred",
        notes=f"Closing {side}",
        placement_outcome="other",
    )


def _closure_approve(w, side):
    return cases.closure_approve(
        actor=w.supervisor, case_id=w.case.pk, approve=side == 0, note=f"Not yet {side}"
    )


def _closure_sent_back_done(w, side):
    return cases.closure_sent_back_done(actor=w.worker, case_id=w.case.pk)


def _case_reopen(w, side):
    return cases.case_reopen(actor=w.supervisor, case_id=w.case.pk, reason=f"Reopened {side}")


def _care_rule_add(w, side):
    kind, care_type, value = (("max_stay", "kinship", 60), ("follow_up_after", "", 60))[side]
    return care.care_rule_add(actor=w.admin, kind=kind, care_type=care_type, value=value)


def _rule(w, kind, care_type="", risk_level=""):
    """The world's rule row of that kind, care type and risk level (whatever its value)."""
    return next(
        rule for key, rule in sorted(w.rules.items()) if key[:3] == (kind, care_type, risk_level)
    )


def _care_rule_update(w, side):
    rule = _rule(w, "visit_every", risk_level="high")
    return care.care_rule_update(actor=w.admin, rule_id=rule.pk, value=(5, 10)[side])


def _care_rule_remove(w, side):
    rule = _rule(w, "max_stay", "emergency_foster") if side == 0 else _rule(w, "review_every")
    return care.care_rule_remove(actor=w.admin, rule_id=rule.pk)


def _care_rules_restore_defaults(w, side):
    return care.care_rules_restore_defaults(actor=w.admin)


def _person_update(w, side):
    return people.person_update(
        actor=w.worker,
        person_id=w.persons[0].pk,
        expected_version=w.person_version,
        nickname=f"Nick {side}",
    )


def _provider_update(w, side):
    provider = w.providers[1]  # the one placement_start places into
    return care.provider_update(
        actor=w.worker,
        provider_id=provider.pk,
        kind=provider.kind,
        name=provider.name,
        capacity=3 + side,
        phone=f"01234567{side}",
    )


def _assessment_of(w, side):
    """Side 0: the initial assessment; side 1: the closure assessment."""
    kind = ("initial", "closure")[side]
    return Assessment.objects.filter(case=w.case, kind=kind).order_by("assessed_on").first()


def _visit_void(w, side):
    return cases.visit_void(
        actor=w.worker, case_id=w.case.pk, visit_id=w.visits[side].pk, reason=f"Wrong {side}"
    )


def _visit_restore(w, side):
    """Side 0: the world's voided visit; side 1: the second visit (voided by visit_void in
    a sequence, else refused)."""
    visit = (w.voided_visit, w.visits[1])[side]
    return cases.visit_restore(actor=w.supervisor, case_id=w.case.pk, visit_id=visit.pk)


def _service_void(w, side):
    return cases.service_void(
        actor=w.worker, case_id=w.case.pk, service_id=w.services[side].pk, reason="Duplicate"
    )


def _service_restore(w, side):
    service = (w.voided_service, w.services[1])[side]
    return cases.service_restore(actor=w.supervisor, case_id=w.case.pk, service_id=service.pk)


def _assessment_void(w, side):
    return cases.assessment_void(
        actor=w.worker,
        case_id=w.case.pk,
        assessment_id=_assessment_of(w, side).pk,
        reason="Wrong child",
    )


def _assessment_restore(w, side):
    assessment = w.voided_assessment if side == 0 else _assessment_of(w, 1)
    return cases.assessment_restore(
        actor=w.supervisor, case_id=w.case.pk, assessment_id=assessment.pk
    )


def _placement_void(w, side):
    """The world's current placement (both sides: the second is refused)."""
    return care.placement_void(
        actor=w.worker, case_id=w.case.pk, placement_id=w.placement.pk, reason="Wrong child"
    )


def _placement_restore(w, side):
    """Side 0: the world's voided earlier placement; side 1: the current one (voided by
    placement_void in a sequence, else refused)."""
    placement = (w.voided_placement, w.placement)[side]
    return care.placement_restore(actor=w.supervisor, case_id=w.case.pk, placement_id=placement.pk)


SPECS = {
    spec.name: spec
    for spec in (
        Spec("case_open", _case_open),
        Spec("case_update", _case_update),
        Spec("assessment_add", _assessment_add),
        Spec("goal_add", _goal_add),
        Spec("goal_update", _goal_update),
        Spec("action_add", _action_add),
        Spec("action_update", _action_update),
        Spec("plan_review_add", _plan_review_add),
        Spec("conference_add", _conference_add),
        Spec("visit_record", _visit_record),
        Spec("visit_update", _visit_update),
        Spec("authority_visit_record", _authority_visit_record),
        Spec("service_record", _service_record),
        Spec("service_update", _service_update),
        Spec("placement_start", _placement_start),
        Spec("placement_end", _placement_end),
        Spec("visit_void", _visit_void),
        Spec("visit_restore", _visit_restore),
        Spec("service_void", _service_void),
        Spec("service_restore", _service_restore),
        Spec("assessment_void", _assessment_void),
        Spec("assessment_restore", _assessment_restore),
        Spec("placement_void", _placement_void),
        Spec("placement_restore", _placement_restore),
        Spec("tracing_record", _tracing_record),
        Spec("relative_add", _relative_add),
        Spec("reunification_record", _reunification_record),
        Spec("closure_request", _closure_request),
        Spec("closure_approve", _closure_approve, needs=PENDING),
        Spec("closure_sent_back_done", _closure_sent_back_done),
        Spec("case_reopen", _case_reopen, needs=CLOSED),
        # The rule table: each change refreshes every open case of the organisation.
        Spec("care_rule_add", _care_rule_add),
        Spec("care_rule_update", _care_rule_update),
        Spec("care_rule_remove", _care_rule_remove),
        Spec("care_rules_restore_defaults", _care_rules_restore_defaults),
        # The child.
        Spec("person_update", _person_update),
    )
}

# Rows shared by many cases that case services read or refer to (tested against a few case
# services, both ways, in tests/test_concurrency.py).
SHARED = {
    spec.name: spec
    for spec in (
        Spec("provider_update", _provider_update),  # placement_start locks the provider
    )
}

# Found by discovered_services() but not a change to an existing case.
NOT_CASE_CHANGES = {
    "case_share_with_government": "shares the case with a government office (a grant row): "
    "nothing the case's stage and due dates derive from changes (tests/cases/services/"
    "test_grants.py)",
    "case_grant_revoke": "ends a share (a grant row); as case_share_with_government",
    "case_grant_renew": "extends a share (a grant row); as case_share_with_government",
    **{
        name: "a step of a referral (referral rows and a grant): nothing the case's stage and "
        "due dates derive from changes; concurrency in tests/referrals/test_concurrent_accept.py"
        for name in (
            "referral_send",
            "referral_withdraw",
            "referral_feedback",
            "referral_complete",
            "referral_close",
        )
    },
    **{
        name: "a referral letter to a partner not on Phteah (its own row, no grant): nothing the "
        "case's stage and due dates derive from changes (tests/referrals/test_letters.py)"
        for name in ("referral_letter_create", "referral_letter_answer_record")
    },
    **{
        name: "a step of a transfer (a transfer row and a grant): nothing the case's stage and "
        "due dates derive from changes; accept x withdraw in tests/referrals/"
        "test_concurrent_transfer.py"
        for name in ("transfer_send", "transfer_withdraw")
    },
    "case_close_transferred": "the internal closure of transfer_accept, inside its "
    "transaction with the sender's case locked (tests/referrals/test_transfer_services.py, "
    "tests/referrals/test_concurrent_transfer.py)",
    "record_void": "the helper of every *_void service (each has its Spec)",
    "record_restore": "the helper of every *_restore service (each has its Spec)",
    "care_rules_seed": "sets up a new organisation's rule table (OrganisationCreated), before "
    "it has any case",
}


def state_for(first: Spec, second: Spec | None = None) -> str:
    """The case state a pair starts from: what the first needs (it must succeed); where the
    first works on an open case and the second approves a closure, a pending request (so
    that both can succeed)."""
    if first.needs != OPEN:
        return first.needs
    if second is not None and second.needs == PENDING and first.name != "closure_request":
        return PENDING
    return OPEN


# --- which services change a case -------------------------------------------------------

# Calls that make a function a change to a case (or to what its stored values come from).
MARKERS = {
    "case_for_change",
    "case_changed",
    "case_record_create",
    "cases_progress_refresh",
    "organisation_due_refresh",
    "CaseChanged",
}


def _service_modules():
    yield from sorted(SRC.glob("*/services.py")) + sorted(SRC.glob("*/services/*.py"))


def discovered_services() -> set[str]:
    """Public functions of the services modules under src/ that change a case: they call one
    of MARKERS or ``case_get_for_user(..., lock=True)``, directly or through a private helper
    of the same module."""
    found = set()
    for path in _service_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
        calls: dict[str, set[str]] = {}
        for name, node in functions.items():
            names = set()
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call):
                    func = inner.func
                    called = getattr(func, "id", None) or getattr(func, "attr", None)
                    if called == "case_get_for_user" and any(
                        k.arg == "lock" and getattr(k.value, "value", False) for k in inner.keywords
                    ):
                        called = "case_for_change"
                    names.add(called)
                elif isinstance(inner, ast.Name):
                    names.add(inner.id)
            calls[name] = names
        changing = {name for name, names in calls.items() if names & MARKERS}
        grew = True
        while grew:  # through the module's own helpers
            more = {name for name, names in calls.items() if names & changing} - changing
            changing |= more
            grew = bool(more)
        found |= {name for name in changing if not name.startswith("_") and name not in MARKERS}
    return found


# --- comparing two worlds ---------------------------------------------------------------

SNAPSHOT_MODELS = (
    Case,
    CaseWorkerAssignment,
    CaseReopening,
    CaseReferenceCounter,
    Assessment,
    AssessmentScore,
    Goal,
    Action,
    PlanReview,
    Conference,
    Visit,
    ServiceDelivery,
    Placement,
    TracingAction,
    Relative,
    Reunification,
    CareRule,
    CareProvider,
    Person,
)

# Fields that differ between two identical worlds: ids, times of writing, the organisation.
# (A person's global id is random like an id.)
_SKIPPED = {"id", "created_at", "updated_at", "organisation", "global_id"}


def _label_maps(worlds) -> dict:
    """Stable labels of the rows other rows refer to, by model: the same in two worlds."""
    orgs = [w.organisation.pk for w in worlds]

    def labels(model, *fields, join=lambda *values: values[0]):
        rows = model._base_manager.filter(organisation__in=orgs).values_list("pk", *fields)
        return {pk: join(*values) for pk, *values in rows}

    members = {}
    for w in worlds:
        members |= w.labels
    return {
        "accounts.user": members,
        "accounts.organisation": members,
        "people.person": labels(Person, "given_name_latin"),
        "cases.case": labels(Case, "person__given_name_latin"),
        "cases.goal": labels(Goal, "description"),
        "care.relative": labels(Relative, "name"),
        "care.careprovider": labels(CareProvider, "name"),
        "cases.servicetype": labels(ServiceType, "code"),
        "cases.assessmentdomain": labels(AssessmentDomain, "code"),
        "cases.assessment": labels(Assessment, "kind", "summary", join=lambda k, s: f"{k}/{s}"),
    }


def snapshots(worlds) -> dict:
    """For each world (by organisation id), everything its case's services write, comparable
    with another world's: each model's rows (ids, times and the organisation left out,
    related rows by a stable label, references without the organisation's code), and the
    audit actions of the organisation's chain."""
    maps = _label_maps(worlds)
    codes = {w.organisation.pk: w.organisation.short_code for w in worlds}
    result = {org: {} for org in codes}
    for model in SNAPSHOT_MODELS:
        fields = [f for f in model._meta.concrete_fields if f.name not in _SKIPPED]
        rows = {org: [] for org in codes}
        queryset = model._base_manager.filter(organisation__in=list(codes))
        for org, *row in queryset.values_list("organisation_id", *[f.attname for f in fields]):
            values = []
            for f, value in zip(fields, row, strict=True):
                if f.is_relation and value is not None:
                    label = f.related_model._meta.label_lower
                    value = maps.get(label, {}).get(value, f"{label}:{value}")
                elif f.name == "reference" and isinstance(value, str):
                    value = value.replace(f"{codes[org]}-", "ORG-")
                elif f.name in ("photo", "voided_at"):  # a time of writing: set or not
                    value = bool(value)
                values.append((f.name, value))
            rows[org].append(tuple(values))
        for org, found in rows.items():
            result[org][model._meta.label] = sorted(found, key=repr)
    keys = {w.chain_key: w.organisation.pk for w in worlds}
    for org in result:
        result[org]["audit"] = []
    events = AuditEvent.all_chains.filter(chain_key__in=list(keys))
    for chain_key, action, target_type in events.values_list("chain_key", "action", "target_type"):
        result[keys[chain_key]]["audit"].append((action, target_type))
    for org in result:
        result[org]["audit"].sort()
    return result


def snapshot_differences(concurrent: dict, serial: dict) -> list[str]:
    """What differs between two snapshots, one line per model (rows only in one of them)."""
    lines = []
    for name in concurrent:
        a, b = concurrent[name], serial[name]
        if a == b:
            continue
        only_a = [row for row in a if row not in b]
        only_b = [row for row in b if row not in a]
        lines.append(f"{name}: concurrent only {only_a!r}; serial only {only_b!r}")
    return lines
