"""Reads of the notifications app. A member reads only their own notifications, in the
organisation they are acting for."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from phteah.accounts.models import Membership
from phteah.core.access import access_denied
from phteah.core.errors import NotFound

from .kinds import defaults
from .models import Kind, Notification, NotificationPreference

# The bell shows "99+" beyond this: counting stops there, so a forgotten inbox costs no more.
UNREAD_SHOWN_MAX = 99
LIST_COLUMNS = ("id", "kind", "target_name", "target_kwargs", "data", "created_at", "read_at")


def notification_list(*, actor: Membership):
    """The actor's notifications, newest first (the columns the list shows)."""
    return (
        Notification.objects.filter(
            organisation_id=actor.organisation_id, recipient_id=actor.user_id
        )
        .only(*LIST_COLUMNS)
        .order_by("-created_at", "-id")
    )


def unread_count(*, user_id, organisation_id) -> int:
    """How many unread notifications the member has, up to ``UNREAD_SHOWN_MAX + 1``: one
    query on the partial index of unread rows."""
    return (
        Notification.objects.filter(
            organisation_id=organisation_id, recipient_id=user_id, read_at__isnull=True
        )
        .values("id")[: UNREAD_SHOWN_MAX + 1]
        .count()
    )


def notification_get_for_user(*, actor: Membership, notification_id) -> Notification:
    """The access function of a notification: the actor's own, in this organisation; else
    NotFound (another member's, another organisation's, missing or malformed alike), with the
    refusal recorded."""
    if actor is not None:
        try:
            return Notification.objects.get(
                pk=notification_id,
                organisation_id=actor.organisation_id,
                recipient_id=actor.user_id,
            )
        except (Notification.DoesNotExist, ValueError, TypeError, ValidationError):
            pass
    access_denied(actor=actor, model=Notification, record_id=notification_id)
    raise NotFound


def preferences_of(*, actor: Membership) -> dict[str, tuple[bool, bool]]:
    """``{kind: (in Phteah, by e-mail)}`` for every kind: the actor's choice or the default."""
    chosen = {
        kind: (in_app, email)
        for kind, in_app, email in NotificationPreference.objects.filter(
            membership_id=actor.pk
        ).values_list("kind", "in_app", "email")
    }
    return {kind: chosen.get(kind, defaults(kind)) for kind in Kind.values}
