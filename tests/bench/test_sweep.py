"""bench/load.py --sweep with the load test itself faked (no locust, no server): the
saturation point, the report, the CPU arithmetic; and the server's command line."""

import argparse

import pytest

from .test_bench import load


def _report(users, p95, pages_p95, errors=0):
    return {
        "total_requests": users * 10,
        "errors": errors,
        "rps": users / 2,
        "overall": {"p95_ms": p95},
        "pages_without_sign_in": {"p95_ms": pages_p95},
        "cpu": {"server_cores": users / 25, "server_pct": users * 2.0, "machine_busy_pct": 90.0},
        "load_average_after": [users / 10, 0, 0],
        "target": {"result": "PASS" if p95 <= 300 and not errors else "MISS"},
        "database": {"db_vendor": "sqlite"},
    }


def test_the_saturation_point_is_the_first_user_count_over_300_ms():
    steps = [
        load.step_summary(30, _report(30, 420.0, 280.0)),
        load.step_summary(10, _report(10, 120.0, 90.0)),
        load.step_summary(20, _report(20, 250.0, 200.0)),
        load.step_summary(40, _report(40, 900.0, 700.0)),
    ]

    assert load.saturation_point(steps) == {
        "users": 30,
        "text": "30 users (p95 420 ms > 300 ms)",
    }
    assert load.saturation_point(steps, key="pages_p95_ms")["users"] == 40
    calm = steps[1:3]
    assert load.saturation_point(calm) == {"users": None, "text": "not reached up to 20 users"}
    failed = [*calm, load.step_summary(30, None, "The server did not answer")]
    assert load.saturation_point(failed)["users"] is None
    assert load.saturation_point([]) == {"users": None, "text": "not reached up to 0 users"}


def test_the_sweep_parses_its_user_counts():
    assert load.parse_sweep("30, 10,20,20") == [10, 20, 30]
    with pytest.raises(SystemExit):
        load.parse_sweep("0,10")


def _args(**overrides):
    args = load.parse_args(["--sweep", "10,20,30", "--think", "0.5,2", "--duration", "10"])
    return argparse.Namespace(**(vars(args) | overrides))


def test_the_sweep_runs_each_step_with_its_users_and_reports_them(monkeypatch):
    figures = {10: (150.0, 100.0), 20: (320.0, 240.0), 30: (800.0, 500.0)}
    seen = []

    def fake_run(args):
        seen.append((args.users, args.think, args.threads))
        if args.users == 30:
            raise RuntimeError("The server did not answer within 60 s.")
        return _report(args.users, *figures[args.users])

    monkeypatch.setattr(load, "run", fake_run)

    report = load.sweep(_args(threads=4))
    text = load.sweep_text(report)

    assert seen == [(10, "0.5,2", 4), (20, "0.5,2", 4), (30, "0.5,2", 4)]
    assert report["saturation"]["users"] == 20
    assert report["saturation_pages"]["users"] is None
    assert [step["users"] for step in report["steps"]] == [10, 20, 30]
    assert len(report["reports"]) == 2 and report["database"] == {"db_vendor": "sqlite"}
    lines = text.splitlines()
    assert lines[0] == "sweep · think 0.5,2 s · 10 s per step · 2 workers × 4 thread(s)"
    assert lines[3].split() == [
        "10", "100", "0", "5.0", "150", "100", "0.40", "cores", "90%", "1.0", "PASS"
    ]  # fmt: skip
    assert lines[4].split()[-1] == "MISS"
    assert lines[5] == "   30 did not run: The server did not answer within 60 s."
    assert (
        lines[6]
        == "saturation point (p95 of all requests > 300 ms): 20 users (p95 320 ms > 300 ms)"
    )
    assert lines[7] == "  pages without sign-in: not reached up to 20 users"


def test_the_main_command_exits_1_when_a_step_failed(monkeypatch, tmp_path):
    monkeypatch.setattr(
        load, "run", lambda args: _report(args.users, 100.0, 90.0, errors=int(args.users == 20))
    )
    path = tmp_path / "sweep.json"

    assert load.main(["--sweep", "10", "--json", str(path)]) == 0
    assert load.main(["--sweep", "10,20", "--json", str(path)]) == 1
    assert '"saturation"' in path.read_text()


def test_cpu_use_is_read_from_proc_and_divided_by_time_and_cores():
    line = "4242 (gunicorn: worker [phteah) S 1 4200 4200 0 -1 0 0 0 0 0 150 50 7 3 20 0"
    assert load._process_ticks(line) == (4200, 210)
    before = {"time": 100.0, "server_s": 10.0, "machine_total": 1000, "machine_idle": 600}
    after = {"time": 110.0, "server_s": 25.0, "machine_total": 3000, "machine_idle": 1100}

    assert load.cpu_usage(before, after, cpus=2) == {
        "server_cores": 1.5,
        "server_pct": 75.0,
        "machine_busy_pct": 75.0,
    }
    assert load.cpu_usage(None, after, cpus=2) is None


def test_the_load_test_passes_its_threads_to_the_server():
    command = load.serve_command(8765, workers=2, threads=4)
    assert command[-8:] == [
        "--host", "127.0.0.1", "--port", "8765", "--workers", "2", "--threads", "4"
    ]  # fmt: skip
    assert load.parse_args([]).threads == 1


# --- phteah serve ---------------------------------------------------------------------------


def _served(monkeypatch, *argv, **environ):
    from django.core.management import call_command

    for name in ("WEB_CONCURRENCY", "WEB_THREADS", "WEB_WORKER_CLASS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    executed = []
    monkeypatch.setattr("os.execv", lambda path, argv: executed.append(argv))
    call_command("serve", *argv)
    (command,) = executed
    return command


def _option(command, name):
    return command[command.index(name) + 1]


def test_serve_runs_gthread_workers_when_threads_are_asked_for(monkeypatch):
    command = _served(monkeypatch, "--threads", "4", "--workers", "2")
    assert (_option(command, "--worker-class"), _option(command, "--threads")) == ("gthread", "4")
    assert _option(command, "--workers") == "2"

    command = _served(monkeypatch, WEB_THREADS="3", WEB_WORKER_CLASS="gevent")
    assert (_option(command, "--worker-class"), _option(command, "--threads")) == ("gevent", "3")


def test_serve_defaults_to_its_documented_workers_and_threads(monkeypatch):
    from phteah.core.management.commands import serve

    command = _served(monkeypatch)
    assert _option(command, "--workers") == str(serve.DEFAULT_WORKERS)
    assert _option(command, "--threads") == str(serve.DEFAULT_THREADS)
    expected = "gthread" if serve.DEFAULT_THREADS > 1 else "sync"
    assert _option(command, "--worker-class") == expected
    assert command[3:5] == ["phteah.wsgi:application", "--bind"]
