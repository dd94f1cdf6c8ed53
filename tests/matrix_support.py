"""Shared vocabulary of the permission matrix (tests/test_permissions.py).

An area adds its views in ``tests/<area>/matrix.py`` with:

    ROWS = [(url name, object key or None, method, data or None, expected statuses), ...]
    def objects(world) -> dict[str, dict]:   # object key -> URL kwargs

The columns (actors):
- every role of the owning organisation: admin, supervisor, worker, me, viewer;
- another organisation's administrator, supervisor and case worker ("other_admin",
  "other_supervisor", "other_worker"): members with the same capabilities somewhere else, so
  a 404 in their column proves organisation isolation, not a missing capability;
- a government office the case is shared with (a view grant, on the consent of the child's
  guardian): its supervisor and the officer the case was given to ("gov_supervisor",
  "gov_worker"); like the other organisation's columns they get what the same role gets at
  home on rows without an object, and 404 on rows with one unless the row names them
  (``shared_readers``);
- anonymous.

``world`` holds "owner" and "other" (organisations), "actors" (column -> Membership), "office"
(the owner's office of the case worker and the viewer), "case" (assigned to the case worker,
supervised by the supervisor; the viewer sees it as a colleague of the same office, so
reading and changing are different columns) and "person" (its person). Objects an area
builds must belong to the owner organisation.

For a row without an object (a list, an add form, the organisation's settings) another
organisation's members get what the same role gets at home, unless the row says otherwise:
such pages show each member their own organisation. For a row with an object of the owner,
they get 404 unless the row says otherwise.
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
OTHER_ADMIN, OTHER_SUPERVISOR, OTHER_WORKER = "other_admin", "other_supervisor", "other_worker"
OTHERS = {OTHER_ADMIN: ADMIN, OTHER_SUPERVISOR: SUPERVISOR, OTHER_WORKER: WORKER}
GOV_SUPERVISOR, GOV_WORKER = "gov_supervisor", "gov_worker"
GRANTED = {GOV_SUPERVISOR: SUPERVISOR, GOV_WORKER: WORKER}
ANON = "anonymous"
COLUMNS = (*ALL, *OTHERS, *GRANTED, ANON)
_KEYS = {
    "admin": (ADMIN,),
    "supervisor": (SUPERVISOR,),
    "worker": (WORKER,),
    "me": (ME,),
    "viewer": (VIEWER,),
    "other_admin": (OTHER_ADMIN,),
    "other_supervisor": (OTHER_SUPERVISOR,),
    "other_worker": (OTHER_WORKER,),
    "other": tuple(OTHERS),  # every member of the other organisation
    "gov_supervisor": (GOV_SUPERVISOR,),
    "gov_worker": (GOV_WORKER,),
    "gov": tuple(GRANTED),  # the government office the case is shared with
    "anon": (ANON,),
}
MIRROR = object()  # "what the same role gets at home" (filled in by the matrix test)


def expect(default, **overrides):
    """Expected status per column: *default* for every role of the owning organisation, the
    other organisation's members as the row's kind decides (see the module docstring),
    anonymous 302 (to sign in) unless given."""
    table = {actor: default for actor in ALL}
    table |= {actor: MIRROR for actor in (*OTHERS, *GRANTED)}
    table[ANON] = 302
    if "other" in overrides and not any(key.startswith("gov") for key in overrides):
        # What a row says of every member of another organisation holds for the government
        # office too, which is another organisation (holding a grant on the case).
        overrides = {"gov": overrides["other"], **overrides}
    for key, value in overrides.items():
        for actor in _KEYS[key]:
            table[actor] = value
    return table


def only_admin(ok=200, **overrides):
    return expect(404, admin=ok, **overrides)


def case_readers(ok=200):
    """A view of one case record: its supervisor, its case worker and the viewer (a colleague
    of the case worker's office) may; others 404."""
    return expect(404, supervisor=ok, worker=ok, viewer=ok)


def shared_readers(ok=200):
    """A page of one case that a government office it is shared with may read too."""
    return expect(404, supervisor=ok, worker=ok, viewer=ok, gov=ok)


def case_editors(ok=200):
    """A change to one case record: its supervisor and its case worker (EDIT_CASES); the
    viewer, who may read it, may not change it."""
    return expect(404, supervisor=ok, worker=ok)


def resolved(expected: dict, *, has_object: bool) -> dict:
    """*expected* with the other organisation's columns filled in."""
    table = dict(expected)
    for actor, role in (OTHERS | GRANTED).items():
        if table[actor] is MIRROR:
            table[actor] = 404 if has_object else table[role]
    return table
