"""Shared vocabulary of the permission matrix (tests/test_permissions.py).

An area adds its views in ``tests/<area>/matrix.py`` with:

    ROWS = [(url name, object key or None, method, data or None, expected statuses), ...]
    def objects(world) -> dict[str, dict]:   # object key -> URL kwargs

``world`` holds: "owner" and "other" (organisations), "actors" (role or OTHER -> Membership;
no actor has an office), "case" (a case of the owner assigned to the case worker actor, with
the supervisor actor as its supervisor... see test_permissions.world) and "person" (its
person). Objects an area builds must belong to the owner organisation.
"""

from phteah.accounts.roles import Role

ADMIN, SUPERVISOR, WORKER, ME, VIEWER = (
    Role.ORG_ADMIN,
    Role.SUPERVISOR,
    Role.CASE_WORKER,
    Role.ME_OFFICER,
    Role.VIEWER,
)
ALL = (ADMIN, SUPERVISOR, WORKER, ME, VIEWER)
OTHER, ANON = "other", "anonymous"
_KEYS = {
    "admin": ADMIN,
    "supervisor": SUPERVISOR,
    "worker": WORKER,
    "me": ME,
    "viewer": VIEWER,
    "other": OTHER,
    "anon": ANON,
}


def expect(default, **overrides):
    """Expected status per actor: `default` for every role of the owning organisation and
    the other organisation's administrator; anonymous gets 302 (to sign in) unless given."""
    table = {actor: default for actor in (*ALL, OTHER)}
    table[ANON] = 302
    for key, value in overrides.items():
        table[_KEYS[key]] = value
    return table


def only_admin(ok=200, other=404):
    return expect(404, admin=ok, other=other)


def case_readers(ok=200):
    """A view of one case record: its supervisor and assigned case worker may; others 404."""
    return expect(404, supervisor=ok, worker=ok)


def case_editors(ok=200):
    """A change to one case record: supervisor and assigned case worker (EDIT_CASES)."""
    return expect(404, supervisor=ok, worker=ok)
