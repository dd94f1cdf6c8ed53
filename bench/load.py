"""Load test: gunicorn (2 workers) on 127.0.0.1 driven by locust with signed-in users.

    .venv/bin/python bench/load.py --users 50 --duration 60 [--port 8765] [--json PATH]

Uses the same environment as the application (DATABASE_URL or PHTEAH_DATA_DIR) for the
server and for preparing the accounts: one distinct account per simulated user where the
data has enough (case workers with open cases, supervisors), each signing in through the
real login form; supervisors get a confirmed TOTP device (created if they have none) whose
key the simulated user uses to answer the two-factor check. Starts the server, waits for it,
runs locust headless (bench/locustfile.py) for --duration seconds or --max-requests
requests, prints total requests, errors and p50/p95/p99, writes JSON (bench/results/ unless
--json is given) and always stops the server. Target: no errors, p95 ≤ 300 ms, and no read
waiting for the audit chain.

Lock waits are measured two ways: inside the server (bench/probe.py, a gunicorn config:
per request, the access events inserted and how long that took, the audit chain's lock
taken and how long getting it took, on SQLite the write transactions begun and how long
each waited), and on PostgreSQL from outside, by sampling ``pg_stat_activity`` and
``pg_locks`` every --sample-ms for sessions waiting on a lock (which relation, which
query), each matched with the request its worker was serving.
"""

import argparse
import csv
import datetime
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
TARGET_P95_MS = 300.0
SIGN_IN_NAMES = ("login form", "login", "two-factor form", "two-factor")
SUPERVISOR_SHARE = 0.2  # locustfile: Worker weight 4, Supervisor weight 1
CHAIN_TABLE = "core_auditchain"
READ_METHODS = ("GET", "HEAD")


# --- statistics (pure; unit-tested) --------------------------------------------------------


