"""The registry of notification kinds: for each, the sentence shown (made when shown, in the
reader's language), which ids and codes its ``data`` must hold, whether it goes by e-mail by
default, and what the organisation's Telegram chat is told.

Every kind of ``models.Kind`` is declared here, so an app that publishes the events only
subscribes (``fanout.py``) and calls ``notifications_fan_out``. A later kind, or a kind that
shows differently, replaces its entry with ``notice_kind(NoticeKind(...))`` in ``ready()``.

Sentences are whole, with named placeholders filled from ``data``: ``%(organisation)s`` is
the organisation whose id ``data["organisation"]`` holds (named in the reader's language, one
query for a whole page), ``%(reference)s`` a case reference (a code, shown as it is). Neither
data nor sentence ever holds a child's name, age or place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Kind


@dataclass(frozen=True)
class NoticeKind:
    """*sentence*: a lazy sentence, or ``f(data) -> sentence`` choosing one. *keys*: what the
    data must hold. *email*: sent by e-mail unless the member says otherwise (the in-app
    notice is on by default for every kind). *telegram*: the line the organisation's chat
    gets (no name, age or place: it says only what is waiting), or None for no message.
    *inbox*: the URL name the Telegram link opens (the list of notifications by default)."""

    kind: str
    sentence: object
    keys: tuple[str, ...] = ("organisation",)
    email: bool = False
    telegram: object = None
    inbox: str = "notifications:list"

    def sentence_for(self, data: dict):
        sentence = self.sentence
        return sentence(data) if callable(sentence) else sentence


KINDS: dict[str, NoticeKind] = {}


def notice_kind(entry: NoticeKind) -> None:
    """Declare (or replace) how a kind is shown and sent."""
    if entry.kind not in Kind.values:
        raise ValueError(f"Unknown notification kind: {entry.kind!r}")
    KINDS[entry.kind] = entry


def kind_get(kind: str) -> NoticeKind:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"Unknown notification kind: {kind!r}") from None


def _share_revoked(data: dict):
    reason = data.get("reason")
    if reason == "consent_withdrawn":
        return _(
            "%(organisation)s no longer shares case %(reference)s with your organisation: "
            "the consent was withdrawn."
        )
    if reason == "expired":
        return _(
            "%(organisation)s no longer shares case %(reference)s with your organisation: "
            "the time of the sharing is over."
        )
    if reason == "case_closed":
        return _(
            "%(organisation)s no longer shares case %(reference)s with your organisation: "
            "the case is closed."
        )
    return _("%(organisation)s no longer shares case %(reference)s with your organisation.")


REFERRAL_WAITING = _("A referral is waiting")


def _transfer_answered(data: dict):
    if data.get("answer") == "accepted":
        return _(
            "%(organisation)s accepted the transfer of case %(reference)s: it looks after the "
            "child now, and your case is closed."
        )
    return _("%(organisation)s declined the transfer of case %(reference)s.")


_DECLARED: tuple[NoticeKind, ...] = (
    NoticeKind(
        Kind.REFERRAL_RECEIVED,
        _("%(organisation)s sent your organisation a referral."),
        email=True,
        telegram=REFERRAL_WAITING,
    ),
    NoticeKind(
        Kind.REFERRAL_ACCEPTED,
        _("%(organisation)s accepted your referral of case %(reference)s."),
        keys=("organisation", "reference"),
        email=True,
    ),
    NoticeKind(
        Kind.REFERRAL_DECLINED,
        _("%(organisation)s declined your referral of case %(reference)s."),
        keys=("organisation", "reference"),
        email=True,
    ),
    NoticeKind(
        Kind.REFERRAL_WITHDRAWN,
        _("%(organisation)s withdrew a referral it had sent to your organisation."),
    ),
    NoticeKind(
        Kind.REFERRAL_COMPLETED,
        _("%(organisation)s completed your referral of case %(reference)s."),
        keys=("organisation", "reference"),
    ),
    NoticeKind(
        Kind.REFERRAL_FEEDBACK,
        _("%(organisation)s reported back on your referral of case %(reference)s."),
        keys=("organisation", "reference"),
    ),
    NoticeKind(
        Kind.SHARE_RECEIVED,
        _("%(organisation)s shared case %(reference)s with your organisation."),
        keys=("organisation", "reference"),
        email=True,
        telegram=_("A case was shared with your organisation"),
    ),
    NoticeKind(
        Kind.SHARE_REVOKED,
        _share_revoked,
        keys=("organisation", "reference", "reason"),
    ),
    NoticeKind(
        Kind.CONTACT_REQUEST,
        _("%(organisation)s asks to talk with your organisation about a child you may both know."),
        email=True,
        telegram=_("A contact request is waiting"),
        inbox="referrals:contacts",
    ),
    NoticeKind(
        Kind.CONTACT_ANSWERED,
        _("%(organisation)s answered your contact request."),
    ),
    NoticeKind(
        Kind.TRANSFER_RECEIVED,
        _("%(organisation)s asks your organisation to take over a child's case."),
        email=True,
        telegram=_("A transfer of a case is waiting"),
    ),
    NoticeKind(
        Kind.TRANSFER_ANSWERED,
        _transfer_answered,
        keys=("organisation", "reference", "answer"),
        email=True,
    ),
    NoticeKind(
        Kind.TRANSFER_WITHDRAWN,
        _("%(organisation)s withdrew the transfer of a case it had sent to your organisation."),
    ),
    NoticeKind(
        Kind.REFERRAL_OVERDUE,
        _("A referral from %(organisation)s is waiting past its answer date."),
        email=True,
        telegram=_("A referral is waiting past its answer date"),
    ),
)
for _entry in _DECLARED:
    notice_kind(_entry)


def defaults(kind: str) -> tuple[bool, bool]:
    """(in Phteah, by e-mail) for a member who has not chosen."""
    return True, kind_get(kind).email


# How the ids in data are named when shown: {data key: f(ids, language) -> {id: name}}.
Resolver = Callable[[set[str], str], dict[str, str]]
RESOLVERS: dict[str, Resolver] = {}


def resolver(key: str, function: Resolver) -> None:
    """Declare how the ids that *key* holds in data are named (in bulk, for a page)."""
    RESOLVERS[key] = function
