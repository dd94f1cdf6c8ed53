import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from phteah.accounts.roles import Role
from phteah.cases import services
from phteah.cases.models import Case, ServiceDelivery, ServiceType
from phteah.core.errors import ServiceError
from phteah.core.models import AuditEvent
from tests.factories import (
    OrganisationFactory,
    ServiceTypeFactory,
)

TODAY = timezone.localdate()


DAY = datetime.timedelta(days=1)


pytestmark = pytest.mark.django_db


def last_event():
    return AuditEvent.objects.order_by("-id").first()


class TestServiceCatalogue:
    def test_seeding_gives_the_standard_list_once(self, organisation, events):
        assert services.service_types_seed(organisation=organisation) == 17
        assert services.service_types_seed(organisation=organisation) == 0
        types = ServiceType.objects.filter(organisation=organisation)
        assert types.count() == 17
        assert all(t.name_km and t.name_en for t in types)
        assert types.get(code="birth_certificate").name_km == "ជំនួយការធ្វើសំបុត្រកំណើត"
        assert events() == ["care.service_type.seeded"]

    def test_an_organisation_with_its_own_list_is_not_seeded(self, organisation):
        ServiceTypeFactory(organisation=organisation)
        assert services.service_types_seed(organisation=organisation) == 0

    def test_admins_add_and_rename(self, member, organisation, events):
        admin = member(Role.ORG_ADMIN)
        service_type = services.service_type_create(
            actor=admin, name_en="Bicycle for school", name_km="កង់ទៅសាលា"
        )
        assert service_type.code == "bicycle_for_school"
        services.service_type_update(
            actor=admin,
            service_type_id=service_type.pk,
            name_en="Bicycle",
            name_km="កង់",
            is_active=False,
        )
        service_type.refresh_from_db()
        assert (service_type.name_en, service_type.is_active) == ("Bicycle", False)
        assert events() == ["care.service_type.created", "care.service_type.updated"]
        assert last_event().changes["is_active"] == [True, False]

    def test_names_are_unique_and_codes_free(self, member, organisation):
        admin = member(Role.ORG_ADMIN)
        ServiceTypeFactory(organisation=organisation, code="counselling", name_en="Other")
        created = services.service_type_create(actor=admin, name_en="Counselling", name_km="")
        assert created.code == "counselling_2"
        with pytest.raises(ServiceError):
            services.service_type_create(actor=admin, name_en="counselling", name_km="")

    def test_only_admins_manage_the_list(self, worker):
        with pytest.raises(PermissionError):
            services.service_type_create(actor=worker, name_en="X", name_km="")


class TestServicesDelivered:
    def record(self, worker, case, **kwargs):
        values = {
            "service_type": ServiceTypeFactory(organisation=case.organisation),
            "delivered_on": TODAY,
        } | kwargs
        return services.service_record(actor=worker, case_id=case.pk, **values)

    def test_by_default_the_organisation_itself_provided_it(self, worker, case, events):
        service = self.record(worker, case, cost=Decimal("12.50"))
        assert service.provider_id == worker.organisation_id
        assert service.currency == "USD" and service.recorded_by == worker.user
        assert events() == ["care.service.recorded"]
        assert last_event().case_id == case.pk

    def test_a_partner_or_a_named_provider(self, worker, case):
        partner = OrganisationFactory()
        assert self.record(worker, case, provider=partner).provider == partner
        named = self.record(worker, case, provider_name="Referral hospital")
        assert named.provider is None and named.provider_name == "Referral hospital"
        with pytest.raises(ServiceError):
            self.record(worker, case, provider=partner, provider_name="Also this")

    def test_riel_has_no_decimals(self, worker, case, events):
        with pytest.raises(ServiceError) as error:
            self.record(worker, case, cost=Decimal("4000.50"), currency="KHR")
        assert error.value.field == "cost"
        assert not ServiceDelivery.objects.exists() and events() == []
        assert self.record(worker, case, cost=Decimal("4000"), currency="KHR").cost == 4000

    def test_dollars_may_have_cents(self, worker, case):
        assert self.record(worker, case, cost=Decimal("0.75")).cost == Decimal("0.75")

    def test_an_inactive_or_foreign_service_is_refused(self, worker, case, other_organisation):
        inactive = ServiceTypeFactory(organisation=case.organisation, is_active=False)
        with pytest.raises(ServiceError):
            self.record(worker, case, service_type=inactive)
        foreign = ServiceTypeFactory(organisation=other_organisation)
        with pytest.raises(ServiceError):
            self.record(worker, case, service_type=foreign)

    def test_updating_keeps_an_inactive_service_it_already_has(self, worker, case, events):
        service = self.record(worker, case)
        service.service_type.is_active = False
        service.service_type.save()
        services.service_update(
            actor=worker,
            case_id=case.pk,
            service_id=service.pk,
            service_type=service.service_type,
            delivered_on=TODAY - DAY,
            quantity=Decimal(2),
        )
        service.refresh_from_db()
        assert service.quantity == 2
        assert events() == ["care.service.recorded", "care.service.updated"]
        assert set(last_event().changes) == {"delivered_on", "quantity"}

    def test_a_service_moves_a_planned_case_to_implementing(self, worker, case):
        from phteah.cases.models import Goal

        Goal.objects.create(organisation=case.organisation, case=case, description="School")
        case.stage = Case.Stage.PLANNED
        case.save()
        self.record(worker, case)
        case.refresh_from_db()
        assert case.stage == Case.Stage.IMPLEMENTING
