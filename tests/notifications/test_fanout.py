"""Fan-out: the notices and their outbox rows are written in the change's transaction, from
the grant events, to the right members, as they chose; a rollback leaves nothing and sends
nothing."""

import pytest
from django.core import mail
from django.db import transaction
from django_scopes import scopes_disabled

from phteah.accounts.roles import Role
from phteah.notifications.models import (
    Kind,
    Notification,
    NotificationDelivery,
    NotificationPreference,
)
from phteah.notifications.services import notifications_fan_out
from tests.factories import MembershipFactory

from .conftest import grant_event, publish

pytestmark = pytest.mark.django_db


def _notices(**filters):
    with scopes_disabled():
        return list(Notification.objects.filter(**filters).order_by("created_at"))


def _deliveries(**filters):
    return list(NotificationDelivery.objects.filter(**filters))


def test_a_government_share_tells_the_grantee_members_who_answer_referrals(
    case, grantee, officer, officer_worker, django_capture_on_commit_callbacks
):
    second = MembershipFactory(organisation=grantee, role=Role.SUPERVISOR)
    with django_capture_on_commit_callbacks(execute=True):
        publish(grant_event(case, grantee))
    notices = _notices(organisation=grantee)
    assert {n.recipient_id for n in notices} == {officer.user_id, second.user_id}
    notice = notices[0]
    assert notice.kind == Kind.SHARE_RECEIVED
    assert notice.read_at is None
    assert notice.data["reference"] == case.reference
    assert notice.data["organisation"] == str(case.organisation_id)
    assert notice.target_name == "cases:case_detail"
    assert notice.target_kwargs == {"case_id": str(case.pk)}
    # share_received goes by e-mail by default: one each, sent after commit.
    assert len(mail.outbox) == 2
    assert {d.status for d in _deliveries()} == {"sent"}


def test_fan_out_writes_in_the_callers_transaction(case, grantee, officer):
    with transaction.atomic():
        publish(grant_event(case, grantee))
        # Inside the same transaction, before commit: the rows are there already.
        assert len(_notices(organisation=grantee)) == 1
        assert len(_deliveries(channel="email")) == 1


def test_a_rollback_leaves_no_notification_and_sends_nothing(
    case, grantee, officer, django_capture_on_commit_callbacks, settings
):
    settings.TELEGRAM_BOT_TOKEN = "123:abc"
    settings.TELEGRAM_CHAT_ID = "-100"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        publish(grant_event(case, grantee), fail=True)
    assert callbacks == []
    assert _notices() == []
    assert _deliveries() == []
    assert mail.outbox == []


def test_referral_grants_are_not_told_as_shares(case, grantee, officer):
    """A referral's grant is told of by the referral's own events, never twice."""
    publish(grant_event(case, grantee, purpose="referral"))
    publish(grant_event(case, grantee, purpose="transfer"))
    publish(grant_event(case, grantee, revoked=True, purpose="referral", reason="answered"))
    assert _notices() == []


@pytest.mark.parametrize(
    "purpose, reason, told",
    [
        ("government_share", "revoked", True),
        ("government_share", "expired", True),
        ("government_share", "case_closed", True),
        ("referral", "consent_withdrawn", True),
        ("transfer", "consent_withdrawn", True),
        ("referral", "withdrawn", False),
        ("referral", "expired", False),
    ],
)
def test_the_end_of_a_share_is_told(case, grantee, officer, purpose, reason, told):
    publish(grant_event(case, grantee, revoked=True, purpose=purpose, reason=reason))
    notices = _notices(kind=Kind.SHARE_REVOKED)
    assert len(notices) == (1 if told else 0)
    if told:
        assert notices[0].data["reason"] == reason
        assert notices[0].target_name == ""
        # Not an e-mail by default.
        assert _deliveries() == []


