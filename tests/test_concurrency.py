"""The lock order, proved on PostgreSQL: every pair of services that change a case, run at
the same moment on one case, neither deadlocks nor loses an update.

The lock order (docs/architecture.md): a service that changes a case locks the case row
first, then its records and the shared rows it needs (a provider, the reference counter),
and the organisation's audit chain last, once, just before commit (``audited_atomic``).
Row locks are FOR NO KEY UPDATE: the foreign keys of the rows a transaction wrote are
checked when it commits, after the chain lock, with KEY SHARE locks that FOR UPDATE would
block. A change to the rule table locks the organisation's row first; a case being opened or
reopened shares that lock (phteah.care.services.rules).

Each pair runs in two threads, each with its own database connection, in a forced
interleaving: the first service runs up to the end of its business writes — holding every
lock it took, just before it appends its events to the chain — and is held there; the second
then starts and runs until it waits for a lock (seen in ``pg_stat_activity``) or finishes;
then the first is released. A pair fails on:

- a deadlock ("deadlock detected": ``deadlock_timeout`` is short), a lock or statement
  timeout, or any exception other than a ``ServiceError`` or ``NotFound`` the same calls
  give when run one after the other;
- a lost update: the world the pair leaves behind must equal the one the same two calls
  leave when run one after the other, in the order they committed (the second first if it
  never waited), in a second world built identically (``tests/case_services.py``); each
  call's outcome must be the same too;
- stored values that differ from a fresh recomputation (``cases_progress_drift``);
- an audit chain that does not verify, with no gap and nothing left pending after sealing.

One test per first service, each running it against every service as the second (both
orders of every pair are covered, each service also against itself); shared rows (a care
provider, the organisation, a member's account) against case services that use them, both
ways. SQLite runs one writing transaction at a time: skipped there."""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass

import pytest
from django.db import connection
from django.utils import translation
from django_scopes import scope

from phteah.accounts import services as accounts
from phteah.care import services as care
from phteah.care.progress import cases_progress_drift
from phteah.cases.models import Case
from phteah.core.audit import audit_log, audit_seal, audit_verify, audited_atomic, writing
from phteah.core.errors import NotFound, ServiceError

from .case_services import (
    NOT_CASE_CHANGES,
    SHARED,
    SPECS,
    Spec,
    build_worlds,
    discovered_services,
    snapshot_differences,
    snapshots,
    state_for,
)

# Server-side limits for the two sides' connections: a deadlock is detected at once, a wait
# that would never end fails instead of hanging the run.
DEADLOCK_TIMEOUT = "50ms"
LOCK_TIMEOUT = "5s"
STATEMENT_TIMEOUT = "20s"
# How long the harness waits for a side to get somewhere before calling it stuck (a bound,
# not a timing assertion: every step normally takes milliseconds).
STEP = 15.0
# How often the harness looks whether the second waits for a lock.
POLL = 0.005


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite runs one writing transaction at a time: there is no lock order to prove"
        )


# --- holding the first service just before it appends to the chain ----------------------


@dataclass
class Gate:
    reached: threading.Event  # set when the first is held (or has ended without getting there)
    release: threading.Event
    held: bool = False


_holding = threading.local()


@pytest.fixture
def held_before_commit(monkeypatch):
    """Wrap the chain append: in a thread that set ``_holding.gate``, the outermost
    ``audited_atomic`` block stops just before appending (all business locks held, the
    chain's not yet taken) until the gate is released."""
    real_append = writing._append

    def append(events):
        gate = getattr(_holding, "gate", None)
        if gate is not None:
            _holding.gate = None
            gate.held = True
            gate.reached.set()
            if not gate.release.wait(STEP):
                raise RuntimeError("the test never released the first service")
        return real_append(events)

    monkeypatch.setattr(writing, "_append", append)


@dataclass(frozen=True)
class Outcome:
    kind: str  # "ok", "refused" (ServiceError), "not found", "error" (anything else)
    detail: str = ""

    def __str__(self):
        return f"{self.kind}{': ' + self.detail if self.detail else ''}"


