"""Dates that make sense: every dated record of a case is refused before the case was
identified, before the person was born (a year before an estimated date of birth) and after
today in Cambodia, by the one check every service calls (cases.services.records.case_date),
with a message that names the limit, on the field the form shows it beside."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from phteah.care import services as care
from phteah.care.models import Placement, ReunificationAssessment
from phteah.cases import services
from phteah.cases.models import Visit
from phteah.cases.services.records import case_date, case_earliest_date
from phteah.core.errors import ServiceError
from tests.factories import (
    CaseFactory,
    PersonFactory,
    PlacementFactory,
    RelativeFactory,
    ServiceDeliveryFactory,
    ServiceTypeFactory,
    VisitFactory,
    domains,
    goal,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


def identified(case) -> datetime.date:
    return timezone.localtime(case.identified_at).date()


def earliest(case) -> datetime.date:
    return case_earliest_date(case)[0]


def _visit(actor, case, day):
    services.visit_record(actor=actor, case_id=case.pk, visited_on=day, kind=Visit.Kind.HOME)


def _visit_update(actor, case, day):
    visit = VisitFactory(case=case, recorded_by=actor.user, visited_on=today() - DAY)
    services.visit_update(
        actor=actor, case_id=case.pk, visit_id=visit.pk, visited_on=day, kind=Visit.Kind.PHONE
    )


def _service(actor, case, day):
    service_type = ServiceTypeFactory(organisation=case.organisation)
    services.service_record(
        actor=actor, case_id=case.pk, service_type=service_type, delivered_on=day
    )


def _service_update(actor, case, day):
    service = ServiceDeliveryFactory(case=case, recorded_by=actor.user)
    services.service_update(
        actor=actor,
        case_id=case.pk,
        service_id=service.pk,
        service_type=service.service_type,
        delivered_on=day,
        quantity=Decimal(1),
    )


def _assessment(actor, case, day):
    scores = {domain.pk: (3, "") for domain in domains(case.organisation)}
    services.assessment_add(
        actor=actor,
        case_id=case.pk,
        kind="full",
        assessed_on=day,
        risk_level="medium",
        scores=scores,
    )


def _plan_review(actor, case, day):
    services.plan_review_add(actor=actor, case_id=case.pk, reviewed_on=day, notes="On track.")


def _conference(actor, case, day):
    services.conference_add(
        actor=actor,
        case_id=case.pk,
        held_on=day,
        participants="Sok, social worker",
        decisions="Stay in kinship care.",
    )


def _action(actor, case, day):
    services.action_add(
        actor=actor,
        case_id=case.pk,
        goal_id=goal(case).pk,
        description="Meet the school director",
        owner_text="Commune council",
        due_on=day,
    )


def _placement(actor, case, day):
    care.placement_start(
        actor=actor, case_id=case.pk, care_type="kinship", started_on=day, reason="Aunt agreed."
    )


def _placement_end(actor, case, day):
    placement = PlacementFactory(case=case, started_on=earliest(case), recorded_by=actor.user)
    care.placement_end(
        actor=actor,
        case_id=case.pk,
        placement_id=placement.pk,
        ended_on=day,
        outcome=Placement.Outcome.REINTEGRATED,
    )


def _tracing(actor, case, day):
    care.tracing_record(
        actor=actor,
        case_id=case.pk,
        done_on=day,
        where_searched="Home village",
        done_by="Sok",
        outcome="Aunt found.",
    )


def _relative(actor, case, day):
    care.relative_add(
        actor=actor, case_id=case.pk, name="Chan Srey", relationship="aunt", found_on=day
    )


def _reunification(actor, case, day):
    care.reunification_record(
        actor=actor,
        case_id=case.pk,
        assessed_on=day,
        recommendation=ReunificationAssessment.Recommendation.NOT_YET,
        notes="More support needed.",
    )


def _reunified(actor, case, day):
    relative = RelativeFactory(case=case, found_on=earliest(case))
    care.reunification_record(
        actor=actor,
        case_id=case.pk,
        assessed_on=earliest(case),
        recommendation=ReunificationAssessment.Recommendation.REUNIFY,
        notes="Ready.",
        relative=relative,
        reunified_on=day,
    )


# (record, the field the refusal is shown on, whether the date may be in the future)
RECORDS = {
    "visit": (_visit, "visited_on", False),
    "visit changed": (_visit_update, "visited_on", False),
    "service": (_service, "delivered_on", False),
    "service changed": (_service_update, "delivered_on", False),
    "assessment": (_assessment, "assessed_on", False),
    "plan review": (_plan_review, "reviewed_on", False),
    "conference": (_conference, "held_on", False),
    "plan action (due)": (_action, "due_on", True),
    "placement": (_placement, "started_on", False),
    "placement ended": (_placement_end, "ended_on", False),
    "tracing action": (_tracing, "done_on", False),
    "relative found": (_relative, "found_on", False),
    "reunification assessment": (_reunification, "assessed_on", False),
    "reunification": (_reunified, "reunified_on", False),
}


@pytest.fixture
def old_case(organisation, worker, supervisor):
    """A case identified 200 days ago of a child born ten years ago."""
    case = CaseFactory(
        organisation=organisation,
        workers=[worker.user],
        supervisor=supervisor.user,
        identified_at=timezone.now() - 200 * DAY,
        person__date_of_birth=today() - 3650 * DAY,
    )
    return case


@pytest.mark.parametrize("kind", RECORDS)
class TestEveryDatedRecord:
    def test_a_date_before_the_identification_is_refused_naming_it(self, kind, worker, old_case):
        record, field, _future = RECORDS[kind]
        with pytest.raises(ServiceError) as error:
            record(worker, old_case, identified(old_case) - DAY)
        assert error.value.field == field
        if kind != "placement ended":  # refused first as before the placement's start
            assert "before the case was identified on" in str(error.value)
            day = identified(old_case)
            assert f"{day.day} {day:%B} {day.year}" in str(error.value)  # day month year

    def test_the_1990_visit_is_refused(self, kind, worker, old_case):
        record, field, _future = RECORDS[kind]
        with pytest.raises(ServiceError) as error:
            record(worker, old_case, datetime.date(1990, 1, 1))
        assert error.value.field == field

    def test_the_day_of_identification_and_today_are_accepted(self, kind, worker, old_case):
        record, _field, _future = RECORDS[kind]
        if kind not in ("placement", "placement ended"):  # one current placement at a time
            record(worker, old_case, identified(old_case))
        record(worker, old_case, today())

    def test_a_date_in_the_future_is_refused_unless_it_is_a_due_date(self, kind, worker, old_case):
        record, field, future = RECORDS[kind]
        if future:
            record(worker, old_case, today() + 30 * DAY)
            return
        with pytest.raises(ServiceError) as error:
            record(worker, old_case, today() + DAY)
        assert error.value.field == field
        assert "cannot be after today" in str(error.value)

    def test_a_date_before_birth_is_refused(self, kind, worker, organisation, supervisor):
        # Identified before the recorded date of birth (say the date of birth was corrected
        # later): the later of the two limits holds.
        case = CaseFactory(
            organisation=organisation,
            workers=[worker.user],
            supervisor=supervisor.user,
            identified_at=timezone.now() - 300 * DAY,
            person__date_of_birth=today() - 100 * DAY,
        )
        record, field, _future = RECORDS[kind]
        with pytest.raises(ServiceError) as error:
            record(worker, case, today() - 150 * DAY)
        assert error.value.field == field
        if kind != "placement ended":
            assert "before the date of birth" in str(error.value)


class TestTheLimit:
    def test_an_estimated_date_of_birth_allows_a_year_before_it(self, organisation):
        case = CaseFactory(
            organisation=organisation,
            identified_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
            person__date_of_birth=datetime.date(2025, 6, 15),
            person__date_of_birth_estimated=True,
        )
        earliest, message = case_earliest_date(case)
        assert earliest == datetime.date(2024, 6, 15)
        assert "a year before the estimated date of birth" in message
        case_date(case, datetime.date(2024, 6, 15), "visited_on")
        with pytest.raises(ServiceError, match="estimated date of birth"):
            case_date(case, datetime.date(2024, 6, 14), "visited_on")

    def test_an_estimated_29_february(self, organisation):
        case = CaseFactory(
            organisation=organisation,
            identified_at=datetime.datetime(2010, 1, 1, tzinfo=datetime.UTC),
            person__date_of_birth=datetime.date(2016, 2, 29),
            person__date_of_birth_estimated=True,
        )
        assert case_earliest_date(case)[0] == datetime.date(2015, 2, 28)

    def test_the_identification_day_is_the_day_in_cambodia(self, organisation):
        # 20:00 UTC on 1 March is 03:00 on 2 March in Phnom Penh.
        case = CaseFactory(
            organisation=organisation,
            identified_at=datetime.datetime(2025, 3, 1, 20, 0, tzinfo=datetime.UTC),
            person__date_of_birth=datetime.date(2015, 1, 1),
        )
        assert case_earliest_date(case)[0] == datetime.date(2025, 3, 2)
        with pytest.raises(ServiceError, match="identified on 2 March 2025"):
            case_date(case, datetime.date(2025, 3, 1), "visited_on")

    @hypothesis_settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        offset=st.integers(min_value=-3000, max_value=3000),
        born=st.integers(min_value=0, max_value=6000),
        estimated=st.booleans(),
    )
    def test_a_date_passes_exactly_when_it_is_within_the_limits(
        self, organisation, offset, born, estimated
    ):
        case = CaseFactory.build(
            organisation=organisation,
            identified_at=timezone.now() - 1000 * DAY,
            person=None,
        )
        case.person = PersonFactory.build(
            organisation=organisation,
            date_of_birth=today() - born * DAY,
            date_of_birth_estimated=estimated,
        )
        day = today() + offset * DAY
        earliest = identified(case)
        birth = case.person.date_of_birth
        if estimated:
            try:
                birth = birth.replace(year=birth.year - 1)
            except ValueError:
                birth = birth.replace(year=birth.year - 1, day=28)
        earliest = max(earliest, birth)
        allowed = earliest <= day <= today()
        try:
            case_date(case, day, "visited_on")
        except ServiceError:
            assert not allowed
        else:
            assert allowed


def test_opening_a_case_identified_before_birth_is_refused(supervisor, worker):
    person = PersonFactory(organisation=worker.organisation, date_of_birth=today() - 30 * DAY)
    with pytest.raises(ServiceError) as error:
        services.case_open(
            actor=supervisor,
            person_id=person.pk,
            case_type="emergency",
            referral_source="police",
            referral_reason="Found alone.",
            identified_at=timezone.now() - 60 * DAY,
            risk_level="high",
            workers=[worker.user],
        )
    assert error.value.field == "identified_on"
    assert "before the date of birth" in str(error.value)
