import datetime

import pytest
from django.utils import timezone

from phteah.care import services
from phteah.care.models import Placement
from phteah.cases.models import Case
from phteah.core.errors import ServiceError
from phteah.core.models import AuditEvent
from tests.factories import (
    CareProviderFactory,
    CaseFactory,
    PlacementFactory,
)

TODAY = timezone.localdate()


DAY = datetime.timedelta(days=1)


pytestmark = pytest.mark.django_db


def last_event():
    return AuditEvent.objects.order_by("-id").first()


class TestPlacements:
    def start(self, worker, case, **kwargs):
        values = {
            "care_type": "emergency_foster",
            "started_on": TODAY - 10 * DAY,
            "reason": "Unsafe at home.",
        } | kwargs
        return services.placement_start(actor=worker, case_id=case.pk, **values)

    def test_starting_a_placement(self, worker, case, organisation, events):
        provider = CareProviderFactory(organisation=organisation)
        placement = self.start(worker, case, provider=provider)
        assert placement.ended_on is None and placement.recorded_by == worker.user
        assert events() == ["care.placement.started"]
        assert last_event().case_id == case.pk
        assert last_event().data == {"care_type": "emergency_foster"}

    def test_a_new_placement_ends_the_current_one_on_its_start(self, worker, case, events):
        first = self.start(worker, case)
        second = self.start(worker, case, care_type="kinship", started_on=TODAY - 2 * DAY)
        first.refresh_from_db()
        assert first.ended_on == TODAY - 2 * DAY and first.outcome == "moved"
        assert Placement.objects.filter(case=case, ended_on__isnull=True).get() == second
        assert events() == [
            "care.placement.started",
            "care.placement.ended",
            "care.placement.started",
        ]

    def test_a_new_placement_cannot_start_before_the_current_one(self, worker, case, events):
        first = self.start(worker, case)
        with pytest.raises(ServiceError) as error:
            self.start(worker, case, started_on=TODAY - 11 * DAY)
        assert error.value.field == "started_on"
        first.refresh_from_db()
        assert first.ended_on is None and Placement.objects.count() == 1
        assert events() == ["care.placement.started"]

    def test_a_new_placement_cannot_overlap_an_ended_one(self, worker, case):
        PlacementFactory(
            case=case,
            recorded_by=worker.user,
            started_on=TODAY - 30 * DAY,
            ended_on=TODAY - 5 * DAY,
            outcome="moved",
        )
        with pytest.raises(ServiceError):
            self.start(worker, case, started_on=TODAY - 6 * DAY)
        assert self.start(worker, case, started_on=TODAY - 5 * DAY)

    def test_a_full_provider_needs_confirmation(self, worker, case, organisation, events):
        provider = CareProviderFactory(organisation=organisation, capacity=1)
        other = CaseFactory(organisation=organisation)
        PlacementFactory(case=other, provider=provider, recorded_by=worker.user)
        with pytest.raises(ServiceError) as error:
            self.start(worker, case, provider=provider)
        assert error.value.field == "over_capacity"
        assert not Placement.objects.filter(case=case).exists() and events() == []
        self.start(worker, case, provider=provider, over_capacity=True)
        assert last_event().data == {
            "care_type": "emergency_foster",
            "over_capacity": True,
            "occupied": 1,
            "capacity": 1,
        }

    def test_moving_within_the_same_provider_frees_the_childs_own_place(
        self, worker, case, organisation
    ):
        provider = CareProviderFactory(organisation=organisation, capacity=1)
        self.start(worker, case, provider=provider)
        self.start(worker, case, care_type="long_term_foster", provider=provider, started_on=TODAY)
        assert "over_capacity" not in last_event().data

    def test_the_provider_must_fit_the_care_type(self, worker, case, organisation):
        pagoda = CareProviderFactory(organisation=organisation, kind="pagoda")
        with pytest.raises(ServiceError):
            self.start(worker, case, provider=pagoda)
        with pytest.raises(ServiceError):
            self.start(worker, case, care_type="kinship", provider=pagoda)
        assert self.start(worker, case, care_type="pagoda", provider=pagoda)

    def test_ending(self, worker, case, events):
        placement = self.start(worker, case)
        with pytest.raises(ServiceError) as error:
            services.placement_end(
                actor=worker,
                case_id=case.pk,
                placement_id=placement.pk,
                ended_on=TODAY - 11 * DAY,
                outcome="reintegrated",
            )
        assert error.value.field == "ended_on"
        services.placement_end(
            actor=worker,
            case_id=case.pk,
            placement_id=placement.pk,
            ended_on=TODAY,
            outcome="reintegrated",
            outcome_notes="Back with the grandmother.",
        )
        placement.refresh_from_db()
        assert placement.ended_on == TODAY and placement.outcome == "reintegrated"
        assert events() == ["care.placement.started", "care.placement.ended"]
        with pytest.raises(ServiceError):
            services.placement_end(
                actor=worker,
                case_id=case.pk,
                placement_id=placement.pk,
                ended_on=TODAY,
                outcome="moved",
            )

    def test_a_kinship_placement_moves_the_case_to_follow_up(self, worker, case):
        self.start(worker, case, care_type="kinship")
        case.refresh_from_db()
        assert case.stage == Case.Stage.FOLLOW_UP
