"""Dates and texts beyond their bounds at registration (finding F4: a date of birth of
0001-01-01 or 9999-12-31 crashed the duplicate check)."""

import datetime

import pytest
from django.urls import reverse

from phteah.core.errors import ServiceError
from phteah.people import selectors, services
from phteah.people.models import Household, Person
from tests.factories import PersonFactory

from .test_views import form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("born", ["0001-01-01", "9999-12-31", "31/12/1899"])
def test_registering_with_a_date_of_birth_beyond_the_bounds_is_refused(
    client, signed_in, worker, born
):
    signed_in(worker)
    response = client.post(reverse("people:register"), form_data(date_of_birth=born))
    assert response.status_code == 200
    assert "Enter a date between 1900 and 2100." in response.content.decode()
    assert not Person.objects.exists()


def test_the_duplicate_check_ignores_a_date_that_is_no_date_of_birth(worker, organisation):
    PersonFactory(organisation=organisation, family_name_latin="Sok", given_name_latin="Dara")
    data = {"family_name_latin": "Sok", "given_name_latin": "Dara", "sex": "female"}
    for born in (datetime.date(1, 1, 1), datetime.date(9999, 12, 31)):
        assert selectors.person_duplicates(actor=worker, data=data | {"date_of_birth": born})


def test_the_services_refuse_dates_and_texts_beyond_their_bounds(worker):
    with pytest.raises(ServiceError, match="between 1900 and 2100") as error:
        services.person_create(
            actor=worker,
            sex="female",
            given_name_latin="Dara",
            date_of_birth=datetime.date(1, 1, 1),
        )
    assert error.value.field == "date_of_birth"
    with pytest.raises(ServiceError, match="Null characters"):
        services.person_create(actor=worker, sex="female", given_name_latin="Da\x00ra")
    with pytest.raises(ServiceError, match="at most 100 characters"):
        services.person_create(actor=worker, sex="female", given_name_latin="x" * 101)
    assert not Person.objects.exists()


def test_a_household_note_has_a_maximum_length(worker, organisation):
    person = PersonFactory(organisation=organisation, created_by=worker.user)
    with pytest.raises(ServiceError, match="at most 5000 characters") as error:
        services.household_create(
            actor=worker,
            person_id=person.pk,
            name="Sok",
            relationship="child",
            notes="x" * 100_000,
        )
    assert error.value.field == "notes"
    assert not Household.objects.exists()
