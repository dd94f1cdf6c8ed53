"""A person's global id: a ULID made at registration, kept when another organisation takes
the child on, unique within an organisation, and given to people who existed before it."""

import pytest
from django.db import IntegrityError, transaction
from django_scopes import scopes_disabled
from ulid import ULID

from phteah.core.errors import ServiceError
from phteah.people import services
from phteah.people.models import Person
from tests.factories import MembershipFactory, PersonFactory
from tests.migration_support import migrated_from

pytestmark = pytest.mark.django_db


def register(actor, **kwargs):
    return services.person_create(
        actor=actor, family_name_latin="Sok", given_name_latin="Sophea", sex="female", **kwargs
    )


def test_a_registered_person_gets_a_ulid(worker):
    person = register(worker)
    assert len(person.global_id) == 26
    assert str(ULID.from_str(person.global_id)) == person.global_id


def test_global_ids_sort_by_when_they_were_made(worker):
    ids = [register(worker).global_id for _ in range(3)]
    assert len(set(ids)) == 3
    assert [ULID.from_str(i).timestamp for i in ids] == sorted(
        ULID.from_str(i).timestamp for i in ids
    )


def test_a_person_from_another_organisation_keeps_their_global_id(worker):
    elsewhere = PersonFactory()
    person = register(worker, global_id=elsewhere.global_id.lower())
    assert person.global_id == elsewhere.global_id
    assert person.organisation_id != elsewhere.organisation_id


@pytest.mark.parametrize("value", ["", "x", "8ZZZZZZZZZZZZZZZZZZZZZZZZZ", "ü" * 26, "0" * 25])
def test_a_malformed_global_id_is_refused_and_nothing_is_written(worker, value):
    with pytest.raises(ServiceError):
        register(worker, global_id=value)
    with scopes_disabled():
        assert not Person.objects.filter(organisation=worker.organisation).exists()


def test_one_organisation_holds_a_global_id_once(worker):
    first = register(worker)
    with pytest.raises(ServiceError):
        register(worker, global_id=first.global_id)
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(organisation=worker.organisation, global_id=first.global_id)


def test_two_organisations_may_hold_the_same_child():
    a = PersonFactory()
    with scopes_disabled():
        b = PersonFactory(organisation=MembershipFactory().organisation, global_id=a.global_id)
    assert a.global_id == b.global_id


BEFORE = [("people", "0003_person_name_keys_spacing")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_every_existing_person_a_different_global_id():
    with migrated_from(BEFORE) as migration:
        apps = migration.old
        organisation = apps.get_model("accounts", "Organisation").objects.create(
            name="Old data", short_code="OLD"
        )
        Old = apps.get_model("people", "Person")
        old = [
            Old._base_manager.create(organisation=organisation, sex="female", nickname=str(i))
            for i in range(5)
        ]
        New = migration.forward().get_model("people", "Person")
        ids = list(
            New._base_manager.filter(pk__in=[p.pk for p in old]).values_list("global_id", flat=True)
        )
        assert len(set(ids)) == 5
        assert all(str(ULID.from_str(i)) == i for i in ids)
