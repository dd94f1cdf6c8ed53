"""Every due/overdue computation at its boundaries (run on SQLite and on PostgreSQL)."""

from datetime import date, timedelta

import pytest

from phteah.accounts.roles import Role
from phteah.care import progress as due
from phteah.care.models import CareRule
from phteah.care.services import care_rules_seed
from phteah.cases.models import Assessment, Case
from phteah.core.dates import DayNumber, DayToDate, EpochSeconds
from phteah.work import selectors
from tests.factories import CaseFactory, at
from tests.factories import dated_assessment as assessment
from tests.factories import dated_placement as placement
from tests.factories import dated_visit as visit

TODAY = date(2026, 3, 15)
NOW = at(2026, 3, 15, 12, 0)
DAY = timedelta(days=1)


@pytest.fixture
def worker(member, organisation):
    care_rules_seed(organisation=organisation)
    return member(Role.CASE_WORKER)


def new_case(organisation, worker, *, opened_on=TODAY, risk="no_action", **kwargs):
    kwargs.setdefault("identified_at", at(opened_on.year, opened_on.month, opened_on.day, 8))
    return CaseFactory(
        organisation=organisation,
        workers=[worker.user],
        opened_on=opened_on,
        risk_level=risk,
        **kwargs,
    )


def follow_ups(worker, today):
    return selectors.follow_ups_count(selectors.follow_ups_due(worker, today=today), today=today)


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.django_db
def test_day_numbers_round_trip_on_this_database(organisation, worker):
    case = new_case(organisation, worker, opened_on=date(2024, 2, 29))
    row = (
        Case.objects.filter(pk=case.pk)
        .annotate(
            day=DayNumber("opened_on"),
            back=DayToDate(DayNumber("opened_on") + 366),
            seconds=EpochSeconds("identified_at"),
        )
        .values("day", "back", "seconds")
        .get()
    )
    assert row["day"] == (date(2024, 2, 29) - date(1970, 1, 1)).days
    assert row["back"] == date(2025, 3, 1)
    assert row["seconds"] == int(at(2024, 2, 29, 8).timestamp())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "opened_days_ago, overdue", [(29, False), (30, False), (31, True)], ids=["29", "30", "31"]
)
def test_visit_due_from_the_opening_date(organisation, worker, opened_days_ago, overdue):
    # no care type, no risk rule: the default 30 days applies; due today is not overdue.
    case = new_case(organisation, worker, opened_on=TODAY - opened_days_ago * DAY)
    found = ids(selectors.visit_overdue_cases(worker, today=TODAY))
    assert (case.pk in found) is overdue


@pytest.mark.django_db
def test_visit_due_from_the_latest_visit_and_its_next_visit_date(organisation, worker):
    old = TODAY - 200 * DAY
    by_interval = new_case(organisation, worker, opened_on=old)
    visit(by_interval, TODAY - 31 * DAY)
    visit(by_interval, TODAY - 100 * DAY)
    on_time = new_case(organisation, worker, opened_on=old)
    visit(on_time, TODAY - 30 * DAY)
    # the next-visit date written at the visit can bring the visit forward, never put it off
    # beyond the rule's interval (30 days here): the rule table decides
    promised_later = new_case(organisation, worker, opened_on=old)
    visit(promised_later, TODAY - 40 * DAY, next_visit_due=TODAY)
    promised_sooner = new_case(organisation, worker, opened_on=old)
    visit(promised_sooner, TODAY - 3 * DAY, next_visit_due=TODAY - DAY)
    promised_within = new_case(organisation, worker, opened_on=old)
    visit(promised_within, TODAY - 20 * DAY, next_visit_due=TODAY + DAY)

    rows = {c.pk: c for c in selectors.visit_overdue_cases(worker, today=TODAY)}
    assert set(rows) == {by_interval.pk, promised_later.pk, promised_sooner.pk}
    assert rows[by_interval.pk].visit_due_on == TODAY - DAY
    assert rows[by_interval.pk].last_visited_on == TODAY - 31 * DAY
    assert rows[promised_later.pk].visit_due_on == TODAY - 10 * DAY
    assert rows[promised_sooner.pk].visit_due_on == TODAY - DAY


