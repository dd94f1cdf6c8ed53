"""The demo network in the partner directory: published profiles, services and providers
with care types, so that "emergency foster care for a 2-year-old near Phnom Penh" finds
places; running it again changes nothing."""

import pytest

from phteah.accounts.models import Membership, Organisation
from phteah.accounts.roles import Role
from phteah.care.models import CareProvider, ProviderCareType
from phteah.core.audit import audit_verify
from phteah.demo.cases import demo_cases_create
from phteah.demo.directory import demo_directory_publish
from phteah.demo.network import demo_network_create
from phteah.geography.models import Province
from phteah.geography.services import geography_load
from phteah.referrals.models import PartnerProfile
from phteah.referrals.selectors import capacity_board, directory_search


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django_scopes import scopes_disabled

    with django_db_blocker.unblock(), scopes_disabled():
        try:
            geography_load()
            demo_network_create()
            demo_cases_create(seed=7)
            yield demo_directory_publish()
        finally:
            from django.core.management import call_command

            call_command("flush", "--no-input", verbosity=0)


@pytest.mark.django_db
def test_the_demo_organisations_publish_profiles_services_and_providers(demo):
    assert demo == 5
    published = PartnerProfile.objects.filter(published=True)
    assert published.count() == 5
    assert all(profile.services.exists() for profile in published)
    unpublished = CareProvider.objects.filter(is_active=True, network_published=False)
    assert set(unpublished.values_list("organisation__short_code", flat=True)) <= {"SKCC"}
    assert ProviderCareType.objects.count() >= CareProvider.objects.count()
    assert demo_directory_publish() == 0
    assert audit_verify().problems == []


@pytest.mark.django_db
def test_a_search_near_phnom_penh_finds_free_places(demo):
    from django_scopes import scope

    worker = Membership.objects.filter(
        organisation__short_code="KCN", role=Role.CASE_WORKER
    ).first()
    with scope(organisation=worker.organisation_id):
        results = directory_search(
            actor=worker,
            care_type="emergency_foster",
            age=2,
            province=Province.objects.get(code="12"),
        )
        assert results and all(result.free > 0 for result in results)
        assert results[0].rank == 1
        assert "Hope for Mothers" in {r.organisation.name for r in results}
        assert capacity_board(actor=worker).total > 0
    assert Organisation.objects.get(short_code="SKCC").partner_profile.published is False
