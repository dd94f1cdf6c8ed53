# ruff: noqa: F811 - the fixtures imported from the service tests are used by name
"""The referral screens: refer from a case, the inboxes, a referral's page, the answers, and
what My work counts; query counts that do not grow with the referrals."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from phteah.referrals.models import Referral
from tests.conftest import sign_in
from tests.factories import CaseFactory, ConsentFactory, PersonFactory
from tests.referrals.test_referral_services import (  # noqa: F401 - the fixtures
    accept,
    answerers,
    baby_case,
    catalogue,
    consent,
    partners,
    referral_to,
    send,
)

pytestmark = pytest.mark.django_db


def test_a_worker_refers_from_the_case_page(
    client, worker, baby_case, partners, catalogue, consent
):
    sign_in(client, worker.user)
    page = client.get(reverse("cases:case_detail", args=[baby_case.pk])).content.decode()
    url = reverse("referrals:referral_new", args=[baby_case.pk])
    assert url in page
    form = client.get(url).content.decode()
    assert "Bridge of Hope" in form and "Kumar Care" in form
    response = client.post(
        url,
        {
            "receivers": [str(p.pk) for p in partners],
            "services": ["emergency_foster"],
            "urgency": "urgent",
            "reason": "A baby left at the hospital.",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Referral.objects.filter(group__case=baby_case).count() == 2
    sent = client.get(reverse("referrals:sent")).content.decode()
    assert "Sreypov" in sent and "Waiting for an answer" in sent


def test_the_form_names_partners_no_consent_covers(client, worker, baby_case, partners, catalogue):
    ConsentFactory(
        person=baby_case.person,
        purpose="share_organisation",
        for_referral=True,
        organisations=[partners[0]],
    )
    sign_in(client, worker.user)
    form = client.get(reverse("referrals:referral_new", args=[baby_case.pk])).content.decode()
    assert "No consent on record covers a referral of this child to:" in form
    assert "Kumar Care" in form.split("No consent on record covers")[1][:300]


def test_the_receiver_answers_from_its_inbox(
    client, worker, baby_case, partners, catalogue, consent, answerers
):
    group = send(worker, baby_case, partners)
    first = referral_to(group, partners[0])
    chief = answerers[0]
    sign_in(client, chief.user)
    work = client.get(reverse("work:my_work")).content.decode()
    assert "1 referral waits for your organisation's answer" in work
    inbox = client.get(reverse("referrals:received")).content.decode()
    assert "Sreypov" in inbox
    detail = client.get(reverse("referrals:referral_detail", args=[first.pk])).content.decode()
    assert "A baby left at the hospital." in detail and "Accept" in detail
    assert reverse("cases:case_detail", args=[baby_case.pk]) not in detail
    accept_url = reverse("referrals:referral_accept", args=[first.pk])
    form = client.get(accept_url).content.decode()
    assert "Accept and open a case" in form
    from phteah.accounts.roles import Role
    from tests.factories import MembershipFactory

    colleague = MembershipFactory(organisation=partners[0], role=Role.CASE_WORKER)
    response = client.post(accept_url, {"case_type": "foster_care", "worker": colleague.user_id})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.state == "accepted"
    detail = client.get(reverse("referrals:referral_detail", args=[first.pk])).content.decode()
    assert reverse("cases:case_detail", args=[first.receiver_case_id]) in detail
    response = client.post(
        reverse("referrals:referral_feedback", args=[first.pk]),
        {"note": "Placed with a foster family."},
    )
    assert response.status_code == 302
    client.logout()
    sign_in(client, worker.user)
    detail = client.get(reverse("referrals:referral_detail", args=[first.pk])).content.decode()
    assert "Placed with a foster family." in detail and "Accepted" in detail


def test_a_decline_with_a_reason_from_its_form(
    client, worker, baby_case, partners, catalogue, consent, answerers
):
    referral = referral_to(send(worker, baby_case, partners), partners[0])
    sign_in(client, answerers[0].user)
    url = reverse("referrals:referral_decline", args=[referral.pk])
    assert client.post(url, {"reason": "other", "note": ""}).status_code == 200  # refused
    assert client.post(url, {"reason": "no_place", "note": "Full"}).status_code == 302
    referral.refresh_from_db()
    assert referral.state == "declined"


def test_the_inboxes_take_the_same_queries_for_five_times_the_referrals(
    client, organisation, worker, supervisor, partners, catalogue, answerers
):
    def refer(count):
        for _ in range(count):
            person = PersonFactory(organisation=organisation)
            case = CaseFactory(
                organisation=organisation,
                person=person,
                workers=[worker.user],
                supervisor=supervisor.user,
            )
            ConsentFactory(
                person=person,
                purpose="share_organisation",
                for_referral=True,
                organisations=list(partners),
            )
            send(worker, case, partners)

    def queries(user, url):
        sign_in(client, user)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    refer(2)
    few = (
        queries(worker.user, reverse("referrals:sent")),
        queries(answerers[0].user, reverse("referrals:received")),
    )
    refer(8)
    many = (
        queries(worker.user, reverse("referrals:sent")),
        queries(answerers[0].user, reverse("referrals:received")),
    )
    assert few == many


def test_the_received_inbox_lists_the_waiting_referrals_first_soonest_due_first(
    client, worker, baby_case, partners, answerers, catalogue, consent
):
    first = send(worker, baby_case, partners[:1], codes=("emergency_foster",))
    second = send(worker, baby_case, partners[:1], codes=("food",))
    answered = referral_to(first, partners[0])
    waiting = referral_to(second, partners[0], code="food")
    accept(answerers[0], answered)  # accepted: its code sorts before "pending"
    sign_in(client, answerers[0].user)
    page = client.get(reverse("referrals:received")).content.decode()
    detail = reverse("referrals:referral_detail", args=[waiting.pk])
    assert page.index(detail) < page.index(reverse("referrals:referral_detail", args=[answered.pk]))
