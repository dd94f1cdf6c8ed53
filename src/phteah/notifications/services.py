"""Writes of the notifications app.

``notifications_fan_out`` is called by the event subscriptions (``fanout.py``) inside the
transaction that made the change: the notices and their outbox rows commit or roll back with
it, and the deliveries are enqueued only once it has committed (``transaction.on_commit``), so
a rollback sends nothing. It writes no audit event: a notice records nothing new — the change
it tells of is audited by the service that made it, in the same transaction — and it holds
only ids and codes, no case data. (An event per recipient would also put another
organisation's chain under the publishing transaction's locks.)

Marking read is not audited either: it is the member's own inbox, not a record anyone relies
on. A change of one's preferences is audited, as other settings are."""

from __future__ import annotations

from functools import partial

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from phteah.accounts.models import Membership
from phteah.core.audit import audit_log, audited_atomic
from phteah.core.errors import ServiceError

from . import telegram
from .kinds import defaults, kind_get
from .models import Channel, Kind, Notification, NotificationDelivery, NotificationPreference
from .selectors import notification_get_for_user, preferences_of

DATA_VALUE_MAX = 100  # an id or a code; never free text


def _check_data(kind: str, data: dict) -> dict:
    """Ids and codes only (strings no longer than a code, numbers, flags): never a name."""
    entry = kind_get(kind)
    missing = [key for key in entry.keys if key not in data]
    if missing:
        raise ValueError(f"{kind} needs {missing} in its data")
    clean = {}
    for key, value in data.items():
        if value is not None and not isinstance(value, str | int | bool):
            value = str(value)  # a UUID
        if isinstance(value, str) and len(value) > DATA_VALUE_MAX:
            raise ValueError(f"{kind}: data[{key!r}] is not an id or a code")
        clean[str(key)] = value
    return clean


def notifications_fan_out(
    *, kind: str, organisation_id, recipients, data: dict, target=None
) -> list[Notification]:
    """Tell *recipients* (user ids; those not active members of the organisation are left
    out) of a *kind* event, as members of *organisation_id*. *data*: the ids and codes the
    kind's sentence needs; *target*: ``(url name, kwargs)`` of the page to open, or None.

    Writes a Notification per recipient (already read when they turned the kind off in
    Phteah), an e-mail delivery for each who chose e-mail, and one Telegram delivery for the
    organisation's chat when the kind has a Telegram line. Must run inside the caller's
    transaction; the deliveries are sent after it commits."""
    if not connection.in_atomic_block:
        raise RuntimeError("notifications_fan_out must run inside the change's transaction.")
    entry = kind_get(kind)
    data = _check_data(kind, data)
    target_name, target_kwargs = target or ("", {})
    target_kwargs = {key: str(value) for key, value in (target_kwargs or {}).items()}
    wanted = list(dict.fromkeys(str(user_id) for user_id in recipients))
    if not wanted:
        return []
    now = timezone.now()
    with scope(organisation=organisation_id):
        members = list(
            Membership.objects.filter(
                organisation_id=organisation_id,
                user_id__in=wanted,
                is_active=True,
                user__is_active=True,
            ).values_list("pk", "user_id", "user__email")
        )
        chosen = {
            row.membership_id: (row.in_app, row.email)
            for row in NotificationPreference.objects.filter(
                organisation_id=organisation_id,
                membership_id__in=[pk for pk, _user, _email in members],
                kind=kind,
            )
        }
        order = {user_id: index for index, user_id in enumerate(wanted)}
        members.sort(key=lambda row: order[str(row[1])])
        notifications, deliveries = [], []
        for membership_id, user_id, email in members:
            in_app, by_email = chosen.get(membership_id, defaults(kind))
            notification = Notification(
                organisation_id=organisation_id,
                recipient_id=user_id,
                kind=kind,
                target_name=target_name,
                target_kwargs=target_kwargs,
                data=data,
                read_at=None if in_app else now,
            )
            notifications.append(notification)
            if by_email and email:
                deliveries.append(
                    NotificationDelivery(notification=notification, channel=Channel.EMAIL)
                )
        if (
            notifications
            and entry.telegram is not None
            and telegram.enabled()
            and telegram.chat_for(organisation_id)
        ):
            deliveries.append(
                NotificationDelivery(notification=notifications[0], channel=Channel.TELEGRAM)
            )
        Notification.objects.bulk_create(notifications)
        NotificationDelivery.objects.bulk_create(deliveries)
    if deliveries:
        transaction.on_commit(
            partial(_enqueue, [str(delivery.pk) for delivery in deliveries]), robust=True
        )
    return notifications


def _enqueue(delivery_ids: list[str]) -> None:
    """After commit: a task per delivery. Should the broker be down, ``deliveries_retry``
    finds them still pending."""
    from .tasks import delivery_send

    for delivery_id in delivery_ids:
        delivery_send.delay(delivery_id)


def notification_mark_read(*, actor: Membership, notification_id) -> Notification:
    """Mark one of the actor's own notifications read (NotFound for anyone else's)."""
    notification = notification_get_for_user(actor=actor, notification_id=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at, updated_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, actor: Membership) -> int:
    """Mark every unread notification of the actor in this organisation read."""
    now = timezone.now()
    return Notification.objects.filter(
        organisation_id=actor.organisation_id, recipient_id=actor.user_id, read_at__isnull=True
    ).update(read_at=now, updated_at=now)


def notification_preferences_set(
    *, actor: Membership, choices: dict, ip: str | None = None
) -> bool:
    """Store the actor's channels: *choices* is ``{kind: {"in_app": bool, "email": bool}}``
    for some or all kinds (a kind left out keeps its channels). Audited; nothing is written
    when nothing changes. Returns whether something changed."""
    if not isinstance(choices, dict):
        raise ServiceError(_("Choose how you are told."))
    current = preferences_of(actor=actor)
    wanted = dict(current)
    for kind, channels in choices.items():
        if kind not in Kind.values or not isinstance(channels, dict):
            raise ServiceError(_("Choose how you are told."))
        in_app, email = current[kind]
        in_app = channels.get("in_app", in_app)
        email = channels.get("email", email)
        if not isinstance(in_app, bool) or not isinstance(email, bool):
            raise ServiceError(_("Choose how you are told."))
        wanted[kind] = (in_app, email)
    changed = [kind for kind in Kind.values if wanted[kind] != current[kind]]
    if not changed:
        return False
    with audited_atomic():
        existing = {
            row.kind: row
            for row in NotificationPreference.objects.filter(
                membership_id=actor.pk, kind__in=changed
            ).select_for_update(no_key=True)
        }
        for kind in changed:
            in_app, email = wanted[kind]
            row = existing.get(kind)
            if row is None:
                NotificationPreference.objects.create(
                    organisation_id=actor.organisation_id,
                    membership_id=actor.pk,
                    kind=kind,
                    in_app=in_app,
                    email=email,
                )
            else:
                row.in_app, row.email = in_app, email
                row.save(update_fields=["in_app", "email", "updated_at"])
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            ip=ip,
            action="notifications.preferences.changed",
            target=actor,
            changes={
                channel: [
                    [kind for kind in Kind.values if current[kind][index]],
                    [kind for kind in Kind.values if wanted[kind][index]],
                ]
                for index, channel in enumerate(("in_app", "email"))
                if any(current[kind][index] != wanted[kind][index] for kind in changed)
            },
        )
    return True
