import itertools
import statistics
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Max, Q
from ulid import ULID

from phteah.accounts.models import Membership, User
from phteah.accounts.roles import Role
from phteah.care.models import CareProvider, Placement
from phteah.care.progress import cases_progress_drift
from phteah.cases.models import (
    Assessment,
    AssessmentScore,
    Case,
    CaseReferenceCounter,
    CaseWorkerAssignment,
    Goal,
    ServiceDelivery,
    Visit,
)
from phteah.core.audit import audit_verify
from phteah.core.errors import ServiceError
from phteah.core.models import AuditEvent
from phteah.demo import synth as synth_module
from phteah.demo.synth import SYNTH_PASSWORD, synth_create, synth_organisations
from phteah.geography.services import geography_load
from phteah.people.linkage import linkage_rebuild
from phteah.people.models import Consent, HouseholdMember, IdentityDocument, LinkageRecord, Person
from phteah.people.names import person_search_fields
from phteah.referrals.models import Referral
from phteah.work import selectors

CHILDREN = 600


@pytest.fixture(scope="module")
def synth(django_db_setup, django_db_blocker):
    """One synthetic data set of 600 children shared by the tests of this module."""
    from django_scopes import scopes_disabled

    with django_db_blocker.unblock(), scopes_disabled():
        try:
            geography_load()
            yield synth_create(children=CHILDREN, seed=11)
        finally:  # a failed load must not leave its rows to the tests that follow
            call_command("flush", "--no-input", verbosity=0)


@pytest.mark.django_db
def test_it_creates_everything_in_proportion(synth):
    assert synth_organisations().count() == synth.organisations == 2
    # Plus the receivers' cases of the children whose referral was accepted.
    received = Referral.objects.exclude(receiver_case=None).values("receiver_case").distinct()
    assert Case.objects.exclude(pk__in=received).count() == CHILDREN
    assert Case.objects.count() == synth.counts["Case"] == CHILDREN + received.count()
    assert 12 <= User.objects.count() <= 30
    people = Person.objects.count()
    assert 1.3 * CHILDREN <= people <= 1.8 * CHILDREN
    assert 7 * CHILDREN <= Visit.objects.count() <= 14 * CHILDREN
    assert 3.5 * CHILDREN <= ServiceDelivery.objects.count() <= 6.5 * CHILDREN
    assert 1.1 * CHILDREN <= Placement.objects.count() <= 1.9 * CHILDREN
    assert Placement.objects.filter(provider__isnull=False).exists()
    assert CareProvider.objects.filter(kind="foster_family").count() >= 10
    assert AssessmentScore.objects.filter(assessment__kind="full").exists()
    assert Goal.objects.exists() and HouseholdMember.objects.filter(relationship="mother").exists()
    assert Consent.objects.count() >= CHILDREN and IdentityDocument.objects.count() >= CHILDREN
    # The summary counts what is in the database.
    assert synth.counts["Visit"] == Visit.objects.count()
    assert synth.counts["Person"] == people


@pytest.mark.django_db
def test_it_mixes_types_risks_care_and_outcomes(synth):
    assert set(Case.objects.values_list("case_type", flat=True)) == set(Case.Type.values)
    assert set(Case.objects.values_list("risk_level", flat=True)) == {
        "high",
        "medium",
        "low",
        "no_action",
    }
    care_types = set(Placement.objects.values_list("care_type", flat=True))
    assert len(care_types) >= 8
    closed = Case.objects.filter(status="closed")
    assert 0.3 * CHILDREN <= closed.count() <= 0.7 * CHILDREN
    assert not closed.filter(Q(closure_reason="") | Q(closed_on__isnull=True)).exists()
    assert not Placement.objects.filter(case__status="closed", ended_on__isnull=True).exists()
    opened = sorted(Case.objects.values_list("opened_on", flat=True))
    assert (opened[-1] - opened[0]).days > 4 * 365
    assert set(Case.objects.values_list("stage", flat=True)) >= {
        "registered",
        "assessed",
        "implementing",
        "follow_up",
        "closed",
    }


