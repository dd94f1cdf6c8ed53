"""Domain events (phteah.core.events): in-transaction handlers run at once and roll back with
the change; after-commit handlers run only once the change is durable, never after a
rollback; subscribers of the apps are wired to the events the lower apps publish."""

from dataclasses import dataclass

import pytest
from django.db import transaction

from phteah.accounts.events import OrganisationCreated
from phteah.cases.events import CaseChanged, CaseEvent, ClosureRequested
from phteah.core import events
from phteah.core.events import Event


@dataclass(frozen=True)
class Happened(Event):
    what: str


@dataclass(frozen=True)
class HappenedLater(Happened):
    pass


@pytest.fixture
def seen(monkeypatch):
    """A clean registry for the test, and the list of what the handlers saw."""
    monkeypatch.setattr(events, "_handlers", events.defaultdict(list))
    monkeypatch.setattr(events, "_after_commit", events.defaultdict(list))
    return []


def test_in_transaction_handlers_run_at_once_in_order(seen):
    events.subscribe(Happened, lambda e: seen.append(("first", e.what)))
    events.subscribe(Happened, lambda e: seen.append(("second", e.what)))
    events.publish(Happened("a visit"))
    assert seen == [("first", "a visit"), ("second", "a visit")]


def test_subscribing_twice_has_no_effect(seen):
    def handler(event):
        seen.append(event.what)

    events.subscribe(Happened, handler)
    events.subscribe(Happened, handler)
    events.publish(Happened("x"))
    assert seen == ["x"]


def test_handlers_of_a_base_event_receive_its_subclasses(seen):
    events.subscribe(Happened, lambda e: seen.append(type(e).__name__))
    events.publish(HappenedLater("y"))
    assert seen == ["HappenedLater"]


@pytest.mark.django_db(transaction=True)
def test_after_commit_handlers_wait_for_the_commit(seen):
    events.subscribe(Happened, lambda e: seen.append(e.what), after_commit=True)
    with transaction.atomic():
        events.publish(Happened("closed"))
        assert seen == []  # not while the change may still roll back
    assert seen == ["closed"]


@pytest.mark.django_db(transaction=True)
def test_after_commit_handlers_never_run_for_a_rollback(seen):
    events.subscribe(Happened, lambda e: seen.append(e.what), after_commit=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish(Happened("rolled back"))
        raise RuntimeError
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint rolled back
            events.publish(Happened("savepoint"))
            raise RuntimeError
        events.publish(Happened("kept"))
    assert seen == ["kept"]


@pytest.mark.django_db(transaction=True)
def test_a_failing_after_commit_handler_does_not_undo_or_stop_the_others(seen, caplog):
    def broken(event):
        raise ValueError("mail server down")

    events.subscribe(Happened, broken, after_commit=True)
    events.subscribe(Happened, lambda e: seen.append(e.what), after_commit=True)
    with transaction.atomic():
        events.publish(Happened("done"))
    assert seen == ["done"]
    assert "After-commit handler" in caplog.text


def test_the_apps_subscribe_to_what_the_lower_apps_publish():
    """care recomputes a case's stage and due dates on CaseChanged; cases and care give a
    new organisation its defaults on OrganisationCreated (referrals its unpublished partner
    profile)."""
    from phteah.care.progress import case_changed_refresh

    assert case_changed_refresh in events.subscribers(CaseChanged)
    owners = {handler.__module__ for handler in events.subscribers(OrganisationCreated)}
    assert owners == {"phteah.cases.apps", "phteah.care.apps", "phteah.referrals.apps"}


def test_case_events_carry_ids_not_rows():
    fields = set(CaseEvent.__dataclass_fields__)
    assert fields == {"organisation_id", "case_id"}
    assert issubclass(ClosureRequested, CaseEvent)
