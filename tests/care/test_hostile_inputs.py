"""Numbers beyond their column and rule values beyond any sense (finding F4: a capacity of
2^63 and a rule value of 99999999 gave 500s)."""

import pytest
from django.urls import reverse

from phteah.care import services
from phteah.care.models import CareProvider, CareRule
from phteah.core.errors import ServiceError
from tests.factories import CareProviderFactory, PlacementFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("capacity", [str(2**63), "2147483648", "៩" * 20])
def test_a_capacity_beyond_the_column_is_refused_on_the_page(client, signed_in, worker, capacity):
    signed_in(worker)
    data = {"kind": "pagoda", "name": "Wat Thmei", "capacity": capacity}
    response = client.post(reverse("care:provider_add"), data)
    assert response.status_code == 200
    assert "Enter a number of at most 2147483647." in response.content.decode()
    assert not CareProvider.objects.exists()


def test_the_provider_services_refuse_a_capacity_beyond_the_column(worker):
    with pytest.raises(ServiceError) as error:
        services.provider_create(actor=worker, kind="pagoda", name="Wat", capacity=2**63)
    assert error.value.field == "capacity"
    with pytest.raises(ServiceError, match="one of the options"):
        services.provider_create(actor=worker, kind="castle", name="Wat", capacity=3)
    assert not CareProvider.objects.exists()


@pytest.mark.parametrize(
    "kind, care_type, value, message",
    [
        ("visit_every", "pagoda", 99999999, "in days: at most 3650 .ten years."),
        ("max_stay", "pagoda", 3651, "in days: at most 3650"),
        ("initial_target", "", 8761, "in hours: at most 8760 .a year."),
        ("visit_every", "pagoda", 2**63, "at most 3650"),
    ],
)
def test_a_rule_value_beyond_its_maximum_is_refused(admin, kind, care_type, value, message):
    with pytest.raises(ServiceError, match=message) as error:
        services.care_rule_add(actor=admin, kind=kind, care_type=care_type, value=value)
    assert error.value.field == "value"
    assert not CareRule.objects.filter(organisation_id=admin.organisation_id, value=value)


def test_the_largest_values_are_taken(admin):
    services.care_rule_add(actor=admin, kind="max_stay", care_type="pagoda", value=3650)
    services.care_rule_add(actor=admin, kind="follow_up_after", value=3650)
    rule = services.care_rule_add(actor=admin, kind="initial_target", value=24)
    services.care_rule_update(actor=admin, rule_id=rule.pk, value=8760)
    with pytest.raises(ServiceError, match="at most 8760"):
        services.care_rule_update(actor=admin, rule_id=rule.pk, value=8761)


def test_ending_a_placement_needs_an_outcome_of_the_list(worker, case, organisation):
    provider = CareProviderFactory(organisation=organisation)
    placement = PlacementFactory(case=case, provider=provider, recorded_by=worker.user)
    for outcome in ("", "vanished"):
        with pytest.raises(ServiceError, match="one of the options") as error:
            services.placement_end(
                actor=worker,
                case_id=case.pk,
                placement_id=placement.pk,
                ended_on=placement.started_on,
                outcome=outcome,
            )
        assert error.value.field == "outcome"
    placement.refresh_from_db()
    assert placement.ended_on is None
