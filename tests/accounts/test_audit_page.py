"""The audit trail pages (accounts.audit_pages): every sentence and value in the reader's
language, made from language-neutral events written by the real services of every app; the
filters; who may see the pages."""

import datetime
import html as html_module
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from phteah.accounts.models import User
from phteah.accounts.roles import Role
from phteah.care import services as care
from phteah.care.models import CareRule
from phteah.cases import selectors as case_selectors
from phteah.cases import services as cases
from phteah.cases.models import AssessmentDomain, Case, ServiceType
from phteah.core.access import access_denied
from phteah.core.audit import audit_access, audit_log, audited_atomic
from phteah.core.errors import NotFound
from phteah.core.models import AuditEvent
from phteah.geography.models import Commune, District, Province, Village
from phteah.geography.normalise import search_form
from phteah.people import services as people

from ..conftest import sign_in
from ..factories import (
    CaseFactory,
    MembershipFactory,
    OfficeFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


def _place(model, code, name_km, name_en, **parent):
    return model.objects.create(
        code=code,
        name_km=name_km,
        name_en=name_en,
        search_km=search_form(name_km),
        search_en=search_form(name_en),
        **parent,
    )


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # denied attempts are counted per hour in the cache
    yield
    cache.clear()


def _village():
    province = _place(Province, "14", "ព្រៃវែង", "Prey Veng")
    district = _place(District, "1401", "បាភ្នំ", "Ba Phnum", province=province)
    commune = _place(Commune, "140101", "ជើងភ្នំ", "Cheung Phnum", district=district)
    return _place(Village, "14010101", "អង្គរង", "Angkrong", commune=commune)


def _staff(organisation):
    def person(role, latin, khmer):
        user = UserFactory(full_name=latin, full_name_km=khmer)
        return MembershipFactory(organisation=organisation, role=role, user=user)

    return {
        "admin": person(Role.ORG_ADMIN, "Chan Dara", "ចាន់ ដារ៉ា"),
        "supervisor": person(Role.SUPERVISOR, "Keo Sophea", "កែវ សុភា"),
        "worker": person(Role.CASE_WORKER, "Lim Vanna", "លីម វណ្ណា"),
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The organisation and its trail, built once for the module and rolled back after it
    (each test's own changes are rolled back after the test)."""
    with (
        django_db_blocker.unblock(),
        scopes_disabled(),
        translation.override("en"),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        name = str(connection.settings_dict["NAME"])
        assert "memory" in name or "test" in name, f"not a test database: {name}"
        cache.clear()
        organisation = OrganisationFactory(name="Sunrise Shelter", short_code="SUN")
        other = OrganisationFactory(name="Elsewhere NGO", short_code="ELS")
        staff = _staff(organisation)
        built = _trail(organisation, other, staff, _village())
        yield built | {"organisation": organisation, "other": other, "staff": staff}
        transaction.set_rollback(True)


@pytest.fixture
def trail(world):
    return world


@pytest.fixture
def staff(world):
    return world["staff"]


def _trail(organisation, other_organisation, staff, village):
    """A representative trail of the organisation: events of every app, written by the
    services that write them in production (the accounts events, whose services are being
    reworked, with the shapes those services write)."""
    admin, supervisor, worker = staff["admin"], staff["supervisor"], staff["worker"]
    partner = OrganisationFactory(name="Partner Health", name_km="សុខភាពដៃគូ", short_code="PH")
    # accounts
    office = OfficeFactory(organisation=organisation, name="Prey Veng office", village=village)
    with audited_atomic():
        audit_log(
            actor=admin.user,
            organisation=organisation,
            action="accounts.office.created",
            target=office,
            changes={"name": [None, office.name], "village": [None, village.pk]},
        )
        audit_log(
            actor=admin.user,
            organisation=organisation,
            action="accounts.membership.updated",
            target=worker,
            changes={"role": ["viewer", "case_worker"], "office": [None, str(office.pk)]},
            data={"user": str(worker.user_id)},
        )
        audit_log(
            actor=worker.user,
            organisation=organisation,
            action="accounts.user.language_changed",
            target=worker.user,
            changes={"language": ["en", "km"]},
        )
        audit_log(
            actor=admin.user,
            organisation=organisation,
            action="accounts.user.password_changed",
            target=admin.user,
            changes={"password": ["old-secret", "new-secret"]},  # masked when written
        )
    # people
    person = people.person_create(
        actor=worker,
        sex="female",
        family_name_km="សុខ",
        given_name_km="ស្រីពៅ",
        family_name_latin="Sok",
        given_name_latin="Sreypov",
        date_of_birth=datetime.date(2014, 5, 2),
        village=village,
        birth_province=village.commune.district.province,
    )
    people.identity_document_save(
        actor=worker,
        person_id=person.pk,
        kind="birth_certificate",
        status="has",
        number="0415",
        obtained_on=datetime.date(2015, 1, 20),
    )
    people.household_create(
        actor=worker, person_id=person.pk, name="Sok family", relationship="child", village=village
    )
    people.consent_create(
        actor=worker,
        person_id=person.pk,
        given_as="guardian",
        given_by_name="Sok Chea",
        given_on=datetime.date(2026, 3, 1),
        purpose="share_organisation",
        method="signed_form",
        organisations=[partner],
        for_referral=True,
    )
    # cases
    cases.assessment_domains_seed(organisation=organisation)
    domains = list(AssessmentDomain.objects.filter(organisation=organisation, is_active=True))
    case = cases.case_open(
        actor=supervisor,
        person_id=person.pk,
        case_type="emergency",
        referral_source="police",
        referral_reason="Found alone at the bus station.",
        identified_at=timezone.now() - datetime.timedelta(days=3),
        risk_level="high",
        workers=[worker.user],
        supervisor=supervisor.user,
    )
    cases.assessment_add(
        actor=worker,
        case_id=case.pk,
        kind="initial",
        assessed_on=timezone.localdate(),
        risk_level="medium",
        scores={domain.pk: (index % 4 + 1, "") for index, domain in enumerate(domains)},
    )
    cases.visit_record(
        actor=worker,
        case_id=case.pk,
        visited_on=timezone.localdate(),
        kind="home",
        schooling="attending",
        next_visit_due=timezone.localdate() + datetime.timedelta(days=30),
    )
    goal = cases.goal_add(
        actor=worker, case_id=case.pk, description="Back to school", domain=domains[0]
    )
    cases.action_add(
        actor=worker,
        case_id=case.pk,
        goal_id=goal.pk,
        description="Meet the school director",
        owner=worker.user,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    cases.service_types_seed(organisation=organisation)
    cases.service_record(
        actor=worker,
        case_id=case.pk,
        service_type=ServiceType.objects.filter(organisation=organisation).first(),
        delivered_on=timezone.localdate(),
        provider=partner,
        cost=Decimal("12.50"),
    )
    case_selectors.case_detail(actor=worker, case_id=case.pk)
    # care
    care.care_rules_seed(organisation=organisation)
    provider = care.provider_create(
        actor=worker, kind="foster_family", name="Hem foster family", capacity=2, village=village
    )
    care.carer_add(actor=worker, provider_id=provider.pk, name="Hem Sokha")
    care.placement_start(
        actor=worker,
        case_id=case.pk,
        care_type="emergency_foster",
        started_on=timezone.localdate(),
        reason="No safe family home yet.",
        provider=provider,
    )
    care.relative_add(
        actor=worker,
        case_id=case.pk,
        name="Chan Srey",
        relationship="aunt",
        found_on=timezone.localdate(),
        village=village,
        willing_to_care=True,
    )
    rule = CareRule.objects.filter(organisation=organisation, kind="visit_every").first()
    care.care_rule_update(actor=admin, rule_id=rule.pk, value=10)
    # refused access: a member of the organisation, and someone outside it
    hidden = CaseFactory(organisation=organisation)
    with pytest.raises(NotFound):
        case_selectors.case_detail(actor=worker, case_id=hidden.pk)
    prober = MembershipFactory(
        organisation=other_organisation,
        role=Role.SUPERVISOR,
        user=UserFactory(full_name="Prober Person", email="prober@elsewhere.test"),
    )
    access_denied(actor=prober, model=Case, record_id=case.pk)
    access_denied(actor=worker, model=Case, record_id="no-such-case")
    audit_access(
        actor=worker.user,
        organisation=organisation,
        action="people.person.photo_downloaded",
        target=person,
        data={"person": str(person.pk)},
    )
    return {"case": case, "person": person, "provider": provider, "prober": prober}


def _page(client, user, url, language, params=None):
    User.objects.filter(pk=user.pk).update(language=language)
    sign_in(client, user)
    response = client.get(url, params or {})
    assert response.status_code == 200
    return response


def _visible_text(response) -> str:
    """The page's text as a reader sees it (tags, attributes and the menu left out)."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", main, flags=re.S)
    return html_module.unescape(re.sub(r"<[^>]+>", " ", main))


# Raw stored forms that must never reach a reader: ids, codes, ISO dates, dict reprs, the
# old "Village [code]" labels.
RAW = [
    re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
    re.compile(r"\[\d+\]"),
    re.compile(r"\{'|\{\""),
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    re.compile(
        r"\b(?:case_worker|org_admin|birth_certificate|emergency_foster|share_organisation"
        r"|signed_form|foster_family|visit_every|food_security|attending|emergency|police"
        r"|medium)\b"
    ),
    re.compile(r"\b(?:accounts|cases|care|people|core|work)\.[a-z_]+\.[a-z_]+\b"),
    re.compile(r"14010101"),
    re.compile(r"no-such-case"),
]


def _raw_values(text: str) -> list[str]:
    return [match.group(0) for pattern in RAW for match in pattern.finditer(text)]


class TestTheListInEachLanguage:
    def test_every_event_is_a_sentence_with_labels_not_codes(self, client, trail, staff):
        response = _page(client, staff["admin"].user, reverse("accounts:audit_list"), "en")
        text = _visible_text(response)
        assert _raw_values(text) == []
        assert "Something happened that this version" not in text
        assert "Lim Vanna recorded a visit in case" in text
        assert "Sok Sreypov" in text
        assert "Angkrong, Cheung Phnum, Ba Phnum, Prey Veng" in text
        assert "role: Viewer → Case worker" in text
        assert f"Someone outside the organisation tried to open {trail['case'].reference}." in text
        assert "Lim Vanna asked for a record that does not exist" in text
        assert "Lim Vanna tried to open" in text

    def test_the_same_events_in_khmer_name_people_and_places_in_khmer(self, client, trail, staff):
        response = _page(client, staff["admin"].user, reverse("accounts:audit_list"), "km")
        text = _visible_text(response)
        assert _raw_values(text) == []
        assert "ចាន់ ដារ៉ា" in text and "លីម វណ្ណា" in text  # staff names in Khmer
        assert "សុខ ស្រីពៅ" in text  # the child's Khmer name
        assert "អង្គរង" in text and "ជើងភ្នំ" in text  # the village and its commune
        assert "Angkrong" not in text and "Lim Vanna" not in text and "Sok Sreypov" not in text
        with translation.override("km"):
            assert str(Role.CASE_WORKER.label) in text

    def test_the_page_needs_a_constant_number_of_queries(self, client, member, organisation):
        admin, worker = member(Role.ORG_ADMIN), member(Role.CASE_WORKER)
        sign_in(client, admin.user)
        url = reverse("accounts:audit_list")

        def write(count):
            with audited_atomic():
                for _ in range(count):
                    audit_log(
                        actor=admin.user,
                        organisation=organisation,
                        action="accounts.membership.updated",
                        target=worker,
                        changes={"role": ["viewer", "case_worker"]},
                        data={"user": str(worker.user_id)},
                    )

        write(5)
        client.get(url)
        with CaptureQueriesContext(connection) as five:
            client.get(url)
        write(25)
        with CaptureQueriesContext(connection) as thirty:
            response = client.get(url)
        assert len(response.context["events"]) >= 30
        assert len(thirty.captured_queries) == len(five.captured_queries)

    def test_newest_first_paginated(self, client, member, organisation):
        admin = member(Role.ORG_ADMIN)
        with audited_atomic():
            for _ in range(55):
                audit_log(actor=admin.user, organisation=organisation, action="accounts.logout")
            audit_log(
                actor=admin.user, organisation=organisation, action="accounts.login.succeeded"
            )
        response = _page(client, admin.user, reverse("accounts:audit_list"), "en")
        shown = response.context["events"]
        assert len(shown) == 50 and shown[0].event.action == "accounts.login.succeeded"
        times = [item.event.created_at for item in shown]
        assert times == sorted(times, reverse=True)
        second = _page(client, admin.user, reverse("accounts:audit_list"), "en", {"page": 2})
        total = AuditEvent.objects.filter(organisation=organisation).count()  # with sign-ins
        assert len(second.context["events"]) == total - 50

    def test_pending_events_are_shown_marked(self, client, trail, staff):
        organisation = trail["organisation"]
        sign_in(client, staff["admin"].user)
        viewed = audit_access(
            actor=staff["worker"].user,
            organisation=organisation,
            action="people.person.viewed",
            target=trail["person"],
        )
        response = client.get(reverse("accounts:audit_list"))
        pending = [item for item in response.context["events"] if item.pending]
        assert [item.pk for item in pending] == [viewed.pk]
        assert "Not yet sealed" in response.content.decode()
        detail = client.get(reverse("accounts:audit_event", args=[viewed.pk]))
        assert "Not yet sealed" in detail.content.decode()


class TestAttemptsFromOutside:
    def test_they_never_say_who_tried(self, client, trail, staff):
        prober = trail["prober"].user
        for language in ("en", "km"):
            list_page = _page(client, staff["admin"].user, reverse("accounts:audit_list"), language)
            event = AuditEvent.objects.get(action="core.access.denied_outside")
            detail = _page(
                client,
                staff["admin"].user,
                reverse("accounts:audit_event", args=[event.pk]),
                language,
            )
            for response in (list_page, detail):
                html = response.content.decode()
                for secret in (
                    prober.full_name,
                    prober.full_name_km,
                    prober.email,
                    trail["other"].name,
                    "127.0.0.1",
                ):
                    assert secret not in html

    def test_searching_by_the_probers_name_finds_nothing(self, client, trail, staff):
        for search in ("Prober", "prober@elsewhere.test"):
            response = _page(
                client,
                staff["admin"].user,
                reverse("accounts:audit_list"),
                "en",
                {"person": search},
            )
            assert response.context["events"] == []


class TestTheEventPage:
    def test_every_value_is_shown_in_the_readers_language(self, client, trail, staff):
        admin = staff["admin"].user
        for action in (
            "people.person.created",
            "cases.case.opened",
            "cases.assessment.created",
            "care.placement.started",
            "care.service.recorded",
            "care.relative.added",
            "people.consent.created",
            "accounts.membership.updated",
            "core.access.denied",
        ):
            event = AuditEvent.objects.filter(action=action).latest("id")
            url = reverse("accounts:audit_event", args=[event.pk])
            english = _visible_text(_page(client, admin, url, "en"))
            assert _raw_values(english) == [], action
            khmer = _visible_text(_page(client, admin, url, "km"))
            assert _raw_values(khmer) == [], action

    def test_the_child_and_the_place_in_each_script(self, client, trail, staff):
        event = AuditEvent.objects.get(action="people.person.created")
        url = reverse("accounts:audit_event", args=[event.pk])
        english = _visible_text(_page(client, staff["admin"].user, url, "en"))
        assert "Sok Sreypov" in english and "Angkrong, Cheung Phnum" in english
        assert "2 May 2014" in english  # the date of birth, formatted
        khmer = _visible_text(_page(client, staff["admin"].user, url, "km"))
        assert "សុខ ស្រីពៅ" in khmer and "អង្គរង" in khmer and "ព្រៃវែង" in khmer

    def test_the_assessment_scores_are_named_domains(self, client, trail, staff):
        event = AuditEvent.objects.get(action="cases.assessment.created")
        domains = AssessmentDomain.objects.filter(organisation=event.organisation_id)
        url = reverse("accounts:audit_event", args=[event.pk])
        english = _visible_text(_page(client, staff["admin"].user, url, "en"))
        khmer = _visible_text(_page(client, staff["admin"].user, url, "km"))
        for domain in domains:
            assert domain.name_en in english and domain.name_km in khmer
        assert "Food security: 1 · " in english or " · Food security: " in english

    def test_another_organisations_event_is_not_found_and_recorded(
        self, client, trail, staff, other_organisation, member
    ):
        with audited_atomic():
            theirs = audit_log(
                actor=None, organisation=other_organisation, action="accounts.logout"
            )
        sign_in(client, staff["admin"].user)
        response = client.get(reverse("accounts:audit_event", args=[theirs.pk]))
        assert response.status_code == 404
        assert AuditEvent.all_chains.filter(
            organisation=other_organisation, action="core.access.denied_outside"
        ).exists()
        assert client.get(reverse("accounts:audit_event", args=[2**63])).status_code == 404
        assert client.get(reverse("accounts:audit_event", args=[10**30])).status_code == 404

    def test_only_those_who_may_erase_see_the_erase_link(self, client, trail, staff):
        event = AuditEvent.objects.get(action="people.person.created")
        url = reverse("accounts:audit_event", args=[event.pk])
        erase = reverse("accounts:audit_erase", args=[event.pk])
        assert erase in _page(client, staff["admin"].user, url, "en").content.decode()
        # A supervisor reads the trail but may not erase from it.
        assert erase not in _page(client, staff["supervisor"].user, url, "en").content.decode()

    def test_erased_values_say_when_and_by_whom(self, client, trail, staff):
        admin = staff["admin"].user
        event = AuditEvent.objects.get(action="people.person.created")
        _erase(event, "changes.given_name_latin", by=admin)
        url = reverse("accounts:audit_event", args=[event.pk])
        response = _page(client, admin, url, "en")
        (change,) = [c for c in response.context["shown"].changes if c.erased]
        assert change.label == "given name in Latin letters"
        assert change.erased == "erased on 10 March 2026 by Chan Dara"
        assert "Sreypov" not in f"{change.before} {change.after}"
        assert "erased on 10 March 2026 by Chan Dara" in _visible_text(response)
        khmer = _page(client, admin, url, "km").context["shown"]
        assert "ចាន់ ដារ៉ា" in next(c.erased for c in khmer.changes if c.erased)


def _erase(event, path, *, by):
    """What the erasure service (core.audit.erasure) does to an event's value: the value and
    its salt removed, the digest kept, a marker saying when and by whom. Written with SQL:
    events are append-only through the ORM."""
    import json

    changes, data = dict(event.changes), dict(event.data)
    where, _dot, name = path.partition(".")
    (changes if where == "changes" else data).pop(name)
    salts = {key: value for key, value in event.salts.items() if key != path}
    erased = {path: {"at": TODAY.isoformat(), "by": str(by.pk)}}
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET changes = %s, data = %s, salts = %s, erased = %s WHERE id = %s",
            [
                json.dumps(changes),
                json.dumps(data),
                json.dumps(salts),
                json.dumps(erased),
                event.pk,
            ],
        )


class TestFilters:
    def test_by_type_of_event(self, client, trail, staff):
        response = _page(
            client,
            staff["admin"].user,
            reverse("accounts:audit_list"),
            "en",
            {"action": "care.visit"},
        )
        actions = {item.event.action for item in response.context["events"]}
        assert actions == {"care.visit.recorded"}

    def test_by_member_in_either_script_or_email(self, client, trail, staff):
        worker = staff["worker"].user
        for search in ("Lim Van", "លីម", worker.email):
            response = _page(
                client,
                staff["admin"].user,
                reverse("accounts:audit_list"),
                "en",
                {"person": search},
            )
            actors = {item.event.actor_id for item in response.context["events"]}
            assert actors == {worker.pk}

    def test_by_case(self, client, trail, staff):
        case = trail["case"]
        response = _page(
            client,
            staff["supervisor"].user,
            reverse("accounts:audit_list"),
            "en",
            {"case": case.pk},
        )
        shown = response.context["events"]
        assert shown and all(str(item.event.case_id) == str(case.pk) for item in shown)
        assert f"Events of the case {case.reference}." in _visible_text(response)

    def test_dates_with_khmer_digits(self, client, trail, staff):
        today = timezone.localdate()
        khmer = today.isoformat().translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
        url = reverse("accounts:audit_list")
        response = _page(client, staff["admin"].user, url, "en", {"date_from": khmer})
        assert response.context["events"]
        later = (today + datetime.timedelta(days=2)).isoformat()
        response = _page(client, staff["admin"].user, url, "en", {"date_from": later})
        assert response.context["events"] == []

    @pytest.mark.parametrize(
        "params",
        [
            {"date_from": "0001-01-01"},
            {"date_to": "9999-12-31"},
            {"date_from": "1899-12-31"},
            {"date_to": "2101-01-01"},
            {"date_from": "99999-01-01"},
            {"case": "not-a-case"},
            {"action": "nonsense"},
            {"date_from": "2026-03-10", "date_to": "2026-03-01"},
        ],
    )
    def test_hostile_filters_get_a_message_never_a_500(self, client, trail, staff, params):
        response = _page(client, staff["admin"].user, reverse("accounts:audit_list"), "en", params)
        assert response.context["form"].errors
        assert response.context["events"] == []
        assert "Correct the filters to see the events." in response.content.decode()

    def test_dates_outside_the_range_are_explained(self, client, staff):
        response = _page(
            client,
            staff["admin"].user,
            reverse("accounts:audit_list"),
            "en",
            {"date_from": "0001-01-01"},
        )
        assert "Enter a date between 1900 and 2100." in response.content.decode()


class TestWhoMaySeeThePages:
    @pytest.mark.parametrize("role", [Role.ORG_ADMIN, Role.SUPERVISOR])
    def test_readers_of_the_trail_see_their_own_organisation_only(
        self, client, member, role, organisation, other_organisation
    ):
        reader = member(role)
        with audited_atomic():
            ours = audit_log(actor=None, organisation=organisation, action="accounts.logout")
            theirs = audit_log(
                actor=None, organisation=other_organisation, action="accounts.logout"
            )
        response = _page(client, reader.user, reverse("accounts:audit_list"), "en")
        ids = {item.pk for item in response.context["events"]}
        assert ours.pk in ids and theirs.pk not in ids
        assert client.get(reverse("accounts:audit_event", args=[ours.pk])).status_code == 200
        assert client.get(reverse("accounts:audit_event", args=[theirs.pk])).status_code == 404

    @pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.ME_OFFICER, Role.VIEWER])
    def test_other_roles_get_404(self, client, member, role, organisation):
        with audited_atomic():
            event = audit_log(actor=None, organisation=organisation, action="accounts.logout")
        sign_in(client, member(role).user)
        assert client.get(reverse("accounts:audit_list")).status_code == 404
        assert client.get(reverse("accounts:audit_event", args=[event.pk])).status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, organisation):
        with audited_atomic():
            event = audit_log(actor=None, organisation=organisation, action="accounts.logout")
        for url in (
            reverse("accounts:audit_list"),
            reverse("accounts:audit_event", args=[event.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 302 and reverse("accounts:login") in response.url


class TestTheCasePageLink:
    def test_supervisors_get_the_audit_trail_of_the_case(self, client, world, staff):
        case = CaseFactory(organisation=world["organisation"], workers=[staff["worker"].user])
        link = f"{reverse('accounts:audit_list')}?case={case.pk}"
        page = _page(
            client, staff["supervisor"].user, reverse("cases:case_detail", args=[case.pk]), "en"
        )
        assert link in page.content.decode() and "Audit trail of this case" in page.content.decode()
        page = _page(
            client, staff["worker"].user, reverse("cases:case_detail", args=[case.pk]), "en"
        )
        assert link not in page.content.decode()
