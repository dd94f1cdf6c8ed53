"""Writing the audit trail.

Two kinds of events, written two ways:

- **Changes** (``audit_log``): every service that changes something records it inside its
  ``audited_atomic()`` block. The events are kept in memory while the service works and
  appended to their chains once, when the outermost ``audited_atomic()`` block is about to
  commit: the chain head row is locked then, after every business row the service locked,
  and held only for the few milliseconds until commit. One lock order for the whole code
  base — business rows first, the audit chain last — so two services can never wait for
  each other in a circle (see docs/architecture.md, "Lock order"). If the service fails, its
  events go with it; if a nested ``audited_atomic()`` block fails and the caller carries on,
  only that block's events are dropped.

- **Accesses** (``audit_access``): views of a child's record, downloads, prints, and denied
  attempts. Reading must never wait for writing, so these take no lock: each is inserted
  on its own, outside any business transaction, as a *pending* event (no place in the chain
  yet), and sealed into its chain later — by the next change written to the same chain, by
  ``audit_seal()`` (the ``phteah audit seal`` command, scheduled every minute with Celery
  beat), and before every ``verify`` and ``anchor``. An access recorded inside a service
  (a denied attempt while changing a record) is written after the service's transaction
  ends, whatever its outcome: a refused attempt is recorded even though the change rolled
  back.

Events carry ids, codes and references, never display strings: sentences and labels are
made in the reader's language when the trail is shown (``phteah.core.audit_actions``)."""

from __future__ import annotations

import ipaddress
import json
import re
import sys
from collections import defaultdict
from contextlib import ContextDecorator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import Model
from django.utils import timezone

from ..models import AuditChain, AuditEvent
from ..net import current_ip
from .chain import digest_values, event_hash, hashed_fields
from .keys import current_key

MASK = "••••••"
# Key names that hold secrets, as whole words of a snake_case name (api_token, otp_secret).
_SECRET_NAME = re.compile(
    r"(?:^|_)(?:password|passwd|secret|token|otp|totp|key|pin)(?:_|$)", re.IGNORECASE
)
SYSTEM_CHAIN = "system"
# Pending access events sealed by one change at most (the rest: by the next, or the sealer).
SEAL_WITH_WRITE = 500


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
    """JSON-safe, and equal to what the database gives back (so digests recheck)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _canonical_ip(ip: str | None) -> str | None:
    """The form the database keeps (IPv6 compressed, lower case), so the digest rechecks."""
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None


# --- values: ids and codes, never labels -----------------------------------------------


def audit_value(value: Any) -> Any:
    """What the trail keeps of a value: a related row by its id, a choice by its code, a date
    as ISO text; never a label in somebody's language (labels are made when shown)."""
    if value is None:
        return None
    if isinstance(value, Model):
        return _plain_pk(value.pk)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [audit_value(item) for item in value]
    return value


def _plain_pk(pk):
    return str(pk) if isinstance(pk, UUID) else pk


def snapshot(obj: Model, fields) -> dict[str, Any]:
    """The audit values of *fields* of *obj* (a foreign key by its id, without a query)."""
    values = {}
    for name in fields:
        try:
            model_field = obj._meta.get_field(name)
        except Exception:  # a property or an attribute, not a model field
            model_field = None
        if model_field is not None and model_field.many_to_one and model_field.concrete:
            values[name] = audit_value(getattr(obj, model_field.attname))
        else:
            values[name] = audit_value(getattr(obj, name))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {
        name: [before.get(name), after.get(name)]
        for name in after
        if before.get(name) != after.get(name)
    }


# --- the transaction a service runs in -------------------------------------------------


@dataclass
class _State:
    # One entry per open audited_atomic() block: (events before it, savepoint depth inside).
    blocks: list[tuple[int, int]] = field(default_factory=list)
    events: list[AuditEvent] = field(default_factory=list)
    accesses: list[AuditEvent] = field(default_factory=list)


def _state() -> _State:
    connection = connections[DEFAULT_DB_ALIAS]
    state = getattr(connection, "_phteah_audit", None)
    if state is None:
        state = connection._phteah_audit = _State()
    return state


class audited_atomic(ContextDecorator):
    """``transaction.atomic()`` for services: the block in which changes are made and
    recorded with ``audit_log``. The outermost block appends the recorded events to their
    chains just before it commits (the chain lock is taken last). Usable as a decorator."""

    def _recreate_cm(self):
        return audited_atomic()

    def __enter__(self):
        connection = connections[DEFAULT_DB_ALIAS]
        state = _state()
        if state.blocks and len(connection.savepoint_ids) != state.blocks[-1][1]:
            # A plain atomic() block in between could roll back without this block knowing.
            raise RuntimeError(
                "audited_atomic() inside a plain transaction.atomic() block of a service: use "
                "audited_atomic() for the outer block too."
            )
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        state.blocks.append((len(state.events), len(connection.savepoint_ids)))
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        state = _state()
        mark, _depth = state.blocks.pop()
        outermost = not state.blocks
        try:
            if exc_type is None and outermost:
                try:
                    _append(state.events)
                except BaseException:
                    state.events.clear()
                    self._atomic.__exit__(*sys.exc_info())
                    raise
            elif exc_type is not None:
                del state.events[mark:]
            return self._atomic.__exit__(exc_type, exc_value, traceback)
        finally:
            if outermost:
                state.events.clear()
                accesses, state.accesses = state.accesses, []
                if accesses:
                    _insert_accesses(accesses)