def outcome_of(call) -> Outcome:
    try:
        call()
    except ServiceError as error:
        return Outcome("refused", f"{type(error).__name__}: {error.message}")
    except NotFound:
        return Outcome("not found")
    except Exception as error:  # noqa: BLE001 - a deadlock, a timeout, a bug: reported
        return Outcome("error", f"{type(error).__name__}: {error}".strip())
    return Outcome("ok")


class Worker(threading.Thread):
    """A thread with its own database connection that runs service calls handed to it, one
    at a time, scoped to the call's organisation like a request."""

    def __init__(self, name: str):
        super().__init__(name=name, daemon=True)
        self.jobs: queue.Queue = queue.Queue()
        self.pid = None

    def run(self):
        try:
            while (job := self.jobs.get()) is not None:
                job.run(self)
        finally:
            connection.close()

    def submit(self, spec: Spec, world, side: int, gate: Gate | None = None) -> Job:
        job = Job(spec, world, side, gate)
        self.jobs.put(job)
        return job

    def stop(self):
        self.jobs.put(None)
        self.join(2 * STEP)


class Job:
    def __init__(self, spec: Spec, world, side: int, gate: Gate | None):
        self.spec, self.world, self.side, self.gate = spec, world, side, gate
        self.pid = None
        self.started = threading.Event()
        self.done = threading.Event()
        self.outcome = Outcome("error", "did not run")

    def run(self, worker: Worker):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
                cursor.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
                cursor.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT}'")
                cursor.execute(f"SET deadlock_timeout = '{DEADLOCK_TIMEOUT}'")  # superuser
            self.started.set()
            _holding.gate = self.gate
            with scope(organisation=self.world.organisation.pk), translation.override("en"):
                self.outcome = outcome_of(lambda: self.spec.call(self.world, self.side))
        except Exception as error:  # noqa: BLE001 - reported as the outcome
            self.outcome = Outcome("error", f"{type(error).__name__}: {error}")
        finally:
            _holding.gate = None
            if self.gate is not None:
                self.gate.reached.set()
            self.started.set()
            self.done.set()
            connection.close_if_unusable_or_obsolete()


@pytest.fixture
def workers(transactional_db, held_before_commit):
    """Two threads, each with its own connection, for the two sides of a pair."""
    _postgresql_only()
    pair = (Worker("first"), Worker("second"))
    for worker in pair:
        worker.start()
    yield pair
    for worker in pair:
        worker.stop()


def _waiting_for_a_lock(pid) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


@dataclass
class Concurrent:
    first: Outcome
    second: Outcome
    first_held: bool  # the first got to its commit point and was held there
    second_waited: bool  # the second waited for a lock while the first was held


def run_concurrently(workers, first: Spec, second: Spec, world) -> Concurrent:
    """*first* (side 0) held just before its commit, *second* (side 1) run until it waits
    for a lock or ends, then *first* released; both awaited."""
    gate = Gate(threading.Event(), threading.Event())
    a = workers[0].submit(first, world, 0, gate)
    gate.reached.wait(STEP)
    held = gate.held
    waited = False
    b = None
    if held:
        b = workers[1].submit(second, world, 1)
        b.started.wait(STEP)
        deadline = time.monotonic() + STEP
        while not b.done.is_set() and time.monotonic() < deadline:
            if _waiting_for_a_lock(b.pid):
                waited = True
                break
            b.done.wait(POLL)
    gate.release.set()
    stuck = [job.spec.name for job in (a, b) if job is not None and not job.done.wait(2 * STEP)]
    if stuck:
        raise AssertionError(f"still running after {2 * STEP:.0f} s: {stuck}")
    return Concurrent(a.outcome, b.outcome if b else Outcome("error", "not run"), held, waited)


def run_serially(calls, world) -> list[Outcome]:
    with scope(organisation=world.organisation.pk), translation.override("en"):
        return [
            outcome_of(lambda spec=spec, side=side: spec.call(world, side)) for spec, side in calls
        ]