def test_each_member_chooses_the_channels(
    case, grantee, officer, django_capture_on_commit_callbacks
):
    quiet = MembershipFactory(organisation=grantee, role=Role.SUPERVISOR)
    with scopes_disabled():
        NotificationPreference.objects.create(
            organisation=grantee,
            membership=quiet,
            kind=Kind.SHARE_RECEIVED,
            in_app=False,
            email=False,
        )
        NotificationPreference.objects.create(
            organisation=grantee,
            membership=officer,
            kind=Kind.SHARE_REVOKED,
            in_app=True,
            email=True,
        )
    with django_capture_on_commit_callbacks(execute=True):
        publish(grant_event(case, grantee))
        publish(grant_event(case, grantee, revoked=True))
    received = {n.recipient_id: n for n in _notices(kind=Kind.SHARE_RECEIVED)}
    # Turned off in Phteah: still listed, but already read (the bell does not ring).
    assert received[quiet.user_id].read_at is not None
    assert received[officer.user_id].read_at is None
    assert [m.to for m in mail.outbox] == [[officer.user.email], [officer.user.email]]


def test_members_who_cannot_be_told_are_left_out(case, grantee, officer, organisation):
    left = MembershipFactory(organisation=grantee, role=Role.SUPERVISOR, is_active=False)
    elsewhere = MembershipFactory(organisation=organisation, role=Role.SUPERVISOR)
    with transaction.atomic():
        notices = notifications_fan_out(
            kind=Kind.CONTACT_ANSWERED,
            organisation_id=grantee.pk,
            recipients=[left.user_id, elsewhere.user_id, officer.user_id, officer.user_id],
            data={"organisation": str(organisation.pk)},
        )
    assert [n.recipient_id for n in notices] == [officer.user_id]


@pytest.mark.parametrize(
    "data",
    [
        {},  # the organisation is missing
        {"organisation": "x" * 101},  # not an id or a code: free text
    ],
)
def test_data_holds_the_ids_and_codes_the_kind_needs(grantee, officer, data):
    with transaction.atomic(), pytest.raises(ValueError):
        notifications_fan_out(
            kind=Kind.REFERRAL_RECEIVED,
            organisation_id=grantee.pk,
            recipients=[officer.user_id],
            data=data,
        )


def test_an_unknown_kind_is_refused(grantee, officer):
    with transaction.atomic(), pytest.raises(ValueError):
        notifications_fan_out(
            kind="party", organisation_id=grantee.pk, recipients=[officer.user_id], data={}
        )


def test_telegram_is_one_message_per_event_and_organisation(case, grantee, officer, settings):
    MembershipFactory(organisation=grantee, role=Role.SUPERVISOR)
    settings.TELEGRAM_BOT_TOKEN = "123:abc"
    settings.TELEGRAM_CHAT_ID = "-100"
    with transaction.atomic():
        publish(grant_event(case, grantee))
        assert len(_deliveries(channel="telegram")) == 1
        assert len(_deliveries(channel="email")) == 2
        # A kind without a Telegram line sends none.
        publish(grant_event(case, grantee, revoked=True))
        assert len(_deliveries(channel="telegram")) == 1


def test_no_telegram_without_a_token_or_a_chat(case, grantee, officer, settings):
    settings.TELEGRAM_BOT_TOKEN = ""
    settings.TELEGRAM_CHAT_ID = "-100"
    with transaction.atomic():
        publish(grant_event(case, grantee))
    settings.TELEGRAM_BOT_TOKEN = "123:abc"
    settings.TELEGRAM_CHAT_ID = ""
    with transaction.atomic():
        publish(grant_event(case, grantee))
    assert _deliveries(channel="telegram") == []


def test_an_organisation_chat_comes_from_the_chat_sources(case, grantee, officer, settings):
    from phteah.notifications import telegram

    settings.TELEGRAM_BOT_TOKEN = "123:abc"
    settings.TELEGRAM_CHAT_ID = "-100"

    def source(organisation_id):
        return "-200" if organisation_id == grantee.pk else None

    telegram.chat_source(source)
    try:
        assert telegram.chat_for(grantee.pk) == "-200"
        assert telegram.chat_for(case.organisation_id) == "-100"
    finally:
        telegram._sources.remove(source)
