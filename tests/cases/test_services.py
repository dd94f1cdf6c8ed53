import datetime

import pytest
from django.utils import timezone

from phteah.accounts.roles import Role
from phteah.cases import services
from phteah.cases.models import (
    Assessment,
    AssessmentDomain,
    Case,
    CaseReferenceCounter,
    CaseReopening,
    CaseWorkerAssignment,
)
from phteah.core.concurrency import EditConflict
from phteah.core.errors import NotFound, ServiceError
from phteah.core.models import AuditEvent
from tests import factories
from tests.conftest import as_member
from tests.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db


def actions(organisation):
    return list(
        AuditEvent.objects.filter(organisation=organisation)
        .order_by("id")
        .values_list("action", flat=True)
    )


def open_case(actor, person, **kwargs):
    values = {
        "case_type": "emergency",
        "referral_source": "police",
        "referral_reason": "Found alone at the bus station.",
        "identified_at": timezone.now() - datetime.timedelta(hours=2),
        "risk_level": "high",
        "workers": [actor.user],
    }
    return services.case_open(actor=actor, person_id=person.pk, **(values | kwargs))


@pytest.fixture
def person(organisation, worker):
    return PersonFactory(organisation=organisation, created_by=worker.user)


# --- opening ---------------------------------------------------------------------------


def test_it_opens_a_case_with_a_reference_workers_and_one_audit_event(
    organisation, worker, supervisor, member, person
):
    colleague = member(Role.CASE_WORKER)
    case = open_case(
        worker, person, workers=[worker.user, colleague.user], supervisor=supervisor.user
    )
    year = timezone.localdate().year
    assert case.reference == f"FB-{year}-0001"
    assert case.opened_on == timezone.localdate()
    assert case.stage == Case.Stage.REGISTERED
    assignments = {a.user_id: a.is_primary for a in CaseWorkerAssignment.objects.filter(case=case)}
    assert assignments == {worker.user_id: True, colleague.user_id: False}
    assert actions(organisation) == ["cases.case.opened"]
    event = AuditEvent.objects.get(action="cases.case.opened")
    assert event.changes["reference"] == [None, case.reference]
    assert event.changes["case_workers"] == [None, [str(worker.user_id), str(colleague.user_id)]]


def test_references_count_per_organisation_and_year(organisation, other_organisation, member):
    worker = member(Role.CASE_WORKER)
    other = member(Role.CASE_WORKER, org=other_organisation)
    year = timezone.localdate().year
    refs = [
        open_case(
            worker, PersonFactory(organisation=organisation, created_by=worker.user)
        ).reference
        for _ in range(3)
    ]
    assert refs == [f"FB-{year}-0001", f"FB-{year}-0002", f"FB-{year}-0003"]
    with as_member(other):
        elsewhere = open_case(
            other, PersonFactory(organisation=other_organisation, created_by=other.user)
        )
    assert elsewhere.reference == f"OTH-{year}-0001"
    # A new year starts again at 1; the counter of the old year is kept.
    CaseReferenceCounter.objects.create(organisation=organisation, year=year + 1, last_number=0)
    assert services.case_reference_next(organisation=organisation, year=year + 1) == (
        f"FB-{year + 1}-0001"
    )
    counter = CaseReferenceCounter.objects.get(organisation=organisation, year=year)
    assert counter.last_number == 3


def test_a_taken_reference_is_skipped(organisation, worker, person):
    year = timezone.localdate().year
    CaseFactory(organisation=organisation, reference=f"FB-{year}-0001")
    assert open_case(worker, person).reference == f"FB-{year}-0002"


def test_one_case_per_person(organisation, worker, person):
    first = open_case(worker, person)
    with pytest.raises(services.CaseExists) as error:
        open_case(worker, person)
    assert error.value.case == first
    assert first.reference in error.value.message
    Case.objects.filter(pk=first.pk).update(status="closed")
    with pytest.raises(services.CaseExists) as error:
        open_case(worker, person)
    assert "Reopen" in error.value.message
    assert Case.objects.count() == 1


