"""Page and query benchmarks, in process, against the configured database.

    .venv/bin/python bench/run.py [--repeat 30] [--warmup 3] [--json PATH] [--only NAME,...]

Uses the same environment as the application (DATABASE_URL or PHTEAH_DATA_DIR). Finds its
anchors in the data (the organisation with the most cases, its busiest case worker and
supervisor, the case with the most visits, names of an existing person), signs in through
Django's test client and times each page over repeated requests. For each benchmark: HTTP
status, p50/p95/max latency, SQL queries per request, HTML size, and the time of the same
SQL run bare through a cursor (the SELECTs of one captured request). Prints a table and
writes JSON (to bench/results/ unless --json is given). See bench/README.md.
"""

import argparse
import datetime
import gc
import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"

TARGET_P95_MS = 100.0
TARGET_HTML_KB = 100.0
TARGET_WIRE_KB = 20.0  # gzip-compressed, as a phone receives it (docs/performance.md)
# Issue 10: the application's CPU time (process time of this process: on SQLite it includes
# the database's own work, on PostgreSQL it does not) per list and detail page, p50; and on
# PostgreSQL the page's p50 against its bare SQL.
TARGET_CPU_MS = 35.0
TARGET_RATIO = 2.5
# POSTs (sign-in is reported on its own), and the frame: what any signed-in page costs before
# its own work (a missing page: the middleware, session, user, second factor, membership and
# the page around the content), to read the ratio target against.
NOT_PAGES = ("login", "duplicate_check", "frame")
WRITE_PREFIXES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phteah.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


# --- statistics ----------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """The *fraction* percentile by linear interpolation between closest ranks."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary_ms(seconds: list[float]) -> dict[str, float]:
    ms = [value * 1000 for value in seconds]
    return {
        "p50_ms": round(percentile(ms, 0.50), 2),
        "p95_ms": round(percentile(ms, 0.95), 2),
        "max_ms": round(max(ms), 2) if ms else 0.0,
        "mean_ms": round(statistics.fmean(ms), 2) if ms else 0.0,
    }


def verdict(value: float | None, target: float, unit: str) -> dict[str, Any]:
    """PASS or MISS against an upper bound, with the margin."""
    if value is None:
        return {"target": target, "result": "n/a"}
    over = value - target
    return {
        "target": target,
        "result": "PASS" if over <= 0 else "MISS",
        "over": round(over, 2) if over > 0 else 0.0,
        "text": "PASS" if over <= 0 else f"MISS +{over:.1f} {unit} ({value / target:.1f}x)",
    }


# --- anchors -------------------------------------------------------------------------------


@dataclass
class Anchors:
    organisation: Any
    case_worker: Any  # Membership
    supervisor: Any  # Membership
    case: Any
    visits: int
    person: Any
    password: str
    register_payload: dict
    notes: dict = field(default_factory=dict)
    # The referral inboxes: the organisation receiving the most referrals and its supervisor
    # and busiest case worker; the one sending the most and its supervisor and the case worker
    # who sent the most; the referral with the longest history the receiver reads.
    receiver_supervisor: Any = None
    receiver_worker: Any = None
    sender_supervisor: Any = None
    sender_worker: Any = None
    referral: Any = None

    def describe(self) -> dict:
        return {
            "organisation": f"{self.organisation.short_code} ({self.organisation.pk})",
            "case_worker": self.case_worker.user.email,
            "supervisor": self.supervisor.user.email,
            "case": f"{self.case.reference} ({self.case.pk})",
            "case_visits": self.visits,
            "search_latin": self.search_latin,
            "search_khmer": self.search_khmer,
            **{
                name: getattr(self, name).user.email
                for name in (
                    "receiver_supervisor",
                    "receiver_worker",
                    "sender_supervisor",
                    "sender_worker",
                )
                if getattr(self, name) is not None
            },
            **({"referral": str(self.referral.pk)} if self.referral is not None else {}),
            **self.notes,
        }

    @property
    def search_latin(self) -> str:
        return f"{self.person.family_name_latin} {self.person.given_name_latin}".strip()

    @property
    def search_khmer(self) -> str:
        return f"{self.person.family_name_km} {self.person.given_name_km}".strip()


