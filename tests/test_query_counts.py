"""Query-count guards: every list and detail page runs the same number of queries whatever
the amount of data behind it. Two organisations are built once for the module, a small one
and one five times larger (cases, visits, persons, household members, carers, providers,
audit events, staff, offices; every kind of timeline entry on the big case), and each page
is requested in both: the counts must be equal. A page whose count grows has an N+1 query."""

import datetime
from dataclasses import dataclass, field

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from phteah.accounts.models import Office
from phteah.accounts.roles import Role
from phteah.care.models import (
    CareProvider,
    Carer,
    Placement,
    Relative,
    ReunificationAssessment,
    TracingAction,
)
from phteah.care.services import care_rules_seed
from phteah.cases.models import (
    Action,
    Assessment,
    AssessmentDomain,
    AssessmentScore,
    Conference,
    Goal,
    PlanReview,
    ServiceDelivery,
    ServiceType,
    Visit,
)
from phteah.cases.services import assessment_domains_seed
from phteah.core.audit import audit_log, audited_atomic
from phteah.people.models import Consent, Household, HouseholdMember, IdentityDocument, Person
from phteah.people.names import person_search_fields
from phteah.referrals.models import ReferralLetter
from tests.factories import CaseFactory, MembershipFactory, OfficeFactory, OrganisationFactory

from .conftest import sign_in

pytestmark = pytest.mark.django_db  # also makes pytest-django set the test database up

SMALL, LARGE = 6, 30
TODAY = datetime.date.today()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


@dataclass
class World:
    """One organisation with *n* of everything."""

    n: int
    organisation: object = None
    admin: object = None
    supervisor: object = None
    worker: object = None
    case: object = None  # the big case: n entries of every timeline kind
    person: object = None  # its person: in n households, n consents
    household: object = None  # n members
    provider: object = None  # n carers, n current placements
    objects: dict = field(default_factory=dict)
    referral: object = None  # received from a partner: n steps in its history


def _person(organisation, index: int, **extra) -> Person:
    names = {
        "family_name_latin": "Sok",
        "given_name_latin": f"Dara{index}",
        "family_name_km": "សុខ",
        "given_name_km": "ដារ៉ា",
    }
    return Person.objects.create(
        organisation=organisation,
        sex="female" if index % 2 else "male",
        date_of_birth=days_ago(3000 + index),
        **names,
        **person_search_fields(**names),
        **extra,
    )