def _build(
    *, actor, action, organisation, target, case, changes, data, ip, actor_label
) -> AuditEvent:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    organisation_id = getattr(organisation, "pk", organisation)
    target_type, target_id = ("", "")
    if isinstance(target, tuple):  # (model label, id): a record that was not loaded
        (target_type, target_id), target = (target[0], str(target[1])[:64]), None
    elif target is not None:
        target_type, target_id = target._meta.label_lower, str(target.pk)
    if ip is None:
        ip = current_ip.get()
    case_id = getattr(case, "pk", case)
    if case_id is None and target is not None:
        if target._meta.label_lower == "cases.case":
            case_id = target.pk
        else:
            case_id = getattr(target, "case_id", None)
    event = AuditEvent(
        chain_key=chain_key_for(organisation_id),
        created_at=timezone.now(),
        organisation_id=organisation_id,
        actor=actor,
        actor_label="" if actor is not None else (actor_label or ""),
        action=action,
        target_type=target_type,
        target_id=target_id,
        case_id=case_id,
        changes=_plain(mask_secrets(audit_value_tree(changes or {}))),
        data=_plain(mask_secrets(audit_value_tree(data or {}))),
        ip=_canonical_ip(ip),
    )
    digest_values(event)
    return event


def audit_value_tree(values: dict[str, Any]) -> dict[str, Any]:
    return {key: audit_value(value) for key, value in values.items()}


def audit_log(
    *,
    actor,
    action: str,
    organisation=None,
    target: Model | None = None,
    case=None,
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
    actor_label: str | None = None,
    mirror_to=None,
) -> AuditEvent:
    """Record a change. Must run directly inside the ``audited_atomic()`` block that makes
    it (not inside a nested plain ``transaction.atomic()``, whose rollback the trail could not
    follow). *target*: the record changed; *case*: the case it belongs to (found from the
    target when it has a ``case_id``); *changes*: ``{field: [old, new]}``; *data*: other
    values (ids and codes). *actor_label* is kept only for events without a known actor
    (a failed sign-in with an unknown email).

    *mirror_to*: the actor's organisation, when it is not the record's (a partner answering
    a referral, a government officer recording a visit). The event goes to the chain of
    *organisation*, the record's owner, with the values; a mirror of it goes to the actor's
    organisation's chain in the same transaction: the same action, target, case and data,
    plus ``recorded_in`` (the owner), and no ``changes`` — the values stay with the owner."""
    state = _state()
    connection = connections[DEFAULT_DB_ALIAS]
    if not state.blocks:
        raise RuntimeError("audit_log must be called inside audited_atomic().")
    if len(connection.savepoint_ids) != state.blocks[-1][1]:
        raise RuntimeError(
            "audit_log was called inside a nested transaction.atomic() block: use "
            "audited_atomic() for it, so that a rollback also drops its events."
        )
    event = _build(
        actor=actor,
        action=action,
        organisation=organisation,
        target=target,
        case=case,
        changes=changes,
        data=data,
        ip=ip,
        actor_label=actor_label,
    )
    state.events.append(event)
    mirror = _mirror(event, mirror_to, actor=actor, data=data, ip=ip)
    if mirror is not None:
        state.events.append(mirror)
    return event


def _mirror(event: AuditEvent, mirror_to, *, actor, data, ip) -> AuditEvent | None:
    """The mirror of *event* for the actor's organisation *mirror_to* (see ``audit_log``);
    None when there is no other organisation to mirror to."""
    mirror_id = getattr(mirror_to, "pk", mirror_to)
    if mirror_id is None or str(mirror_id) == str(event.organisation_id):
        return None
    target = (event.target_type, event.target_id) if event.target_type else None
    return _build(
        actor=actor,
        action=event.action,
        organisation=mirror_id,
        target=target,
        case=event.case_id,
        changes=None,
        data={**(data or {}), "recorded_in": str(event.organisation_id)},
        ip=ip,
        actor_label=None,
    )