def test_opening_checks_the_team_and_the_person(
    organisation, other_organisation, member, worker, person
):
    me_officer = member(Role.ME_OFFICER)
    with pytest.raises(ServiceError):
        open_case(worker, person, workers=[me_officer.user])
    with pytest.raises(ServiceError):
        open_case(worker, person, workers=[])
    with pytest.raises(ServiceError):
        open_case(worker, person, supervisor=worker.user)
    stranger = member(Role.CASE_WORKER, org=other_organisation)
    with pytest.raises(NotFound):
        open_case(stranger, person, workers=[stranger.user])
    with pytest.raises(PermissionError):
        open_case(me_officer, person)
    assert Case.objects.count() == 0
    assert AuditEvent.objects.filter(action__startswith="cases.").count() == 0


# --- editing ---------------------------------------------------------------------------


def edit(actor, case, version, **kwargs):
    values = {
        "case_type": case.case_type,
        "referral_source": case.referral_source,
        "referral_source_detail": "",
        "referral_reason": case.referral_reason,
        "risk_level": case.risk_level,
        "supervisor": case.supervisor,
        "workers": [actor.user],
    }
    return services.case_update(
        actor=actor, case_id=case.pk, expected_version=version, **(values | kwargs)
    )


def test_two_people_editing_from_the_same_version(organisation, case, worker, supervisor):
    version = case.version
    edit(worker, case, version, risk_level="low")
    with pytest.raises(EditConflict) as error:
        edit(supervisor, case, version, risk_level="medium", workers=[worker.user])
    case.refresh_from_db()
    assert case.risk_level == "low"
    assert case.version == version + 1
    assert error.value.obj.risk_level == "low"
    assert actions(organisation) == ["cases.case.updated"]
    assert AuditEvent.objects.get().changes == {"risk_level": ["high", "low"]}


def test_changing_workers_is_audited(organisation, case, worker, member):
    colleague = member(Role.CASE_WORKER)
    edit(worker, case, case.version, workers=[colleague.user, worker.user])
    assert list(
        CaseWorkerAssignment.objects.filter(case=case)
        .order_by("-is_primary")
        .values_list("user_id", flat=True)
    ) == [colleague.user_id, worker.user_id]
    event = AuditEvent.objects.get(action="cases.case.updated")
    assert event.changes["case_workers"] == [
        [str(worker.user_id)],
        [str(colleague.user_id), str(worker.user_id)],
    ]


# --- assessments, plan and stage ---------------------------------------------------------


def scores_for(organisation, score=2):
    return {d.pk: (score, "why") for d in factories.domains(organisation)}


def test_the_default_domains(organisation):
    assert services.assessment_domains_seed(organisation=organisation) == 12
    assert services.assessment_domains_seed(organisation=organisation) == 0
    names = list(
        AssessmentDomain.objects.filter(organisation=organisation).values_list("name_en", "name_km")
    )
    assert names[0] == ("Food security", "សន្តិសុខស្បៀង")
    assert all(km for _en, km in names)


def test_an_initial_assessment_scores_sets_risk_and_moves_the_stage(organisation, case, worker):
    version = case.version
    assessment = services.assessment_add(
        actor=worker,
        case_id=case.pk,
        kind="initial",
        assessed_on=timezone.localdate(),
        risk_level="medium",
        scores=scores_for(organisation),
    )
    case.refresh_from_db()
    assert assessment.scores.count() == 12
    assert case.risk_level == "medium"
    assert case.version == version + 1
    assert case.stage == Case.Stage.ASSESSED
    assert actions(organisation) == ["cases.assessment.created", "cases.case.risk_changed"]


def test_a_review_assessment_keeps_the_case_risk(organisation, case, worker):
    services.assessment_add(
        actor=worker,
        case_id=case.pk,
        kind="review",
        assessed_on=timezone.localdate(),
        risk_level="low",
        scores=scores_for(organisation),
    )
    case.refresh_from_db()
    assert case.risk_level == "high"
    assert case.stage == Case.Stage.REGISTERED
    assert actions(organisation) == ["cases.assessment.created"]


