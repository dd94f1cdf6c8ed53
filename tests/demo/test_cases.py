import re
import time

import pytest

from phteah.accounts.models import Membership, Organisation
from phteah.accounts.roles import Role
from phteah.care.models import (
    CareProvider,
    Carer,
    CareRule,
    Placement,
    Relative,
    ReunificationAssessment,
    TracingAction,
)
from phteah.cases.models import (
    Assessment,
    AssessmentScore,
    Case,
    CaseGrant,
    CaseReferenceCounter,
    Conference,
    Visit,
)
from phteah.core.audit import audit_verify
from phteah.core.models import AuditEvent
from phteah.demo.cases import demo_cases_create
from phteah.demo.directory import demo_directory_publish
from phteah.demo.network import ORGANISATIONS, demo_network_create
from phteah.demo.referrals import demo_referrals_create
from phteah.demo.sharing import SHARED_CASES, demo_sharing_create
from phteah.demo.transfers import demo_transfers_create
from phteah.geography.services import geography_load
from phteah.notifications.models import Notification
from phteah.people.linkage import linkage_rebuild
from phteah.people.models import Consent, HouseholdMember, IdentityDocument, LinkageRecord, Person
from phteah.referrals.models import Referral, Transfer
from phteah.work import selectors
from tests.conftest import no_scope


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One full demo (geography, network, cases) shared by the tests of this module."""
    from django_scopes import scopes_disabled

    with django_db_blocker.unblock(), scopes_disabled():
        from django.core.management import call_command

        try:
            geography_load()
            demo_network_create()
            started = time.monotonic()
            summary = demo_cases_create(seed=7)
            elapsed = time.monotonic() - started
            with no_scope():  # as the command runs them: each opens the scopes it needs
                demo_sharing_create()
                demo_directory_publish()
                demo_referrals_create()
                demo_transfers_create()
            yield summary, elapsed
        finally:  # a failed load must not leave its rows to the tests that follow
            call_command("flush", "--no-input", verbosity=0)


@pytest.mark.django_db
def test_it_creates_about_300_varied_cases_quickly(demo):
    summary, elapsed = demo
    assert 250 <= summary.cases <= 350
    assert elapsed < 30
    # (and those the partners opened when they accepted a demo referral)
    opened_by_referral = Case.objects.filter(referral_source="ngo", organisation__in=[
        r.receiver_id for r in Referral.objects.exclude(receiver_case=None)
    ], pk__in=Referral.objects.values("receiver_case"))  # fmt: skip
    # (and the one a partner opened when it accepted a demo transfer)
    opened_by_transfer = Transfer.objects.exclude(receiver_case=None).count()
    assert Case.objects.count() == (summary.cases + opened_by_referral.count() + opened_by_transfer)
    per_org = {
        org.short_code: Case.objects.filter(organisation=org).count()
        for org in Organisation.objects.all()
    }
    assert per_org["SKCC"] < per_org["BDSVY"] < min(per_org[c] for c in ("HFM", "SCH", "FBC"))
    assert set(Case.objects.values_list("stage", flat=True)) >= {
        "registered",
        "implementing",
        "follow_up",
        "closed",
    }
    closed = Case.objects.filter(status="closed")
    assert closed.exists() and not closed.filter(closure_reason="").exists()
    assert Case.objects.filter(case_type="crisis_pregnancy").count() >= 20
    assert HouseholdMember.objects.filter(relationship="child").exists()
    assert CareProvider.objects.filter(kind="foster_family").exists()
    assert Placement.objects.filter(care_type="emergency_foster", provider__isnull=False).exists()
    assert AssessmentScore.objects.filter(assessment__kind="full").exists()
    assert Consent.objects.exists() and IdentityDocument.objects.exists()
    assert Case.objects.filter(person__family_name_km="", person__given_name_km="").count() == 0


@pytest.mark.django_db
def test_every_demo_person_has_a_current_linkage_record(demo):
    assert LinkageRecord.objects.count() == Person.objects.count() > 0
    assert linkage_rebuild(write=False).unchanged == Person.objects.count()


@pytest.mark.django_db
def test_references_and_counters_agree(demo):
    for organisation in Organisation.objects.all():
        for counter in CaseReferenceCounter.objects.filter(organisation=organisation):
            refs = Case.objects.filter(
                organisation=organisation,
                reference__startswith=f"{organisation.short_code}-{counter.year}-",
            )
            assert refs.count() == counter.last_number
            assert refs.filter(
                reference=f"{organisation.short_code}-{counter.year}-{counter.last_number:04d}"
            ).exists()


@pytest.mark.django_db
def test_every_kind_of_due_work_shows_up(demo):
    totals = dict.fromkeys(
        ["visits", "reviews", "late", "past_limit", "follow_ups", "approvals"], 0
    )
    for supervisor in Membership.objects.filter(role=Role.SUPERVISOR):
        totals["visits"] += selectors.visit_overdue_cases(supervisor).count()
        totals["reviews"] += selectors.reviews_due(supervisor).count()
        totals["late"] += selectors.initial_assessments_late(supervisor).count()
        totals["past_limit"] += selectors.placements_past_limit(supervisor).count()
        totals["follow_ups"] += selectors.follow_ups_due(supervisor).count()
        totals["approvals"] += selectors.approvals_waiting(supervisor).count()
    assert all(totals.values()), totals
    temporary = selectors.placements_past_limit(
        Membership.objects.get(user__email="supervisor@sch.test")
    )
    assert any(case.current_care_type == "temporary_centre" for case in temporary)
    # plenty of cases are fine too
    assert totals["visits"] < Case.objects.filter(status="open").count()


@pytest.mark.django_db
def test_visit_counts_vary_and_rules_are_seeded(demo):
    from django.db.models import Count

    counts = [row["n"] for row in Case.objects.annotate(n=Count("visits")).values("n")]
    assert max(counts) >= 30 and min(counts) == 0
    assert all(n <= 40 for n in counts)
    assert Assessment.objects.exists() and Visit.objects.count() > 1000
    for organisation in Organisation.objects.all():
        assert CareRule.objects.filter(organisation=organisation).count() == 21


@pytest.mark.django_db
def test_it_is_idempotent_and_audited_once_per_organisation(demo):
    cases = Case.objects.count()
    again = demo_cases_create(seed=7)
    assert again.cases == 0 and Case.objects.count() == cases
    events = AuditEvent.objects.filter(action="demo.cases.created")
    assert events.count() == Organisation.objects.count() == 6
    assert audit_verify().problems == []


@pytest.mark.django_db
def test_family_bridge_shares_battambang_cases_with_the_dosvy(demo):
    dosvy = Organisation.objects.get(short_code="BDSVY")
    grants = CaseGrant.objects.filter(grantee=dosvy, revoked_at=None)
    assert grants.count() == SHARED_CASES
    officer = Membership.objects.get(organisation=dosvy, role=Role.CASE_WORKER).user
    assert set(grants.values_list("handled_by", flat=True)) == {officer.pk}
    assert all(g.case.person.village.commune.district.province_id == "02" for g in grants)
    visit = Visit.objects.get(recorded_by_organisation=dosvy)
    assert visit.kind == Visit.Kind.AUTHORITIES and visit.recorded_by == officer
    assert demo_sharing_create().shares == 0  # idempotent
    assert audit_verify().problems == []


@pytest.mark.django_db
def test_the_demo_network_has_referrals_in_every_state(demo):
    states = set(Referral.objects.values_list("state", flat=True))
    assert {"pending", "accepted", "declined", "withdrawn", "completed"} <= states
    assert Referral.objects.filter(withdraw_reason="taken").exists()
    assert Referral.objects.exclude(receiver_case=None).exists()
    # The members were told, and have read some of it: the bell shows the newest.
    notices = Notification.objects.filter(kind__startswith="referral_")
    assert notices.filter(read_at=None).exists() and notices.exclude(read_at=None).exists()
    assert demo_referrals_create().states == {}  # idempotent
    assert audit_verify().problems == []


@pytest.mark.django_db
def test_the_demo_network_has_an_accepted_and_a_waiting_transfer(demo):
    assert sorted(Transfer.objects.values_list("state", flat=True)) == ["accepted", "pending"]
    accepted = Transfer.objects.get(state="accepted")
    sent = Case.objects.get(pk=accepted.case_id)
    assert (sent.status, sent.closure_reason) == ("closed", "transferred")
    assert sent.organisation_id == accepted.organisation_id  # it stays the sender's
    assert Case.objects.get(pk=accepted.receiver_case_id).organisation_id == accepted.receiver_id
    assert demo_transfers_create().states == {}  # idempotent
    assert audit_verify().problems == []


KHMER = re.compile("[\u1780-\u17ff]")


@pytest.mark.django_db
def test_it_has_conferences_family_tracing_and_reunifications(demo):
    conferences = Conference.objects.all()
    assert conferences.count() >= 30
    assert conferences.values("case").distinct().count() >= 30
    assert TracingAction.objects.count() >= 50
    found = Relative.objects.all()
    assert found.count() >= 30 and found.filter(willing_to_care=True).exists()
    # tracing found relatives: the last search of a case with a relative says so
    assert TracingAction.objects.filter(case__relatives__isnull=False).exists()
    assert TracingAction.objects.filter(case__relatives__isnull=True).exists()  # still looking
    reunified = ReunificationAssessment.objects.filter(
        recommendation="reunify", reunified_on__isnull=False
    )
    assert reunified.count() >= 20
    assert ReunificationAssessment.objects.filter(recommendation="not_yet").exists()
    for assessment in reunified[:50]:
        assert assessment.relative.case_id == assessment.case_id
        assert assessment.assessed_on <= assessment.reunified_on
        home = Placement.objects.get(case=assessment.case, started_on=assessment.reunified_on)
        assert home.care_type in ("birth_family", "kinship")
    for conference in conferences[:50]:
        assert conference.case.opened_on <= conference.held_on
        assert conference.participants and conference.decisions


@pytest.mark.django_db
def test_no_provider_is_over_capacity_and_some_have_room(demo):
    from django.db.models import Count, Q

    providers = CareProvider.objects.annotate(
        children=Count("placements", filter=Q(placements__ended_on__isnull=True))
    )
    over = [(p.name, p.children, p.capacity) for p in providers if p.children > p.capacity]
    assert not over
    for organisation in Organisation.objects.all():
        mine = [p for p in providers if p.organisation_id == organisation.pk]
        for kind in ("foster_family", "temporary_centre", "family_house"):
            assert any(p.kind == kind and p.children < p.capacity for p in mine), (
                organisation.short_code,
                kind,
            )
    assert any(p.children == p.capacity for p in providers)  # and some are full


@pytest.mark.django_db
def test_organisations_that_write_khmer_have_khmer_names_and_text(demo):
    khmer = [spec.code for spec in ORGANISATIONS if spec.writes_khmer]
    assert khmer and len(khmer) < len(ORGANISATIONS)
    for code in khmer:
        organisation = Organisation.objects.get(short_code=code)
        assert all(KHMER.search(o.name) for o in organisation.offices.all())
        providers = CareProvider.objects.filter(organisation=organisation)
        assert providers.exists() and all(KHMER.search(p.name) for p in providers)
        carers = Carer.objects.filter(organisation=organisation)
        assert carers.exists() and all(KHMER.search(c.name) for c in carers)
        cases = Case.objects.filter(organisation=organisation)
        assert all(KHMER.search(c.referral_reason) for c in cases)
        visits = Visit.objects.filter(organisation=organisation)
        assert all(KHMER.search(v.wellbeing_notes) for v in visits)
        assert all(
            KHMER.search(c.decisions) for c in Conference.objects.filter(organisation=organisation)
        )
    others = Organisation.objects.exclude(short_code__in=khmer)
    latin = CareProvider.objects.filter(organisation__in=others).exclude(name__regex="[ក-៹]")
    assert latin.exists()
    # every organisation has its name in both scripts
    assert not Organisation.objects.filter(name_km="").exists()


@pytest.mark.django_db
def test_an_organisation_that_writes_khmer_shows_no_english(demo, client):
    """The demo's pages of a Khmer-writing organisation, for its case worker reading in
    Khmer: a case with a conference, family tracing and a reunification, its conference, the
    providers (the check of tests/test_khmer_pages.py on the demo's own data)."""
    from django.urls import reverse

    from tests.conftest import sign_in
    from tests.test_khmer_pages import data_words, english_on

    worker = Membership.objects.get(user__email="caseworker@kcn.test")
    assessment = ReunificationAssessment.objects.filter(
        organisation=worker.organisation, assessed_by=worker.user, reunified_on__isnull=False
    ).first()
    conference = Conference.objects.filter(case=assessment.case).first()
    provider = CareProvider.objects.filter(organisation=worker.organisation).first()
    assert worker.user.language == "km" and conference is not None
    sign_in(client, worker.user)
    case = assessment.case_id
    urls = [
        reverse("accounts:home"),
        reverse("cases:case_list"),
        reverse("cases:case_detail", kwargs={"case_id": case}),
        reverse(
            "cases:conference_detail", kwargs={"case_id": case, "conference_id": conference.pk}
        ),
        reverse("care:provider_list"),
        reverse("care:provider_detail", kwargs={"provider_id": provider.pk}),
    ]
    data = data_words()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not english_on(response.content.decode(), data), url
        # the conference's own page shows it (the case page's timeline may have it on a
        # later page, whichever case the database gives first)
        assert "សន្និសីទ" in response.content.decode() or url != urls[3]
