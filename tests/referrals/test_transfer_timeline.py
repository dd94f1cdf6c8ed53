# ruff: noqa: F811 - the fixtures imported from the service tests are used by name
"""A transfer on both cases' timelines: sent and accepted (or declined, withdrawn) on the
sender's case, "transferred from" on the receiver's new case."""

import pytest
from django.urls import reverse

from phteah.referrals import services
from tests.conftest import sign_in
from tests.referrals.test_transfer_services import (  # noqa: F401 - the fixtures
    accept,
    answerer,
    as_,
    child_case,
    consent,
    receiver,
    send,
)

pytestmark = pytest.mark.django_db


def _timeline(client, member, case_id) -> str:
    sign_in(client, member.user)
    response = client.get(reverse("cases:case_detail", args=[case_id]))
    assert response.status_code == 200
    client.logout()
    return response.content.decode().split('id="timeline"')[1]


def test_both_cases_show_the_transfer(client, supervisor, child_case, receiver, consent, answerer):
    transfer = accept(answerer, send(supervisor, child_case, receiver))
    detail = reverse("referrals:transfer_detail", args=[transfer.pk])
    sender = _timeline(client, supervisor, child_case.pk)
    assert "Transfer sent" in sender and "Transfer accepted: the case was closed" in sender
    assert "The family moved to Battambang." in sender and detail in sender
    assert "by Bridge of Hope" in sender  # the receiver's people are named by organisation
    own = _timeline(client, answerer, transfer.receiver_case_id)
    assert "Case transferred from another organisation" in own and "Family Bridge" in own
    assert "Transfer sent" not in own and detail in own
    # The receiver reading the sender's closed case sees its history, the transfer with it.
    history = _timeline(client, answerer, child_case.pk)
    assert "Transfer accepted: the case was closed" in history


def test_a_declined_and_a_withdrawn_transfer_show_on_the_senders_case(
    client, supervisor, child_case, receiver, consent, answerer
):
    first = send(supervisor, child_case, receiver)
    as_(
        answerer,
        services.transfer_decline,
        transfer_id=first.pk,
        reason="other",
        note="We have no social worker in Battambang.",
    )
    second = send(supervisor, child_case, receiver)
    services.transfer_withdraw(actor=supervisor, transfer_id=second.pk)
    sender = _timeline(client, supervisor, child_case.pk)
    assert sender.count("Transfer sent") == 2
    assert "Transfer declined" in sender and "We have no social worker in Battambang." in sender
    assert "Transfer withdrawn" in sender
    assert "Withdrawn by the sending organisation" in sender
