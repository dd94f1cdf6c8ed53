"""The stored due dates (phteah.care.progress) are kept right by every service that changes what
they depend on: the case, its visits, assessments and placements, and the rule table."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from phteah.accounts.roles import Role
from phteah.care import progress as due
from phteah.care import services
from phteah.care import services as care
from phteah.care.models import CareRule
from phteah.cases import services as cases
from phteah.cases.models import Case
from tests import factories as case_rows
from tests.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def supervisor(member, organisation):
    services.care_rules_seed(organisation=organisation)
    return member(Role.SUPERVISOR)


@pytest.fixture
def case(organisation, supervisor):
    today = timezone.localdate()
    return CaseFactory(
        organisation=organisation,
        workers=[supervisor.user],
        supervisor=supervisor.user,
        opened_on=today - 100 * DAY,
        identified_at=timezone.now() - 100 * DAY,
        risk_level="no_action",
    )


def stored(case) -> Case:
    """The case as stored, whichever organisation it belongs to."""
    with scopes_disabled():
        return Case.objects.get(pk=case.pk)


def scores(organisation):
    return {domain.pk: (3, "Fine.") for domain in case_rows.domains(organisation)}


def test_a_new_case_is_due_from_its_opening_and_identification(organisation, supervisor):
    person = PersonFactory(organisation=organisation, created_by=supervisor.user)
    identified = timezone.now() - datetime.timedelta(hours=2)
    case = cases.case_open(
        actor=supervisor,
        person_id=person.pk,
        case_type="emergency",
        referral_source="police",
        referral_reason="Found alone at the bus station.",
        identified_at=identified,
        risk_level="high",
        workers=[supervisor.user],
    )
    row = stored(case)
    assert row.visit_due_on == row.opened_on + 7 * DAY  # high risk: every 7 days
    assert row.initial_target_at == identified + datetime.timedelta(hours=24)
    assert row.initial_limit_at == identified + datetime.timedelta(hours=48)
    assert row.review_due_on is None and row.current_care_type == ""


def test_recording_a_visit_moves_the_next_visit(case, supervisor):
    today = timezone.localdate()
    assert stored(case).visit_due_on == case.opened_on + 30 * DAY
    cases.visit_record(actor=supervisor, case_id=case.pk, visited_on=today - 2 * DAY, kind="home")
    row = stored(case)
    assert (row.last_visited_on, row.visit_due_on) == (today - 2 * DAY, today + 28 * DAY)
    visit = cases.visit_record(
        actor=supervisor,
        case_id=case.pk,
        visited_on=today,
        kind="home",
        next_visit_due=today + 3 * DAY,
    )
    assert stored(case).visit_due_on == today + 3 * DAY
    cases.visit_update(
        actor=supervisor,
        case_id=case.pk,
        visit_id=visit.pk,
        visited_on=today,
        kind="home",
        next_visit_due=today + 10 * DAY,
    )
    assert stored(case).visit_due_on == today + 10 * DAY


def test_an_initial_assessment_clears_the_deadline_and_starts_the_review_clock(
    organisation, case, supervisor
):
    assert stored(case).initial_limit_at is not None
    today = timezone.localdate()
    cases.assessment_add(
        actor=supervisor,
        case_id=case.pk,
        kind="initial",
        assessed_on=today,
        risk_level="high",
        scores=scores(organisation),
    )
    row = stored(case)
    assert row.initial_limit_at is None and row.initial_target_at is None
    assert (row.last_assessed_on, row.review_due_on) == (today, today + 180 * DAY)
    assert row.visit_due_on == case.opened_on + 7 * DAY  # the assessment set the risk high


def test_placements_set_the_care_type_and_the_longest_stay(case, supervisor):
    today = timezone.localdate()
    placement = care.placement_start(
        actor=supervisor,
        case_id=case.pk,
        care_type="emergency_foster",
        started_on=today - 5 * DAY,
        reason="Danger at home.",
    )
    row = stored(case)
    assert (row.current_care_type, row.current_started_on) == ("emergency_foster", today - 5 * DAY)
    assert row.stay_limit_on == today + 85 * DAY
    care.placement_end(
        actor=supervisor,
        case_id=case.pk,
        placement_id=placement.pk,
        ended_on=today,
        outcome="reintegrated",
    )
    row = stored(case)
    assert (row.current_care_type, row.stay_limit_on) == ("", None)


def test_a_return_home_schedules_the_first_follow_up(case, supervisor):
    today = timezone.localdate()
    care.placement_start(
        actor=supervisor,
        case_id=case.pk,
        care_type="birth_family",
        started_on=today - 40 * DAY,
        reason="Reunified.",
    )
    assert stored(case).follow_up_due_on == today - 10 * DAY  # 30 days after the return
    cases.visit_record(actor=supervisor, case_id=case.pk, visited_on=today, kind="home")
    assert stored(case).follow_up_due_on == today + 50 * DAY  # the 90-day one


def test_changing_the_risk_level_changes_the_visit_interval(case, supervisor):
    cases.case_update(
        actor=supervisor,
        case_id=case.pk,
        expected_version=case.version,
        case_type=case.case_type,
        referral_source=case.referral_source,
        referral_source_detail="",
        referral_reason=case.referral_reason,
        risk_level="medium",
        supervisor=supervisor.user,
        workers=[supervisor.user],
    )
    assert stored(case).visit_due_on == case.opened_on + 14 * DAY


def test_rule_changes_refresh_the_organisations_open_cases_only(
    organisation, other_organisation, case, supervisor, member
):
    services.care_rules_seed(organisation=other_organisation)
    elsewhere = CaseFactory(
        organisation=other_organisation, opened_on=case.opened_on, risk_level="no_action"
    )
    admin = member(Role.ORG_ADMIN)
    rule = CareRule.objects.get(
        organisation=organisation, kind="visit_every", care_type="", risk_level=""
    )
    services.care_rule_update(actor=admin, rule_id=rule.pk, value=45)
    assert stored(case).visit_due_on == case.opened_on + 45 * DAY
    assert stored(elsewhere).visit_due_on == case.opened_on + 30 * DAY
    services.care_rule_remove(actor=admin, rule_id=rule.pk)
    assert stored(case).visit_due_on is None  # no rule: never due
    services.care_rules_restore_defaults(actor=admin)
    assert stored(case).visit_due_on == case.opened_on + 30 * DAY
    services.care_rule_add(actor=admin, kind="visit_every", risk_level="no_action", value=20)
    assert stored(case).visit_due_on == case.opened_on + 20 * DAY


def test_closing_clears_what_is_due_and_reopening_brings_it_back(organisation, case, supervisor):
    case_rows.assessment(case, supervisor.user, kind="closure")
    cases.closure_request(actor=supervisor, case_id=case.pk, reason="moved_away")
    cases.closure_approve(actor=supervisor, case_id=case.pk, approve=True)
    row = stored(case)
    assert row.status == Case.Status.CLOSED
    assert all(getattr(row, name) is None for name in Case.DUE_DATES)
    cases.case_reopen(actor=supervisor, case_id=stored(case).pk, reason="Back on the street.")
    assert stored(case).visit_due_on == case.opened_on + 30 * DAY


def test_refresh_writes_only_what_changed(organisation, case):
    queryset = Case.objects.filter(organisation=organisation)
    assert due.cases_progress_refresh(queryset) == 0
    Case.objects.filter(pk=case.pk).update(visit_due_on=None)
    assert due.cases_progress_refresh(queryset) == 1
    assert stored(case).visit_due_on == case.opened_on + 30 * DAY


@pytest.mark.django_db(transaction=True)
def test_two_changes_to_one_case_at_the_same_moment_are_both_counted(organisation, case):
    """A visit and an assessment recorded in two transactions at once: the refresh that runs
    second waits for the first to commit (the case row is locked) and sees both."""
    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time")
    import threading

    from django_scopes import scopes_disabled

    from phteah.cases.models import Assessment, Visit

    today = timezone.localdate()
    user = case.assignments.first().user
    a_refreshed, b_inserted = threading.Event(), threading.Event()
    errors = []

    def visit_transaction():
        try:
            with scopes_disabled(), transaction.atomic():
                Visit.objects.create(
                    organisation=organisation, case=case, visited_on=today, kind="home",
                    recorded_by=user,
                )  # fmt: skip
                due.cases_progress_refresh(Case.objects.filter(pk=case.pk))
                a_refreshed.set()
                b_inserted.wait(5)
                threading.Event().wait(0.3)  # let the other transaction reach its refresh
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            a_refreshed.set()
            connections.close_all()

    def assessment_transaction():
        try:
            a_refreshed.wait(5)
            with scopes_disabled(), transaction.atomic():
                Assessment.objects.create(
                    organisation=organisation, case=case, kind="review", assessed_on=today,
                    risk_level="no_action", assessed_by=user,
                )  # fmt: skip
                b_inserted.set()
                due.cases_progress_refresh(Case.objects.filter(pk=case.pk))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            b_inserted.set()
            connections.close_all()

    threads = [
        threading.Thread(target=visit_transaction),
        threading.Thread(target=assessment_transaction),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not errors
    row = stored(case)
    assert (row.last_visited_on, row.last_assessed_on) == (today, today)
