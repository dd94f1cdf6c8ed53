"""Erasing values from the audit trail: the one change ever made to a written event.

A name typed on the wrong child, a retention limit, a court order: the values an event
records (``changes``, ``data``, the IP address, the label of an unknown actor) can be
removed by an organisation's administrator, with a reason. The value and its salt go; the
digest stays, so the chain still verifies and nobody can confirm a guess of the erased value.
The event keeps a marker per erased value (``erased[path] = {"at": ..., "by": ...}``) and the
erasure is itself an event, ``core.audit.values_erased``, in the same chain and the same
transaction, with ``data = {"erased": {"<event id>": [paths]}, "reason": ...}``: what was
erased, by whom, when and why. ``audit_verify`` accepts a marker only when such an intact
erasure event names it, with the same time and author.

Events stay append-only otherwise: the update here is one SQL statement over the value
columns of the chosen rows, never the model's ``save()``."""

from __future__ import annotations

from datetime import UTC

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from ..errors import NotFound, ServiceError
from ..models import AuditEvent
from .chain import event_values
from .verify import ERASURE_ACTION
from .writing import SYSTEM_CHAIN, _lock_chain, audit_log, audited_atomic, chain_key_for

# Held by organisation administrators (phteah.accounts.roles); core takes it as a string.
ERASE_AUDIT_VALUES = "erase_audit_values"
REASON_MAX_LENGTH = 1000
# The record of an erasure: erasing it would make the erasures it authorised look forged.
PROTECTED = {ERASURE_ACTION: frozenset({"data.erased"})}
_VALUE_COLUMNS = ("changes", "data", "ip", "actor_label", "salts", "erased")


def erasable_values(event: AuditEvent) -> dict:
    """The values of *event* that can still be erased, by path."""
    protected = PROTECTED.get(event.action, frozenset())
    return {path: value for path, value in event_values(event).items() if path not in protected}


def _organisation_of(actor, organisation):
    """The organisation whose events *actor* may erase: their own (administrators), or the
    one given (the platform operator's command line, without an actor); None for the system
    chain (events of no organisation: sign-ins with an unknown email), the operator's only."""
    if actor is None:
        if organisation is None:
            raise TypeError("An erasure without an actor (the command line) names its chain.")
        if organisation == SYSTEM_CHAIN:
            return None
        return getattr(organisation, "pk", organisation)
    if not actor.can(ERASE_AUDIT_VALUES):
        raise NotFound()
    own = actor.organisation_id
    if organisation is not None and str(getattr(organisation, "pk", organisation)) != str(own):
        raise NotFound()
    return own


def audit_event_get_for_erasure(*, actor, event_id) -> AuditEvent:
    """An event of the actor's organisation, for an administrator who may erase its values;
    NotFound (and the refusal recorded) otherwise."""
    organisation_id = _organisation_of(actor, None)
    try:
        return AuditEvent.all_chains.get(pk=int(event_id), organisation_id=organisation_id)
    except (AuditEvent.DoesNotExist, TypeError, ValueError, OverflowError):
        _record_refusals(actor, [event_id])
        raise NotFound() from None


def _record_refusals(actor, event_ids) -> None:
    from ..access import access_denied  # core.access records refusals through this package

    for event_id in sorted(event_ids):
        access_denied(actor=actor, model=AuditEvent, record_id=event_id)


def _erase(event: AuditEvent, paths: list[str], marker: dict) -> None:
    for path in paths:
        if path.startswith("changes."):
            event.changes.pop(path.removeprefix("changes."), None)
        elif path.startswith("data."):
            event.data.pop(path.removeprefix("data."), None)
        elif path == "ip":
            event.ip = None
        elif path == "actor_label":
            event.actor_label = ""
        event.salts.pop(path, None)
        event.erased[path] = marker
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(name)} = %s" for name in _VALUE_COLUMNS)
    params = [
        AuditEvent._meta.get_field(name).get_db_prep_save(getattr(event, name), connection)
        for name in _VALUE_COLUMNS
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(AuditEvent._meta.db_table)} SET {columns} WHERE {quote('id')} = %s",
            [*params, event.id],
        )


