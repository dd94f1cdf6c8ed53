"""Django's SQLite backend, keeping the query planner's statistics current.

Without statistics (``sqlite_stat1``) SQLite guesses which index to use, and at national
scale it guesses wrong: the case list looked up each row's main case worker through the
organisation's index (hundreds of rows per case) instead of the case's (one), 220 ms instead
of 35 ms. SQLite's advice is to run ``PRAGMA optimize`` before closing each connection: it
analyses only the tables this connection's queries would have planned better with fresh
statistics, and with ``analysis_limit`` each analysis samples at most that many rows per
index, so it costs a few milliseconds and usually nothing. Connections close after every
request on SQLite (``CONN_MAX_AGE`` 0, see settings), so the statistics follow the data."""

from django.db import DatabaseError
from django.db.backends.sqlite3 import base

ANALYSIS_LIMIT = 1000


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        return connection

    def close(self):
        if self.connection is not None and not self.in_atomic_block:
            try:
                self.connection.execute("PRAGMA optimize")
            except (DatabaseError, base.Database.Error):
                pass  # statistics are an optimisation: never fail a request for them
        super().close()
