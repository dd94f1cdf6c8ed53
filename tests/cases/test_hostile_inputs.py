"""Free text without a limit (a 100,000-character visit note was stored), hidden fields'
errors, and numbers and dates beyond their columns in the cases services."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from phteah.cases import services
from phteah.cases.forms import ServiceForm
from phteah.cases.models import Case, ServiceDelivery, Visit
from phteah.core.errors import ServiceError
from tests.factories import ServiceTypeFactory

pytestmark = pytest.mark.django_db
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def test_a_visit_note_of_100000_characters_is_refused(client, signed_in, worker, case):
    signed_in(worker)
    data = {"visited_on": YESTERDAY.isoformat(), "kind": "home", "wellbeing_notes": "x" * 100_000}
    response = client.post(reverse("cases:visit_add", kwargs={"case_id": case.pk}), data)
    assert response.status_code == 200
    assert "Ensure this value has at most 5000 characters" in response.content.decode()
    assert not Visit.objects.exists()


def test_the_visit_services_refuse_long_notes_and_dates_beyond_the_bounds(worker, case):
    with pytest.raises(ServiceError, match="at most 5000 characters"):
        services.visit_record(
            actor=worker,
            case_id=case.pk,
            visited_on=YESTERDAY,
            kind="home",
            wellbeing_notes="x" * 5001,
        )
    with pytest.raises(ServiceError, match="between 1900 and 2100") as error:
        services.visit_record(
            actor=worker,
            case_id=case.pk,
            visited_on=YESTERDAY,
            kind="home",
            next_visit_due=datetime.date(9999, 12, 31),
        )
    assert error.value.field == "next_visit_due"
    assert not Visit.objects.exists()


def test_a_hidden_fields_error_is_shown(client, signed_in, worker, case):
    signed_in(worker)
    url = reverse("cases:case_edit", kwargs={"case_id": case.pk})
    response = client.post(url, {"version": str(2**63), "case_type": "emergency"})
    assert "Enter a number of at most 2147483647." in response.content.decode()


def test_a_quantity_of_one_hundredth_is_taken():
    form = ServiceForm(
        {"quantity": "0.01", "provided_by": "us", "recipient": "child", "currency": "USD"},
        service_types=ServiceDelivery.objects.none(),
        partners=Case.objects.none(),
    )
    form.is_valid()
    assert "quantity" not in form.errors


def test_the_service_services_refuse_amounts_beyond_their_column(worker, case, organisation):
    service_type = ServiceTypeFactory(organisation=organisation)
    for values in ({"quantity": Decimal("10000000")}, {"cost": Decimal("1e14")}):
        with pytest.raises(ServiceError):
            services.service_record(
                actor=worker,
                case_id=case.pk,
                service_type=service_type,
                delivered_on=YESTERDAY,
                **values,
            )
    assert not ServiceDelivery.objects.exists()


def test_opening_a_case_refuses_a_time_beyond_the_bounds(worker, organisation):
    from tests.factories import PersonFactory

    person = PersonFactory(organisation=organisation, created_by=worker.user)
    with pytest.raises(ServiceError, match="between 1900 and 2100"):
        services.case_open(
            actor=worker,
            person_id=person.pk,
            case_type="emergency",
            referral_source="police",
            referral_reason="Alone.",
            risk_level="high",
            workers=[worker.user],
            identified_at=datetime.datetime(1, 1, 1, tzinfo=datetime.UTC),
        )
    with pytest.raises(ServiceError, match="one of the options"):
        services.case_open(
            actor=worker,
            person_id=person.pk,
            case_type="picnic",
            referral_source="police",
            referral_reason="Alone.",
            risk_level="high",
            workers=[worker.user],
            identified_at=timezone.now(),
        )
