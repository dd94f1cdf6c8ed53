"""The Telegram channel: one message per event to the notified organisation's chat, through
the Bot API's ``sendMessage`` (stdlib ``urllib``; ``TELEGRAM_BOT_TOKEN``,
``TELEGRAM_API_BASE``, ``TELEGRAM_TIMEOUT`` in settings).

A message says only what is waiting, in Khmer and English, and links to Phteah: never a
child's name, age, place or case reference (a chat is read on phones, forwarded, and kept by
Telegram). Which chat an organisation uses is asked of the chat sources (``chat_source``):
the referrals app will register the chat id of the organisation's partner profile; the
last resort is ``TELEGRAM_CHAT_ID``."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable

from django.conf import settings
from django.utils import translation

ChatSource = Callable[[object], str | None]
_sources: list[ChatSource] = []


class TelegramError(Exception):
    """The message was not accepted; the text never holds the bot's token."""


def chat_source(source: ChatSource) -> None:
    """Register ``source(organisation_id) -> chat id or None``; the first that answers wins
    (registered sources are asked before ``TELEGRAM_CHAT_ID``)."""
    if source not in _sources:
        _sources.append(source)


def chat_for(organisation_id) -> str:
    """The chat the organisation's messages go to, or "" for none."""
    for source in _sources:
        chat = source(organisation_id)
        if chat:
            return str(chat)
    return settings.TELEGRAM_CHAT_ID


def enabled() -> bool:
    return bool(settings.TELEGRAM_BOT_TOKEN)


def telegram_text(line, link: str) -> str:
    """*line* (a lazy sentence) in Khmer, then English, then the link."""
    with translation.override("km"):
        khmer = str(line)
    with translation.override("en"):
        english = str(line)
    return f"{khmer} / {english}\n{link}"


def telegram_send(*, chat_id: str, text: str) -> None:
    """Send *text* to *chat_id*; raise TelegramError when Telegram does not take it."""
    token = settings.TELEGRAM_BOT_TOKEN
    if not token:
        raise TelegramError("TELEGRAM_BOT_TOKEN is not set.")
    url = f"{settings.TELEGRAM_API_BASE.rstrip('/')}/bot{token}/sendMessage"
    body = json.dumps({"chat_id": chat_id, "text": text, "disable_web_page_preview": True}).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.TELEGRAM_TIMEOUT) as response:
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        raise TelegramError(_describe(error, token)) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise TelegramError(_scrub(f"{type(error).__name__}: {error}", token)) from None
    if not answer.get("ok"):
        raise TelegramError(_scrub(str(answer.get("description", "not ok")), token))


def _describe(error: urllib.error.HTTPError, token: str) -> str:
    try:
        description = json.loads(error.read() or b"{}").get("description", "")
    except (ValueError, OSError, AttributeError):
        description = ""
    return _scrub(f"HTTP {error.code} {description}".strip(), token)


def _scrub(text: str, token: str) -> str:
    return text.replace(token, "…")[:500]