def test_an_assessment_needs_every_active_domain(organisation, case, worker):
    scores = scores_for(organisation)
    scores.popitem()
    with pytest.raises(ServiceError):
        services.assessment_add(
            actor=worker,
            case_id=case.pk,
            kind="initial",
            assessed_on=timezone.localdate(),
            risk_level="low",
            scores=scores,
        )
    with pytest.raises(ServiceError):
        services.assessment_add(
            actor=worker,
            case_id=case.pk,
            kind="initial",
            assessed_on=timezone.localdate() + datetime.timedelta(days=1),
            risk_level="low",
            scores=scores_for(organisation),
        )
    assert Assessment.objects.count() == 0
    assert actions(organisation) == []


def test_an_assessment_needs_domains_and_never_creates_them(organisation, case, worker):
    """Domains are set up with the organisation (or by its administrator), not by recording."""
    with pytest.raises(ServiceError):
        services.assessment_add(
            actor=worker,
            case_id=case.pk,
            kind="initial",
            assessed_on=timezone.localdate(),
            risk_level="low",
            scores={},
        )
    assert AssessmentDomain.objects.filter(organisation=organisation).count() == 0


def test_stage_moves_through_plan_and_implementation(organisation, case, worker):
    factories.assessment(case, worker.user, kind="full")
    goal = services.goal_add(actor=worker, case_id=case.pk, description="Back to school")
    case.refresh_from_db()
    assert case.stage == Case.Stage.PLANNED
    action = services.action_add(
        actor=worker,
        case_id=goal.case_id,
        goal_id=goal.pk,
        description="Meet the director",
        owner=worker.user,
    )
    case.refresh_from_db()
    assert case.stage == Case.Stage.PLANNED
    services.action_update(
        actor=worker,
        case_id=action.goal.case_id,
        action_id=action.pk,
        description="Meet the director",
        status="done",
        owner=None,
        owner_text="Commune council",
    )
    case.refresh_from_db()
    assert case.stage == Case.Stage.IMPLEMENTING
    services.plan_review_add(
        actor=worker, case_id=case.pk, reviewed_on=timezone.localdate(), notes="On track."
    )
    services.goal_update(
        actor=worker,
        case_id=goal.case_id,
        goal_id=goal.pk,
        description="Back to school",
        status="achieved",
        domain=None,
    )
    assert actions(organisation) == [
        "cases.goal.created",
        "cases.action.created",
        "cases.action.updated",
        "cases.plan_review.created",
        "cases.goal.updated",
    ]


def test_an_action_needs_exactly_one_owner(organisation, case, worker):
    goal = factories.goal(case)
    with pytest.raises(ServiceError):
        services.action_add(actor=worker, case_id=goal.case_id, goal_id=goal.pk, description="Call")
    with pytest.raises(ServiceError):
        services.action_add(
            actor=worker,
            case_id=goal.case_id,
            goal_id=goal.pk,
            description="Call",
            owner=worker.user,
            owner_text="CCWC",
        )
    assert goal.actions.count() == 0


def test_a_conference_is_recorded(organisation, case, worker):
    conference = services.conference_add(
        actor=worker,
        case_id=case.pk,
        held_on=timezone.localdate(),
        participants="Sok, social worker\n\n  DoSVY officer  \n",
        decisions="Foster care for three months.",
    )
    assert conference.participants == "Sok, social worker\nDoSVY officer"
    assert actions(organisation) == ["cases.conference.created"]
    with pytest.raises(ServiceError):
        services.conference_add(
            actor=worker,
            case_id=case.pk,
            held_on=timezone.localdate(),
            participants=" ",
            decisions="x",
        )


# --- closure -----------------------------------------------------------------------------


def test_closing_needs_a_closure_assessment(organisation, case, worker):
    with pytest.raises(ServiceError) as error:
        services.closure_request(actor=worker, case_id=case.pk, reason="reintegrated")
    assert "closure assessment" in error.value.message
    case.refresh_from_db()
    assert case.closure_requested_on is None
    assert actions(organisation) == []


