import datetime

import factory
from factory.django import DjangoModelFactory

from phteah.care.models import CareProvider, Carer, Placement, Relative
from phteah.cases.models import ServiceDelivery, ServiceType, Visit


class VisitFactory(DjangoModelFactory):
    class Meta:
        model = Visit

    case = None
    organisation = factory.SelfAttribute("case.organisation")
    visited_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=3))
    kind = Visit.Kind.HOME
    people_seen = "the child and her grandmother"
    next_visit_due = factory.LazyAttribute(lambda o: o.visited_on + datetime.timedelta(days=30))
    recorded_by = None


class ServiceTypeFactory(DjangoModelFactory):
    class Meta:
        model = ServiceType

    organisation = None
    code = factory.Sequence(lambda n: f"service_{n}")
    name_en = factory.Sequence(lambda n: f"Service {n}")
    name_km = "សេវា"


class ServiceDeliveryFactory(DjangoModelFactory):
    class Meta:
        model = ServiceDelivery

    case = None
    organisation = factory.SelfAttribute("case.organisation")
    service_type = factory.SubFactory(
        ServiceTypeFactory, organisation=factory.SelfAttribute("..organisation")
    )
    delivered_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=2))
    cost = 10
    currency = ServiceDelivery.Currency.USD
    recorded_by = None


class CareProviderFactory(DjangoModelFactory):
    class Meta:
        model = CareProvider

    organisation = None
    kind = CareProvider.Kind.FOSTER_FAMILY
    name = factory.Sequence(lambda n: f"Foster family {n}")
    capacity = 2


class CarerFactory(DjangoModelFactory):
    class Meta:
        model = Carer

    provider = None
    organisation = factory.SelfAttribute("provider.organisation")
    name = factory.Sequence(lambda n: f"Carer {n}")


class PlacementFactory(DjangoModelFactory):
    class Meta:
        model = Placement

    case = None
    organisation = factory.SelfAttribute("case.organisation")
    care_type = "emergency_foster"
    provider = None
    started_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=40))
    reason = "No safe family home yet."
    recorded_by = None


class RelativeFactory(DjangoModelFactory):
    class Meta:
        model = Relative

    case = None
    organisation = factory.SelfAttribute("case.organisation")
    name = "Chan Srey"
    relationship = "aunt"
    found_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=5))