def build_world(n: int) -> World:
    world = World(n=n)
    org = world.organisation = OrganisationFactory()
    assessment_domains_seed(organisation=org)
    care_rules_seed(organisation=org)
    domains = list(AssessmentDomain.objects.filter(organisation=org, is_active=True))
    service_type = ServiceType.objects.create(
        organisation=org, code="food", name_en="Food", name_km="អាហារ"
    )
    offices = [OfficeFactory(organisation=org) for _ in range(n)]
    world.admin = MembershipFactory(organisation=org, role=Role.ORG_ADMIN, office=offices[0])
    world.supervisor = MembershipFactory(organisation=org, role=Role.SUPERVISOR)
    world.worker = MembershipFactory(organisation=org, role=Role.CASE_WORKER, office=offices[0])
    colleagues = [
        MembershipFactory(organisation=org, role=Role.CASE_WORKER, office=offices[i])
        for i in range(n)
    ]
    me, boss = world.worker.user, world.supervisor.user
    providers = [
        CareProvider.objects.create(
            organisation=org,
            kind=CareProvider.Kind.TEMPORARY_CENTRE if i % 2 else CareProvider.Kind.FOSTER_FAMILY,
            name=f"Provider {i}",
            capacity=n + 5,
        )
        for i in range(n)
    ]
    world.provider = providers[0]
    for i in range(n):
        Carer.objects.create(organisation=org, provider=world.provider, name=f"Carer {i}")

    # n cases, assigned to the worker (and a colleague), in every My work category.
    cases = []
    for i in range(n):
        person = _person(org, i)
        case = CaseFactory(
            organisation=org,
            person=person,
            workers=[me, colleagues[i].user],
            supervisor=boss,
            risk_level="high",
            identified_at=timezone.now() - datetime.timedelta(days=300 + i),
            opened_on=days_ago(300 + i),
            closure_requested_on=days_ago(1) if i % 4 == 0 else None,
            closure_requested_by=me if i % 4 == 0 else None,
        )
        cases.append(case)
        Visit.objects.create(
            organisation=org,
            case=case,
            visited_on=days_ago(100),
            kind=Visit.Kind.HOME,
            next_visit_due=days_ago(70),
            recorded_by=me,
        )
        if i % 3:
            assessment = Assessment.objects.create(
                organisation=org,
                case=case,
                kind=Assessment.Kind.INITIAL,
                assessed_on=days_ago(250),
                assessed_by=me,
                risk_level="high",
            )
            AssessmentScore.objects.bulk_create(
                AssessmentScore(organisation=org, assessment=assessment, domain=d, score=2)
                for d in domains
            )
        Placement.objects.create(
            organisation=org,
            case=case,
            care_type="birth_family" if i % 5 == 0 else "temporary_centre",
            provider=None if i % 5 == 0 else world.provider,
            started_on=days_ago(200),
            reason="No safe place at home.",
            recorded_by=me,
        )
        ServiceDelivery.objects.create(
            organisation=org,
            case=case,
            service_type=service_type,
            delivered_on=days_ago(20),
            recorded_by=me,
        )
    world.case = case = cases[0]
    world.person = person = case.person

    # The big case: n rows of every kind, one of each kind per day, so that both timeline
    # pages hold every kind at both sizes.
    for day in range(n):
        on = days_ago(day + 1)
        Visit.objects.create(
            organisation=org, case=case, visited_on=on, kind=Visit.Kind.PHONE, recorded_by=me
        )
        assessment = Assessment.objects.create(
            organisation=org,
            case=case,
            kind=Assessment.Kind.REVIEW,
            assessed_on=on,
            assessed_by=me,
            risk_level="medium",
        )
        AssessmentScore.objects.bulk_create(
            AssessmentScore(organisation=org, assessment=assessment, domain=d, score=3)
            for d in domains
        )
        goal = Goal.objects.create(
            organisation=org, case=case, domain=domains[day % len(domains)], description="Goal"
        )
        action = Action.objects.create(
            organisation=org, goal=goal, description="Do it", owner=me, due_on=on
        )
        stamp = timezone.make_aware(datetime.datetime.combine(on, datetime.time(12)))
        Goal.objects.filter(pk=goal.pk).update(created_at=stamp)
        Action.objects.filter(pk=action.pk).update(created_at=stamp)
        PlanReview.objects.create(
            organisation=org, case=case, reviewed_on=on, reviewed_by=me, notes="Reviewed."
        )
        Conference.objects.create(
            organisation=org,
            case=case,
            held_on=on,
            participants="Sok, social worker",
            decisions="Stay in care.",
            recorded_by=me,
        )
        ServiceDelivery.objects.create(
            organisation=org, case=case, service_type=service_type, delivered_on=on, recorded_by=me
        )
        Placement.objects.create(
            organisation=org,
            case=case,
            care_type="emergency_foster",
            provider=providers[day],
            started_on=on,
            ended_on=on,
            reason="Short stay.",
            recorded_by=me,
        )
        TracingAction.objects.create(
            organisation=org,
            case=case,
            done_on=on,
            where_searched="Home village",
            done_by=me,
            outcome="Asked the village chief.",
        )
        relative = Relative.objects.create(
            organisation=org, case=case, name=f"Relative {day}", relationship="aunt", found_on=on
        )
        ReunificationAssessment.objects.create(
            organisation=org,
            case=case,
            assessed_on=on,
            relative=relative,
            recommendation="not_yet",
            notes="Not yet.",
            assessed_by=me,
        )
        Consent.objects.create(
            organisation=org,
            person=person,
            given_as="guardian",
            given_by_name="Chan Sreymom",
            given_on=on,
            purpose="services",
            method="verbal_witnessed",
            witness_name="Keo Sovann",
        )
        # A letter to a partner not on Phteah each day, answered: both timeline kinds, and
        # n letters in the sent inbox.
        letter_consent = Consent.objects.create(
            organisation=org,
            person=person,
            given_as="guardian",
            given_by_name="Chan Sreymom",
            given_on=on,
            purpose="share_organisation",
            shared_with_name=f"Hospital {day}",
            for_referral=True,
            method="signed_form",
        )
        ReferralLetter.objects.create(
            organisation=org,
            case=case,
            consent=letter_consent,
            partner_name=f"Hospital {day}",
            partner_kind="hospital",
            services=[{"code": "food", "name_en": "Food", "name_km": "អាហារ"}],
            urgency="urgent",
            reason="A check-up.",
            language="km",
            sent_by=me,
            sent_at=timezone.make_aware(datetime.datetime.combine(on, datetime.time(9))),
            family_name_latin=person.family_name_latin,
            given_name_latin=person.given_name_latin,
            sex=person.sex,
            risk_level="high",
            worker_name="Lim Vanna",
            state="accepted",
            answered_on=on,
            answer_note="Seen.",
            answer_recorded_by=me,
            answer_recorded_at=timezone.make_aware(
                datetime.datetime.combine(on, datetime.time(15))
            ),
        )
        household = Household.objects.create(organisation=org, name=f"Household {day}")
        HouseholdMember.objects.create(
            organisation=org, household=household, person=person, relationship="child"
        )
        if day == 0:
            world.household = household
    for kind in IdentityDocument.Kind.values:
        IdentityDocument.objects.create(
            organisation=org, person=person, kind=kind, status=IdentityDocument.Status.HAS
        )
    for other in cases[1:]:
        HouseholdMember.objects.create(
            organisation=org,
            household=world.household,
            person=other.person,
            relationship="sibling",
        )
    for i in range(max(0, n - len(cases) + 1)):  # household of n members
        HouseholdMember.objects.create(
            organisation=org,
            household=world.household,
            person=_person(org, 1000 + i),
            relationship="other",
        )

    # n audit events of several kinds, with changes.
    with audited_atomic():
        for i in range(n):
            audit_log(
                actor=world.admin.user,
                organisation=org,
                action="accounts.office.updated",
                target=offices[i],
                changes={"name": [f"Old {i}", offices[i].name]},
            )
            audit_log(
                actor=me,
                organisation=org,
                action="cases.case.viewed",
                target=cases[i],
            )
    world.objects = {"offices": len(offices), "cases": len(cases)}
    world.objects |= _referrals(world, cases, service_type)
    return world