@pytest.mark.django_db
@pytest.mark.parametrize(
    "care_type, risk, interval",
    [
        ("long_term_foster", "no_action", 60),  # care type only
        ("long_term_foster", "low", 30),  # risk rule is stricter
        ("long_term_foster", "high", 7),
        ("residential", "medium", 14),
        ("emergency_foster", "low", 30),
        ("", "medium", 14),  # no placement: default 30 vs risk 14
        ("", "no_action", 30),  # default row
    ],
)
def test_the_stricter_of_care_type_and_risk_level_applies(
    organisation, worker, care_type, risk, interval
):
    case = new_case(organisation, worker, opened_on=TODAY - 400 * DAY, risk=risk)
    if care_type:
        placement(case, care_type, TODAY - 300 * DAY)
    on_time = TODAY - interval * DAY
    late = on_time - DAY
    visit(case, on_time)
    assert case.pk not in ids(selectors.visit_overdue_cases(worker, today=TODAY))
    row = due.due_annotate(Case.objects.filter(pk=case.pk)).get()
    assert row.visit_every == interval
    visit(case, late)  # an older visit changes nothing
    assert case.pk not in ids(selectors.visit_overdue_cases(worker, today=TODAY))
    assert case.pk in ids(selectors.visit_overdue_cases(worker, today=TODAY + DAY))


@pytest.mark.django_db
def test_ended_placements_do_not_count_and_rules_are_the_cases_organisation(
    organisation, other_organisation, worker, member
):
    case = new_case(organisation, worker, opened_on=TODAY - 400 * DAY)
    placement(case, "residential", TODAY - 300 * DAY, ended_on=TODAY - 100 * DAY)
    visit(case, TODAY - 45 * DAY)  # residential would allow 90; the default is 30
    assert case.pk in ids(selectors.visit_overdue_cases(worker, today=TODAY))

    care_rules_seed(organisation=other_organisation)
    CareRule.objects.filter(organisation=other_organisation, kind="visit_every").update(value=1)
    due.organisation_due_refresh(other_organisation.pk)
    assert case.pk in ids(selectors.visit_overdue_cases(worker, today=TODAY))
    CareRule.objects.filter(organisation=organisation, kind="visit_every", care_type="").update(
        value=60
    )
    assert case.pk in ids(selectors.visit_overdue_cases(worker, today=TODAY))  # stored
    due.organisation_due_refresh(organisation.pk)  # as the rule services do
    assert case.pk not in ids(selectors.visit_overdue_cases(worker, today=TODAY))


@pytest.mark.django_db
def test_no_rule_means_nothing_is_ever_due(organisation, worker):
    case = new_case(organisation, worker, opened_on=TODAY - 400 * DAY)
    CareRule.objects.filter(organisation=organisation).delete()
    due.organisation_due_refresh(organisation.pk)
    assert case.pk not in ids(selectors.visit_overdue_cases(worker, today=TODAY))
    assert not selectors.initial_assessments_late(worker, now=NOW).exists()


@pytest.mark.django_db
def test_only_open_visible_cases_count(organisation, worker, member):
    mine = new_case(organisation, worker, opened_on=TODAY - 100 * DAY)
    closed = new_case(organisation, worker, opened_on=TODAY - 100 * DAY, status="closed")
    someone_elses = CaseFactory(
        organisation=organisation,
        workers=[member(Role.CASE_WORKER).user],
        opened_on=TODAY - 100 * DAY,
        risk_level="high",
    )
    found = ids(selectors.visit_overdue_cases(worker, today=TODAY))
    assert mine.pk in found and closed.pk not in found and someone_elses.pk not in found


@pytest.mark.django_db
@pytest.mark.parametrize(
    "hours_ago, late, soon",
    [
        (23, False, False),
        (24, False, False),
        (25, False, True),
        (48, False, True),
        (49, True, False),
    ],
)
def test_initial_assessment_target_and_limit(organisation, worker, hours_ago, late, soon):
    identified = NOW - timedelta(hours=hours_ago, seconds=0 if hours_ago in (24, 48) else 0)
    case = new_case(organisation, worker, identified_at=identified, opened_on=identified.date())
    assert (case.pk in ids(selectors.initial_assessments_late(worker, now=NOW))) is late
    assert (case.pk in ids(selectors.initial_assessments_due_soon(worker, now=NOW))) is soon
    assessment(case, TODAY, kind=Assessment.Kind.INITIAL)
    assert not selectors.initial_assessments_late(worker, now=NOW).exists()
    assert not selectors.initial_assessments_due_soon(worker, now=NOW).exists()