def find_anchors(passwords: list[str]) -> Anchors:
    """The benchmark's subjects, chosen by SQL aggregates over the data."""
    from django.db.models import Count, Q
    from django_scopes import scopes_disabled

    from phteah.accounts.models import Membership, Organisation
    from phteah.accounts.roles import Role
    from phteah.cases.models import Case, CaseWorkerAssignment, Visit

    with scopes_disabled():
        top = (
            Case.objects.values("organisation_id")
            .annotate(n=Count("id"))
            .order_by("-n", "organisation_id")
            .first()
        )
        if top is None:
            raise SystemExit("No cases in the database: load the demo or the synth data first.")
        organisation = Organisation.objects.get(pk=top["organisation_id"])
        members = Membership.objects.filter(organisation=organisation, is_active=True)
        worker_ids = members.filter(role=Role.CASE_WORKER).values("user_id")
        busiest = (
            CaseWorkerAssignment.objects.filter(
                organisation=organisation, case__status=Case.Status.OPEN, user_id__in=worker_ids
            )
            .values("user_id")
            .annotate(n=Count("case_id", distinct=True))
            .order_by("-n", "user_id")
            .first()
        )
        if busiest is None:
            raise SystemExit(f"No case worker with open cases in {organisation.short_code}.")
        case_worker = members.select_related("user", "organisation").get(
            role=Role.CASE_WORKER, user_id=busiest["user_id"]
        )
        supervisor_ids = members.filter(role=Role.SUPERVISOR).values("user_id")
        supervising = (
            Case.objects.filter(organisation=organisation, supervisor_id__in=supervisor_ids)
            .values("supervisor_id")
            .annotate(n=Count("id"))
            .order_by("-n", "supervisor_id")
            .first()
        )
        supervisors = members.filter(role=Role.SUPERVISOR).select_related("user", "organisation")
        if supervising is not None:
            supervisors = supervisors.filter(user_id=supervising["supervisor_id"])
        supervisor = supervisors.order_by("user__email").first()
        if supervisor is None:
            raise SystemExit(f"No supervisor in {organisation.short_code}.")
        most_visited = (
            Visit.objects.filter(organisation=organisation)
            .values("case_id")
            .annotate(n=Count("id"))
            .order_by("-n", "case_id")
            .first()
        )
        if most_visited is None:
            case = Case.objects.filter(organisation=organisation).order_by("reference").first()
            visits = 0
        else:
            case = Case.objects.get(pk=most_visited["case_id"])
            visits = most_visited["n"]
        person = case.person
        if not (person.family_name_latin and person.family_name_km):
            person = (
                type(person)
                .objects.filter(organisation=organisation)
                .exclude(Q(family_name_latin="") | Q(family_name_km=""))
                .exclude(Q(given_name_latin="") | Q(given_name_km=""))
                .order_by("created_at")
                .first()
            ) or person
        payload = {
            "family_name_km": person.family_name_km,
            "given_name_km": person.given_name_km,
            "family_name_latin": person.family_name_latin,
            "given_name_latin": person.given_name_latin,
            "sex": person.sex,
            "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
        }
        if person.date_of_birth is None:
            payload["age_years"] = "10"
        referral_anchors, referral_notes = find_referral_anchors()
    return Anchors(
        **referral_anchors,
        organisation=organisation,
        case_worker=case_worker,
        supervisor=supervisor,
        case=case,
        visits=visits,
        person=person,
        password=working_password(case_worker.user.password, passwords),
        register_payload=payload,
        notes={
            "case_worker_open_cases": busiest["n"],
            "supervisor_cases": supervising["n"] if supervising else 0,
            **referral_notes,
        },
    )