# --- pairs -----------------------------------------------------------------------------

_numbers = iter(range(1, 10**6))


@dataclass
class Pair:
    first: Spec
    second: Spec
    world: object  # where the two run at once
    twin: object  # where they run one after the other
    problems: list

    @property
    def label(self):
        return f"{self.first.name} then {self.second.name}"


def run_pair(workers, pair: Pair) -> None:
    run = run_concurrently(workers, pair.first, pair.second, pair.world)
    for label, outcome in (("first", run.first), ("second", run.second)):
        if outcome.kind == "error":
            pair.problems.append(f"{label} failed: {outcome.detail}")
    if not run.first_held and run.first.kind != "error":
        pair.problems.append(f"set-up: the first never reached its commit ({run.first})")
    if pair.problems:
        return
    # One after the other, in the order they committed: the second last if it waited for
    # the first, else first (it did not need anything the first held).
    if run.second_waited:
        expected = run_serially([(pair.first, 0), (pair.second, 1)], pair.twin)
    else:
        expected = run_serially([(pair.second, 1), (pair.first, 0)], pair.twin)[::-1]
    for label, got, want in (
        ("first", run.first, expected[0]),
        ("second", run.second, expected[1]),
    ):
        if got != want:
            pair.problems.append(f"{label}: {got} at once, but {want} one after the other")


def check_pairs(workers, couples) -> list[str]:
    """Run each (first, second) of *couples* at once in a world of its own and one after the
    other in a twin; compare what they leave, the stored values and the chains. Returns one
    line per problem, naming the pair."""
    couples = list(couples)
    wanted = []
    for first, second in couples:
        number, state = next(_numbers), state_for(first, second)
        wanted += [(f"C{number:05d}", state), (f"S{number:05d}", state)]
    worlds = build_worlds(wanted)
    pairs = [
        Pair(first, second, world, twin, [])
        for (first, second), world, twin in zip(couples, worlds[0::2], worlds[1::2], strict=True)
    ]
    for pair in pairs:
        run_pair(workers, pair)
    seen = snapshots(worlds)
    for pair in pairs:
        if not pair.problems:
            pair.problems += snapshot_differences(
                seen[pair.world.organisation.pk], seen[pair.twin.organisation.pk]
            )
    where = {}
    for pair in pairs:
        where[pair.world.organisation.pk] = (pair, "at once")
        where[pair.twin.organisation.pk] = (pair, "one after the other")
    drift = cases_progress_drift(Case.objects.filter(organisation__in=list(where)))
    organisation_of = dict(
        Case.objects.filter(pk__in=[row[0] for row in drift]).values_list("pk", "organisation")
    )
    for case_id, name, stored, computed in drift:
        pair, how = where[organisation_of[case_id]]
        pair.problems.append(f"{how}: stored {name} is {stored}, its records give {computed}")
    chains = {}
    for pair in pairs:
        chains[pair.world.chain_key] = f"{pair.label} (at once)"
        chains[pair.twin.chain_key] = f"{pair.label} (one after the other)"
    failures = [f"{pair.label}: {problem}" for pair in pairs for problem in pair.problems]
    return failures + chain_problems(chains)


def chain_problems(chains: dict[str, str]) -> list[str]:
    """Seal what is pending, verify every chain; the problems of *chains* (key → label)."""
    audit_seal()
    report = audit_verify()
    problems = [
        f"{chains.get(p.chain_key, p.chain_key)}: event {p.sequence}: {p.problem}"
        for p in report.problems
    ]
    if report.pending:
        problems.append(f"{report.pending} events still pending after sealing")
    return problems


# --- the tests --------------------------------------------------------------------------


