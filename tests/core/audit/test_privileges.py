"""The database privileges docs/deployment.md recommends for the application's role: Phteah
still seals and erases, and the role cannot delete, truncate or rewrite the trail."""

import secrets

import pytest
from django.db import DatabaseError, connection, transaction

from phteah.accounts.roles import Role
from phteah.core.audit import audit_seal, audit_verify
from phteah.core.audit.erasure import audit_values_erase

from .conftest import access, log_events, raw

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
]

# As in docs/deployment.md ("Database privileges"): keep the two in step.
AUDIT_PRIVILEGES = [
    "REVOKE UPDATE, DELETE, TRUNCATE ON core_auditevent FROM {role}",
    "GRANT UPDATE (sequence, prev_hash, hash, key_id, changes, data, ip, actor_label, salts, "
    "erased) ON core_auditevent TO {role}",
]


@pytest.fixture
def as_application_role():
    """The rest of the test runs as a role with the application's privileges (all of it is
    rolled back with the test's transaction, the role included)."""
    role = f"phteah_app_{secrets.token_hex(4)}"
    raw(f"CREATE ROLE {role}")
    raw(f"GRANT USAGE ON SCHEMA public TO {role}")
    raw(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
    raw(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    for statement in AUDIT_PRIVILEGES:
        raw(statement.format(role=role))
    raw(f"SET LOCAL ROLE {role}")
    return role


def refused(sql, params=()):
    try:
        with transaction.atomic():
            raw(sql, params)
    except DatabaseError as error:
        return "permission denied" in str(error)
    return False


def test_phteah_works_and_the_trail_cannot_be_cut_or_rewritten(
    organisation, member, as_application_role
):
    admin = member(Role.ORG_ADMIN)
    events = log_events(organisation, 3)
    access(organisation, data={"page": "case"})
    assert audit_seal() == 1
    audit_values_erase(actor=admin, event_ids=[events[0].pk], paths=["data.note"], reason="x")
    assert audit_verify(checkpoint=None).ok
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == as_application_role
    assert refused("DELETE FROM core_auditevent WHERE id = %s", [events[-1].pk])
    assert refused("TRUNCATE core_auditevent CASCADE")
    assert refused("UPDATE core_auditevent SET action = 'x' WHERE id = %s", [events[1].pk])
    assert refused("UPDATE core_auditevent SET id = id + 1000 WHERE id = %s", [events[1].pk])
    assert refused("UPDATE core_auditevent SET digests = '{}' WHERE id = %s", [events[1].pk])
    assert refused("UPDATE core_auditevent SET created_at = now() WHERE id = %s", [events[1].pk])
