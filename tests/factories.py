import factory
from factory.django import DjangoModelFactory

from phteah.accounts.models import Membership, Office, Organisation, User
from phteah.accounts.roles import Role

PASSWORD = "correct-horse-battery"  # noqa: S105


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Sequence(lambda n: f"Sok Dara {n}")
    full_name_km = "សុខ ដារ៉ា"
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create and results:
            instance.save()


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    short_code = factory.Sequence(lambda n: f"ORG{n}")
    kind = Organisation.Kind.NGO


class OfficeFactory(DjangoModelFactory):
    class Meta:
        model = Office

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Office {n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.CASE_WORKER


def _search_fields(person) -> dict:
    from phteah.people.names import person_search_fields

    return person_search_fields(
        family_name_latin=person.family_name_latin,
        given_name_latin=person.given_name_latin,
        family_name_km=person.family_name_km,
        given_name_km=person.given_name_km,
        nickname=getattr(person, "nickname", ""),
    )


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = "people.Person"

    organisation = factory.SubFactory(OrganisationFactory)
    family_name_latin = "Sok"
    given_name_latin = factory.Sequence(lambda n: f"Dara{n}")
    family_name_km = "សុខ"
    given_name_km = "ដារ៉ា"
    sex = "female"
    date_of_birth = factory.Faker("date_between", start_date="-17y", end_date="-1y")
    # The normalised search fields, as the people services set them.
    search_latin = factory.LazyAttribute(lambda o: _search_fields(o)["search_latin"])
    search_km = factory.LazyAttribute(lambda o: _search_fields(o)["search_km"])
    name_key = factory.LazyAttribute(lambda o: _search_fields(o)["name_key"])


class CaseFactory(DjangoModelFactory):
    """A case written straight to the database (no services, no audit): for test set-up."""

    class Meta:
        model = "cases.Case"

    organisation = factory.SubFactory(OrganisationFactory)
    person = factory.SubFactory(PersonFactory, organisation=factory.SelfAttribute("..organisation"))
    reference = factory.Sequence(lambda n: f"TST-2026-{n + 1:04d}")
    case_type = "emergency"
    referral_source = "police"
    referral_reason = "Found alone at the bus station."
    identified_at = factory.Faker("date_time_this_year", tzinfo=__import__("datetime").UTC)
    opened_on = factory.LazyAttribute(lambda o: o.identified_at.date())
    risk_level = "high"

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        # No second save; compute the stored due dates as the services would.
        if create:
            refresh_due(instance)

    @factory.post_generation
    def workers(self, create, extracted, **kwargs):
        """CaseFactory(workers=[user, ...]) assigns case workers (the first is the main one)."""
        if not create or not extracted:
            return
        from phteah.cases.models import CaseWorkerAssignment

        for index, user in enumerate(extracted):
            CaseWorkerAssignment.objects.create(
                organisation=self.organisation, case=self, user=user, is_primary=index == 0
            )


def refresh_due(case):
    """Recompute a case's stored stage and due dates after test set-up wrote its rows
    directly (the services do this themselves), and return the case with them loaded."""
    from phteah.care.progress import STORED_FIELDS, cases_progress_refresh
    from phteah.cases.models import Case

    cases_progress_refresh(Case.objects.filter(pk=case.pk))
    case.refresh_from_db(fields=STORED_FIELDS)
    return case
