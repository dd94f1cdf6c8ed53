"""How an audit event is hashed into its chain.

An event's values — the ``changes`` and ``data`` it records, the client IP and, for events
without an actor, the label it was recorded under — may hold personal data (a child's name,
a reason typed by a social worker). They are not hashed themselves. Each value is stored
with a random salt, and the event keeps a digest per value::

    digest(path) = sha256(salt || canonical JSON of [path, value])

where *path* names the value (``changes.full_name``, ``data.reason``, ``ip``,
``actor_label``). The event's hash covers the digests, not the values::

    hash = HMAC-SHA256(key, prev_hash || canonical JSON of the hashed fields)

The hashed fields are the event's id, chain, sequence, time, organisation, actor, action,
target, case, the key id and the digests. So a value can be erased (value and salt removed,
digest kept) and the chain still verifies, while nobody can confirm a guess of the erased
value (the salt is gone with it); and changing a value, adding one or dropping one without
an authorised erasure changes a digest, which changes the hash, which needs the key."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import UTC
from typing import Any

SALT_BYTES = 16


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def new_salt() -> str:
    return secrets.token_hex(SALT_BYTES)


def value_digest(salt: str, path: str, value: Any) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + canonical([path, value]).encode()).hexdigest()


def event_values(event) -> dict[str, Any]:
    """The event's values by path (``changes.<field>``, ``data.<key>``, ``ip``,
    ``actor_label``): what is salted and digested instead of hashed."""
    values = {f"changes.{name}": value for name, value in (event.changes or {}).items()}
    values |= {f"data.{name}": value for name, value in (event.data or {}).items()}
    if event.ip:
        values["ip"] = event.ip
    if event.actor_label:
        values["actor_label"] = event.actor_label
    return values


def digest_values(event) -> None:
    """Give every value of *event* a salt and a digest (when it is first written)."""
    values = event_values(event)
    event.salts = {path: new_salt() for path in values}
    event.digests = {
        path: value_digest(event.salts[path], path, value) for path, value in values.items()
    }


def hashed_fields(event) -> dict[str, Any]:
    created = event.created_at.astimezone(UTC) if event.created_at else None
    return {
        "id": int(event.id),
        "chain_key": event.chain_key,
        "sequence": int(event.sequence),
        "created_at": created.isoformat() if created else None,
        "organisation_id": str(event.organisation_id) if event.organisation_id else None,
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "case_id": str(event.case_id) if event.case_id else None,
        "key_id": event.key_id,
        "digests": event.digests or {},
    }


def event_hash(*, secret: bytes, prev_hash: str, fields: dict[str, Any]) -> str:
    message = (prev_hash + canonical(fields)).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()