def test_closure_request_approval_and_reopening(organisation, case, worker, supervisor):
    factories.assessment(case, worker.user, kind="initial")
    factories.goal(case)
    factories.assessment(case, worker.user, kind="closure")
    services.closure_request(actor=worker, case_id=case.pk, reason="moved_away", notes="Home.")
    case.refresh_from_db()
    assert services.closure_pending(case)
    assert case.closure_requested_by == worker.user
    with pytest.raises(ServiceError):
        services.closure_request(actor=worker, case_id=case.pk, reason="moved_away")
    with pytest.raises(PermissionError):
        services.closure_approve(actor=worker, case_id=case.pk, approve=True)
    services.closure_approve(actor=supervisor, case_id=case.pk, approve=True)
    case.refresh_from_db()
    assert (case.status, case.stage) == (Case.Status.CLOSED, Case.Stage.CLOSED)
    assert case.closed_on == timezone.localdate()
    assert case.closure_approved_by == supervisor.user
    with pytest.raises(ServiceError):
        services.goal_add(actor=worker, case_id=case.pk, description="More")
    with pytest.raises(ServiceError):
        services.case_reopen(actor=worker, case_id=case.pk, reason="  ")
    services.case_reopen(actor=worker, case_id=case.pk, reason="Family broke down again.")
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert case.stage == Case.Stage.PLANNED
    assert (
        case.closed_on is None and case.closure_reason == "" and case.closure_requested_on is None
    )
    reopening = CaseReopening.objects.get(case=case)
    assert reopening.previous_closure_reason == "moved_away"
    assert reopening.previous_closed_on == timezone.localdate()
    assert actions(organisation) == [
        "cases.closure.requested",
        "cases.closure.approved",
        "cases.case.reopened",
    ]
    with pytest.raises(ServiceError):
        services.case_reopen(actor=worker, case_id=case.pk, reason="Again")


def test_a_closure_request_can_be_sent_back_with_a_note(organisation, case, worker, supervisor):
    factories.assessment(case, worker.user, kind="closure")
    services.closure_request(actor=worker, case_id=case.pk, reason="moved_away")
    with pytest.raises(ServiceError):
        services.closure_approve(actor=supervisor, case_id=case.pk, approve=False, note="")
    services.closure_approve(
        actor=supervisor, case_id=case.pk, approve=False, note="Visit once more."
    )
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert not services.closure_pending(case)
    # The note is kept on the case for the case worker (no longer read from the audit trail).
    assert case.closure_sent_back_note == "Visit once more."
    assert case.closure_sent_back_by == supervisor.user
    assert case.closure_sent_back_on == timezone.localdate()
    event = AuditEvent.objects.get(action="cases.closure.sent_back")
    assert event.changes["closure_sent_back_note"] == ["", "Visit once more."]
    with pytest.raises(ServiceError):
        services.closure_approve(actor=supervisor, case_id=case.pk, approve=True)


def test_a_closure_bumps_the_version_so_an_open_edit_form_conflicts(case, worker, supervisor):
    version = case.version
    factories.assessment(case, worker.user, kind="closure")
    services.closure_request(actor=worker, case_id=case.pk, reason="moved_away")
    with pytest.raises(EditConflict):
        edit(worker, case, version, risk_level="low")


# --- domains -----------------------------------------------------------------------------


def test_admins_manage_domains(organisation, member):
    admin = member(Role.ORG_ADMIN)
    assert services.domain_seed(actor=admin) == 12
    domain = services.domain_create(actor=admin, name_en="Spiritual life", name_km="ជីវិតខាងវិញ្ញាណ")
    assert domain.position == 130
    assert domain.code == "spiritual-life"
    with pytest.raises(ServiceError):
        services.domain_create(actor=admin, name_en="spiritual life")
    services.domain_update(
        actor=admin,
        domain_id=domain.pk,
        name_en="Spirit",
        name_km="វិញ្ញាណ",
        position=5,
        is_active=False,
    )
    domain.refresh_from_db()
    assert (domain.name_en, domain.position, domain.is_active) == ("Spirit", 5, False)
    assert actions(organisation) == [
        "cases.domain.seeded",
        "cases.domain.created",
        "cases.domain.updated",
    ]
    with pytest.raises(PermissionError):
        services.domain_create(actor=member(Role.SUPERVISOR), name_en="Other")
