# ruff: noqa: F811 - the fixtures imported from the service tests are used by name
"""A referral's steps on both cases' timelines: the sender's case shows every referral sent
from it, the receiver's case the one it came from, and nothing of the other receivers."""

import pytest
from django.urls import reverse

from phteah.referrals import services
from tests.conftest import sign_in
from tests.referrals.test_referral_services import (  # noqa: F401 - the fixtures
    accept,
    answerers,
    as_,
    baby_case,
    catalogue,
    consent,
    partners,
    referral_to,
    send,
)

pytestmark = pytest.mark.django_db


def _timeline(client, member, case_id) -> str:
    sign_in(client, member.user)
    page = client.get(reverse("cases:case_detail", args=[case_id])).content.decode()
    client.logout()
    return page.split('id="timeline"')[1]


def test_both_cases_show_the_referral_and_the_news_reported_back(
    client, worker, baby_case, partners, catalogue, consent, answerers
):
    group = send(worker, baby_case, partners)
    bridge, kumar = referral_to(group, partners[0]), referral_to(group, partners[1])
    accepted = accept(answerers[0], bridge)
    as_(
        answerers[0],
        services.referral_feedback,
        referral_id=bridge.pk,
        note="Placed with a foster family in Chamkar Mon.",
    )

    sender = _timeline(client, worker, baby_case.pk)
    assert sender.count("Referral sent") == 2
    assert "Referral accepted" in sender and "Referral withdrawn" in sender
    assert "News from the partner" in sender
    assert "Placed with a foster family in Chamkar Mon." in sender
    assert "by Bridge of Hope" in sender  # the partner's people are named by organisation
    assert reverse("referrals:referral_detail", args=[bridge.pk]) in sender
    assert reverse("referrals:referral_detail", args=[kumar.pk]) in sender

    receiver = _timeline(client, answerers[0], accepted.receiver_case_id)
    assert "Referral sent" in receiver and "Referral accepted" in receiver
    assert "Placed with a foster family in Chamkar Mon." in receiver
    # Kumar Care's referral, withdrawn when Bridge of Hope accepted, is not Bridge's history.
    assert "Referral withdrawn" not in receiver
    assert reverse("referrals:referral_detail", args=[kumar.pk]) not in receiver
    assert "Kumar Care" not in receiver


def test_a_declined_referral_shows_with_the_partners_reason(
    client, worker, baby_case, partners, catalogue, consent, answerers
):
    referral = referral_to(send(worker, baby_case, partners[:1]), partners[0])
    as_(
        answerers[0],
        services.referral_decline,
        referral_id=referral.pk,
        reason="no_place",
        note="Our foster families are all full until March.",
    )

    sender = _timeline(client, worker, baby_case.pk)
    assert "Referral declined" in sender
    assert "Our foster families are all full until March." in sender
