"""Sign-ins, sign-outs and their failures, recorded from the authentication signal handlers
(``accounts/signals.py``) and the idle timeout."""

from __future__ import annotations

from phteah.core.audit import audit_log, audited_atomic

from ..models import User
from .common import home_organisation_id


def session_record(
    *,
    action: str,
    actor: User | None = None,
    subject: User | None = None,
    email: str = "",
    ip: str | None = None,
    data=None,
) -> None:
    """Record a sign-in, sign-out or idle expiry (``actor``), or a failed or refused sign-in
    or a lock-out (``subject``: the account whose email was typed, if it exists)."""
    person = actor or subject
    with audited_atomic():
        audit_log(
            actor=actor,
            organisation=home_organisation_id(person) if person else None,
            ip=ip,
            action=action,
            target=person,
            actor_label=(actor.email if actor else email)[:254],
            data=data,
        )
