"""Sending the outbox (``NotificationDelivery``): what the tasks ``delivery_send`` and
``deliveries_retry`` call.

One attempt is three steps, so that no transaction (and, on SQLite, no write lock) is held
while a mail server or Telegram answers:

1. **claim**, in a short transaction: lock the row (``FOR NO KEY UPDATE SKIP LOCKED``: a
   second worker skips it instead of waiting), go on only if it is still pending and not
   claimed by a live attempt (``claimed_at`` within ``LEASE``), count the attempt and write
   the claim;
2. **send**, outside any transaction;
3. **mark** it sent, or pending again with the error (failed after ``MAX_ATTEMPTS``), only
   if the claim is still ours.

So a delivery sent and marked is never sent again, however often its task runs. **The crash
window (at-least-once):** a worker that dies after the mail server or Telegram took the
message and before step 3 leaves a claimed, pending row; once its lease is over
``deliveries_retry`` sends it again. The recipient may then get the message twice; they
never get none."""

from __future__ import annotations

import logging
from datetime import timedelta
from smtplib import SMTPException

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from . import telegram
from .display import absolute_url, notifications_shown
from .kinds import kind_get
from .models import Channel, NotificationDelivery

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # longer than any attempt (SMTP and Telegram time out first)
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=1)  # leave fresh deliveries to their own task
RETRY_BATCH = 500

SENT, SKIPPED, RETRY, FAILED = "sent", "skipped", "retry", "failed"


class NotDeliverable(Exception):
    """Nothing can be sent (no address, no chat): the delivery fails at once."""


def _claimable(now):
    return NotificationDelivery.objects.filter(status=NotificationDelivery.Status.PENDING).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE)
    )


def _claim(delivery_id) -> NotificationDelivery | None:
    now = timezone.now()
    rows = _claimable(now).filter(pk=delivery_id)
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True, no_key=True, of=("self",))
    with transaction.atomic():
        delivery = rows.select_related("notification", "notification__recipient").first()
        if delivery is None:
            return None
        delivery.claimed_at = now
        delivery.attempts += 1
        delivery.save(update_fields=["claimed_at", "attempts", "updated_at"])
    return delivery


def _mark(delivery: NotificationDelivery, error: str | None, *, final: bool = False) -> str:
    now = timezone.now()
    mine = NotificationDelivery.objects.filter(pk=delivery.pk, claimed_at=delivery.claimed_at)
    if error is None:
        mine.update(
            status=NotificationDelivery.Status.SENT, sent_at=now, last_error="", updated_at=now
        )
        return SENT
    failed = final or delivery.attempts >= MAX_ATTEMPTS
    Status = NotificationDelivery.Status
    mine.update(
        status=Status.FAILED if failed else Status.PENDING,
        claimed_at=None,
        last_error=error[:1000],
        updated_at=now,
    )
    return FAILED if failed else RETRY


def _send_email(delivery: NotificationDelivery) -> None:
    notification = delivery.notification
    recipient = notification.recipient
    if not recipient.is_active or not recipient.email:
        raise NotDeliverable("The recipient has no active account or no e-mail address.")
    language = recipient.language or "km"
    shown = notifications_shown([notification], language=language)[0]
    with translation.override(language):
        context = {
            "sentence": shown.sentence,
            "link": absolute_url(shown.link),
            "preferences": absolute_url(reverse("notifications:preferences")),
            "kind": kind_get(notification.kind),
            "label": notification.get_kind_display(),
        }
        subject = render_to_string("notifications/email/subject.txt", context).strip()
        body = render_to_string("notifications/email/body.txt", context).strip() + "\n"
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[recipient.email])


def _send_telegram(delivery: NotificationDelivery) -> None:
    notification = delivery.notification
    entry = kind_get(notification.kind)
    chat = telegram.chat_for(notification.organisation_id)
    if entry.telegram is None or not chat or not telegram.enabled():
        raise NotDeliverable("No Telegram chat or bot token for this organisation.")
    text = telegram.telegram_text(entry.telegram, absolute_url(reverse(entry.inbox)))
    telegram.telegram_send(chat_id=chat, text=text)


SENDERS = {Channel.EMAIL: _send_email, Channel.TELEGRAM: _send_telegram}


def delivery_send(*, delivery_id) -> str:
    """One attempt at a delivery: "sent", "skipped" (already sent, failed or being sent by
    another attempt), "retry" (an error; pending again) or "failed" (given up)."""
    with scopes_disabled():  # a task: the delivery's own id pins what it reads
        try:
            delivery = _claim(delivery_id)
        except (ValueError, TypeError, ValidationError):
            return SKIPPED
        if delivery is None:
            return SKIPPED
        try:
            SENDERS[delivery.channel](delivery)
        except NotDeliverable as error:
            return _mark(delivery, str(error), final=True)
        except (SMTPException, OSError, telegram.TelegramError) as error:
            log.warning("Notification delivery %s failed: %s", delivery.pk, error)
            return _mark(delivery, f"{type(error).__name__}: {error}")
        return _mark(delivery, None)


def deliveries_due(*, now=None) -> list[str]:
    """The pending deliveries no live attempt holds, older than ``RETRY_AFTER`` (a batch)."""
    now = now or timezone.now()
    return [
        str(pk)
        for pk in _claimable(now)
        .filter(created_at__lt=now - RETRY_AFTER)
        .order_by("created_at")
        .values_list("pk", flat=True)[:RETRY_BATCH]
    ]
