"""Sending the outbox: each delivery once however often its task runs, e-mail in the
recipient's language with a reference and a link and no child's name, Telegram through a
fake Bot API on 127.0.0.1 that checks nothing identifying arrives; errors are recorded and
retried, then given up on."""

import json
import smtplib
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from phteah.notifications import sending, tasks
from phteah.notifications.models import Kind, NotificationDelivery
from phteah.notifications.services import notifications_fan_out

from .conftest import grant_event, publish

pytestmark = pytest.mark.django_db
TOKEN = "4242:secret-token"


class FakeTelegram(ThreadingHTTPServer):
    """The Bot API's sendMessage, on loopback: records every request; answers *status*."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict] = []
        self.status = 200
        self.answer = {"ok": True, "result": {"message_id": 1}}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (the stdlib's name)
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.requests.append({"path": self.path, "body": body})
        answer = json.dumps(self.server.answer).encode()
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_telegram(settings):
    server = FakeTelegram()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_CHAT_ID = "-1001"
    settings.TELEGRAM_API_BASE = server.base
    settings.TELEGRAM_TIMEOUT = 5
    yield server
    server.shutdown()
    server.server_close()


def _delivery(channel="email"):
    return NotificationDelivery.objects.get(channel=channel)


def _identifying(case) -> list[str]:
    """What must never leave in a message: the child's names (both scripts), birth date,
    age and case reference."""
    person = case.person
    age = str((timezone.localdate() - person.date_of_birth).days // 365)
    return [
        person.family_name_latin,
        person.given_name_latin,
        person.family_name_km,
        person.given_name_km,
        person.date_of_birth.isoformat(),
        person.date_of_birth.strftime("%d/%m/%Y"),
        f" {age} ",
    ]


def test_a_delivery_is_sent_exactly_once(case, grantee, officer):
    publish(grant_event(case, grantee))  # the test's transaction: nothing sent yet
    delivery = _delivery()
    assert tasks.delivery_send(str(delivery.pk)) == sending.SENT
    assert tasks.delivery_send(str(delivery.pk)) == sending.SKIPPED
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert delivery.sent_at is not None
    assert tasks.deliveries_retry() == 0


def test_the_email_is_in_the_recipients_language_without_the_childs_name(
    case, grantee, officer, settings
):
    settings.PHTEAH_SITE_URL = "https://phteah.example.org"
    publish(grant_event(case, grantee))
    tasks.delivery_send(str(_delivery().pk))
    (message,) = mail.outbox
    assert message.to == [officer.user.email]
    text = message.subject + "\n" + message.body
    # Khmer (the officer reads Khmer): the sentence, the organisation's Khmer name...
    assert "ករណី" in message.body
    assert case.organisation.name in text or "Family Bridge" in text
    # ... a reference and a link to the case, never the child.
    assert case.reference in message.body
    assert f"https://phteah.example.org/cases/{case.pk}/" in message.body
    assert "https://phteah.example.org/notifications/preferences/" in message.body
    for value in _identifying(case):
        assert value not in text


def test_an_english_reader_gets_english(case, grantee, officer):
    officer.user.language = "en"
    officer.user.save(update_fields=["language"])
    publish(grant_event(case, grantee))
    tasks.delivery_send(str(_delivery().pk))
    (message,) = mail.outbox
    assert f"shared case {case.reference} with your organisation" in message.body
    assert "ករណី" not in message.body


def test_a_failed_email_is_retried_then_given_up(case, grantee, officer, monkeypatch):
    def refuse(**kwargs):
        raise smtplib.SMTPServerDisconnected("relay down")

    monkeypatch.setattr(sending, "send_mail", refuse)
    publish(grant_event(case, grantee))
    delivery = _delivery()
    for attempt in range(1, sending.MAX_ATTEMPTS):
        assert tasks.delivery_send(str(delivery.pk)) == sending.RETRY
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("pending", attempt)
        assert "relay down" in delivery.last_error
        assert delivery.claimed_at is None
    assert tasks.delivery_send(str(delivery.pk)) == sending.FAILED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", sending.MAX_ATTEMPTS)
    assert tasks.delivery_send(str(delivery.pk)) == sending.SKIPPED


def test_a_live_claim_is_left_alone_and_a_dead_one_sent_again(case, grantee, officer):
    """The crash window: a worker that died after claiming (and perhaps sending) leaves a
    claimed, pending row; once the lease is over the retry sends it again."""
    publish(grant_event(case, grantee))
    delivery = _delivery()
    claimed = timezone.now()
    NotificationDelivery.objects.filter(pk=delivery.pk).update(
        claimed_at=claimed, attempts=1, created_at=claimed - timedelta(minutes=5)
    )
    assert tasks.delivery_send(str(delivery.pk)) == sending.SKIPPED
    assert sending.deliveries_due() == []
    NotificationDelivery.objects.filter(pk=delivery.pk).update(
        claimed_at=claimed - sending.LEASE - timedelta(seconds=1)
    )
    assert sending.deliveries_due() == [str(delivery.pk)]
    assert tasks.deliveries_retry() == 1  # eager here: the task ran
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_the_retry_leaves_fresh_deliveries_to_their_own_task(case, grantee, officer):
    publish(grant_event(case, grantee))
    assert sending.deliveries_due() == []
    later = timezone.now() + sending.RETRY_AFTER + timedelta(seconds=1)
    assert sending.deliveries_due(now=later) == [str(_delivery().pk)]


def test_a_recipient_without_an_address_fails_at_once(case, grantee, officer):
    publish(grant_event(case, grantee))
    officer.user.is_active = False
    officer.user.save(update_fields=["is_active"])
    assert tasks.delivery_send(str(_delivery().pk)) == sending.FAILED
    assert mail.outbox == []


@pytest.mark.parametrize("delivery_id", ["", "nope", "00000000-0000-0000-0000-000000000000"])
def test_a_task_for_no_delivery_does_nothing(db, delivery_id):
    assert tasks.delivery_send(delivery_id) == sending.SKIPPED


def test_telegram_says_what_is_waiting_and_nothing_about_the_child(
    case, grantee, officer, fake_telegram, settings, django_capture_on_commit_callbacks
):
    settings.PHTEAH_SITE_URL = "https://phteah.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        publish(grant_event(case, grantee))
    (request,) = fake_telegram.requests
    assert request["path"] == f"/bot{TOKEN}/sendMessage"
    body = request["body"]
    assert body["chat_id"] == "-1001"
    text = body["text"]
    assert text.splitlines() == [
        "ករណីមួយត្រូវបានចែករំលែកជាមួយស្ថាប័នរបស់អ្នក / A case was shared with your organisation",
        "https://phteah.example.org/notifications/",
    ]
    for value in [*_identifying(case), case.reference, str(case.pk), "Family Bridge"]:
        assert value not in text
    assert _delivery("telegram").status == "sent"


def test_a_waiting_referral_reads_the_same_in_both_languages(
    grantee, officer, fake_telegram, organisation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notifications_fan_out(
            kind=Kind.REFERRAL_RECEIVED,
            organisation_id=grantee.pk,
            recipients=[officer.user_id],
            data={"organisation": str(organisation.pk)},
        )
    (request,) = fake_telegram.requests
    first_line = request["body"]["text"].splitlines()[0]
    assert first_line == "ការបញ្ជូនករណីថ្មីកំពុងរង់ចាំ / A referral is waiting"


@pytest.mark.parametrize(
    "status, answer",
    [
        (401, {"ok": False, "description": "Unauthorized"}),
        (200, {"ok": False, "description": f"Bad Request: chat not found for {TOKEN}"}),
        (500, "not json"),
    ],
)
def test_a_telegram_error_is_recorded_without_the_token(
    case, grantee, officer, fake_telegram, status, answer
):
    fake_telegram.status, fake_telegram.answer = status, answer
    publish(grant_event(case, grantee))
    delivery = _delivery("telegram")
    assert tasks.delivery_send(str(delivery.pk)) == sending.RETRY
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.last_error
    assert TOKEN not in delivery.last_error


def test_telegram_unreachable_is_an_error_not_a_hang(case, grantee, officer, settings):
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_CHAT_ID = "-1001"
    settings.TELEGRAM_API_BASE = "http://127.0.0.1:9"  # discard: nothing listens
    settings.TELEGRAM_TIMEOUT = 2
    publish(grant_event(case, grantee))
    delivery = _delivery("telegram")
    assert tasks.delivery_send(str(delivery.pk)) == sending.RETRY
    delivery.refresh_from_db()
    assert "Error" in delivery.last_error


def test_telegram_without_a_chat_any_more_fails_at_once(
    case, grantee, officer, fake_telegram, settings
):
    publish(grant_event(case, grantee))
    settings.TELEGRAM_CHAT_ID = ""
    with scopes_disabled():
        delivery = _delivery("telegram")
    assert tasks.delivery_send(str(delivery.pk)) == sending.FAILED
    assert fake_telegram.requests == []


def test_a_waiting_contact_request_links_the_contact_inbox(
    grantee, officer, fake_telegram, organisation, settings, django_capture_on_commit_callbacks
):
    settings.PHTEAH_SITE_URL = "https://phteah.example.org"
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notifications_fan_out(
            kind=Kind.CONTACT_REQUEST,
            organisation_id=grantee.pk,
            recipients=[officer.user_id],
            data={"organisation": str(organisation.pk)},
        )
    (request,) = fake_telegram.requests
    lines = request["body"]["text"].splitlines()
    assert lines[0].endswith("/ A contact request is waiting")
    assert lines[1] == "https://phteah.example.org/network/contacts/"
