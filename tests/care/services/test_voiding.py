"""Voiding a mistaken placement: the placement it replaced becomes current again, the
provider's place is freed, and a supervisor can restore it."""

import datetime

import pytest
from django.utils import timezone

from phteah.care import selectors, services
from phteah.care.models import Placement
from phteah.cases.models import Case
from phteah.core.errors import NotFound, ServiceError
from tests.factories import CareProviderFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)

pytestmark = pytest.mark.django_db


def start(actor, case, **kwargs):
    values = {
        "care_type": "emergency_foster",
        "started_on": TODAY - 10 * DAY,
        "reason": "Unsafe at home.",
    } | kwargs
    return services.placement_start(actor=actor, case_id=case.pk, **values)


def void(actor, case, placement, reason="Recorded for the wrong child."):
    return services.placement_void(
        actor=actor, case_id=case.pk, placement_id=placement.pk, reason=reason
    )


def test_voiding_the_current_placement_makes_the_previous_one_current(worker, case, events):
    first = start(worker, case, started_on=TODAY - 30 * DAY)
    wrong = start(worker, case, care_type="kinship", started_on=TODAY - 2 * DAY)
    assert Case.objects.get(pk=case.pk).current_care_type == "kinship"
    void(worker, case, wrong)
    first.refresh_from_db()
    wrong.refresh_from_db()
    assert first.ended_on is None and first.outcome == ""
    assert wrong.is_voided and wrong.ended_on is None
    assert selectors.current_placement(actor=worker, case=case) == first
    stored = Case.objects.get(pk=case.pk)
    assert stored.current_care_type == "emergency_foster"
    assert stored.current_started_on == TODAY - 30 * DAY
    assert events()[-2:] == ["care.placement.resumed", "care.placement.voided"]
    care = selectors.care_case_context(actor=worker, case=case)["care"]
    assert care["current_placement"] == first
    assert care["placement_history"] == [wrong]  # shown, struck through


def test_voiding_frees_the_providers_place(worker, case, organisation):
    provider = CareProviderFactory(organisation=organisation, capacity=1)
    placement = start(worker, case, provider=provider)
    assert selectors.provider_list(actor=worker).get(pk=provider.pk).occupied == 1
    void(worker, case, placement)
    assert selectors.provider_list(actor=worker).get(pk=provider.pk).occupied == 0
    assert selectors.provider_detail(actor=worker, provider=provider)["placed"] == []
    # The place can be taken again without "over capacity".
    start(worker, case, provider=provider, started_on=TODAY - 1 * DAY)


def test_a_voided_placement_cannot_be_ended_and_a_reason_is_needed(worker, case):
    placement = start(worker, case)
    with pytest.raises(ServiceError) as error:
        void(worker, case, placement, reason="")
    assert error.value.field == "reason"
    void(worker, case, placement)
    with pytest.raises(ServiceError):
        void(worker, case, placement)
    with pytest.raises(ServiceError):
        services.placement_end(
            actor=worker,
            case_id=case.pk,
            placement_id=placement.pk,
            ended_on=TODAY,
            outcome=Placement.Outcome.OTHER,
        )
    assert Case.objects.get(pk=case.pk).current_care_type == ""


def test_restoring_makes_it_current_again_and_ends_the_earlier_one(worker, supervisor, case):
    first = start(worker, case, started_on=TODAY - 30 * DAY)
    wrong = start(worker, case, care_type="kinship", started_on=TODAY - 2 * DAY)
    void(worker, case, wrong)
    with pytest.raises(NotFound):
        services.placement_restore(actor=worker, case_id=case.pk, placement_id=wrong.pk)
    services.placement_restore(actor=supervisor, case_id=case.pk, placement_id=wrong.pk)
    first.refresh_from_db()
    assert first.ended_on == TODAY - 2 * DAY and first.outcome == Placement.Outcome.MOVED
    assert selectors.current_placement(actor=worker, case=case) == wrong
    assert Case.objects.get(pk=case.pk).current_care_type == "kinship"


def test_restoring_is_refused_when_a_later_placement_is_current(worker, supervisor, case):
    wrong = start(worker, case, started_on=TODAY - 30 * DAY)
    void(worker, case, wrong)
    start(worker, case, care_type="kinship", started_on=TODAY - 2 * DAY)
    with pytest.raises(ServiceError):
        services.placement_restore(actor=supervisor, case_id=case.pk, placement_id=wrong.pk)
    wrong.refresh_from_db()
    assert wrong.is_voided