def find_referral_anchors() -> tuple[dict, dict]:
    """The referral inboxes' subjects (None where the data has no referrals), by SQL
    aggregates, and what they hold (called with scopes disabled)."""
    from django.db.models import Count

    from phteah.accounts.models import Membership
    from phteah.accounts.roles import Role
    from phteah.cases.models import Case, CaseWorkerAssignment
    from phteah.referrals.models import Referral, ReferralUpdate

    def member(organisation_id, role, user_id=None):
        members = Membership.objects.filter(
            organisation_id=organisation_id, role=role, is_active=True
        ).select_related("user", "organisation")
        if user_id is not None:
            members = members.filter(user_id=user_id)
        return members.order_by("user__email").first()

    found = dict.fromkeys(
        ("receiver_supervisor", "receiver_worker", "sender_supervisor", "sender_worker", "referral")
    )
    notes: dict = {}
    receiving = (
        Referral.received.values("receiver_id")
        .annotate(n=Count("id"))
        .order_by("-n", "receiver_id")
        .first()
    )
    if receiving is None:
        return found, notes
    receiver_id = receiving["receiver_id"]
    received = Referral.received.filter(receiver_id=receiver_id)
    notes["received_referrals"] = receiving["n"]
    notes["received_pending"] = received.filter(state=Referral.State.PENDING).count()
    found["receiver_supervisor"] = member(receiver_id, Role.SUPERVISOR)
    # Its case worker with the most of its own cases opened by accepted referrals (the
    # received inbox shows a case worker those only).
    worker_ids = Membership.objects.filter(
        organisation_id=receiver_id, role=Role.CASE_WORKER, is_active=True
    ).values("user_id")
    taken = (
        CaseWorkerAssignment.objects.filter(
            organisation_id=receiver_id,
            user_id__in=worker_ids,
            case_id__in=received.exclude(receiver_case=None).values("receiver_case_id"),
        )
        .values("user_id")
        .annotate(n=Count("case_id", distinct=True))
        .order_by("-n", "user_id")
        .first()
    )
    if taken is not None:
        found["receiver_worker"] = member(receiver_id, Role.CASE_WORKER, taken["user_id"])
        notes["receiver_worker_referred_cases"] = taken["n"]
    sending = (
        Referral.objects.values("organisation_id")
        .annotate(n=Count("id"))
        .order_by("-n", "organisation_id")
        .first()
    )
    sender_id = sending["organisation_id"]
    notes["sent_referrals"] = sending["n"]
    found["sender_supervisor"] = member(sender_id, Role.SUPERVISOR)
    sender_workers = Membership.objects.filter(
        organisation_id=sender_id, role=Role.CASE_WORKER, is_active=True
    ).values("user_id")
    sending_worker = (
        Referral.objects.filter(
            organisation_id=sender_id,
            group__case__assignments__user_id__in=sender_workers,
            group__case__status=Case.Status.OPEN,
        )
        .values("group__case__assignments__user_id")
        .annotate(n=Count("id", distinct=True))
        .order_by("-n", "group__case__assignments__user_id")
        .first()
    )
    if sending_worker is not None:
        found["sender_worker"] = member(
            sender_id, Role.CASE_WORKER, sending_worker["group__case__assignments__user_id"]
        )
        notes["sender_worker_referrals"] = sending_worker["n"]
    longest = (
        ReferralUpdate.objects.filter(referral__receiver_id=receiver_id)
        .values("referral_id")
        .annotate(n=Count("id"))
        .order_by("-n", "referral_id")
        .first()
    )
    found["referral"] = Referral.received.get(pk=longest["referral_id"])
    notes["referral_steps"] = longest["n"]
    return found, notes


