"""Our SQLite backend keeps planner statistics: PRAGMA optimize when a connection closes."""

import sqlite3

import pytest

from phteah.core.sqlite.base import DatabaseWrapper


def wrapper(path):
    return DatabaseWrapper(
        {
            "NAME": str(path),
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "OPTIONS": {},
            "TIME_ZONE": None,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            "TEST": {},
        }
    )


def statistics(path):
    with sqlite3.connect(path) as plain:
        exists = plain.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
        ).fetchone()[0]
        return plain.execute("SELECT tbl, idx FROM sqlite_stat1").fetchall() if exists else []


@pytest.fixture(autouse=True)
def _own_database(django_db_blocker):
    with django_db_blocker.unblock():  # a file of its own, not the test database
        yield


def test_closing_a_connection_analyses_the_tables_its_queries_used(tmp_path):
    path = tmp_path / "db.sqlite3"
    db = wrapper(path)
    with db.cursor() as cursor:
        cursor.execute("CREATE TABLE visit (id INTEGER PRIMARY KEY, case_id INTEGER, day INTEGER)")
        cursor.execute("CREATE INDEX visit_case ON visit (case_id)")
        cursor.executemany(
            "INSERT INTO visit (case_id, day) VALUES (%s, %s)",
            [(n % 500, n) for n in range(5000)],
        )
    db.close()
    assert ("visit", "visit_case") not in statistics(path)  # nothing queried it yet

    db = wrapper(path)
    with db.cursor() as cursor:
        cursor.execute("SELECT max(day) FROM visit WHERE case_id = %s", [7])
        assert cursor.fetchone()[0] == 4507
    assert db.connection.execute("PRAGMA analysis_limit").fetchone()[0] == 1000
    db.close()
    assert ("visit", "visit_case") in statistics(path)