@pytest.mark.django_db
def test_initial_assessment_one_second_either_side_of_48_hours(organisation, worker):
    just_late = new_case(organisation, worker, identified_at=NOW - timedelta(hours=48, seconds=1))
    just_in = new_case(organisation, worker, identified_at=NOW - timedelta(hours=47, minutes=59))
    late = ids(selectors.initial_assessments_late(worker, now=NOW))
    assert just_late.pk in late and just_in.pk not in late


@pytest.mark.django_db
@pytest.mark.parametrize("days_ago, due", [(179, False), (180, False), (181, True)])
def test_assessment_review_due(organisation, worker, days_ago, due):
    case = new_case(organisation, worker, opened_on=TODAY - 400 * DAY)
    assessment(case, TODAY - 300 * DAY, kind=Assessment.Kind.INITIAL)
    assessment(case, TODAY - days_ago * DAY, kind=Assessment.Kind.REVIEW)
    rows = {c.pk: c for c in selectors.reviews_due(worker, today=TODAY)}
    assert (case.pk in rows) is due
    if due:
        assert rows[case.pk].review_due_on == TODAY - (days_ago - 180) * DAY
    unassessed = new_case(organisation, worker, opened_on=TODAY - 400 * DAY)
    assert unassessed.pk not in ids(selectors.reviews_due(worker, today=TODAY))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "care_type, days, past",
    [
        ("temporary_centre", 180, False),
        ("temporary_centre", 181, True),
        ("emergency_foster", 90, False),
        ("emergency_foster", 91, True),
        ("family_house", 366, True),
        ("birth_family", 3000, False),  # no longest stay for family care
    ],
)
def test_placements_past_their_limit(organisation, worker, care_type, days, past):
    case = new_case(organisation, worker, opened_on=TODAY - 4000 * DAY)
    placement(case, care_type, TODAY - days * DAY)
    rows = {c.pk: c for c in selectors.placements_past_limit(worker, today=TODAY)}
    assert (case.pk in rows) is past
    if past:
        assert rows[case.pk].current_care_type == care_type


@pytest.mark.django_db
def test_follow_ups_after_reintegration(organisation, worker):
    returned = TODAY - 30 * DAY  # the 30-day follow-up is due today
    case = new_case(organisation, worker, opened_on=TODAY - 300 * DAY)
    placement(case, "temporary_centre", TODAY - 200 * DAY, ended_on=returned)
    placement(case, "birth_family", returned)
    rows = {c.pk: c for c in follow_ups(worker, TODAY)}
    assert rows[case.pk].follow_ups_due == 1
    assert rows[case.pk].follow_up_due_on == TODAY
    # not yet due the day before
    assert case.pk not in ids(selectors.follow_ups_due(worker, today=TODAY - DAY))
    # a visit 8 days before the date does not count; 7 days before does
    visit(case, TODAY - 8 * DAY)
    assert case.pk in ids(selectors.follow_ups_due(worker, today=TODAY))
    visit(case, TODAY - 7 * DAY)
    assert case.pk not in ids(selectors.follow_ups_due(worker, today=TODAY))
    # 100 days after the return, the 90-day follow-up is due again
    rows = {c.pk: c for c in follow_ups(worker, returned + 100 * DAY)}
    assert rows[case.pk].follow_ups_due == 1
    assert rows[case.pk].follow_up_due_on == returned + 90 * DAY


@pytest.mark.django_db
def test_missed_follow_ups_add_up_and_only_family_care_counts(organisation, worker):
    kin = new_case(organisation, worker, opened_on=TODAY - 300 * DAY)
    placement(kin, "kinship", TODAY - 200 * DAY)
    centre = new_case(organisation, worker, opened_on=TODAY - 300 * DAY)
    placement(centre, "temporary_centre", TODAY - 200 * DAY)
    rows = {c.pk: c for c in follow_ups(worker, TODAY)}
    assert set(rows) == {kin.pk}
    assert rows[kin.pk].follow_ups_due == 3  # 30, 90 and 180 days
    assert rows[kin.pk].follow_up_due_on == TODAY - 170 * DAY


@pytest.mark.django_db
def test_approvals_waiting_are_for_supervisors(organisation, worker, supervisor):
    requested = new_case(organisation, worker, supervisor=supervisor.user)
    Case.objects.filter(pk=requested.pk).update(closure_requested_on=TODAY)
    new_case(organisation, worker, supervisor=supervisor.user)
    assert ids(selectors.approvals_waiting(supervisor)) == {requested.pk}
    assert not selectors.approvals_waiting(worker).exists()