@pytest.mark.django_db
def test_caseloads_and_visits_have_realistic_spreads(synth):
    loads = list(
        CaseWorkerAssignment.objects.filter(case__status="open", is_primary=True)
        .values("user")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    median = statistics.median(loads)
    assert 18 <= median <= 42
    assert max(loads) >= 1.5 * median
    visits = Counter(Visit.objects.values_list("case_id", flat=True))
    per_case = sorted(visits.values())
    assert 2 <= statistics.median(per_case) <= 15
    assert per_case[-1] >= 50


@pytest.mark.django_db
def test_people_have_the_normalised_search_fields(synth):
    for person in Person.objects.order_by("?")[:50]:
        expected = person_search_fields(
            family_name_latin=person.family_name_latin,
            given_name_latin=person.given_name_latin,
            family_name_km=person.family_name_km,
            given_name_km=person.given_name_km,
            nickname=person.nickname,
        )
        assert {k: getattr(person, k) for k in expected} == expected


@pytest.mark.django_db
def test_every_person_has_a_current_linkage_record(synth):
    assert LinkageRecord.objects.count() == Person.objects.count()
    assert linkage_rebuild(write=False).unchanged == Person.objects.count()


@pytest.mark.django_db
def test_people_have_global_ids_and_shared_consents_name_the_partner(synth):
    ids = list(Person.objects.values_list("global_id", flat=True))
    # The same child in two organisations only when a referral of the child was accepted.
    shared = {i for i, n in Counter(ids).items() if n > 1}
    assert shared == set(
        Referral.objects.exclude(receiver_case=None).values_list("group__global_id", flat=True)
    )
    assert max(Counter(ids).values()) <= 1 + Referral.objects.count()
    for organisation in synth_organisations():
        own = list(Person.objects.filter(organisation=organisation).values_list("global_id"))
        assert len(set(own)) == len(own)
    assert all(len(i) == 26 and str(ULID.from_str(i)) == i for i in ids)
    shared = Consent.objects.filter(purpose=Consent.Purpose.SHARE_ORGANISATION)
    assert shared.exists()
    assert not shared.filter(organisations=None).exists()
    assert not shared.filter(for_referral=False).exists()
    for consent in shared.prefetch_related("organisations")[:20]:
        assert [o.pk for o in consent.organisations.all()] != [consent.organisation_id]


@pytest.mark.django_db
def test_references_are_unique_and_counters_consistent(synth):
    for organisation in synth_organisations():
        cases = Case.objects.filter(organisation=organisation)
        references = list(cases.values_list("reference", flat=True))
        assert len(set(references)) == len(references)
        assert all(r.startswith(f"{organisation.short_code}-") for r in references)
        by_year = Counter(int(r.split("-")[1]) for r in references)
        counters = dict(
            CaseReferenceCounter.objects.filter(organisation=organisation).values_list(
                "year", "last_number"
            )
        )
        assert counters == dict(by_year)
        first = cases.order_by("identified_at").first()
        assert first.reference.endswith("-0001")


@pytest.mark.django_db
def test_stored_stages_and_due_dates_are_what_the_records_give(synth):
    assert cases_progress_drift(Case.objects.all()) == []


@pytest.mark.django_db
def test_teams_supervisors_and_logins_work(synth, settings):
    members = Membership.objects.filter(organisation__in=synth_organisations())
    assert members.filter(role=Role.SUPERVISOR).exists()
    assert not members.filter(office__isnull=True).exists()
    assert members.filter(is_active=False).exists() or members.count() < 20
    # Every case has a supervisor of its organisation and a main case worker.
    assert not Case.objects.filter(supervisor__isnull=True).exists()
    assert not Case.objects.exclude(assignments__is_primary=True).exists()
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    user = members.filter(role=Role.CASE_WORKER, is_active=True).first().user
    assert user.check_password(SYNTH_PASSWORD)


@pytest.mark.django_db
def test_my_work_finds_overdue_items(synth):
    found = Counter()
    workers = Membership.objects.filter(
        organisation__in=synth_organisations(), role=Role.CASE_WORKER, is_active=True
    ).select_related("user", "organisation")
    for member in workers:
        for key, work_list in selectors.my_work(actor=member).items():
            found[key] += work_list.count
    assert found["visits_overdue"] > 0
    assert found["reviews_due"] > 0
    assert found["placements_past_limit"] > 0
    assert found["follow_ups_due"] > 0
    supervisor = Membership.objects.filter(
        organisation__in=synth_organisations(), role=Role.SUPERVISOR
    ).first()
    table, totals = selectors.team_workload(actor=supervisor)
    assert table and totals["visits_overdue"] > 0


@pytest.mark.django_db
def test_the_audit_trail_has_one_event_per_organisation_and_verifies(synth):
    events = AuditEvent.all_chains.filter(action="synth.created")
    assert events.count() == 2
    event = events.get(organisation__short_code="S001")
    assert event.data["cases"] == Case.objects.filter(organisation=event.organisation).count()
    assert audit_verify().problems == []


@pytest.mark.django_db
def test_a_second_run_is_refused_unless_adding(synth):
    with pytest.raises(ServiceError):
        synth_create(children=100, seed=11)
    with pytest.raises(CommandError, match="exist already"):
        call_command("synth", "--children", "100", "--quiet")
    before = Case.objects.count()
    added = synth_create(children=50, seed=11, add=True)
    assert added.organisations == 1
    assert Case.objects.count() == before + 50
    assert synth_organisations().aggregate(Max("short_code"))["short_code__max"] == "S003"
    assert Assessment.objects.filter(case__organisation__short_code="S003").exists()
    assert audit_verify().problems == []


def _all_indexes() -> dict[str, str]:
    """Every index of the database (primary keys and unique ones too) and, on PostgreSQL,
    every constraint, by name."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                " UNION ALL SELECT conrelid::regclass || '.' || conname, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
            )
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
        return dict(cursor.fetchall())


def _watch_the_load(monkeypatch, *, fail: bool) -> list:
    """Drop indexes whatever the size; note the indexes while the rows are written (and
    fail there if *fail*)."""
    monkeypatch.setattr(synth_module, "DROP_INDEXES_FROM", 0)
    seen = []
    flush = synth_module._Writer.flush

    def watched(writer):
        seen.append(_all_indexes())
        flush(writer)
        if fail:
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(synth_module._Writer, "flush", watched)
    return seen


@pytest.mark.django_db
def test_indexes_are_dropped_for_the_load_and_built_again(synth, monkeypatch):
    before = _all_indexes()
    secondary = set(synth_module.secondary_indexes(["people_person", "cases_visit"]))
    assert secondary
    if connection.vendor == "postgresql":
        keys = synth_module.foreign_keys(["cases_visit"])
        assert keys
        secondary |= {f"cases_visit.{name}" for name in keys}
    seen = _watch_the_load(monkeypatch, fail=False)
    lines = []
    synth_create(children=50, seed=11, add=True, progress=lines.append)
    assert seen and not secondary & set(seen[0])
    assert _all_indexes() == before
    phases = [phase for phase, _lines in itertools.groupby(line.split(":")[0] for line in lines)]
    assert phases == [
        "indexes",
        "loading",
        "referrals",
        "indexes",
        "analyse",
        "due dates",
        "linkage",
    ]
    # The due dates and the audit events came after the indexes, as before.
    assert cases_progress_drift(Case.objects.all()) == []
    assert AuditEvent.all_chains.filter(action="synth.created").count() == 3
    assert audit_verify().problems == []


@pytest.mark.django_db
def test_indexes_are_built_again_when_the_load_fails(synth, monkeypatch):
    before = _all_indexes()
    seen = _watch_the_load(monkeypatch, fail=True)
    with pytest.raises(RuntimeError, match="disk is full"):
        synth_create(children=50, seed=11, add=True)
    assert seen and len(seen[0]) < len(before)
    assert _all_indexes() == before


@pytest.mark.django_db
def test_every_organisation_is_in_the_directory_with_its_providers(synth):
    from phteah.care.models import ProviderCareType
    from phteah.referrals.models import PartnerProfile
    from phteah.referrals.selectors import capacity_board, directory_search

    organisations = synth_organisations()
    assert PartnerProfile.objects.filter(
        organisation__in=organisations, published=True
    ).count() == (organisations.count())
    assert not CareProvider.objects.filter(network_published=False).exists()
    assert ProviderCareType.objects.count() >= CareProvider.objects.count()
    worker = Membership.objects.filter(role=Role.CASE_WORKER, is_active=True).first()
    results = directory_search(actor=worker, care_type="temporary_centre", age=10)
    assert results and all(result.free > 0 for result in results)
    assert capacity_board(actor=worker).total > 0
