"""Helpers of the audit tests: events written as services write them, and changes made to
the tables directly, as someone with database access (not through Phteah) would."""

import pytest
from django.db import connection

from phteah.core.audit import audit_access, audit_log, audited_atomic
from phteah.core.models import AuditEvent


def log_events(organisation, n=1, *, action="test.thing", **kwargs):
    """*n* changes, each in its own audited_atomic() block, as n services would write them."""
    events = []
    for i in range(n):
        with audited_atomic():
            events.append(
                audit_log(
                    actor=None,
                    organisation=organisation,
                    action=action,
                    data={"i": i, "note": f"note {i}"},
                    **kwargs,
                )
            )
    return events


def access(organisation, **kwargs):
    return audit_access(actor=None, action="test.viewed", organisation=organisation, **kwargs)


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def set_columns(event_id, **values):
    """UPDATE core_auditevent directly (JSON and other columns adapted as the database wants
    them), bypassing the model, which refuses."""
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(name)} = %s" for name in values)
    params = [
        AuditEvent._meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in values.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE core_auditevent SET {columns} WHERE id = %s", [*params, event_id])


def stored(event_id) -> AuditEvent:
    return AuditEvent.all_chains.get(pk=event_id)


@pytest.fixture
def key_file(settings, tmp_path):
    """Audit keys in a key file of the test's own (rotations stay with the test)."""
    from phteah.core.audit.keys import keys_reload

    settings.AUDIT_KEYS = ""
    settings.AUDIT_KEY_FILE = tmp_path / "audit_keys"
    keys_reload()
    yield settings.AUDIT_KEY_FILE
    keys_reload()