def audit_access(
    *,
    actor,
    action: str,
    organisation,
    target: Model | tuple[str, Any] | None = None,
    case=None,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
    mirror_to=None,
) -> AuditEvent:
    """Record a view, download, print or denied attempt without waiting for any lock: a
    pending event, sealed into its chain later. Inside a service it is written after the
    service's transaction ends (committed or not). *target* may be a row or, for a record
    that was not loaded, ``(model label, id)``. *ip* defaults to the current request's.
    *mirror_to*: as for ``audit_log``, the actor's organisation when it is not the owner."""
    event = _build(
        actor=actor,
        action=action,
        organisation=organisation,
        target=target,
        case=case,
        changes=None,
        data=data,
        ip=ip,
        actor_label=None,
    )
    written = [event]
    mirror = _mirror(event, mirror_to, actor=actor, data=data, ip=ip)
    if mirror is not None:
        written.append(mirror)
    state = _state()
    if state.blocks:
        state.accesses.extend(written)
    else:
        _insert_accesses(written)
    return event


def _insert_accesses(events: list[AuditEvent]) -> None:
    AuditEvent.all_chains.bulk_create(events)


# --- appending to a chain --------------------------------------------------------------


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


def _allocate_ids(count: int) -> list[int]:
    """Ids for *count* new events, known before they are written (the id is hashed, so that
    renumbering an event is detected). Runs under the chain lock: on SQLite the transaction
    is the only writer; on PostgreSQL the ids come from the table's sequence."""
    connection = connections[DEFAULT_DB_ALIAS]
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')
        last = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            last = max(last, row[0] if row else 0)
        return list(range(last + 1, last + 1 + count))


def _seal(events, *, length: int, head: str, key) -> tuple[int, str]:
    for event in events:
        length += 1
        event.sequence, event.prev_hash, event.key_id = length, head, key.id
        event.hash = event_hash(secret=key.secret, prev_hash=head, fields=hashed_fields(event))
        head = event.hash
    return length, head


def _seal_pending(chain_key: str, *, length: int, head: str, key, limit: int | None):
    """Seal the chain's pending access events, oldest first (the chain is locked)."""
    pending = AuditEvent.all_chains.filter(chain_key=chain_key, sequence__isnull=True)
    pending = list(pending.order_by("id")[:limit] if limit else pending.order_by("id"))
    if not pending:
        return length, head, 0
    length, head = _seal(pending, length=length, head=head, key=key)
    connection = connections[DEFAULT_DB_ALIAS]
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET sequence = %s, prev_hash = %s, hash = %s, key_id = %s "
            "WHERE id = %s AND sequence IS NULL",
            [(e.sequence, e.prev_hash, e.hash, e.key_id, e.id) for e in pending],
        )
    return length, head, len(pending)


def _append(events: list[AuditEvent]) -> None:
    """Append *events* to their chains (the caller's transaction is about to commit)."""
    if not events:
        return
    by_chain: dict[str, list[AuditEvent]] = defaultdict(list)
    for event in events:
        by_chain[event.chain_key].append(event)
    key = current_key()
    for chain_key in sorted(by_chain):  # several chains: always in the same order
        chain = _lock_chain(chain_key)
        length, head, _sealed = _seal_pending(
            chain_key, length=chain.length, head=chain.head_hash, key=key, limit=SEAL_WITH_WRITE
        )
        new = by_chain[chain_key]
        for event, pk in zip(new, _allocate_ids(len(new)), strict=True):
            event.id = pk
        length, head = _seal(new, length=length, head=head, key=key)
        AuditEvent.all_chains.bulk_create(new)
        AuditChain.objects.filter(pk=chain.pk).update(length=length, head_hash=head)


def audit_seal(*, chain_key: str | None = None) -> int:
    """Seal every pending access event (of one chain, or of all), each chain in its own short
    transaction. Returns how many were sealed."""
    keys = AuditEvent.all_chains.filter(sequence__isnull=True)
    if chain_key is not None:
        keys = keys.filter(chain_key=chain_key)
    sealed = 0
    key = current_key()
    for name in sorted(set(keys.values_list("chain_key", flat=True))):
        with transaction.atomic():
            chain = _lock_chain(name)
            length, head, count = _seal_pending(
                name, length=chain.length, head=chain.head_hash, key=key, limit=None
            )
            if count:
                AuditChain.objects.filter(pk=chain.pk).update(length=length, head_hash=head)
            sealed += count
    return sealed


# --- helpers for services --------------------------------------------------------------


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
    case=None,
):
    """Create a *model* row from *values* and log it with *fields* as the new values. Runs
    inside the caller's ``audited_atomic()`` block; returns the row."""
    obj = model.objects.create(**values)
    audit_log(
        actor=actor,
        organisation=organisation,
        action=action,
        target=obj,
        case=case,
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
    case=None,
) -> dict[str, list[Any]]:
    """Set *values* on *obj*, save it, and log the fields among *fields* that changed (plus
    *extra_changes*, e.g. many-to-many ones). Nothing is logged when nothing changed. Runs
    inside the caller's ``audited_atomic()`` block; returns the changes."""
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
            case=case,
            changes=changes,
            data=data,
            ip=ip,
        )
    return changes
