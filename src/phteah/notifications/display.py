"""Notifications shown: each one's sentence in the reader's language and its link, made when
shown from the kind's declaration (``kinds.py``) and the ids and codes in its data. The names
a page needs (organisations) are read in one query per kind of name, whatever the page holds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from phteah.accounts.models import Organisation

from .kinds import RESOLVERS, kind_get, resolver
from .models import Notification

MISSING = "—"  # a placeholder whose id no longer names anything


def _organisation_names(ids: set[str], language: str) -> dict[str, str]:
    rows = Organisation.objects.filter(pk__in=_valid_uuids(ids)).only("id", "name", "name_km")
    return {str(row.pk): row.display_name(language) for row in rows}


def _valid_uuids(values: Iterable[str]) -> list[str]:
    valid = []
    for value in values:
        try:
            valid.append(str(UUID(str(value))))
        except ValueError:
            continue
    return valid


resolver("organisation", _organisation_names)


@dataclass(frozen=True)
class Shown:
    notification: Notification
    sentence: str
    link: str

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None


def notification_link(notification: Notification) -> str:
    """The path the notification opens: its target, or the list when it has none (or the
    page it named is gone)."""
    if notification.target_name:
        try:
            return reverse(notification.target_name, kwargs=notification.target_kwargs or {})
        except NoReverseMatch:
            pass
    return reverse("notifications:list")


def absolute_url(path: str) -> str:
    """*path* on this site, for links that leave it (e-mail, Telegram): PHTEAH_SITE_URL."""
    return settings.PHTEAH_SITE_URL.rstrip("/") + path


def _names(notifications: list[Notification], language: str) -> dict[str, dict[str, str]]:
    wanted: dict[str, set[str]] = defaultdict(set)
    for notification in notifications:
        for key, value in (notification.data or {}).items():
            if key in RESOLVERS and value:
                wanted[key].add(str(value))
    return {key: RESOLVERS[key](ids, language) for key, ids in wanted.items()}


def _sentence(notification: Notification, names: dict[str, dict[str, str]]) -> str:
    data = notification.data or {}
    entry = kind_get(notification.kind)
    values = {key: MISSING if value in (None, "") else value for key, value in data.items()}
    for key in entry.keys:
        values.setdefault(key, MISSING)
    for key, found in names.items():
        if key in values:
            values[key] = found.get(str(data.get(key)), MISSING)
    return str(entry.sentence_for(data)) % values


def notifications_shown(notifications: Iterable[Notification], *, language: str) -> list[Shown]:
    """The sentence and link of each notification, in *language*."""
    notifications = list(notifications)
    with translation.override(language):
        names = _names(notifications, language)
        return [
            Shown(notification, _sentence(notification, names), notification_link(notification))
            for notification in notifications
        ]


def notification_sentence(notification: Notification, *, language: str) -> str:
    return notifications_shown([notification], language=language)[0].sentence
