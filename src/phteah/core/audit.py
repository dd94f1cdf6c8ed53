"""Writing and verifying the audit trail.

``audit_log`` is called by every service inside the same transaction as the change it
records. Each event is appended to its organisation's hash chain:

    hash = sha256(prev_hash + canonical JSON of the event's fields)

so editing any stored event changes its hash, and deleting one breaks the link of the
next; ``audit_verify`` walks each chain and reports both.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from .models import GENESIS_HASH, AuditChain, AuditEvent

MASK = "••••••"
# Key names that hold secrets, as whole words of a snake_case name (api_token, otp_secret).
_SECRET_NAME = re.compile(
    r"(?:^|_)(?:password|passwd|secret|token|otp|totp|key|pin)(?:_|$)", re.IGNORECASE
)
SYSTEM_CHAIN = "system"


def chain_key_for(organisation_id) -> str:
    return f"org:{organisation_id}" if organisation_id else SYSTEM_CHAIN


def mask_secrets(value: Any) -> Any:
    """Replace the values of secret-looking keys (password, token, otp, key...) by a mask."""
    if isinstance(value, dict):
        return {
            key: (
                MASK
                if _SECRET_NAME.search(str(key)) and val not in (None, "")
                else mask_secrets(val)
            )
            for key, val in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_secrets(item) for item in value]
    return value


def _plain(value: Any) -> Any:
    """JSON-safe, and equal to what the database gives back (so the hash can be rechecked)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _canonical_ip(ip: str | None) -> str | None:
    """The form the database keeps (IPv6 compressed, lower case), so the hash rechecks."""
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None


def event_hash(*, prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def hashed_fields(event: AuditEvent) -> dict[str, Any]:
    created = event.created_at.astimezone(UTC) if event.created_at else None
    return {
        "chain_key": event.chain_key,
        "sequence": int(event.sequence),
        "created_at": created.isoformat() if created else None,
        "organisation_id": str(event.organisation_id) if event.organisation_id else None,
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "actor_label": event.actor_label,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "changes": event.changes,
        "data": event.data,
        "ip": event.ip,
    }


def _lock_chain(key: str) -> AuditChain:
    try:
        return AuditChain.objects.select_for_update().get(key=key)
    except AuditChain.DoesNotExist:
        try:
            with transaction.atomic():
                AuditChain.objects.create(key=key)
        except IntegrityError:
            pass  # created concurrently by another transaction
        return AuditChain.objects.select_for_update().get(key=key)


def target_of(obj: Model | None) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    return obj._meta.label_lower, str(obj.pk), str(obj)[:300]


def audit_log(
    *,
    actor,
    action: str,
    organisation=None,
    target: Model | None = None,
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event. Must run inside the transaction that makes the change."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_log must be called inside transaction.atomic().")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    organisation_id = getattr(organisation, "pk", organisation)
    target_type, target_id, target_label = target_of(target)
    key = chain_key_for(organisation_id)
    chain = _lock_chain(key)
    event = AuditEvent(
        chain_key=key,
        sequence=chain.length + 1,
        created_at=timezone.now(),
        organisation_id=organisation_id,
        actor=actor,
        actor_label=actor_label if actor_label is not None else (actor.email if actor else ""),
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
        changes=_plain(mask_secrets(changes or {})),
        data=_plain(mask_secrets(data or {})),
        ip=_canonical_ip(ip),
        prev_hash=chain.head_hash,
    )
    event.hash = event_hash(prev_hash=event.prev_hash, fields=hashed_fields(event))
    event.save()
    AuditChain.objects.filter(pk=chain.pk).update(length=event.sequence, head_hash=event.hash)
    return event


def audit_value(value: Any) -> Any:
    """What the trail keeps of a field's value: a related row by a readable label (places with
    their official code), a plain value as it is."""
    if value is None or not hasattr(value, "pk"):
        return value
    code = getattr(value, "code", None)
    return f"{value} [{code}]" if code else str(value)


def snapshot(obj: Model, fields) -> dict[str, Any]:
    return {name: audit_value(getattr(obj, name)) for name in fields}


def audited_create(
    model,
    *,
    values: dict[str, Any],
    fields,
    actor,
    organisation,
    action: str,
    ip: str | None = None,
    data: dict[str, Any] | None = None,
):
    """Create a *model* row from *values* and log it with *fields* as the new values. Runs
    inside the caller's transaction; returns the row."""
    obj = model.objects.create(**values)
    audit_log(
        actor=actor,
        organisation=organisation,
        action=action,
        target=obj,
        ip=ip,
        data=data,
        changes={name: [None, value] for name, value in snapshot(obj, fields).items()},
    )
    return obj


def audited_update(
    obj: Model,
    *,
    values: dict[str, Any],
    fields,
    actor,
    organisation,
    action: str,
    ip: str | None = None,
    data: dict[str, Any] | None = None,
    extra_changes: dict[str, list[Any]] | None = None,
) -> dict[str, list[Any]]:
    """Set *values* on *obj*, save it, and log the fields among *fields* that changed (plus
    *extra_changes*, e.g. many-to-many ones). Nothing is logged when nothing changed. Runs
    inside the caller's transaction; returns the changes."""
    before = snapshot(obj, fields)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save()
    changes = diff(before, snapshot(obj, fields)) | (extra_changes or {})
    if changes:
        audit_log(
            actor=actor,
            organisation=organisation,
            action=action,
            target=obj,
            changes=changes,
            data=data,
            ip=ip,
        )
    return changes


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {
        name: [before.get(name), after.get(name)]
        for name in after
        if before.get(name) != after.get(name)
    }


@dataclass(frozen=True)
class ChainProblem:
    chain_key: str
    sequence: int | None
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event {self.event_id} (#{self.sequence})" if self.event_id else "chain head"
        return f"{self.chain_key}: {where}: {self.problem}"


def audit_verify(*, batch_size: int = 2000) -> tuple[int, list[ChainProblem]]:
    """Recompute every chain. Returns (events checked, problems found)."""
    problems: list[ChainProblem] = []
    checked = 0
    chains = {chain.key: chain for chain in AuditChain.objects.all()}
    keys = set(chains) | set(AuditEvent.all_chains.values_list("chain_key", flat=True).distinct())
    for key in sorted(keys):
        chain = chains.get(key)
        prev_hash, expected_seq = GENESIS_HASH, 1
        events = AuditEvent.all_chains.filter(chain_key=key).order_by("sequence")
        for event in events.iterator(chunk_size=batch_size):
            checked += 1
            if event.sequence != expected_seq:
                problems.append(
                    ChainProblem(
                        key,
                        event.sequence,
                        event.id,
                        f"events {expected_seq}–{event.sequence - 1} are missing (deleted)",
                    )
                )
            if event.prev_hash != prev_hash:
                problems.append(
                    ChainProblem(
                        key, event.sequence, event.id, "link to the previous event is broken"
                    )
                )
            if event_hash(prev_hash=event.prev_hash, fields=hashed_fields(event)) != event.hash:
                problems.append(
                    ChainProblem(
                        key, event.sequence, event.id, "contents were changed after writing"
                    )
                )
            prev_hash, expected_seq = event.hash, event.sequence + 1
        if chain is None:
            problems.append(ChainProblem(key, None, None, "chain head is missing"))
        elif chain.length != expected_seq - 1 or chain.head_hash != prev_hash:
            problems.append(
                ChainProblem(
                    key,
                    None,
                    None,
                    f"head records {chain.length} events but {expected_seq - 1} were found "
                    "(the latest events were deleted or the head was changed)",
                )
            )
    return checked, problems
