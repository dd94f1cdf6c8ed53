"""What a care provider offers the network: its care types (ages, disability access), and
whether the partner directory shows it."""

import pytest
from django.db import IntegrityError, transaction

from phteah.accounts.roles import Role
from phteah.care import services
from phteah.care.models import CareProvider, ProviderCareType
from phteah.core.errors import NotFound, ServiceError
from tests.factories import CareProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(organisation):
    return CareProviderFactory(organisation=organisation, kind=CareProvider.Kind.FOSTER_FAMILY)


def _set(actor, provider, **values):
    defaults = {"care_type": "emergency_foster", "age_min": 0, "age_max": 5}
    return services.provider_care_type_set(
        actor=actor, provider_id=provider.pk, **(defaults | values)
    )


def test_set_change_and_remove_a_care_type(worker, provider, events):
    row = _set(worker, provider, accepts_disability=True)
    assert (row.care_type, row.age_min, row.age_max, row.accepts_disability) == (
        "emergency_foster",
        0,
        5,
        True,
    )
    again = _set(worker, provider, age_max=12)
    assert again.pk == row.pk
    assert ProviderCareType.objects.get(pk=row.pk).age_max == 12
    _set(worker, provider, care_type="long_term_foster")
    services.provider_care_type_remove(actor=worker, provider_id=provider.pk, care_type_id=row.pk)
    assert list(provider.care_types.values_list("care_type", flat=True)) == ["long_term_foster"]
    assert events()[-4:] == [
        "care.provider.care_type_set",
        "care.provider.care_type_set",
        "care.provider.care_type_set",
        "care.provider.care_type_removed",
    ]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"care_type": "temporary_centre"}, "care_type"),  # not what a foster family offers
        ({"care_type": "kinship"}, "care_type"),  # no provider takes kinship placements
        ({"care_type": "nonsense"}, "care_type"),
        ({"age_min": -1}, "age_min"),
        ({"age_max": 25}, "age_max"),
        ({"age_min": True}, "age_min"),
        ({"age_min": "2"}, "age_min"),
        ({"age_min": 10, "age_max": 5}, "age_max"),
    ],
)
def test_hostile_care_types_are_refused(worker, provider, values, field):
    with pytest.raises(ServiceError) as refused:
        _set(worker, provider, **values)
    assert refused.value.field == field
    assert not provider.care_types.exists()


def test_the_database_keeps_one_row_per_care_type_and_sane_ages(provider, organisation):
    ProviderCareType.objects.create(
        organisation=organisation, provider=provider, care_type="emergency_foster"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderCareType.objects.create(
            organisation=organisation, provider=provider, care_type="emergency_foster"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderCareType.objects.create(
            organisation=organisation,
            provider=provider,
            care_type="long_term_foster",
            age_min=9,
            age_max=3,
        )


def test_another_organisations_provider_or_row_is_not_found(member, provider, other_organisation):
    from django_scopes import scope

    row = _set(member(Role.SUPERVISOR), provider)
    outsider = member(Role.SUPERVISOR, org=other_organisation)
    with scope(organisation=other_organisation.pk):
        with pytest.raises(NotFound):
            _set(outsider, provider)
        with pytest.raises(NotFound):
            services.provider_care_type_remove(
                actor=outsider, provider_id=provider.pk, care_type_id=row.pk
            )


def test_only_case_editors_set_care_types(member, provider):
    for role in (Role.ORG_ADMIN, Role.VIEWER, Role.ME_OFFICER):
        with pytest.raises(PermissionError):
            _set(member(role), provider)


def test_changing_the_kind_needs_the_care_types_it_cannot_offer_removed(worker, provider):
    _set(worker, provider)
    with pytest.raises(ServiceError) as refused:
        services.provider_update(
            actor=worker,
            provider_id=provider.pk,
            kind="temporary_centre",
            name=provider.name,
            capacity=2,
        )
    assert refused.value.field == "kind"


def test_the_provider_page_editor_publishes_it_and_none_keeps_it(worker, provider):
    common = {"kind": provider.kind, "name": provider.name, "capacity": 2}
    services.provider_update(
        actor=worker, provider_id=provider.pk, network_published=True, **common
    )
    provider.refresh_from_db()
    assert provider.network_published
    services.provider_update(actor=worker, provider_id=provider.pk, **common)
    provider.refresh_from_db()
    assert provider.network_published


def test_publishing_providers_in_bulk_is_for_the_network_profile_manager(
    admin, worker, provider, events
):
    with pytest.raises(PermissionError):
        services.providers_network_publish(actor=worker, provider_ids=[provider.pk])
    assert services.providers_network_publish(actor=admin, provider_ids=[provider.pk]) == 1
    assert services.providers_network_publish(actor=admin, provider_ids=[provider.pk]) == 0
    provider.refresh_from_db()
    assert provider.network_published
    assert events()[-1] == "care.provider.updated"
    with pytest.raises(ServiceError):
        services.providers_network_publish(actor=admin, provider_ids=["not-a-provider"])