def signed_in_client(membership):
    """A test client signed in as the member, with the two-factor check passed where the
    member has (or, by role, needs) an authenticator. A confirmed TOTP device is created for
    members who need one and have none (like scripts/screenshots.py)."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_scopes import scopes_disabled

    client = Client(HTTP_ACCEPT_LANGUAGE=membership.user.language or "km")
    client.force_login(membership.user)
    with scopes_disabled():
        device = TOTPDevice.objects.filter(user=membership.user, confirmed=True).first()
        if device is None and membership.requires_two_factor:
            device = TOTPDevice.objects.create(user=membership.user, name="bench", confirmed=True)
    if device is not None:
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


# --- measuring -----------------------------------------------------------------------------


@dataclass
class Bench:
    name: str
    label: str
    as_user: str
    run: Any  # callable() -> response or None
    kind: str = "http"  # "http" or "selector"
    expected_status: int = 200
    notes: dict = field(default_factory=dict)


class StatementRecorder:
    """Records each statement with its parameters (connection.execute_wrapper)."""

    def __init__(self):
        self.statements: list[tuple[str, Any, bool]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params, many))
        return execute(sql, params, many, context)


def bare_sql(statements, repeat: int) -> dict:
    """Time the read statements of one request run again through a cursor (fetching every
    row); writes (INSERT/UPDATE/savepoints) are counted, not replayed."""
    from django.db import connection

    reads = [
        (sql, params)
        for sql, params, many in statements
        if not many and not sql.lstrip().upper().startswith(WRITE_PREFIXES)
    ]
    writes = len(statements) - len(reads)
    times = []
    with connection.cursor() as cursor:
        for _ in range(max(repeat, 1)):
            start = time.perf_counter()
            for sql, params in reads:
                cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
            times.append(time.perf_counter() - start)
    slowest = []
    with connection.cursor() as cursor:
        for sql, params in reads:
            start = time.perf_counter()
            cursor.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()
            slowest.append((time.perf_counter() - start, sql, params))
    slowest.sort(key=lambda item: -item[0])
    top = []
    for seconds, sql, params in slowest[:3]:
        entry = {"ms": round(seconds * 1000, 3), "sql": short_sql(sql)}
        if seconds * 1000 >= 10:
            entry["plan"] = query_plan(sql, params)
        top.append(entry)
    return {
        "reads": len(reads),
        "writes_not_replayed": writes,
        "p50_ms": round(percentile([t * 1000 for t in times], 0.5), 3),
        "slowest": top,
    }


def short_sql(sql: str, length: int = 700) -> str:
    """The statement without its (long) column list: "SELECT … FROM …"."""
    head, found, rest = sql.partition(" FROM ")
    text = f"{head[:40]} … FROM {rest}" if found and len(head) > 60 else sql
    return text if len(text) <= length else text[: length - 1] + "…"


def query_plan(sql: str, params) -> list[str]:
    from django.db import connection

    prefix = {"sqlite": "EXPLAIN QUERY PLAN ", "postgresql": "EXPLAIN "}.get(connection.vendor)
    if prefix is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        return [str(row[-1]) for row in rows][:25]
    return [str(row[0]) for row in rows][:25]


def wire_kb(response) -> float:
    """What the page weighs on the wire: its body compressed as GZipMiddleware compresses it
    for a browser that accepts gzip (the test client sends no Accept-Encoding, so the
    middleware leaves the measured response as it is; it does not compress under 200 bytes)."""
    from django.utils.text import compress_string

    body = response.content
    if response.has_header("Content-Encoding") or len(body) < 200:
        return round(len(body) / 1024, 1)
    return round(len(compress_string(body, max_random_bytes=100)) / 1024, 1)


def measure(bench: Bench, repeat: int, warmup: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result: dict[str, Any] = {
        "name": bench.name,
        "label": bench.label,
        "kind": bench.kind,
        "as": bench.as_user,
        "expected_status": bench.expected_status if bench.kind == "http" else None,
        **bench.notes,
    }
    for _ in range(warmup):
        bench.run()
    recorder = StatementRecorder()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(recorder):
        response = bench.run()
    result["queries"] = len(captured.captured_queries)
    if bench.kind == "http":
        result["status"] = response.status_code
        result["html_kb"] = round(len(response.content) / 1024, 1)
        result["wire_kb"] = wire_kb(response)
    else:
        result["status"] = None
        result["html_kb"] = None
        result["wire_kb"] = None
        result["value"] = response
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = bench.run()
        cpu.append(time.process_time() - start_cpu)
        times.append(time.perf_counter() - start)
        if bench.kind == "http" and response.status_code != bench.expected_status:
            result["status"] = response.status_code
    result |= summary_ms(times)
    cpu_ms = summary_ms(cpu)
    result["cpu_p50_ms"], result["cpu_p95_ms"] = cpu_ms["p50_ms"], cpu_ms["p95_ms"]
    is_page = bench.kind == "http" and bench.name not in NOT_PAGES
    result["bare_sql"] = bare_sql(recorder.statements, repeat)
    bare = result["bare_sql"]["p50_ms"]
    result["ratio_page_to_sql"] = round(result["p50_ms"] / bare, 1) if bare else None
    # Sign-in is not a page: the issue has it reported on its own (its hash check is sized
    # for security, not speed), with the share of the hash check.
    result["p95_target"] = verdict(
        None if bench.name == "login" else result["p95_ms"], TARGET_P95_MS, "ms"
    )
    result["cpu_target"] = verdict(result["cpu_p50_ms"] if is_page else None, TARGET_CPU_MS, "ms")
    ratio = result["ratio_page_to_sql"]
    result["ratio_target"] = verdict(
        ratio if is_page and connection.vendor == "postgresql" else None, TARGET_RATIO, "×"
    )
    result["html_target"] = verdict(result["html_kb"], TARGET_HTML_KB, "KB")
    result["wire_target"] = verdict(result["wire_kb"], TARGET_WIRE_KB, "KB")
    result["ok"] = (
        result["status"] == bench.expected_status if bench.kind == "http" else True
    ) and result["queries"] >= 0
    return result


# --- the benchmarks ------------------------------------------------------------------------


def linkage_record_count() -> int:
    from phteah.people.models import LinkageRecord

    return LinkageRecord.objects.count()


def build_benchmarks(anchors: Anchors) -> list[Bench]:
    from django.contrib.auth.hashers import check_password, get_hasher
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse
    from django_scopes import scope, scopes_disabled

    from phteah.people import linkage
    from phteah.work import selectors as work

    worker, supervisor = anchors.case_worker, anchors.supervisor
    if anchors.password and get_hasher().must_update(worker.user.password):
        # Hashed with other parameters than the configured ones: the first sign-in would
        # re-hash it and so sign out the clients below. Do that first, once.
        worker.user.check_password(anchors.password)
    as_worker = signed_in_client(worker)
    as_supervisor = signed_in_client(supervisor)
    case_url = reverse("cases:case_detail", kwargs={"case_id": anchors.case.pk})
    cases_url = reverse("cases:case_list")
    people_url = reverse("people:person_list")
    login_url = reverse("accounts:login")
    register_url = reverse("people:register")
    directory_url = reverse("referrals:directory")
    capacity_url = reverse("referrals:capacity")
    # "Emergency foster care for a 2-year-old with a disability near Phnom Penh".
    place_search = {
        "care_type": "emergency_foster",
        "age": "2",
        "disability": "on",
        "province": "12",
    }

    def get(client, url, data=None):
        return lambda: client.get(url, data or {})

    def frame():
        # A missing page, without Django's "Not Found" warning for each request.
        request_log = logging.getLogger("django.request")
        level = request_log.level
        request_log.setLevel(logging.ERROR)
        try:
            return as_supervisor.get("/bench-no-such-page/")
        finally:
            request_log.setLevel(level)

    def login():
        client = Client(HTTP_ACCEPT_LANGUAGE="km")
        return client.post(login_url, {"username": worker.user.email, "password": anchors.password})

    def duplicate_check():
        return as_worker.post(register_url, anchors.register_payload)

    def overdue_counts():
        with scope(organisation=supervisor.organisation_id):
            return {
                "visits_overdue": work.visit_overdue_cases(supervisor).count(),
                "reviews_due": work.reviews_due(supervisor).count(),
                "initial_late": work.initial_assessments_late(supervisor).count(),
                "initial_due_soon": work.initial_assessments_due_soon(supervisor).count(),
                "placements_past_limit": work.placements_past_limit(supervisor).count(),
                "follow_ups_due": work.follow_ups_due(supervisor).count(),
                "approvals": work.approvals_waiting(supervisor).count(),
            }

    def network_duplicate_check():
        # What the register page's check across organisations will do: encode the anchor
        # person, read the records sharing a blocking key in the other organisations, score.
        with scopes_disabled():
            person = (
                type(anchors.person).objects.select_related("village").get(pk=anchors.person.pk)
            )
        fields = linkage.LinkageFields.of(person)
        matches = linkage.candidates_for(
            linkage.encode(fields), exclude_organisation_id=anchors.organisation.pk
        )
        return {
            "matches": len(matches),
            "organisations": len({match.organisation_id for match in matches}),
            "best_band": max((match.band for match in matches), default=None),
        }

    # The duplicate check must show the duplicates page, never register anyone: try it once
    # in a transaction that is rolled back, and refuse the benchmark if it would register.
    with transaction.atomic():
        trial = duplicate_check()
        transaction.set_rollback(True)
    duplicate_notes = {"payload": anchors.register_payload}
    duplicate_ok = trial.status_code == 200

    # Argon2 (or the configured hasher) alone, to read the login figure against.
    encoded = worker.user.password
    hasher_times = []
    for _ in range(5):
        start = time.perf_counter()
        check_password(anchors.password or "-", encoded)
        hasher_times.append(time.perf_counter() - start)
    hasher = encoded.split("$", 1)[0]

    W, S = worker.user.email, supervisor.user.email
    filtered = {"status": "open", "risk_level": "high", "due": "visits_overdue"}
    benches = [
        Bench(
            "login",
            "Sign in (POST /account/login/)",
            W,
            login,
            expected_status=302,
            notes={
                "password_hasher": hasher,
                "password_check_p50_ms": round(
                    percentile([t * 1000 for t in hasher_times], 0.5), 2
                ),
            },
        ),
        Bench(
            "frame",
            "Signed-in frame (a missing page, 404)",
            S,
            frame,
            expected_status=404,
        ),
        Bench("my_work_case_worker", "My work (case worker)", W, get(as_worker, "/work/")),
        Bench("my_work_supervisor", "My work (supervisor)", S, get(as_supervisor, "/work/")),
        Bench("team", "Team workload (supervisor)", S, get(as_supervisor, "/work/team/")),
        Bench("case_list", "Case list, all (supervisor)", S, get(as_supervisor, cases_url)),
        Bench("case_list_case_worker", "Case list (case worker)", W, get(as_worker, cases_url)),
        Bench(
            "case_list_filtered",
            "Case list open+high+overdue (supervisor)",
            S,
            get(as_supervisor, cases_url, filtered),
            notes={"query": filtered},
        ),
        Bench(
            "case_search_latin",
            "Case list name search, Latin",
            S,
            get(as_supervisor, cases_url, {"search": anchors.search_latin}),
        ),
        Bench(
            "case_search_khmer",
            "Case list name search, Khmer",
            S,
            get(as_supervisor, cases_url, {"search": anchors.search_khmer}),
        ),
        Bench(
            "people_search_latin",
            "People search, Latin",
            S,
            get(as_supervisor, people_url, {"q": anchors.search_latin}),
        ),
        Bench(
            "people_search_khmer",
            "People search, Khmer",
            S,
            get(as_supervisor, people_url, {"q": anchors.search_khmer}),
        ),
        Bench(
            "case_page",
            "Case page (most visits)",
            S,
            get(as_supervisor, case_url),
            notes={"visits": anchors.visits},
        ),
        Bench(
            "case_timeline_page2",
            "Case page timeline, page 2",
            S,
            get(as_supervisor, case_url, {"page": "2"}),
        ),
        Bench(
            "duplicate_check",
            "Registration duplicate check (POST)",
            W,
            duplicate_check if duplicate_ok else (lambda: trial),
            notes=duplicate_notes,
        ),
        Bench(
            "directory_search",
            "Partner directory: emergency foster, age 2, disability, near Phnom Penh",
            W,
            get(as_worker, directory_url, place_search),
            notes={"query": place_search},
        ),
        Bench(
            "directory_all",
            "Partner directory: every published organisation",
            W,
            get(as_worker, directory_url),
        ),
        Bench(
            "capacity_board",
            "Capacity board: free places per province and care type",
            W,
            get(as_worker, capacity_url),
        ),
        Bench(
            "overdue_counts",
            "Org-wide overdue counts (selectors)",
            S,
            overdue_counts,
            kind="selector",
        ),
        Bench(
            "network_duplicate_check",
            "Duplicate check across organisations (linkage)",
            W,
            network_duplicate_check,
            kind="selector",
            notes={"linkage_records": linkage_record_count()},
        ),
    ]
    benches += referral_benchmarks(anchors)
    if not anchors.password:
        # Never guess at the form: failed sign-ins lock the account and the address.
        benches = [bench for bench in benches if bench.name != "login"]
    return benches


def referral_benchmarks(anchors: Anchors) -> list[Bench]:
    """The referral inboxes (received and sent; page 1, page 2 and a case worker's view,
    which only shows the referrals of their own cases), a referral's page and the counts on
    My work; none when the data has no referrals."""
    from django.urls import reverse
    from django_scopes import scope

    from phteah.referrals.selectors import referrals as referral_selectors

    if anchors.receiver_supervisor is None:
        return []
    received_url, sent_url = reverse("referrals:received"), reverse("referrals:sent")
    receiving, sending = anchors.receiver_supervisor, anchors.sender_supervisor
    as_receiver, as_sender = signed_in_client(receiving), signed_in_client(sending)

    def get(client, url, data=None):
        return lambda: client.get(url, data or {})

    def counts():
        with scope(organisation=receiving.organisation_id):
            found = referral_selectors.referral_counts(actor=receiving)
            return {
                "waiting": found.waiting,
                "overdue": found.overdue,
                "sent_waiting": found.sent_waiting,
            }

    R, T = receiving.user.email, sending.user.email
    benches = [
        Bench(
            "referrals_received",
            "Referrals received, page 1 (supervisor of the busiest receiver)",
            R,
            get(as_receiver, received_url),
        ),
        Bench(
            "referrals_received_page2",
            "Referrals received, page 2",
            R,
            get(as_receiver, received_url, {"page": "2"}),
        ),
        Bench(
            "referrals_sent",
            "Referrals sent, page 1 (supervisor of the busiest sender)",
            T,
            get(as_sender, sent_url),
        ),
        Bench(
            "referrals_sent_page2",
            "Referrals sent, page 2",
            T,
            get(as_sender, sent_url, {"page": "2"}),
        ),
    ]
    if anchors.receiver_worker is not None:
        benches.append(
            Bench(
                "referrals_received_worker",
                "Referrals received, a case worker's (their own cases only)",
                anchors.receiver_worker.user.email,
                get(signed_in_client(anchors.receiver_worker), received_url),
            )
        )
    if anchors.sender_worker is not None:
        benches.append(
            Bench(
                "referrals_sent_worker",
                "Referrals sent, a case worker's (their own cases only)",
                anchors.sender_worker.user.email,
                get(signed_in_client(anchors.sender_worker), sent_url),
            )
        )
    benches += [
        Bench(
            "referral_page",
            "A referral's page, the receiver's side (longest history)",
            R,
            get(
                as_receiver,
                reverse("referrals:referral_detail", kwargs={"referral_id": anchors.referral.pk}),
            ),
        ),
        Bench(
            "referral_counts",
            "Referral counts of My work (selector, receiver's supervisor)",
            R,
            counts,
            kind="selector",
        ),
    ]
    return benches


# --- machine and data ----------------------------------------------------------------------


def machine_info() -> dict:
    from django.db import connection

    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SELECT version()")
        elif vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
        else:
            cursor.execute("SELECT 1")
        version = str(cursor.fetchone()[0])
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = bool(
            subprocess.run(
                ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = "unknown", None
    return {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "host": platform.node(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "db_vendor": vendor,
        "db_version": version,
        "db_name": str(connection.settings_dict.get("NAME")),
        "git_commit": commit,
        "git_dirty": dirty,
    }


def row_counts() -> dict:
    from django.apps import apps
    from django_scopes import scopes_disabled

    labels = (
        "accounts.Organisation",
        "accounts.User",
        "accounts.Membership",
        "people.Person",
        "people.Household",
        "cases.Case",
        "cases.CaseWorkerAssignment",
        "cases.Visit",
        "cases.Assessment",
        "cases.ServiceDelivery",
        "care.Placement",
        "care.CareProvider",
        "care.ProviderCareType",
        "referrals.PartnerProfile",
        "referrals.ReferralGroup",
        "referrals.Referral",
        "referrals.ReferralUpdate",
        "cases.CaseGrant",
        "core.AuditEvent",
    )
    with scopes_disabled():
        return {label: apps.get_model(label).objects.count() for label in labels}


# --- output --------------------------------------------------------------------------------


def table(results: list[dict]) -> str:
    head = (
        f"{'benchmark':<26} {'st':>4} {'p50':>8} {'p95':>8} {'max':>8} {'q':>4} "
        f"{'KB':>6} {'wire':>6} {'sql p50':>8} {'ratio':>6} {'cpu p50':>8}  "
        f"{'p95≤100ms':<18} {'cpu≤35ms':<18} {'ratio≤2.5 (PG)':<18} HTML≤100KB"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        status = "-" if r["status"] is None else str(r["status"])
        html = "-" if r["html_kb"] is None else f"{r['html_kb']:.1f}"
        wire = "-" if r.get("wire_kb") is None else f"{r['wire_kb']:.1f}"
        ratio = "-" if r["ratio_page_to_sql"] is None else f"{r['ratio_page_to_sql']:.1f}"
        lines.append(
            f"{r['name']:<26} {status:>4} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
            f"{r['max_ms']:>8.1f} {r['queries']:>4} {html:>6} {wire:>6} "
            f"{r['bare_sql']['p50_ms']:>8.2f} {ratio:>6} {r['cpu_p50_ms']:>8.1f}  "
            f"{r['p95_target'].get('text', '-'):<18} {r['cpu_target'].get('text', '-'):<18} "
            f"{r['ratio_target'].get('text', '-'):<18} {r['html_target'].get('text', 'n/a')}"
        )
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed requests (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first (default 3)")
    parser.add_argument("--json", default="", help="where to write the JSON results")
    parser.add_argument(
        "--only", action="append", default=[], help="benchmark name(s), comma-separated"
    )
    parser.add_argument(
        "--password",
        default=os.environ.get("PHTEAH_BENCH_PASSWORD", ""),
        help="the case worker's password for the login benchmark (default: the synth or "
        "the demo one, whichever matches)",
    )
    return parser.parse_args(argv)


def candidate_passwords(explicit: str = "") -> list[str]:
    """The password given, else those of the synth and the demo data (checked against the
    stored hash before any sign-in, so a wrong guess never counts as a failed login)."""
    if explicit:
        return [explicit]
    from phteah.demo.network import DEMO_PASSWORD

    try:
        from phteah.demo.synth import SYNTH_PASSWORD
    except ImportError:
        return [DEMO_PASSWORD]
    return [SYNTH_PASSWORD, DEMO_PASSWORD]


def working_password(encoded: str, candidates: list[str], cache: dict | None = None) -> str:
    """The candidate that matches the stored hash *encoded*, or ""."""
    from django.contrib.auth.hashers import check_password

    if cache is not None and encoded in cache:
        return cache[encoded]
    found = next((p for p in candidates if check_password(p, encoded)), "")
    if cache is not None:
        cache[encoded] = found
    return found


def run(args) -> dict:
    from django_scopes import scopes_disabled

    from phteah.people.models import Person

    anchors = find_anchors(candidate_passwords(args.password))
    with scopes_disabled():
        persons_before = Person.objects.count()
    counts = row_counts()
    benches = build_benchmarks(anchors)
    wanted = {name.strip() for item in args.only for name in item.split(",") if name.strip()}
    unknown = wanted - {bench.name for bench in benches} - {"login"}
    if unknown:
        raise SystemExit(f"Unknown benchmark(s): {', '.join(sorted(unknown))}")
    # As the server's workers do (phteah.wsgi): what is loaded by now is frozen, out of the
    # garbage collector's sight.
    gc.freeze()
    results = []
    for bench in benches:
        if wanted and bench.name not in wanted:
            continue
        print(f"  {bench.name} ...", file=sys.stderr, flush=True)
        results.append(measure(bench, args.repeat, args.warmup))
    with scopes_disabled():
        persons_after = Person.objects.count()
    if persons_after != persons_before:
        raise RuntimeError(
            f"The number of persons changed during the run ({persons_before} → "
            f"{persons_after}): the duplicate check registered someone, or something else is "
            "writing to this database."
        )
    for result in results:
        if result["name"] == "duplicate_check" and result["status"] != 200:
            result["ok"] = False
    skipped = []
    if not anchors.password and (not wanted or "login" in wanted):
        skipped.append(
            {
                "name": "login",
                "reason": f"no known password opens {anchors.case_worker.user.email}: "
                "pass --password",
            }
        )
    frame = next((r["p50_ms"] for r in results if r["name"] == "frame"), None)
    misses = [
        {
            "name": r["name"],
            "what": what,
            "text": r[key]["text"],
            "why": miss_reason(r, what, frame),
        }
        for r in results
        for key, what in (
            ("p95_target", "p95"),
            ("cpu_target", "cpu"),
            ("ratio_target", "ratio"),
            ("html_target", "html"),
        )
        if r[key]["result"] == "MISS"
    ]
    return {
        "machine": machine_info(),
        "rows": counts,
        "anchors": anchors.describe(),
        "settings": {"repeat": args.repeat, "warmup": args.warmup},
        "targets": {
            "p95_ms": TARGET_P95_MS,
            "cpu_p50_ms": TARGET_CPU_MS,
            "ratio_pg": TARGET_RATIO,
            "html_kb": TARGET_HTML_KB,
        },
        "persons_unchanged": persons_before == persons_after,
        "benchmarks": results,
        "skipped": skipped,
        "misses": misses,
    }


def miss_reason(result: dict, what: str, frame_ms: float | None = None) -> str:
    """Where the time (or the size) of a missed target goes, from the benchmark's own numbers
    (*frame_ms*: the signed-in frame's p50, which every page pays before its own work)."""
    if what == "html":
        return f"the page is {result['html_kb']} KB: something on it is not paginated"
    page = result["p50_ms"]
    sql = (result.get("bare_sql") or {}).get("p50_ms")
    if result.get("password_check_p50_ms"):
        return f"the password hash check alone takes {result['password_check_p50_ms']} ms"
    if sql is None:
        return "no SQL timing to compare with"
    if what == "cpu":
        return (
            f"{result['cpu_p50_ms']:.0f} ms of this process's CPU per request, of which the "
            f"SQL takes {sql:.0f} ms of wall time (on SQLite inside this CPU time, on "
            "PostgreSQL in the server)"
        )
    if what == "ratio" and frame_ms and sql and (frame_ms + sql) / sql > TARGET_RATIO:
        return (
            f"out of reach: the signed-in frame alone ({frame_ms:.1f} ms) and this page's SQL "
            f"({sql:.1f} ms) make {(frame_ms + sql) / sql:.1f}× with no work of the page's own"
        )
    if sql * 2 >= page:
        return f"SQL-bound: its queries take {sql:.0f} of {page:.0f} ms (slowest in the JSON)"
    return (
        f"Python-bound: {page - sql:.0f} of {page:.0f} ms are spent outside SQL "
        "(ORM, templates, middleware)"
    )


def main(argv=None) -> int:
    if str(ROOT / "src") not in sys.path and not (ROOT / ".venv").exists():
        sys.path.insert(0, str(ROOT / "src"))
    _django_setup()
    args = parse_args(argv)
    report = run(args)
    machine = report["machine"]
    print(
        f"{machine['db_vendor']} {machine['db_version'].split(' on ')[0]} · "
        f"commit {machine['git_commit']}{'+' if machine['git_dirty'] else ''} · "
        f"repeat {args.repeat} · {machine['cpus']} CPUs, load average "
        f"{machine['load_average'][0]} at the start"
    )
    print("rows: " + ", ".join(f"{k.split('.')[1]}={v}" for k, v in report["rows"].items()))
    print("anchors: " + ", ".join(f"{k}={v}" for k, v in report["anchors"].items()))
    print(table(report["benchmarks"]))
    for r in report["benchmarks"]:
        if r["name"] == "login":
            print(
                f"sign-in (not a page, no page target): p50 {r['p50_ms']} ms, p95 "
                f"{r['p95_ms']} ms; the password check alone ({r['password_hasher']}) p50 "
                f"{r['password_check_p50_ms']} ms"
            )
    for skip in report["skipped"]:
        print(f"SKIPPED {skip['name']}: {skip['reason']}")
    if report["misses"]:
        print(f"{len(report['misses'])} miss(es):")
        for miss in report["misses"]:
            print(f"  {miss['name']} {miss['what']}: {miss['text']} — {miss['why']}")
    else:
        print("All targets met.")
    path = (
        Path(args.json)
        if args.json
        else RESULTS
        / (f"run-{machine['db_vendor']}-{datetime.datetime.now().strftime('%Y%m%d-%H%M%S')}.json")
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"JSON: {path}")
    ok = all(r["ok"] for r in report["benchmarks"]) and not report["skipped"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
