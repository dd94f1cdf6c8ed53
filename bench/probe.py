"""Gunicorn configuration used by bench/load.py: measures, inside each worker, what every
request waited for in the audit trail. Not used in production.

bench/load.py starts ``phteah serve`` with ``GUNICORN_CMD_ARGS="--config bench/probe.py"`` and
``BENCH_PROBE_DIR``. After a worker has loaded the application, this wraps three functions
of ``phteah.core.audit.writing`` and the database connection, times them, and writes one JSON
line per request to ``BENCH_PROBE_DIR/worker-<pid>.jsonl``:

- ``access_n``/``access_ms``: access events inserted (pending, without a lock) and how long
  the inserts took — on SQLite this includes waiting for the database's one write lock;
- ``chain_n``/``chain_ms``: times the request took the audit chain's lock (appending or
  sealing events) and how long getting it took — a read must never take it;
- ``begin_n``/``begin_ms`` (SQLite): write transactions begun (``BEGIN IMMEDIATE``) and how
  long each waited for the write lock.

Each worker's database sessions are named ``phteah-bench:<worker pid>`` (PostgreSQL's
``application_name``), so that the lock waits bench/load.py samples from ``pg_stat_activity``
can be matched with the request the worker was serving (times are the wall clock, as in
the sampler)."""

import json
import os
import re
import threading
import time

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# The worker's output file; the request being served, per thread: with gthread a worker
# serves several requests at once, each in a thread of its own, and gunicorn runs the
# pre- and post-request hooks in that thread.
_state = {"out": None}
_current = threading.local()
_write = threading.Lock()


def route(path: str) -> str:
    """A request path with its ids replaced: /cases/<uuid>/ → /cases/[id]/."""
    return _UUID.sub("[id]", path)


def _count(name: str, started: float, n: int = 1) -> None:
    request = getattr(_current, "request", None)
    if request is not None:
        request[f"{name}_n"] += n
        request[f"{name}_ms"] += (time.perf_counter() - started) * 1000


def _timed(function, name, count=lambda *args: 1):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            _count(name, started, count(*args))

    return wrapper


def post_worker_init(worker):
    from django.db import connections

    from phteah.core.audit import writing

    writing._insert_accesses = _timed(writing._insert_accesses, "access", len)
    writing._lock_chain = _timed(writing._lock_chain, "chain")
    database = connections["default"]
    if database.vendor == "postgresql":
        options = database.settings_dict.setdefault("OPTIONS", {})
        options["application_name"] = f"phteah-bench:{os.getpid()}"
    elif database.vendor == "sqlite":
        wrapper_class = type(database)
        wrapper_class._start_transaction_under_autocommit = _timed(
            wrapper_class._start_transaction_under_autocommit, "begin"
        )
    folder = os.environ.get("BENCH_PROBE_DIR", "")
    if folder:
        _state["out"] = open(  # noqa: SIM115 - one file for the worker's life
            os.path.join(folder, f"worker-{os.getpid()}.jsonl"), "a", encoding="utf-8"
        )


def pre_request(worker, req):
    _current.request = {
        "worker": os.getpid(),
        "method": req.method,
        "route": route(req.path),
        "start": time.time(),
        **{f"{name}_{unit}": 0 for name in ("access", "chain", "begin") for unit in ("n", "ms")},
    }


def post_request(worker, req, environ, resp):
    request, _current.request = getattr(_current, "request", None), None
    if request is None or _state["out"] is None:
        return
    request["end"] = time.time()
    request["status"] = getattr(resp, "status_code", None)
    for name in ("access", "chain", "begin"):
        request[f"{name}_ms"] = round(request[f"{name}_ms"], 3)
    with _write:
        _state["out"].write(json.dumps(request) + "\n")
        _state["out"].flush()


def worker_exit(server, worker):
    if _state["out"] is not None:
        _state["out"].close()
