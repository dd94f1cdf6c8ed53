"""``phteah due check``: exit 0 when every stored stage and due date is what the records give,
non-zero with one line per drifting value after the stored values were changed outside the
services (raw SQL); ``phteah due refresh`` repairs them."""

import datetime
import io
import sys

import pytest
from django.core.management import ManagementUtility
from django.db import connection, connections

from phteah.cases.models import Case
from tests.case_services import build_worlds

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _connection_kept(monkeypatch):
    """A command run from the command line closes the database connections when it ends,
    which would end the test's transaction: kept open here."""
    monkeypatch.setattr(connections, "close_all", lambda: None)


def phteah(*argv) -> tuple[int, str, str]:
    """Run ``phteah <argv>`` as the console command does; (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        ManagementUtility(["phteah", *argv]).execute()
        status = 0
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.stdout, sys.stderr = saved
    return status, out.getvalue(), err.getvalue()


def set_by_sql(case, **values) -> None:
    """Change stored columns of *case* with plain SQL, behind the services' back."""
    meta = Case._meta
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s",
            [*values.values(), case.pk.hex if connection.vendor == "sqlite" else case.pk],
        )


@pytest.fixture
def worlds():
    return build_worlds([("DUEA", "open"), ("DUEB", "closed")])


def test_check_passes_when_every_stored_value_is_current(worlds):
    status, out, err = phteah("due", "check")

    assert status == 0, err
    assert out.strip() == "OK: 4 cases checked; every stored stage and due date is current."
    assert err == ""


def test_check_fails_with_a_line_per_value_changed_by_sql(worlds):
    first, closed = worlds[0].case, worlds[1].case
    computed = Case.objects.get(pk=first.pk)
    set_by_sql(first, visit_due_on=datetime.date(2001, 2, 3), stage="registered")
    set_by_sql(closed, review_due_on=datetime.date(2002, 3, 4))

    status, out, err = phteah("due", "check")

    assert status != 0
    drift = sorted(line for line in err.strip().splitlines() if line.startswith("DRIFT "))
    assert len(drift) == 3, err
    expected = sorted(
        [
            (f"DRIFT DUEA case {first.pk}: stage is 'registered', should be ", "IMPLEMENTING"),
            (
                f"DRIFT DUEA case {first.pk}: visit_due_on is datetime.date(2001, 2, 3), "
                "should be ",
                repr(computed.visit_due_on),
            ),
            (f"DRIFT DUEB case {closed.pk}: review_due_on is datetime.date(2002, 3, 4), ", "None"),
        ]
    )
    for line, (start, end) in zip(drift, expected, strict=True):
        assert line.startswith(start) and line.endswith(end), line
    assert "2 of 4 cases have stored values that differ from their records" in err
    assert out == ""


def test_check_of_one_organisation_reports_only_its_cases(worlds):
    set_by_sql(worlds[1].case, review_due_on=datetime.date(2002, 3, 4))

    assert phteah("due", "check", "--organisation", "duea")[0] == 0
    status, _out, err = phteah("due", "check", "--organisation", "DUEB")
    assert status != 0 and f"DRIFT DUEB case {worlds[1].case.pk}: review_due_on" in err
    status, _out, err = phteah("due", "check", "--organisation", "NOPE")
    assert status != 0 and "No organisation with the short code 'NOPE'" in err


def test_refresh_repairs_what_check_reported(worlds):
    set_by_sql(worlds[0].case, visit_due_on=None, last_visited_on=None)
    assert phteah("due", "check")[0] != 0

    status, out, _err = phteah("due", "refresh")

    assert status == 0 and out.strip() == "4 cases checked, 1 updated."
    assert phteah("due", "check")[0] == 0
