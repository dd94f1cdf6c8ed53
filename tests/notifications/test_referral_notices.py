# ruff: noqa: F811 - the fixtures imported from the referral tests are used by name
"""Each side of a referral is told of the other's steps, once, and only after a change that
happened (a refused step tells no one)."""

import pytest
from django_scopes import scopes_disabled

from phteah.core.errors import ServiceError
from phteah.notifications.models import Notification
from tests.conftest import no_scope
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


def notices(organisation):
    with scopes_disabled():
        return sorted(
            Notification.objects.filter(organisation=organisation).values_list(
                "recipient_id", "kind"
            )
        )


def test_the_receivers_then_the_sender_are_told_once(
    worker, supervisor, baby_case, partners, catalogue, consent, answerers, organisation
):
    group = send(worker, baby_case, partners)
    for partner, answerer in zip(partners, answerers, strict=True):
        assert notices(partner) == [(answerer.user_id, "referral_received")]
    accept(answerers[0], referral_to(group, partners[0]))
    assert notices(organisation) == [(worker.user_id, "referral_accepted")]
    assert notices(partners[1]) == sorted(
        [(answerers[1].user_id, "referral_received"), (answerers[1].user_id, "referral_withdrawn")]
    )


def test_a_refused_step_tells_no_one(
    worker, baby_case, partners, catalogue, consent, answerers, organisation
):
    group = send(worker, baby_case, partners)
    accept(answerers[0], referral_to(group, partners[0]))
    before = notices(organisation), notices(partners[1])
    with pytest.raises(ServiceError):
        accept(answerers[1], referral_to(group, partners[1]))
    assert (notices(organisation), notices(partners[1])) == before


def test_an_overdue_answer_is_told_once(worker, baby_case, partners, catalogue, consent, answerers):
    import datetime

    from django.utils import timezone
    from django_scopes import scope

    from phteah.referrals.services import referral_decline, referrals_overdue_notify

    group = send(worker, baby_case, partners)
    due = referral_to(group, partners[0]).answer_due_on
    assert referrals_overdue_notify(today=due) == 0  # due today: not overdue yet
    later = due + datetime.timedelta(days=1)
    with scope(organisation=partners[1].pk):  # answered: never overdue
        referral_decline(
            actor=answerers[1], referral_id=referral_to(group, partners[1]).pk, reason="no_place"
        )
    with no_scope():  # a task, as beat runs it
        assert referrals_overdue_notify(today=later) == 1
        assert referrals_overdue_notify(today=later) == 0
    assert notices(partners[0]) == sorted(
        [(answerers[0].user_id, "referral_received"), (answerers[0].user_id, "referral_overdue")]
    )
    assert timezone.localdate() <= later


def test_the_partner_profile_names_the_organisations_telegram_chat(partners, settings):
    from phteah.notifications.telegram import chat_for
    from phteah.referrals.models import PartnerProfile

    settings.TELEGRAM_CHAT_ID = "-100"
    PartnerProfile.objects.filter(organisation=partners[0]).update(telegram_chat_id="-4242")
    assert chat_for(partners[0].pk) == "-4242"
    assert chat_for(partners[1].pk) == "-100"  # none of its own: the setting's