def percentile(values, fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _number(value: str):
    if value in ("", "N/A", None):
        return None
    try:
        return int(value)
    except ValueError:
        return float(value)


def parse_locust_stats(path) -> dict:
    """Locust's ``<prefix>_stats.csv`` as {name: {...}} with the "Aggregated" row as well."""
    rows = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = row.get("Name") or "Aggregated"
            rows[name] = {
                "type": row.get("Type", ""),
                "requests": _number(row.get("Request Count", "0")) or 0,
                "failures": _number(row.get("Failure Count", "0")) or 0,
                "median_ms": _number(row.get("Median Response Time", "")),
                "average_ms": _number(row.get("Average Response Time", "")),
                "max_ms": _number(row.get("Max Response Time", "")),
                "p50_ms": _number(row.get("50%", "")),
                "p95_ms": _number(row.get("95%", "")),
                "p99_ms": _number(row.get("99%", "")),
                "rps": _number(row.get("Requests/s", "")),
                "average_size_bytes": _number(row.get("Average Content Size", "")),
            }
    return rows


def parse_locust_failures(path) -> list[dict]:
    """Locust's ``<prefix>_failures.csv`` (method, name, error, occurrences)."""
    if not Path(path).exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return [
            {
                "method": row.get("Method", ""),
                "name": row.get("Name", ""),
                "error": row.get("Error", ""),
                "occurrences": _number(row.get("Occurrences", "0")) or 0,
            }
            for row in csv.DictReader(handle)
        ]


def summarise_times(times_ms: dict[str, list[float]], exclude=()) -> dict:
    """Exact count and p50/p95/p99/max over every response time, optionally leaving out
    some request names (the sign-in)."""
    values = [t for name, ts in times_ms.items() if name not in exclude for t in ts]
    return {
        "requests": len(values),
        "p50_ms": round(percentile(values, 0.50), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "p99_ms": round(percentile(values, 0.99), 1),
        "max_ms": round(max(values), 1) if values else 0.0,
    }


def verdict(
    errors: int, p95_ms: float, target_ms: float = TARGET_P95_MS, reads_on_chain: int = 0
) -> dict:
    misses = []
    if errors:
        misses.append(f"{errors} error(s)")
    if reads_on_chain:
        misses.append(f"{reads_on_chain} read(s) waited for or took the audit chain's lock")
    if p95_ms > target_ms:
        misses.append(f"p95 {p95_ms:.0f} ms is {p95_ms - target_ms:.0f} ms over {target_ms:.0f}")
    return {"result": "MISS" if misses else "PASS", "misses": misses}


# --- lock waits (pure; unit-tested) ---------------------------------------------------------

_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?([a-z_][a-z0-9_]*)"?', re.IGNORECASE)


def table_from_query(sql: str) -> str:
    """The first table a statement reads or writes ("" if none is named)."""
    found = _TABLE.search(sql or "")
    return found.group(1) if found else ""


def read_probe(folder) -> list[dict]:
    """Every request the server's workers recorded (bench/probe.py), oldest first."""
    requests = []
    for path in sorted(Path(folder).glob("worker-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                requests.append(json.loads(line))
    return sorted(requests, key=lambda r: r["start"])


def attribute(samples: list[dict], requests: list[dict]) -> list[dict]:
    """Each lock-wait sample with the request its session's worker was serving then (the
    session's ``application_name`` is ``phteah-bench:<worker pid>``): ``method``, ``route``
    (both "" when no request was being served)."""
    by_worker: dict[int, list[dict]] = {}
    for request in requests:
        by_worker.setdefault(request["worker"], []).append(request)
    attributed = []
    for sample in samples:
        name = sample.get("application_name") or ""
        worker = int(name.rsplit(":", 1)[1]) if name.startswith("phteah-bench:") else None
        serving = next(
            (
                r
                for r in by_worker.get(worker, ())
                if r["start"] <= sample["time"] <= r.get("end", r["start"])
            ),
            None,
        )
        attributed.append(
            sample
            | {
                "method": serving["method"] if serving else "",
                "route": serving["route"] if serving else "",
            }
        )
    return attributed


def lock_wait_summary(samples: list[dict], requests: list[dict], polls: int, interval_ms) -> dict:
    """What the PostgreSQL sampler saw: sessions waiting on a lock, grouped into waits (one
    per session and statement), by relation and by request; the waits on the audit chain by
    reads (expected none) and by writes."""
    waits: dict[tuple, dict] = {}
    for sample in attribute(samples, requests):
        key = (sample["pid"], sample["query_start"])
        relations = sorted(set(sample.get("relations") or [])) or [
            table_from_query(sample.get("query", ""))
        ]
        wait = waits.setdefault(
            key,
            {
                "pid": sample["pid"],
                "method": sample["method"],
                "route": sample["route"],
                "relations": relations,
                "wait_event": sample.get("wait_event", ""),
                "query": (sample.get("query") or "")[:200],
                "samples": 0,
            },
        )
        wait["samples"] += 1
    by_relation: dict[str, int] = {}
    by_request: dict[str, int] = {}
    for wait in waits.values():
        for relation in wait["relations"]:
            by_relation[relation or "?"] = by_relation.get(relation or "?", 0) + 1
        label = f"{wait['method']} {wait['route']}".strip() or "(no request)"
        by_request[label] = by_request.get(label, 0) + 1
    on_chain = [w for w in waits.values() if CHAIN_TABLE in w["relations"]]
    return {
        "polls": polls,
        "interval_ms": interval_ms,
        "waiting_samples": len(samples),
        "waits": len(waits),
        "by_relation": dict(sorted(by_relation.items(), key=lambda item: -item[1])),
        "by_request": dict(sorted(by_request.items(), key=lambda item: -item[1])),
        "chain_waits_by_reads": sum(1 for w in on_chain if w["method"] in READ_METHODS),
        "chain_waits_by_writes": sum(1 for w in on_chain if w["method"] not in READ_METHODS),
        "longest": sorted(waits.values(), key=lambda w: -w["samples"])[:10],
    }


def _spread(values: list[float]) -> dict:
    return {
        "p50_ms": round(percentile(values, 0.50), 2),
        "p95_ms": round(percentile(values, 0.95), 2),
        "max_ms": round(max(values), 2) if values else 0.0,
    }


def probe_summary(requests: list[dict]) -> dict:
    """What the server's workers measured, for reads (GET) and for the other requests: access
    events inserted and how long the inserts took, the chain lock taken and how long getting
    it took, SQLite write transactions begun and how long each waited; and the reads that took
    the chain lock at all (expected none)."""
    summary = {}
    for kind, chosen in (
        ("reads", [r for r in requests if r["method"] in READ_METHODS]),
        ("writes", [r for r in requests if r["method"] not in READ_METHODS]),
    ):
        entry = {"requests": len(chosen)}
        for name in ("access", "chain", "begin"):
            used = [r for r in chosen if r[f"{name}_n"]]
            entry[name] = {
                "requests": len(used),
                "count": sum(r[f"{name}_n"] for r in chosen),
                **_spread([r[f"{name}_ms"] for r in used]),
            }
        summary[kind] = entry
    reads = [r for r in requests if r["method"] in READ_METHODS]
    summary["reads_that_took_the_chain_lock"] = sum(1 for r in reads if r["chain_n"])
    return summary


class LockSampler(threading.Thread):
    """Polls PostgreSQL every *interval_ms* for the sessions of this database that wait on a
    lock: pid, application name, wait event, the statement and when it started, and the
    relations of the locks it waits on (or holds a tuple lock of, while it waits for the
    transaction holding the row)."""

    QUERY = """
        SELECT a.pid, a.application_name, a.wait_event,
               extract(epoch FROM a.query_start), left(a.query, 300),
               ARRAY(
                   SELECT DISTINCT l.relation::regclass::text FROM pg_locks l
                   WHERE l.pid = a.pid AND l.relation IS NOT NULL
                     AND (l.locktype = 'tuple' OR NOT l.granted)
               )
        FROM pg_stat_activity a
        WHERE a.datname = current_database() AND a.wait_event_type = 'Lock'
          AND a.pid <> pg_backend_pid()
    """

    def __init__(self, interval_ms: float):
        super().__init__(name="lock sampler", daemon=True)
        self.interval = interval_ms / 1000
        self.samples: list[dict] = []
        self.polls = 0
        self.error = ""
        self._stopping = threading.Event()

    def run(self):
        from django.db import connection

        try:
            with connection.cursor() as cursor:
                while not self._stopping.is_set():
                    now = time.time()
                    cursor.execute(self.QUERY)
                    self.polls += 1
                    for pid, name, event, started, query, relations in cursor.fetchall():
                        self.samples.append(
                            {
                                "time": now,
                                "pid": pid,
                                "application_name": name,
                                "wait_event": event,
                                "query_start": float(started or 0),
                                "query": query,
                                "relations": list(relations or []),
                            }
                        )
                    self._stopping.wait(self.interval)
        except Exception as error:  # noqa: BLE001 - reported in the results
            self.error = f"{type(error).__name__}: {error}"
        finally:
            connection.close()

    def stop(self):
        self._stopping.set()
        self.join(10)


# --- accounts ------------------------------------------------------------------------------


def _django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phteah.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


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


def prepare_accounts(users: int, passwords: list[str]) -> dict:
    """Case workers (busiest first) and supervisors with a usable sign-in, one per simulated
    user where possible; TOTP keys for those asked for a code; names to search for."""
    from django.db.models import Count, Q
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_scopes import scopes_disabled

    from phteah.accounts.models import Membership
    from phteah.accounts.roles import Role
    from phteah.cases.models import Case, CaseWorkerAssignment
    from phteah.people.models import Person

    supervisors_wanted = max(1, round(users * SUPERVISOR_SHARE)) if users > 1 else 0
    workers_wanted = users - supervisors_wanted
    with scopes_disabled():
        usable = Membership.objects.filter(
            is_active=True,
            user__is_active=True,
            user__must_change_password=False,
            organisation__is_active=True,
        ).select_related("user", "organisation")
        open_counts = dict(
            CaseWorkerAssignment.objects.filter(case__status=Case.Status.OPEN)
            .values("user_id")
            .annotate(n=Count("case_id", distinct=True))
            .values_list("user_id", "n")
        )
        workers = sorted(
            usable.filter(role=Role.CASE_WORKER),
            key=lambda m: (-open_counts.get(m.user_id, 0), m.user.email),
        )
        workers = [m for m in workers if open_counts.get(m.user_id, 0)][:workers_wanted]
        supervisors = list(usable.filter(role=Role.SUPERVISOR).order_by("user__email"))
        supervisors = supervisors[:supervisors_wanted]
        seen_users = set()
        known: dict[str, str] = {}
        pools = {"case_workers": [], "supervisors": []}
        refused = []
        for pool, members in (("case_workers", workers), ("supervisors", supervisors)):
            for membership in members:
                if membership.user_id in seen_users:
                    continue
                seen_users.add(membership.user_id)
                password = working_password(membership.user.password, passwords, known)
                if not password:
                    refused.append(membership.user.email)
                    continue
                device = TOTPDevice.objects.filter(user=membership.user, confirmed=True).first()
                if device is None and membership.requires_two_factor:
                    device = TOTPDevice.objects.create(
                        user=membership.user, name="bench", confirmed=True
                    )
                pools[pool].append(
                    {
                        "email": membership.user.email,
                        "password": password,
                        "organisation": membership.organisation.short_code,
                        "totp_key": device.key if device else "",
                    }
                )
        if not pools["case_workers"]:
            raise SystemExit(
                "No case worker account opens with the known passwords: pass --password "
                "(or set PHTEAH_BENCH_PASSWORD)."
            )
        organisations = {m.organisation_id for m in (*workers, *supervisors)}
        persons = (
            Person.objects.filter(organisation_id__in=organisations)
            .exclude(Q(family_name_latin="") | Q(given_name_latin=""))
            .order_by("created_at")
            .values_list("family_name_latin", "given_name_latin", "family_name_km", "given_name_km")
        )
        step = max(1, persons.count() // 20)
        searches = []
        for family, given, family_km, given_km in list(persons)[::step][:20]:
            searches.append(f"{family} {given}")
            if family_km or given_km:
                searches.append(f"{family_km} {given_km}".strip())
    return {**pools, "searches": searches or ["Sok"], "refused": refused}


# --- the server ----------------------------------------------------------------------------


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def serve_command(port: int, workers: int, threads: int = 1) -> list[str]:
    """``phteah serve`` on 127.0.0.1 with the workers and threads asked for (gthread workers
    when threads > 1)."""
    phteah = Path(sys.executable).parent / "phteah"
    base = [str(phteah)] if phteah.exists() else [sys.executable, "-m", "phteah"]
    return [
        *base,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]


def server_env(probe_dir: Path) -> dict:
    """The server's environment: ours, with bench/probe.py as gunicorn's configuration."""
    env = os.environ.copy()
    extra = env.get("GUNICORN_CMD_ARGS", "")
    env["GUNICORN_CMD_ARGS"] = f"{extra} --config {HERE / 'probe.py'}".strip()
    env["BENCH_PROBE_DIR"] = str(probe_dir)
    return env


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The server stopped (exit {process.returncode}) before answering.")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - 127.0.0.1
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"The server did not answer {url} within {timeout:.0f} s.")


def stop(process: subprocess.Popen | None) -> None:
    """Stop the server we started (its own process group), politely and then firmly."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


# --- CPU use (Linux /proc; the arithmetic is pure and unit-tested) -------------------------


def _process_ticks(stat_line: str) -> tuple[int, int]:
    """(process group, CPU ticks used: user + system, its own and its reaped children's) from
    a /proc/<pid>/stat line (the command name in parentheses may hold spaces)."""
    fields = stat_line.rpartition(")")[2].split()
    return int(fields[2]), sum(int(value) for value in fields[11:15])


def cpu_snapshot(group: int) -> dict | None:
    """CPU seconds used so far by the server's processes (its process group: gunicorn's
    master and workers) and the machine's busy and total ticks; None without /proc."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            machine = [int(value) for value in handle.readline().split()[1:]]
    except OSError:
        return None
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pgrp, used = _process_ticks(stat.read_text())
        except (OSError, ValueError, IndexError):
            continue  # the process ended meanwhile
        if pgrp == group:
            ticks += used
    hertz = os.sysconf("SC_CLK_TCK")
    idle = machine[3] + (machine[4] if len(machine) > 4 else 0)  # idle + iowait
    return {
        "time": time.monotonic(),
        "server_s": ticks / hertz,
        "machine_total": sum(machine[:8]),
        "machine_idle": idle,
    }


def cpu_usage(before: dict | None, after: dict | None, cpus: int) -> dict | None:
    """How much of the machine the server used between two snapshots (cores, and percent of
    all cores), and how busy the whole machine was (percent; everything, this load test's
    locust included)."""
    if before is None or after is None:
        return None
    elapsed = max(after["time"] - before["time"], 1e-9)
    server_cores = (after["server_s"] - before["server_s"]) / elapsed
    total = max(after["machine_total"] - before["machine_total"], 1)
    idle = after["machine_idle"] - before["machine_idle"]
    return {
        "server_cores": round(server_cores, 2),
        "server_pct": round(server_cores / max(cpus, 1) * 100, 1),
        "machine_busy_pct": round((1 - idle / total) * 100, 1),
    }


# --- main ----------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds (default 60)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker, gthread when > 1 (default 1)"
    )
    parser.add_argument(
        "--think",
        default="3,10",
        help="seconds each simulated user waits between requests, min,max (default 3,10: a "
        "social worker reading a page; 0.5,2 is a stress pace, about four times busier)",
    )
    parser.add_argument("--spawn-rate", type=float, default=5.0, help="users started per second")
    parser.add_argument("--max-requests", type=int, default=100_000, help="stop after this many")
    parser.add_argument(
        "--sample-ms",
        type=float,
        default=50.0,
        help="PostgreSQL: how often lock waits are sampled (default 50 ms)",
    )
    parser.add_argument(
        "--sweep",
        default="",
        metavar="N,N,...",
        help="run the load test at each of these user counts in turn (one server each) and "
        "report the saturation point: the first at which p95 crosses 300 ms",
    )
    parser.add_argument("--json", default="")
    parser.add_argument("--password", default=os.environ.get("PHTEAH_BENCH_PASSWORD", ""))
    return parser.parse_args(argv)


def db_description() -> dict:
    from django.db import connection
    from django_scopes import scopes_disabled

    from phteah.cases.models import Case, Visit
    from phteah.people.models import Person

    with scopes_disabled():
        rows = {
            "people.Person": Person.objects.count(),
            "cases.Case": Case.objects.count(),
            "cases.Visit": Visit.objects.count(),
        }
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "db_vendor": connection.vendor,
        "db_name": str(connection.settings_dict.get("NAME")),
        "rows": rows,
        "git_commit": commit,
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }


def run(args) -> dict:
    _django_setup()
    from django.db import connections

    if not port_free(args.port):
        raise SystemExit(f"Port {args.port} on 127.0.0.1 is taken: choose another with --port.")
    accounts = prepare_accounts(args.users, candidate_passwords(args.password))
    description = db_description()
    connections.close_all()
    distinct = len(accounts["case_workers"]) + len(accounts["supervisors"])
    work = Path(tempfile.mkdtemp(prefix="phteah-load-"))
    (work / "accounts.json").write_text(json.dumps(accounts))
    base = f"http://127.0.0.1:{args.port}"
    server_log = open(work / "gunicorn.log", "w")  # noqa: SIM115 - closed in finally
    probe_dir = work / "probe"
    probe_dir.mkdir()
    server = None
    sampler = LockSampler(args.sample_ms) if description["db_vendor"] == "postgresql" else None
    try:
        server = subprocess.Popen(
            serve_command(args.port, args.workers, args.threads),
            cwd=ROOT,
            env=server_env(probe_dir),
            stdout=server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until_up(f"{base}/account/login/", server)
        cpu_before = cpu_snapshot(server.pid)
        locust = Path(sys.executable).parent / "locust"
        command = [
            str(locust) if locust.exists() else "locust",
            "-f",
            str(HERE / "locustfile.py"),
            "--headless",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.spawn_rate),
            "--run-time",
            f"{args.duration}s",
            "--host",
            base,
            "--csv",
            str(work / "locust"),
            "--only-summary",
            "--stop-timeout",
            "5",
            "--loglevel",
            "WARNING",
        ]
        env = os.environ.copy() | {
            "BENCH_ACCOUNTS": str(work / "accounts.json"),
            "BENCH_MAX_REQUESTS": str(args.max_requests),
            "BENCH_THINK": args.think,
            "BENCH_TIMES": str(work / "times.json"),
        }
        if sampler is not None:
            sampler.start()
        started = time.monotonic()
        finished = subprocess.run(
            command,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=args.duration + 180,
            check=False,
        )
        elapsed = time.monotonic() - started
        cpu_after = cpu_snapshot(server.pid)
    finally:
        try:
            stop(server)
        finally:
            server_log.close()
            if sampler is not None and sampler.is_alive():
                sampler.stop()
    if not (work / "locust_stats.csv").exists() or not (work / "times.json").exists():
        raise RuntimeError(
            f"locust wrote no statistics (exit {finished.returncode}):\n{finished.stderr[-3000:]}"
        )
    stats = parse_locust_stats(work / "locust_stats.csv")
    failures = parse_locust_failures(work / "locust_failures.csv")
    times = json.loads((work / "times.json").read_text())["times_ms"]
    overall = summarise_times(times)
    pages = summarise_times(times, exclude=SIGN_IN_NAMES)
    sign_in = summarise_times({k: v for k, v in times.items() if k in SIGN_IN_NAMES})
    per_name = {name: summarise_times({name: values}) for name, values in sorted(times.items())}
    recorded = json.loads((work / "times.json").read_text())["failures"]
    errors = max(stats.get("Aggregated", {}).get("failures", 0), len(recorded))
    served = read_probe(probe_dir)
    probe = probe_summary(served)
    lock_waits = (
        lock_wait_summary(sampler.samples, served, sampler.polls, args.sample_ms)
        | {"error": sampler.error}
        if sampler is not None
        else None
    )
    reads_on_chain = probe["reads_that_took_the_chain_lock"] + (
        lock_waits["chain_waits_by_reads"] if lock_waits else 0
    )
    return {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "settings": {
            "users": args.users,
            "distinct_accounts": distinct,
            "case_worker_accounts": len(accounts["case_workers"]),
            "supervisor_accounts": len(accounts["supervisors"]),
            "accounts_without_known_password": accounts["refused"],
            "duration_s": args.duration,
            "elapsed_s": round(elapsed, 1),
            "workers": args.workers,
            "threads": args.threads,
            "think_s": args.think,
            "spawn_rate": args.spawn_rate,
            "max_requests": args.max_requests,
            "port": args.port,
        },
        "database": description,
        "total_requests": overall["requests"],
        "locust_counted_requests": stats.get("Aggregated", {}).get("requests"),
        "errors": errors,
        "rps": stats.get("Aggregated", {}).get("rps"),
        "overall": overall,
        "pages_without_sign_in": pages,
        "sign_in": sign_in,
        "per_request": per_name,
        "locust_stats": stats,
        "failures": failures,
        "probe": probe,
        "lock_waits": lock_waits,
        "target": {"p95_ms": TARGET_P95_MS, "errors": 0, "reads_on_chain": 0}
        | verdict(errors, overall["p95_ms"], reads_on_chain=reads_on_chain)
        | {
            "pages_without_sign_in": verdict(
                errors, pages["p95_ms"], reads_on_chain=reads_on_chain
            )["result"]
        },
        "cpu": cpu_usage(cpu_before, cpu_after, description["cpus"] or 1),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "locust_exit_code": finished.returncode,
        "locust_stderr_tail": finished.stderr[-2000:],
        "server_log": str(work / "gunicorn.log"),
    }


def miss_reason(report: dict) -> str:
    """What the run's own numbers say about a miss."""
    if report["errors"]:
        return "requests failed: see the failures below and the server log"
    if any("audit chain" in miss for miss in report.get("target", {}).get("misses", ())):
        return "reads waited for the audit chain: see the lock waits above"
    cpus = report["database"]["cpus"] or 1
    load = report["load_average_after"][0]
    reasons = []
    if load >= cpus:
        reasons.append(
            f"the machine was saturated (load average {load} on {cpus} CPUs at "
            f"{report['rps'] or 0:.1f} req/s: requests queued)"
        )
    if report["per_request"]:
        name, slowest = max(report["per_request"].items(), key=lambda item: item[1]["p95_ms"])
        reasons.append(f"slowest request {name} (p95 {slowest['p95_ms']:.0f} ms)")
    return "; ".join(reasons) or "no request timings"


def lock_lines(report: dict) -> list[str]:
    """The lock-wait part of the summary."""
    probe = report.get("probe")
    if not probe:
        return []
    reads, writes = probe["reads"], probe["writes"]
    lines = [
        f"reads: {reads['requests']} requests, {reads['access']['count']} access events "
        f"inserted without a lock (insert p95 {reads['access']['p95_ms']:.1f} ms, max "
        f"{reads['access']['max_ms']:.1f} ms); chain lock taken by "
        f"{probe['reads_that_took_the_chain_lock']} reads",
        f"writes: {writes['requests']} requests, chain lock taken {writes['chain']['count']} "
        f"times (waited p95 {writes['chain']['p95_ms']:.1f} ms, max "
        f"{writes['chain']['max_ms']:.1f} ms)",
    ]
    if reads["begin"]["count"] or writes["begin"]["count"]:
        lines.append(
            f"SQLite write transactions: reads {reads['begin']['count']} (waited p95 "
            f"{reads['begin']['p95_ms']:.1f} ms, max {reads['begin']['max_ms']:.1f} ms), "
            f"writes {writes['begin']['count']} (waited p95 {writes['begin']['p95_ms']:.1f} "
            f"ms, max {writes['begin']['max_ms']:.1f} ms)"
        )
    waits = report.get("lock_waits")
    if waits:
        relations = ", ".join(f"{k} {v}" for k, v in waits["by_relation"].items()) or "none"
        requests = ", ".join(f"{k} {v}" for k, v in waits["by_request"].items()) or "none"
        lines += [
            f"PostgreSQL lock waits (sampled every {waits['interval_ms']:.0f} ms, "
            f"{waits['polls']} polls): {waits['waits']} waits; on the audit chain by reads "
            f"{waits['chain_waits_by_reads']}, by writes {waits['chain_waits_by_writes']}",
            f"  by relation: {relations}",
            f"  by request: {requests}",
        ]
        if waits.get("error"):
            lines.append(f"  sampler error: {waits['error']}")
    return lines


def report_text(report: dict) -> str:
    s = report["settings"]
    lines = [
        f"{report['database']['db_vendor']} · {s['users']} users "
        f"({s['distinct_accounts']} distinct accounts: {s['case_worker_accounts']} case workers, "
        f"{s['supervisor_accounts']} supervisors) · think {s['think_s']} s · "
        f"{s['workers']} gunicorn workers × {s.get('threads', 1)} thread(s) · "
        f"{s['elapsed_s']} s · {report['database']['cpus']} CPUs, load average "
        f"{report['database']['load_average_before'][0]} before",
        f"requests {report['total_requests']} · errors {report['errors']} · "
        f"{report['rps']:.1f} req/s" + cpu_text(report.get("cpu")),
        f"{'':<28} {'n':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}",
    ]
    rows = [
        ("all requests", report["overall"]),
        ("pages (without sign-in)", report["pages_without_sign_in"]),
        ("sign-in requests", report["sign_in"]),
        *report["per_request"].items(),
    ]
    for name, r in rows:
        lines.append(
            f"{name:<28} {r['requests']:>6} {r['p50_ms']:>7.0f} {r['p95_ms']:>7.0f} "
            f"{r['p99_ms']:>7.0f} {r['max_ms']:>7.0f}"
        )
    lines += lock_lines(report)
    target = report["target"]
    lines.append(
        f"target (0 errors, p95 ≤ {target['p95_ms']:.0f} ms, no read waiting for the audit "
        f"chain): {target['result']}"
        + (f" — {'; '.join(target['misses'])}" if target["misses"] else "")
        + f" · pages without sign-in: {target['pages_without_sign_in']}"
    )
    if target["result"] == "MISS":
        lines.append(f"why: {miss_reason(report)}")
    for failure in report["failures"][:10]:
        lines.append(
            f"  failure: {failure['method']} {failure['name']} ×{failure['occurrences']}: "
            f"{failure['error'][:160]}"
        )
    return "\n".join(lines)


def cpu_text(cpu: dict | None) -> str:
    if not cpu:
        return ""
    return (
        f" · server CPU {cpu['server_cores']:.2f} cores ({cpu['server_pct']:.0f}% of the "
        f"machine) · machine busy {cpu['machine_busy_pct']:.0f}%"
    )


# --- sweep: the load test at several user counts (pure parts unit-tested) -----------------


def parse_sweep(text: str) -> list[int]:
    """ "10,20,30" → [10, 20, 30]: distinct positive user counts, ascending."""
    counts = sorted({int(item) for item in text.split(",") if item.strip()})
    if not counts or counts[0] < 1:
        raise SystemExit(f"--sweep needs positive user counts, not {text!r}")
    return counts


def step_summary(users: int, report: dict | None, error: str = "") -> dict:
    """One step of the sweep: what its table row and the saturation point need."""
    if report is None:
        return {"users": users, "error": error}
    return {
        "users": users,
        "requests": report["total_requests"],
        "errors": report["errors"],
        "rps": report["rps"] or 0.0,
        "p95_ms": report["overall"]["p95_ms"],
        "pages_p95_ms": report["pages_without_sign_in"]["p95_ms"],
        "cpu": report.get("cpu"),
        "load_average_after": report["load_average_after"][0],
        "result": report["target"]["result"],
    }


def saturation_point(steps: list[dict], key: str = "p95_ms", target=TARGET_P95_MS) -> dict:
    """The first user count (ascending) whose p95 crosses the target; steps that failed to
    run are passed over."""
    measured = sorted((s for s in steps if not s.get("error")), key=lambda s: s["users"])
    crossed = next((s for s in measured if s[key] > target), None)
    if crossed is not None:
        return {
            "users": crossed["users"],
            "text": f"{crossed['users']} users (p95 {crossed[key]:.0f} ms > {target:.0f} ms)",
        }
    top = measured[-1]["users"] if measured else 0
    return {"users": None, "text": f"not reached up to {top} users"}


def sweep(args) -> dict:
    """The load test at each --sweep user count in turn, each with its own server (a cold
    start) and its own accounts; a step that cannot run is recorded and the sweep goes on."""
    steps, reports = [], []
    for users in parse_sweep(args.sweep):
        print(f"  {users} users ...", file=sys.stderr, flush=True)
        try:
            report = run(argparse.Namespace(**(vars(args) | {"users": users})))
        except RuntimeError as error:
            steps.append(step_summary(users, None, str(error)[:500]))
            continue
        steps.append(step_summary(users, report))
        reports.append(report)
    return {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "settings": {
            "sweep": [step["users"] for step in steps],
            "duration_s": args.duration,
            "think_s": args.think,
            "workers": args.workers,
            "threads": args.threads,
        },
        "database": reports[0]["database"] if reports else None,
        "target_p95_ms": TARGET_P95_MS,
        "steps": steps,
        "saturation": saturation_point(steps),
        "saturation_pages": saturation_point(steps, key="pages_p95_ms"),
        "reports": reports,
    }


def sweep_text(report: dict) -> str:
    s = report["settings"]
    head = (
        f"{'users':>5} {'requests':>8} {'errors':>6} {'req/s':>6} {'p95 all':>8} "
        f"{'p95 pages':>9} {'server CPU':>10} {'busy':>5} {'load':>5}  result"
    )
    lines = [
        f"sweep · think {s['think_s']} s · {s['duration_s']} s per step · {s['workers']} "
        f"workers × {s['threads']} thread(s)",
        head,
        "-" * len(head),
    ]
    for step in report["steps"]:
        if step.get("error"):
            lines.append(f"{step['users']:>5} did not run: {step['error']}")
            continue
        cpu = step["cpu"] or {}
        server = f"{cpu['server_cores']:.2f} cores" if cpu else "-"
        busy = f"{cpu['machine_busy_pct']:.0f}%" if cpu else "-"
        lines.append(
            f"{step['users']:>5} {step['requests']:>8} {step['errors']:>6} {step['rps']:>6.1f} "
            f"{step['p95_ms']:>8.0f} {step['pages_p95_ms']:>9.0f} {server:>10} {busy:>5} "
            f"{step['load_average_after']:>5.1f}  {step['result']}"
        )
    lines += [
        f"saturation point (p95 of all requests > {report['target_p95_ms']:.0f} ms): "
        f"{report['saturation']['text']}",
        f"  pages without sign-in: {report['saturation_pages']['text']}",
    ]
    return "\n".join(lines)


def write_json(report: dict, explicit: str, prefix: str) -> Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    vendor = (report.get("database") or {}).get("db_vendor", "unknown")
    path = Path(explicit) if explicit else RESULTS / f"{prefix}-{vendor}-{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return path


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.sweep:
        report = sweep(args)
        print(sweep_text(report))
        print(f"JSON: {write_json(report, args.json, 'load-sweep')}")
        return 0 if all(not s.get("error") and not s["errors"] for s in report["steps"]) else 1
    report = run(args)
    print(report_text(report))
    print(f"JSON: {write_json(report, args.json, 'load')}")
    return 0 if report["target"]["result"] == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
