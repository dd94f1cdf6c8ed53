"""Settings that change how the databases run."""

import pytest
from django.db import connection


def test_postgresql_runs_without_jit_compilation(db):
    """JIT compilation took seconds for our many-subquery queries (see settings)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