def test_every_service_that_changes_a_case_is_in_the_pairs():
    """A new service that locks a case, publishes CaseChanged or refreshes stored values
    must be given a Spec in tests/case_services.py (or a reason in NOT_CASE_CHANGES)."""
    found = discovered_services()
    assert found, "the scan of src/ found no services: the markers are out of date"
    missing = found - set(SPECS) - set(NOT_CASE_CHANGES)
    assert not missing, f"services that change a case without a Spec: {sorted(missing)}"
    gone = (set(SPECS) | set(NOT_CASE_CHANGES)) - found - {"person_update"}
    assert not gone, f"Specs of services the scan no longer finds: {sorted(gone)}"


@pytest.mark.parametrize("first", list(SPECS))
def test_every_pair_at_once_on_one_case(first, workers):
    _postgresql_only()
    failures = check_pairs(workers, [(SPECS[first], second) for second in SPECS.values()])
    assert not failures, "\n".join(failures)


# Rows shared by cases, which records refer to. PostgreSQL checks a new row's foreign keys
# when its transaction commits (Django makes them DEFERRABLE INITIALLY DEFERRED) — after the
# chain lock — with a KEY SHARE lock on each row referred to. A service holding such a row
# FOR UPDATE while it waits for the chain would deadlock with a writer committing a row that
# refers to it: services lock rows FOR NO KEY UPDATE. Each of these against case services
# that refer to the row (or lock it), both ways.


def _organisation_update(world, side):
    return accounts.organisation_update(
        actor=world.admin,
        name_km=f"អង្គការ {side}",
        provinces=[],
        require_two_factor_for_all=bool(side),
    )


def _member_reset_password(world, side):
    return accounts.member_reset_password(actor=world.admin, membership_id=world.worker.pk)


SHARED_ROWS = SHARED | {
    spec.name: spec
    for spec in (
        Spec("organisation_update", _organisation_update),  # every row refers to it
        Spec("member_reset_password", _member_reset_password),  # the worker's records do
    )
}


@pytest.mark.parametrize("name", list(SHARED_ROWS))
def test_shared_rows_change_at_once_with_the_cases_that_use_them(name, workers):
    shared = SHARED_ROWS[name]
    couples = []
    for other in ("visit_record", "assessment_add", "placement_start", "person_update"):
        couples += [(shared, SPECS[other]), (SPECS[other], shared)]
    failures = check_pairs(workers, couples)
    assert not failures, "\n".join(failures)


def _same_rule_added(world, side):
    return care.care_rule_add(actor=world.admin, kind="max_stay", care_type="kinship", value=60)


def test_the_same_rule_added_twice_at_once_is_refused_the_second_time(workers):
    spec = Spec("same_rule_added", _same_rule_added)
    failures = check_pairs(workers, [(spec, spec)])
    assert not failures, "\n".join(failures)


# --- the harness catches what it is there to catch ---------------------------------------


def _chain_then_case(world, side):
    """The old, wrong order: the organisation's chain first, then the case."""
    with audited_atomic():
        writing._lock_chain(world.chain_key)
        return SPECS["goal_add"].call(world, side)


def _stale_case_save(world, side):
    """A lost update on purpose: the case read without its lock, then saved whole."""
    with audited_atomic():
        case = Case.objects.get(pk=world.case.pk)
        case.referral_source_detail = "Changed without the lock"
        case.save()
        audit_log(
            actor=world.worker.user,
            organisation=case.organisation_id,
            action="cases.case.updated",
            target=case,
            changes={"referral_source_detail": ["", case.referral_source_detail]},
        )


def test_the_old_lock_order_deadlocks_and_the_pairs_would_catch_it(workers):
    _postgresql_only()
    problems = check_pairs(
        workers, [(SPECS["visit_record"], Spec("chain_then_case", _chain_then_case))]
    )
    assert any("deadlock detected" in problem for problem in problems), problems


def test_a_change_that_skips_the_case_lock_is_caught_as_a_lost_update(workers):
    _postgresql_only()
    problems = check_pairs(
        workers, [(SPECS["assessment_add"], Spec("stale_case_save", _stale_case_save))]
    )
    assert any(": cases.Case: " in problem for problem in problems), problems