def audit_values_erase(
    *,
    actor,
    event_ids=None,
    target: tuple[str, object] | None = None,
    paths=None,
    reason: str,
    ip: str | None = None,
    organisation=None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Erase values from events of the actor's organisation and record the erasure.

    *event_ids*: the events; or *target* ``(model label, id)``: every event about that
    record. *paths*: the values to erase (``changes.<field>``, ``data.<key>``, ``ip``,
    ``actor_label``), each event's that it holds; all of each event's values when None.
    *reason* is required. *actor*: a membership that may erase audit values; None only for
    the platform operator's command line, which names the *organisation* (or
    ``SYSTEM_CHAIN``) and says who ran it in *actor_label*. Returns the erasure event."""
    if (event_ids is None) == (target is None):
        raise TypeError("Give either event_ids or target.")
    organisation_id = _organisation_of(actor, organisation)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why these values are erased."), field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ServiceError(
            _("The reason is too long (at most %(limit)s characters).")
            % {"limit": REASON_MAX_LENGTH},
            field="reason",
        )
    wanted = None if paths is None else list(dict.fromkeys(str(path) for path in paths))
    if wanted is not None and not wanted:
        raise ServiceError(_("Choose the values to erase."), field="paths")

    with audited_atomic():
        # The chain first, then its events: the order in which sealing takes them too.
        _lock_chain(chain_key_for(organisation_id))
        events = AuditEvent.all_chains.filter(chain_key=chain_key_for(organisation_id))
        if target is not None:
            label, record_id = target
            events = events.filter(target_type=label, target_id=str(record_id)[:64]).exclude(
                action=ERASURE_ACTION
            )
        else:
            try:
                ids = {int(event_id) for event_id in event_ids}
            except (TypeError, ValueError):
                raise NotFound() from None
            events = events.filter(pk__in=ids)
        events = list(events.select_for_update().order_by("id"))
        if target is None and len(events) != len(ids):
            missing = ids - {event.id for event in events}
            if actor is not None:
                _record_refusals(actor, missing)
            raise NotFound()
        if not events:
            raise ServiceError(_("No audit event of your organisation is about this record."))

        chosen = {}
        for event in events:
            values = erasable_values(event)
            if wanted is None:
                chosen[event] = list(values)
            else:
                protected = PROTECTED.get(event.action, frozenset()) & set(wanted)
                if protected and target is None:
                    raise ServiceError(
                        _("The record of what an earlier erasure removed cannot be erased."),
                        field="paths",
                    )
                chosen[event] = [path for path in wanted if path in values]
        if wanted is not None:
            held = {path for paths_of_event in chosen.values() for path in paths_of_event}
            for path in wanted:
                if path not in held:
                    raise ServiceError(
                        _("None of these events holds the value %(path)s (any more).")
                        % {"path": path},
                        field="paths",
                    )
        chosen = {
            event: paths_of_event for event, paths_of_event in chosen.items() if paths_of_event
        }
        if not chosen:
            raise ServiceError(_("There is nothing left to erase in these events."))

        cases = {event.case_id for event in chosen}
        user = getattr(actor, "user", None)
        erasure = audit_log(
            actor=user,
            action=ERASURE_ACTION,
            organisation=organisation_id,
            case=cases.pop() if len(cases) == 1 else None,
            data={
                "erased": {
                    str(event.id): paths_of_event for event, paths_of_event in chosen.items()
                },
                "reason": reason,
            },
            ip=ip,
            actor_label=actor_label,
        )
        marker = {
            "at": erasure.created_at.astimezone(UTC).isoformat(),
            "by": str(erasure.actor_id) if erasure.actor_id else None,
        }
        for event, paths_of_event in chosen.items():
            _erase(event, paths_of_event, marker)
    return erasure
