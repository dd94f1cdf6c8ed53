"""Organisation scopes are crossed only in the modules listed here, each for a stated reason.

Every query on organisation-owned data runs in the scope of the acting member's organisation
(``phteah.accounts.middleware``). A module that reads outside it — another organisation's
rows under a grant, every organisation's rows in a task, the scope of an organisation a
command names — calls ``scope(organisation=...)``, ``Model.objects.with_scope(...)``,
``with_scopes_disabled()`` or ``scopes_disabled()``. This test walks ``src/`` and fails on
such a call in a module that is not on the list, so that a new crossing is a reviewed change
to this file (docs/design/network.md §3)."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "phteah"

ALLOWED = {
    # Signing in and the membership middleware: before any scope exists, pinned to the user.
    "accounts/middleware.py": "opens the member's own organisation's scope for each request",
    "accounts/selectors.py": "a user's memberships across organisations, before a scope",
    "accounts/services/common.py": "the last administrator check, pinned to one organisation",
    "accounts/services/invitations.py": "an invitation is opened before its user has a scope",
    "accounts/services/members.py": "a user's other memberships (one person, many employers)",
    "accounts/services/organisations.py": "a new organisation's own first rows",
    "accounts/audit_anchor.py": "the anchor's recipients of every organisation (a task)",
    "accounts/tasks.py": "tasks: each pinned to the row it was given",
    "accounts/management/commands/organisation.py": "a command acts on the organisation named",
    "people/management/commands/linkage.py": "a command rebuilds the linkage records of every "
    "organisation in turn",
    "care/management/commands/due.py": "a command refreshes every organisation in turn",
    "care/progress.py": "stored due dates refreshed per organisation (tasks, migrations)",
    "core/access.py": "a denied attempt is recorded in the trail of the row's owner",
    "demo/cases.py": "the demo builds each of its organisations",
    "demo/network.py": "the demo builds each of its organisations",
    "demo/synth.py": "the synthetic data set loads every organisation",
    "demo/directory.py": "the demo publishes each of its organisations' profiles",
    "demo/referrals.py": "the demo's referrals, made by each side's members in their own scope",
    "demo/letters.py": "the demo's letters to partners not on Phteah, written in the sender's "
    "scope",
    "demo/transfers.py": "the demo's transfers, made by each side's members in their own scope",
    "demo/contacts.py": "the demo's contact request, made by each side's members in their own "
    "scope",
    "people/network.py": "the network matches past their 24 hours, removed in every "
    "organisation (a task)",
    "people/tasks.py": "a task rebuilds the linkage records of one organisation, in its scope",
    "demo/sharing.py": "the demo's shares, made by each side's members in their own scope",
    # The network: another organisation's case under a grant, pinned to the grant's ids.
    "cases/access.py": "a case shared under an active grant, read in its owner's scope",
    "cases/services/grants.py": "the hourly expiry of every organisation's grants (a task)",
    "cases/tasks.py": "tasks: each runs over every organisation's grants",
    "referrals/selectors/directory.py": "published profiles and free places across the "
    "network: aggregates only, never a child",
    "referrals/services/referrals.py": "a receiver's answer withdraws the sender's other "
    "requests for the service and ends unused grants, pinned to the group and the grant; "
    "the hourly overdue notice runs over every organisation (a task)",
    "referrals/services/retention.py": "the daily erasure of ended referrals' details runs "
    "over every organisation (a task), each group in its sender's scope",
    "referrals/selectors/referrals.py": "the documents sent with a referral the reader may see, "
    "read in the sender's scope, pinned to the referral's group",
    "referrals/services/transfers.py": "accepting a transfer closes the sender's case and "
    "grants the receiver its history, pinned to the transfer's case and grant",
    "notifications/context_processors.py": "the bell's count, in the reader's organisation",
    "notifications/recipients.py": "who to tell, in the scope of the organisation told",
    "notifications/services.py": "the notices written for the organisation told",
    "notifications/sending.py": "a delivery task reads its own row by id",
}

CALLS = {"with_scope", "with_scopes_disabled", "scopes_disabled"}


def _crossings(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name in CALLS or (
            name == "scope" and any(k.arg == "organisation" for k in node.keywords)
        ):
            lines.append(node.lineno)
    return sorted(lines)


def _modules() -> dict[str, list[int]]:
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if "/migrations/" in f"/{relative}":
            continue  # a migration runs outside any request, on every organisation's rows
        lines = _crossings(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            found[relative] = lines
    return found


def test_scopes_are_crossed_only_in_the_listed_modules():
    unlisted = {module: lines for module, lines in _modules().items() if module not in ALLOWED}
    assert not unlisted, f"scope crossings outside the allow-list (module: lines): {unlisted}"


def test_every_listed_module_still_crosses():
    """The list stays exact: a module that no longer crosses a scope leaves it."""
    stale = sorted(set(ALLOWED) - set(_modules()))
    assert not stale, f"remove from ALLOWED: {stale}"


def test_the_walk_finds_each_kind_of_crossing():
    source = (
        "with scope(organisation=x): pass\n"
        "Case.objects.with_scope(organisation=x)\n"
        "Case.objects.with_scopes_disabled()\n"
        "with scopes_disabled(): pass\n"
        "with scope(other=x): pass\n"
    )
    assert _crossings(ast.parse(source)) == [1, 2, 3, 4]
