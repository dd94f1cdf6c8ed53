"""Test data: factories and builders of rows written straight to the database (no services,
no audit events), for test set-up. Builders of a case's records recompute its stored stage
and due dates, as the services do."""

import datetime
from datetime import UTC, date

import factory
from django_scopes import scopes_disabled

from phteah.accounts.models import Membership, Office, Organisation, User
from phteah.accounts.roles import Role
from phteah.care.models import CareProvider, Carer, Placement, Relative
from phteah.cases.models import (
    Action,
    Assessment,
    AssessmentDomain,
    AssessmentScore,
    Conference,
    Goal,
    ServiceDelivery,
    ServiceType,
    Visit,
)
from phteah.cases.services import assessment_domains_seed
from phteah.people.models import Consent, Household, HouseholdMember, IdentityDocument

PASSWORD = "correct-horse-battery"  # noqa: S105


class DjangoModelFactory(factory.django.DjangoModelFactory):
    """Test data is set up as the loaders do, with the ORM scopes disabled: a factory called
    in a test's body (which runs in its organisation's scope, see tests/conftest.py) may
    build another organisation's rows."""

    class Meta:
        abstract = True

    @classmethod
    def _generate(cls, strategy, params):
        with scopes_disabled():
            return super()._generate(strategy, params)


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
    name_key_km = factory.LazyAttribute(lambda o: _search_fields(o)["name_key_km"])


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
    # Identified well in the past (340 to 365 days ago), so that records dated in the last
    # months are after the identification (the services refuse earlier dates).
    identified_at = factory.Faker(
        "date_time_between", start_date="-365d", end_date="-340d", tzinfo=__import__("datetime").UTC
    )
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

    with scopes_disabled():
        cases_progress_refresh(Case.objects.filter(pk=case.pk))
        case.refresh_from_db(fields=STORED_FIELDS)
    return case


# --- records of a case --------------------------------------------------------------------


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


def domains(organisation):
    assessment_domains_seed(organisation=organisation)
    return list(AssessmentDomain.objects.filter(organisation=organisation, is_active=True))


def assessment(case, user, *, kind="initial", day=None, score=3, risk="high"):
    row = Assessment.objects.create(
        organisation=case.organisation,
        case=case,
        kind=kind,
        assessed_on=day or datetime.date.today(),
        assessed_by=user,
        risk_level=risk,
    )
    for domain in domains(case.organisation):
        AssessmentScore.objects.create(
            organisation=case.organisation, assessment=row, domain=domain, score=score
        )
    refresh_due(case)  # as the services do
    return row


def goal(case, description="Back to school"):
    return Goal.objects.create(organisation=case.organisation, case=case, description=description)


def action(goal_row, user=None, **kwargs):
    return Action.objects.create(
        organisation=goal_row.organisation,
        goal=goal_row,
        description=kwargs.pop("description", "Meet the school director"),
        owner=user,
        owner_text="" if user else "Commune council",
        **kwargs,
    )


def conference(case, user):
    return Conference.objects.create(
        organisation=case.organisation,
        case=case,
        held_on=datetime.date.today(),
        participants="Sok, social worker\nCCWC focal point",
        decisions="Keep in foster care for now.",
        recorded_by=user,
    )


def visit(case, user, day, next_due=None):
    row = Visit.objects.create(
        organisation=case.organisation,
        case=case,
        visited_on=day,
        kind="home",
        recorded_by=user,
        next_visit_due=next_due,
    )
    refresh_due(case)  # as the services do
    return row


def dated_visit(case, visited_on: date, *, next_visit_due: date | None = None, by=None) -> Visit:
    return _refreshed(
        Visit.objects.create(
            organisation=case.organisation,
            case=case,
            visited_on=visited_on,
            kind=Visit.Kind.HOME,
            next_visit_due=next_visit_due,
            recorded_by=by or _someone(case),
        )
    )


def dated_assessment(
    case, assessed_on: date, *, kind=Assessment.Kind.INITIAL, by=None
) -> Assessment:
    return _refreshed(
        Assessment.objects.create(
            organisation=case.organisation,
            case=case,
            kind=kind,
            assessed_on=assessed_on,
            risk_level=case.risk_level,
            assessed_by=by or _someone(case),
        )
    )


def dated_placement(case, care_type: str, started_on: date, *, ended_on=None, by=None) -> Placement:
    return _refreshed(
        Placement.objects.create(
            organisation=case.organisation,
            case=case,
            care_type=care_type,
            started_on=started_on,
            ended_on=ended_on,
            reason="Needs a safe place.",
            recorded_by=by or _someone(case),
        )
    )


def _refreshed(row):
    """The row, after its case's stored due dates were recomputed (as the services do)."""
    refresh_due(row.case)
    return row


def _someone(case):
    assignment = case.assignments.select_related("user").first()
    return assignment.user if assignment else UserFactory()


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


# --- people -------------------------------------------------------------------------------


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
        skip_postgeneration_save = True

    organisation = factory.SelfAttribute("person.organisation")
    given_as = Consent.GivenAs.GUARDIAN
    given_by_name = "Chan Sreymom"
    given_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=10))
    purpose = Consent.Purpose.SERVICES
    method = Consent.Method.VERBAL_WITNESSED
    witness_name = "Keo Sovann"

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        """``ConsentFactory(organisations=[partner, ...])``: the organisations it names."""
        if create and extracted:
            self.organisations.set(extracted)


class OffSystemConsentFactory(ConsentFactory):
    """A guardian's consent to refer the child to a partner not on Phteah, by name."""

    purpose = Consent.Purpose.SHARE_ORGANISATION
    shared_with_name = "Battambang Provincial Referral Hospital"
    for_referral = True
    method = Consent.Method.SIGNED_FORM


class ReferralLetterFactory(DjangoModelFactory):
    """A letter written (pending) for a case, on a consent naming the partner."""

    class Meta:
        model = "referrals.ReferralLetter"

    case = factory.SubFactory(CaseFactory)
    organisation = factory.SelfAttribute("case.organisation")
    consent = factory.LazyAttribute(lambda o: OffSystemConsentFactory(person=o.case.person))
    partner_name = factory.SelfAttribute("consent.shared_with_name")
    partner_kind = "hospital"
    services = factory.LazyFunction(
        lambda: [{"code": "health", "name_en": "Health care", "name_km": "ការថែទាំសុខភាព"}]
    )
    urgency = "urgent"
    reason = "Needs a check-up after a fall."
    language = "en"
    sent_by = factory.SubFactory(UserFactory)
    sent_at = factory.LazyFunction(lambda: datetime.datetime.now(UTC))
    family_name_latin = factory.SelfAttribute("case.person.family_name_latin")
    given_name_latin = factory.SelfAttribute("case.person.given_name_latin")
    family_name_km = factory.SelfAttribute("case.person.family_name_km")
    given_name_km = factory.SelfAttribute("case.person.given_name_km")
    sex = factory.SelfAttribute("case.person.sex")
    risk_level = "medium"
    worker_name = "Lim Vanna"
    worker_phone = "012 345 678"
