"""Domain events: how a lower app tells the apps above it that something happened, without
importing them.

An app declares its events as frozen dataclasses (``cases/events.py``: ``CaseChanged``);
apps above it subscribe in their ``AppConfig.ready()``::

    events.subscribe(CaseChanged, progress_refresh)                 # in the same transaction
    events.subscribe(ReferralAccepted, notify, after_commit=True)   # once the change is durable

``publish()`` runs the in-transaction handlers at once, so what they write (derived values
such as a case's stage and due dates) commits or rolls back with the change, and queues the
after-commit handlers with ``transaction.on_commit``, so a notification never leaves for a
change that was rolled back (Django drops the queued call when its savepoint rolls back).

Handlers are called in the order they subscribed. An in-transaction handler that raises makes
the change fail; an after-commit handler that raises is logged and does not undo anything
(the change is already committed)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Base of every domain event. Events carry ids and codes, never model instances, so an
    after-commit handler (or a task it enqueues) reads the current rows itself."""


_handlers: dict[type, list[Callable]] = defaultdict(list)
_after_commit: dict[type, list[Callable]] = defaultdict(list)


def subscribe(event_type: type[Event], handler: Callable, *, after_commit: bool = False) -> None:
    """Call *handler(event)* whenever an *event_type* (or a subclass) is published. Subscribing
    the same handler twice has no effect (``ready()`` may run more than once in tests)."""
    registry = _after_commit if after_commit else _handlers
    if handler not in registry[event_type]:
        registry[event_type].append(handler)


def _matching(registry: dict[type, list[Callable]], event: Event) -> list[Callable]:
    return [
        handler
        for event_type in type(event).__mro__
        if event_type in registry
        for handler in registry[event_type]
    ]


def _run_after_commit(handler: Callable, event: Event) -> None:
    try:
        handler(event)
    except Exception:  # the change is committed: report, never undo
        log.exception("After-commit handler %r failed for %r", handler, event)


def publish(event: Event) -> None:
    """Run the in-transaction handlers of *event* now and queue its after-commit handlers."""
    for handler in _matching(_handlers, event):
        handler(event)
    for handler in _matching(_after_commit, event):
        transaction.on_commit(lambda handler=handler: _run_after_commit(handler, event))


def subscribers(event_type: type[Event]) -> list[Callable]:
    """The in-transaction handlers of *event_type* (for tests and documentation)."""
    return list(_handlers.get(event_type, ()))