def _referrals(world: World, cases: list, service_type) -> dict:
    """n partner organisations; n referrals sent from the world's cases, one to each, and n
    received from them, in every state, each with its grant and a few steps; the first
    received referral has n steps in its history."""
    from phteah.cases.models import CaseGrant
    from phteah.referrals.models import PartnerProfile, Referral, ReferralGroup, ReferralUpdate

    org, n = world.organisation, world.n
    now = timezone.now()
    states = list(Referral.State.values)
    partners = [OrganisationFactory() for _ in range(n)]
    PartnerProfile.objects.filter(organisation__in=[org, *partners]).update(published=True)
    counts = {"partners": n, "sent": 0, "received": 0}

    def refer(sender, case, receiver, by_user, answerer, i):
        consent = Consent.objects.create(
            organisation=sender,
            person=case.person,
            given_as="guardian",
            given_by_name="Sok Mealea",
            given_on=days_ago(10),
            purpose="share_organisation",
            for_referral=True,
        )
        consent.organisations.add(receiver)
        sent_at = now - datetime.timedelta(days=5, minutes=i)
        group = ReferralGroup.objects.create(
            organisation=sender,
            case=case,
            consent=consent,
            sent_by=by_user,
            sent_at=sent_at,
            urgency=("routine", "urgent", "emergency")[i % 3],
            reason="Needs a foster family.",
            family_name_latin=case.person.family_name_latin,
            given_name_latin=case.person.given_name_latin,
            sex=case.person.sex,
            global_id=case.person.global_id,
            risk_level="high",
            worker_name=by_user.full_name,
        )
        state = states[i % len(states)]
        grant = CaseGrant.objects.create(
            organisation=sender,
            case=case,
            grantee=receiver,
            level="minimal",
            purpose="referral",
            consent=consent,
            granted_by=by_user,
            granted_at=sent_at,
            valid_until=sent_at + datetime.timedelta(days=30),
            revoked_at=None if state == "pending" else now,
            revoke_reason="" if state == "pending" else "answered",
        )
        referral = Referral.objects.create(
            organisation=sender,
            group=group,
            receiver=receiver,
            service_code=service_type.code,
            service_name_en=service_type.name_en,
            service_name_km=service_type.name_km,
            state=state,
            state_on=now - datetime.timedelta(minutes=i),
            answer_due_on=days_ago(i % 3 - 1),
            decline_reason="no_place" if state == "declined" else "",
            withdraw_reason="sender" if state == "withdrawn" else "",
            answered_by=answerer if state in ("accepted", "declined", "completed") else None,
            grant=grant,
        )
        ReferralUpdate.objects.create(
            referral=referral, kind="sent", by=by_user, by_organisation=sender, on=sent_at
        )
        return referral

    boss = world.supervisor.user
    for i, (case, partner) in enumerate(zip(cases, partners, strict=True)):
        refer(org, case, partner, world.worker.user, None, i)
        counts["sent"] += 1
    for i, partner in enumerate(partners):
        partner_case = CaseFactory(organisation=partner, person=_person(partner, 2000 + i))
        partner_user = MembershipFactory(organisation=partner, role=Role.CASE_WORKER).user
        referral = refer(partner, partner_case, org, partner_user, boss, i)
        counts["received"] += 1
        if i == 0:
            world.referral = referral
            for step in range(n):
                ReferralUpdate.objects.create(
                    referral=referral,
                    kind="feedback",
                    by=partner_user,
                    by_organisation=partner,
                    on=now - datetime.timedelta(minutes=n - step),
                    note=f"Visit {step}",
                )
    return counts


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    """A small and a large organisation, built once and rolled back after the module."""
    with (
        django_db_blocker.unblock(),
        scopes_disabled(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        name = str(connection.settings_dict["NAME"])
        assert "memory" in name or "test" in name, f"not a test database: {name}"
        built = {"small": build_world(SMALL), "large": build_world(LARGE)}
        yield built
        transaction.set_rollback(True)


@dataclass(frozen=True)
class Page:
    name: str
    who: str  # "worker", "supervisor" or "admin"
    url: object  # World -> path

    def __str__(self):
        return self.name


def _case(name, **query):
    def url(world):
        path = reverse(name, kwargs={"case_id": world.case.pk})
        return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")

    return url


PAGES = [
    Page("case list (case worker)", "worker", lambda w: reverse("cases:case_list")),
    Page("case list (supervisor)", "supervisor", lambda w: reverse("cases:case_list")),
    Page(
        "case list filtered",
        "supervisor",
        lambda w: reverse("cases:case_list") + "?status=open&risk_level=high&due=visits_overdue",
    ),
    Page("case list search", "supervisor", lambda w: reverse("cases:case_list") + "?search=Sok"),
    Page("case page", "supervisor", _case("cases:case_detail")),
    Page("case page (case worker)", "worker", _case("cases:case_detail")),
    Page("case timeline page 2", "supervisor", _case("cases:case_detail", page=2)),
    Page("visit list", "worker", _case("cases:visit_list")),
    Page("person list (search)", "supervisor", lambda w: reverse("people:person_list") + "?q=Sok"),
    Page(
        "person page",
        "supervisor",
        lambda w: reverse("people:person_detail", kwargs={"person_id": w.person.pk}),
    ),
    Page(
        "household page",
        "supervisor",
        lambda w: reverse("people:household_detail", kwargs={"household_id": w.household.pk}),
    ),
    Page("care providers", "supervisor", lambda w: reverse("care:provider_list")),
    Page(
        "care provider page",
        "supervisor",
        lambda w: reverse("care:provider_detail", kwargs={"provider_id": w.provider.pk}),
    ),
    Page("my work (case worker)", "worker", lambda w: reverse("work:my_work")),
    Page("my work (supervisor)", "supervisor", lambda w: reverse("work:my_work")),
    Page("team", "supervisor", lambda w: reverse("work:team")),
    Page(
        "member work",
        "supervisor",
        lambda w: reverse("work:member_work", kwargs={"membership_id": w.worker.pk}),
    ),
    Page("referrals sent, with letters", "worker", lambda w: reverse("referrals:sent")),
    # The referral inboxes: n referrals to and from n partner organisations.
    Page("referrals received", "supervisor", lambda w: reverse("referrals:received")),
    Page("referrals sent", "supervisor", lambda w: reverse("referrals:sent")),
    Page("referrals sent (case worker)", "worker", lambda w: reverse("referrals:sent")),
    Page(
        "referral page",
        "supervisor",
        lambda w: reverse("referrals:referral_detail", kwargs={"referral_id": w.referral.pk}),
    ),
    Page("audit trail", "admin", lambda w: reverse("accounts:audit_list")),
    Page("staff list", "admin", lambda w: reverse("accounts:member_list")),
    Page("offices", "admin", lambda w: reverse("accounts:office_list")),
]

# Pages whose query count is known to grow with the data: {page name: the query that repeats}.
KNOWN_N_PLUS_ONE: dict[str, str] = {}


def _queries(client, world: World, page: Page) -> tuple[int, list[str], int]:
    user = getattr(world, page.who).user
    sign_in(client, user)
    url = page.url(world)
    warm = client.get(url)  # first request of a session: session and caches settle
    assert warm.status_code == 200, (page.name, url, warm.status_code)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (page.name, url, response.status_code)
    sql = [q["sql"] for q in captured.captured_queries]
    return len(sql), sql, len(response.content)


def _repeated(small: list[str], large: list[str]) -> str:
    """The statements that ran more often in the large world (by their first 160 chars)."""
    from collections import Counter

    a = Counter(sql[:160] for sql in small)
    b = Counter(sql[:160] for sql in large)
    grown = [(sql, b[sql] - a.get(sql, 0)) for sql in b if b[sql] > a.get(sql, 0)]
    return "\n".join(f"+{extra}× {sql}" for sql, extra in grown[:5])


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_the_query_count_of_the_page_does_not_grow_with_the_data(client, worlds, page):
    small, small_sql, small_size = _queries(client, worlds["small"], page)
    client.logout()
    large, large_sql, large_size = _queries(client, worlds["large"], page)

    # The page shows the extra data (else equal counts would prove nothing).
    assert large_size > small_size, (page.name, small_size, large_size)

    if large != small and page.name in KNOWN_N_PLUS_ONE:
        pytest.xfail(f"N+1 on {page.name}: {KNOWN_N_PLUS_ONE[page.name]}")
    assert large == small, (
        f"{page.name}: {small} queries with {SMALL} of everything, {large} with {LARGE}.\n"
        + _repeated(small_sql, large_sql)
    )


def test_the_worlds_hold_what_the_guards_rely_on(worlds):
    """The large world really is larger where it matters, and the big case's timeline has a
    second page in both."""
    from phteah.cases.selectors import TIMELINE_PER_PAGE

    for world in worlds.values():
        visits = Visit.objects.filter(case=world.case).count()
        assert visits == world.n + 1
        assert HouseholdMember.objects.filter(household=world.household).count() >= world.n
        assert Carer.objects.filter(provider=world.provider).count() == world.n
        assert Office.objects.filter(organisation=world.organisation).count() == world.n
        entries = 12 * world.n  # one per kind per day, at least
        assert entries > TIMELINE_PER_PAGE * 2
        from phteah.referrals.models import Referral

        org = world.organisation
        assert Referral.received.filter(receiver=org).count() == world.n
        assert Referral.objects.filter(organisation=org).count() == world.n
        assert Referral.received.filter(receiver=org).values("organisation").distinct().count() == (
            world.n
        )
        assert world.referral.updates.count() == world.n + 1


# The heaviest pages, in the large organisation (the case with every kind of timeline entry
# and many visits): what a phone receives over the wire, gzip-compressed.
HEAVY_PAGES = [
    Page("case page", "supervisor", _case("cases:case_detail")),
    Page("my work (case worker)", "worker", lambda w: reverse("work:my_work")),
    Page("my work (supervisor)", "supervisor", lambda w: reverse("work:my_work")),
    Page("case list (supervisor)", "supervisor", lambda w: reverse("cases:case_list")),
    Page("assessment form", "worker", _case("cases:assessment_add")),
]
MAX_TRANSFERRED = 20 * 1024


@pytest.mark.parametrize("page", HEAVY_PAGES, ids=str)
def test_the_heaviest_pages_are_compressed_to_at_most_20_kb(client, worlds, page):
    world = worlds["large"]
    sign_in(client, getattr(world, page.who).user)
    url = page.url(world)
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200, (page.name, url, response.status_code)
    assert response["Content-Encoding"] == "gzip", page.name
    assert "Accept-Encoding" in response["Vary"], page.name
    import gzip

    html = gzip.decompress(response.content)
    assert len(html) > len(response.content), page.name
    assert len(response.content) <= MAX_TRANSFERRED, (page.name, len(response.content), len(html))
