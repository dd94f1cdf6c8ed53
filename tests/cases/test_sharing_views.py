"""Sharing a case with a government office from the case page, and what the office's members
see and do: the shared case page, "Cases shared with us", giving a case to an officer, the
authority's visit."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from phteah.accounts.models import Organisation
from phteah.accounts.roles import Role
from phteah.cases.models import CaseGrant, Visit
from phteah.core.models import AuditEvent
from phteah.people.models import Consent, SharingPurpose
from tests.cases.test_list import village
from tests.conftest import sign_in
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def officer(dosvy):
    return MembershipFactory(organisation=dosvy, role=Role.CASE_WORKER)


@pytest.fixture
def chief(dosvy):
    return MembershipFactory(organisation=dosvy, role=Role.SUPERVISOR)


@pytest.fixture
def child_case(organisation, worker, supervisor, place):
    person = PersonFactory(
        organisation=organisation,
        village=place,
        given_name_latin="Sreypov",
        family_name_latin="Chan",
    )
    case = CaseFactory(
        organisation=organisation, person=person, workers=[worker.user], supervisor=supervisor.user
    )
    ConsentFactory(
        person=person, purpose=Consent.Purpose.SHARE_GOVERNMENT, method=Consent.Method.SIGNED_FORM
    )
    return case


def _grant(case, office, handled_by=None):
    now = timezone.now()
    with scopes_disabled():
        return CaseGrant.objects.create(
            organisation=case.organisation,
            case=case,
            grantee=office,
            level=CaseGrant.Level.VIEW,
            purpose=SharingPurpose.GOVERNMENT_SHARE,
            consent=case.person.consents.get(),
            granted_by=case.supervisor,
            granted_at=now - datetime.timedelta(days=2),
            valid_until=now + datetime.timedelta(days=60),
            handled_by=handled_by,
        )


def test_the_supervisor_shares_the_case_from_its_page(client, supervisor, child_case, dosvy):
    sign_in(client, supervisor.user)
    page = client.get(reverse("cases:case_detail", args=[child_case.pk])).content.decode()
    assert "Shared with other organisations" in page and "Share with a government office" in page
    url = reverse("cases:share_new", args=[child_case.pk])
    form = client.get(url).content.decode()
    assert "Battambang DoSVY" in form
    response = client.post(url, {"grantee": dosvy.pk, "valid_until": ""})
    assert response.status_code == 302
    with scopes_disabled():
        grant = CaseGrant.objects.get()
    assert grant.grantee == dosvy and grant.purpose == "government_share"
    page = client.get(reverse("cases:case_detail", args=[child_case.pk])).content.decode()
    assert "Stop sharing" in page


def test_the_form_offers_only_offices_that_serve_the_child(client, supervisor, child_case):
    far = OrganisationFactory(name="Kampot DoSVY", kind=Organisation.Kind.PROVINCIAL_OFFICE)
    far.provinces.add(village("07").commune.district.province)
    OrganisationFactory(name="Some NGO")
    sign_in(client, supervisor.user)
    form = client.get(reverse("cases:share_new", args=[child_case.pk])).content.decode()
    assert "Kampot DoSVY" not in form and "Some NGO" not in form


def test_the_office_reads_the_case_and_nothing_to_change(
    client, child_case, dosvy, officer, worker
):
    _grant(child_case, dosvy, handled_by=officer.user)
    with scopes_disabled():
        Visit.objects.create(
            organisation=child_case.organisation,
            case=child_case,
            visited_on=TODAY - datetime.timedelta(days=3),
            kind="home",
            people_seen="The grandmother",
            recorded_by=worker.user,
        )
    sign_in(client, officer.user)
    response = client.get(reverse("cases:case_detail", args=[child_case.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Shared read-only by Family Bridge" in page and "The grandmother" in page
    assert "Record a follow-up visit you made" in page
    for name in ("cases:case_edit", "cases:visit_add", "cases:case_print"):
        assert reverse(name, args=[child_case.pk]) not in page
    assert reverse("people:person_detail", args=[child_case.person_id]) not in page
    listing = client.get(reverse("cases:shared_with_us")).content.decode()
    assert "Sreypov" in listing and child_case.reference in listing
    with scopes_disabled():
        mirrored = AuditEvent.all_chains.filter(
            organisation=dosvy, action="cases.case.viewed_shared"
        )
        assert mirrored.exists()
        assert AuditEvent.all_chains.filter(
            organisation=child_case.organisation, action="cases.case.viewed_shared"
        ).exists()


def test_the_officer_records_a_visit_the_owner_then_sees(
    client, child_case, dosvy, officer, worker
):
    _grant(child_case, dosvy, handled_by=officer.user)
    sign_in(client, officer.user)
    url = reverse("cases:authority_visit_add", args=[child_case.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "visited_on": TODAY.isoformat(),
            "people_seen": "The child and her aunt",
            "schooling": "attending",
            "wellbeing_notes": "Eating well; back at school.",
        },
    )
    assert response.status_code == 302
    client.logout()
    sign_in(client, worker.user)
    page = client.get(reverse("cases:case_detail", args=[child_case.pk])).content.decode()
    assert "The child and her aunt" in page and "Visit by authorities" in page
    assert "Made by Battambang DoSVY" in page


def test_the_chief_gives_a_case_to_an_officer(client, child_case, dosvy, chief, officer):
    grant = _grant(child_case, dosvy)
    sign_in(client, officer.user)
    assert client.get(reverse("cases:case_detail", args=[child_case.pk])).status_code == 404
    client.logout()
    sign_in(client, chief.user)
    page = client.get(reverse("cases:shared_with_us")).content.decode()
    assert "Give to this officer" in page
    response = client.post(
        reverse("cases:grant_assign", args=[grant.pk]), {"handled_by": officer.user_id}
    )
    assert response.status_code == 302
    client.logout()
    sign_in(client, officer.user)
    assert client.get(reverse("cases:case_detail", args=[child_case.pk])).status_code == 200


def test_stopping_the_share_closes_the_page_at_once(client, child_case, dosvy, officer, supervisor):
    grant = _grant(child_case, dosvy, handled_by=officer.user)
    sign_in(client, supervisor.user)
    response = client.post(reverse("cases:share_revoke", args=[child_case.pk, grant.pk]))
    assert response.status_code == 302
    client.logout()
    sign_in(client, officer.user)
    assert client.get(reverse("cases:case_detail", args=[child_case.pk])).status_code == 404
    assert client.get(reverse("cases:authority_visit_add", args=[child_case.pk])).status_code == 404
    assert child_case.reference not in client.get(reverse("cases:shared_with_us")).content.decode()


def test_the_shared_list_takes_the_same_queries_for_five_times_the_cases(
    client, chief, dosvy, organisation, supervisor
):
    def add(count):
        for _ in range(count):
            person = PersonFactory(organisation=organisation)
            case = CaseFactory(organisation=organisation, person=person, supervisor=supervisor.user)
            ConsentFactory(person=person, purpose=Consent.Purpose.SHARE_GOVERNMENT)
            _grant(case, dosvy)

    sign_in(client, chief.user)
    add(2)
    client.get(reverse("cases:shared_with_us"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cases:shared_with_us"))
    add(8)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("cases:shared_with_us")).content.decode()
    assert page.count("Give to this officer") == 10
    assert len(many.captured_queries) == len(few.captured_queries)
