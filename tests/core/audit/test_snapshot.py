"""verify reads one consistent snapshot: a change committed while it runs is no alarm.

The concurrent writer is forced between verify's two reads (the chain heads, then the
events) by a hook on the first: it appends events on a connection of its own and commits
before verify reads on. Without the snapshot that is exactly the false alarm the review saw
("head records 3 events but 5 were found"); the tests show both.

On PostgreSQL the writer is a second connection (a thread). On SQLite the test database is
in memory, where two connections cannot work at the same time at all; the test copies it to
a file (WAL, as in production) and runs both connections on that copy."""

import contextlib
import threading

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction

from phteah.core.audit import audit_verify, verify
from phteah.core.models import AuditEvent

from ...factories import OrganisationFactory
from .conftest import log_events


@pytest.fixture
def database_for_two(transactional_db, tmp_path):
    """A database two connections can use at once, as in production; returns the function
    that a second thread calls first to get its own connection to it."""
    if connection.vendor != "sqlite":
        yield lambda: None
        connections.close_all()
        return
    import sqlite3

    original = connections[DEFAULT_DB_ALIAS]
    original.ensure_connection()
    path = tmp_path / "phteah.sqlite3"
    with sqlite3.connect(path) as copy:
        original.connection.backup(copy)
    file_settings = {
        **original.settings_dict,
        "NAME": str(path),
        "OPTIONS": {**original.settings_dict["OPTIONS"], "timeout": 0},  # never wait: fail
    }

    def install():  # each thread closes its own connection
        connections[DEFAULT_DB_ALIAS] = type(original)(file_settings, DEFAULT_DB_ALIAS)

    install()
    try:
        yield install
    finally:
        connections[DEFAULT_DB_ALIAS].close()
        connections[DEFAULT_DB_ALIAS] = original


def _write_meanwhile(monkeypatch, install, organisation, outcome):
    """Between verify's read of the heads and its read of the events, append two events to
    the organisation's chain on another connection, committed."""
    read_heads = verify._chain_heads

    def writer():
        install()
        try:
            log_events(organisation, 2, action="test.meanwhile")
            outcome["written"] = True
        except OperationalError as error:
            outcome["error"] = error
        finally:
            connections[DEFAULT_DB_ALIAS].close()

    def heads_then_a_write():
        heads = read_heads()
        thread = threading.Thread(target=writer)
        thread.start()
        thread.join()
        return heads

    monkeypatch.setattr(verify, "_chain_heads", heads_then_a_write)


def test_a_write_during_verify_is_no_false_alarm(database_for_two, monkeypatch):
    organisation = OrganisationFactory()
    log_events(organisation, 3)
    outcome = {}
    _write_meanwhile(monkeypatch, database_for_two, organisation, outcome)
    report = audit_verify(checkpoint=None)
    assert outcome == {"written": True}
    assert report.problems == []
    assert report.checked == 3  # what the snapshot held
    assert AuditEvent.all_chains.count() == 5
    monkeypatch.undo()
    assert audit_verify(checkpoint=None).checked == 5


def test_without_the_snapshot_the_same_write_is_a_false_alarm(database_for_two, monkeypatch):
    """The test above fails when verify reads without a snapshot."""
    organisation = OrganisationFactory()
    log_events(organisation, 3)
    outcome = {}
    _write_meanwhile(monkeypatch, database_for_two, organisation, outcome)
    monkeypatch.setattr(verify, "read_snapshot", contextlib.nullcontext)
    problems = [str(p) for p in audit_verify(checkpoint=None).problems]
    assert outcome == {"written": True}
    assert problems == [
        f"org:{organisation.pk}: chain head: head records 3 events but 5 were found (the "
        "latest events were deleted or the head was changed)"
    ]


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_on_sqlite_verify_does_not_hold_the_write_lock(database_for_two, monkeypatch):
    """The project's SQLite transactions begin IMMEDIATE (the write lock at once): verify in
    such a transaction would stop every writer until it ends. Its read transaction is
    deferred; with an IMMEDIATE one the writer cannot get in."""
    organisation = OrganisationFactory()
    log_events(organisation, 3)
    outcome = {}
    _write_meanwhile(monkeypatch, database_for_two, organisation, outcome)
    monkeypatch.setattr(verify, "read_snapshot", transaction.atomic)
    audit_verify(checkpoint=None)
    assert "locked" in str(outcome.get("error"))
