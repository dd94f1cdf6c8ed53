import datetime

import factory
from factory.django import DjangoModelFactory

from phteah.people.models import Consent, Household, HouseholdMember, IdentityDocument


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    name = factory.Sequence(lambda n: f"Household {n}")


class HouseholdMemberFactory(DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    organisation = factory.SelfAttribute("household.organisation")
    relationship = HouseholdMember.Relationship.CHILD


class IdentityDocumentFactory(DjangoModelFactory):
    class Meta:
        model = IdentityDocument

    organisation = factory.SelfAttribute("person.organisation")
    kind = IdentityDocument.Kind.BIRTH_CERTIFICATE
    status = IdentityDocument.Status.HAS
    number = "BC-123"


class ConsentFactory(DjangoModelFactory):
    class Meta:
        model = Consent

    organisation = factory.SelfAttribute("person.organisation")
    given_as = Consent.GivenAs.GUARDIAN
    given_by_name = "Chan Sreymom"
    given_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=10))
    purpose = Consent.Purpose.SERVICES
    method = Consent.Method.VERBAL_WITNESSED
    witness_name = "Keo Sovann"
