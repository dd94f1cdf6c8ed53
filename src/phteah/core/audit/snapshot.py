"""One consistent view of the database for reading the whole trail (verify, anchor).

Verify reads the chain heads, then every event: read without a snapshot, a change committed
in between shows an event the head does not count yet, a false alarm. Inside
``read_snapshot()`` every query sees the database as it was at the first one:

- PostgreSQL: one ``REPEATABLE READ, READ ONLY`` transaction (a snapshot; takes no lock and
  blocks no writer).
- SQLite: one *deferred* read transaction. The project's SQLite connections open their
  transactions with ``BEGIN IMMEDIATE`` (they take the write lock at once, so that two writers
  never deadlock on an upgrade); a verify holding the write lock for its whole run would stop
  every change. ``BEGIN DEFERRED`` followed by reads only takes a read snapshot: in WAL mode
  writers go on committing, and the reader keeps seeing the database as of its first read.

Called inside a transaction already open (a test, a caller's own block) it reads in that
transaction: its isolation cannot be changed once it has begun."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction


@contextmanager
def read_snapshot(using: str = DEFAULT_DB_ALIAS):
    connection = connections[using]
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor == "sqlite":
        # Django's SQLite backend begins a transaction with "BEGIN <transaction_mode>", the
        # mode read from the settings when the connection opens: open it first, then ask for a
        # deferred transaction for this block only.
        connection.ensure_connection()
        mode = connection.transaction_mode
        connection.transaction_mode = "DEFERRED"
        try:
            with transaction.atomic(using=using):
                connection.transaction_mode = mode  # BEGIN DEFERRED was issued
                yield
        finally:
            connection.transaction_mode = mode
        return
    with transaction.atomic(using=using):
        yield
