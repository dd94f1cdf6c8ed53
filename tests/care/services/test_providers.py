import datetime

import pytest
from django.utils import timezone

from phteah.accounts.roles import Role
from phteah.care import services
from phteah.core.errors import NotFound, ServiceError
from phteah.core.models import AuditEvent
from tests.factories import (
    CareProviderFactory,
    CarerFactory,
)

TODAY = timezone.localdate()


DAY = datetime.timedelta(days=1)


pytestmark = pytest.mark.django_db


def last_event():
    return AuditEvent.objects.order_by("-id").first()


class TestProviders:
    def test_create_update_and_carers(self, worker, events):
        provider = services.provider_create(
            actor=worker, kind="foster_family", name="Family Sok", capacity=2
        )
        services.provider_update(
            actor=worker,
            provider_id=provider.pk,
            kind="foster_family",
            name="Family Sok",
            capacity=3,
        )
        carer = services.carer_add(actor=worker, provider_id=provider.pk, name="Sok Mealea")
        services.carer_remove(actor=worker, provider_id=provider.pk, carer_id=carer.pk)
        assert events() == [
            "care.provider.created",
            "care.provider.updated",
            "care.carer.added",
            "care.carer.removed",
        ]
        assert not provider.carers.exists()
        assert last_event().data == {"provider": str(provider.pk)}

    def test_names_are_unique_and_capacity_positive(self, worker, organisation):
        CareProviderFactory(organisation=organisation, name="Centre A")
        with pytest.raises(ServiceError):
            services.provider_create(actor=worker, kind="pagoda", name="centre a", capacity=3)
        with pytest.raises(ServiceError):
            services.provider_create(actor=worker, kind="pagoda", name="B", capacity=0)

    def test_a_viewer_cannot_add(self, member):
        with pytest.raises(PermissionError):
            services.provider_create(actor=member(Role.VIEWER), kind="pagoda", name="B", capacity=3)

    def test_another_organisations_carer_cannot_be_removed(self, worker, other_organisation):
        carer = CarerFactory(provider=CareProviderFactory(organisation=other_organisation))
        with pytest.raises(NotFound):
            services.carer_remove(actor=worker, provider_id=carer.provider_id, carer_id=carer.pk)
