# ruff: noqa: F811 - the fixtures imported from the service tests are used by name
"""The transfer screens: "Transfer this case" on the case page, the form with its consent
check, the list, a transfer's page, accept / decline / withdraw, and the two cases after it:
"Transferred to" on the sender's, "Transferred from" with the history on the receiver's."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from phteah.accounts.roles import Role
from phteah.cases.models import Case
from phteah.referrals.models import Transfer
from tests.conftest import sign_in
from tests.factories import MembershipFactory
from tests.referrals.test_transfer_services import (  # noqa: F401 - the fixtures
    answerer,
    child_case,
    consent,
    receiver,
    send,
    stranger,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_supervisor_transfers_from_the_case_page(
    client, supervisor, child_case, receiver, stranger, consent
):
    sign_in(client, supervisor.user)
    url = reverse("referrals:transfer_new", args=[child_case.pk])
    assert url in text(client.get(reverse("cases:case_detail", args=[child_case.pk])))
    form = text(client.get(url))
    assert "Bridge of Hope" in form and "Kumar Care" in form
    # The consent covers Bridge of Hope only: the form says so, with a link to record one.
    warning = form.split("No consent on record covers a transfer of this child to:")[1][:400]
    assert "Kumar Care" in warning and "Bridge of Hope" not in warning
    assert reverse("people:consent_add", args=[child_case.person_id]) in form
    refused = client.post(url, {"receiver": str(stranger.pk), "reason": "Moved."})
    assert "No consent on record lets this case be transferred to Kumar Care" in text(refused)
    response = client.post(url, {"receiver": str(receiver.pk), "reason": "Moved."})
    assert response.status_code == 302
    with scopes_disabled():
        transfer = Transfer.objects.get(case=child_case)
    listing = text(client.get(reverse("referrals:transfers")))
    assert "Sreypov" in listing and "1 waiting" in listing
    page = text(client.get(reverse("cases:case_detail", args=[child_case.pk])))
    assert "Waiting for Bridge of Hope to answer" in page and url not in page
    detail = text(client.get(reverse("referrals:transfer_detail", args=[transfer.pk])))
    assert "Withdraw the transfer" in detail


def test_a_case_worker_sees_no_transfer_action(client, worker, child_case, consent):
    sign_in(client, worker.user)
    url = reverse("referrals:transfer_new", args=[child_case.pk])
    assert url not in text(client.get(reverse("cases:case_detail", args=[child_case.pk])))
    assert client.get(url).status_code == 404


def test_the_receiver_accepts_and_reads_the_history(
    client, supervisor, child_case, receiver, consent, answerer
):
    transfer = send(supervisor, child_case, receiver)
    worker = MembershipFactory(organisation=receiver, role=Role.CASE_WORKER)
    sign_in(client, answerer.user)
    listing = text(client.get(reverse("referrals:transfers")))
    assert "Sreypov" in listing and "1 waiting" in listing
    detail = text(client.get(reverse("referrals:transfer_detail", args=[transfer.pk])))
    assert "The family moved to Battambang." in detail
    assert reverse("cases:case_detail", args=[child_case.pk]) not in detail
    # Before acceptance the sender's case is not readable.
    assert client.get(reverse("cases:case_detail", args=[child_case.pk])).status_code == 404
    accept_url = reverse("referrals:transfer_accept", args=[transfer.pk])
    assert str(worker.user.full_name) in text(client.get(accept_url))
    response = client.post(
        accept_url, {"case_type": child_case.case_type, "worker": str(worker.user_id)}
    )
    assert response.status_code == 302
    with scopes_disabled():
        own = Case.objects.get(organisation=receiver)
    page = text(client.get(reverse("cases:case_detail", args=[own.pk])))
    assert "Transferred from Family Bridge" in page
    history_url = reverse("cases:case_detail", args=[child_case.pk])
    assert history_url in page
    history = text(client.get(history_url))
    assert child_case.reference in history
    # The receiver's worker on the new case reads it too; the sender sees its case closed.
    sign_in(client, worker.user)
    assert client.get(history_url).status_code == 200
    sign_in(client, supervisor.user)
    sent = text(client.get(history_url))
    assert "Transferred to Bridge of Hope on" in sent
    assert reverse("referrals:transfer_new", args=[child_case.pk]) not in sent
    assert reverse("cases:case_reopen", args=[child_case.pk]) not in sent
    # Answering twice: refused with a message, nothing changes.
    sign_in(client, answerer.user)
    again = client.post(
        accept_url, {"case_type": child_case.case_type, "worker": str(worker.user_id)}
    )
    assert "This transfer is already accepted." in text(again)


def test_the_receiver_declines(client, supervisor, child_case, receiver, consent, answerer):
    transfer = send(supervisor, child_case, receiver)
    sign_in(client, answerer.user)
    url = reverse("referrals:transfer_decline", args=[transfer.pk])
    assert "Say why you decline." in text(client.post(url, {"reason": "other", "note": ""}))
    assert client.post(url, {"reason": "no_place"}).status_code == 302
    with scopes_disabled():
        assert Transfer.objects.get(pk=transfer.pk).state == "declined"
        assert Case.objects.get(pk=child_case.pk).status == "open"


def test_the_sender_withdraws_and_the_receiver_cannot(
    client, supervisor, child_case, receiver, consent, answerer
):
    transfer = send(supervisor, child_case, receiver)
    url = reverse("referrals:transfer_withdraw", args=[transfer.pk])
    sign_in(client, answerer.user)
    assert client.post(url).status_code == 404
    sign_in(client, supervisor.user)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    with scopes_disabled():
        assert Transfer.objects.get(pk=transfer.pk).state == "withdrawn"
    again = client.post(url, follow=True)
    assert "This transfer is already withdrawn." in text(again)


def test_other_organisations_and_the_anonymous_see_nothing(
    client, supervisor, child_case, receiver, stranger, consent
):
    transfer = send(supervisor, child_case, receiver)
    urls = [
        reverse("referrals:transfer_detail", args=[transfer.pk]),
        reverse("referrals:transfer_accept", args=[transfer.pk]),
        reverse("referrals:transfer_decline", args=[transfer.pk]),
    ]
    outsider = MembershipFactory(organisation=stranger, role=Role.SUPERVISOR)
    receiving_worker = MembershipFactory(organisation=receiver, role=Role.CASE_WORKER)
    for member in (outsider, receiving_worker):
        sign_in(client, member.user)
        for url in urls:
            assert client.get(url).status_code == 404, (member, url)
        assert "Sreypov" not in text(client.get(reverse("referrals:transfers")))
    client.logout()
    for url in [*urls, reverse("referrals:transfers")]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_list_runs_the_same_queries_for_few_and_many_transfers(
    client, supervisor, worker, organisation, receiver, answerer
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CaseFactory
    from tests.referrals.test_transfer_services import transfer_consent

    def transfer(count):
        for _ in range(count):
            case = CaseFactory(
                organisation=organisation, workers=[worker.user], supervisor=supervisor.user
            )
            transfer_consent(case, receiver)
            send(supervisor, case, receiver)

    def queries(user):
        sign_in(client, user)
        url = reverse("referrals:transfers")
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    transfer(2)
    few = (queries(supervisor.user), queries(answerer.user))
    transfer(8)
    assert (queries(supervisor.user), queries(answerer.user)) == few
