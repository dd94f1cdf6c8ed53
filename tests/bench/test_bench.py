"""bench/run.py at a tiny size on the test database (structure only, no timing assertions),
and the statistics helpers of bench/load.py (the load test itself needs a server)."""

import importlib.util
import json
from pathlib import Path

import pytest

from phteah.demo.cases import demo_cases_create
from phteah.demo.network import demo_network_create
from phteah.geography.services import geography_load
from phteah.people.models import Person

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _module(name):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = _module("run")
load = _module("load")

EXPECTED = {
    "login",
    "my_work_case_worker",
    "my_work_supervisor",
    "team",
    "case_list",
    "case_list_case_worker",
    "case_list_filtered",
    "case_search_latin",
    "case_search_khmer",
    "people_search_latin",
    "people_search_khmer",
    "case_page",
    "case_timeline_page2",
    "duplicate_check",
    "overdue_counts",
}


@pytest.mark.django_db(transaction=True)
def test_the_benchmark_runs_on_the_demo_data_and_writes_its_json(tmp_path, capsys):
    geography_load()
    demo_network_create()
    demo_cases_create()
    persons = Person.objects.count()
    path = tmp_path / "bench.json"

    code = run.main(["--repeat", "2", "--warmup", "1", "--json", str(path)])

    assert code == 0
    report = json.loads(path.read_text())
    assert Person.objects.count() == persons
    assert report["persons_unchanged"] is True
    assert {"db_vendor", "db_version", "git_commit", "python"} <= set(report["machine"])
    assert report["rows"]["cases.Case"] > 0 and report["rows"]["people.Person"] == persons
    assert report["targets"] == {"p95_ms": 100.0, "html_kb": 100.0}
    assert {"organisation", "case_worker", "supervisor", "case"} <= set(report["anchors"])
    names = {bench["name"] for bench in report["benchmarks"]}
    assert names == EXPECTED
    for bench in report["benchmarks"]:
        assert bench["ok"] is True, bench["name"]
        assert bench["queries"] > 0, bench["name"]
        for key in ("p50_ms", "p95_ms", "max_ms", "ratio_page_to_sql", "bare_sql"):
            assert key in bench, (bench["name"], key)
        assert bench["p95_target"]["result"] in {"PASS", "MISS"}
        if bench["kind"] == "http":
            assert bench["status"] == bench["expected_status"], bench["name"]
            assert bench["html_kb"] is not None
        else:
            assert set(bench["value"]) >= {"visits_overdue", "approvals"}
    statuses = {bench["name"]: bench["status"] for bench in report["benchmarks"]}
    assert statuses["login"] == 302
    assert all(
        status == 200
        for name, status in statuses.items()
        if name not in {"login", "overdue_counts"}
    )
    misses = {(miss["name"], miss["what"]) for miss in report["misses"]}
    for bench in report["benchmarks"]:
        if bench["p95_target"]["result"] == "MISS":
            assert (bench["name"], "p95") in misses
    assert "case_page" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_only_runs_the_named_benchmarks(tmp_path):
    geography_load()
    demo_network_create()
    demo_cases_create()
    path = tmp_path / "bench.json"

    run.main(
        [
            "--repeat",
            "1",
            "--warmup",
            "0",
            "--only",
            "people_search_latin,case_list",
            "--json",
            str(path),
        ]
    )

    report = json.loads(path.read_text())
    assert [bench["name"] for bench in report["benchmarks"]] == ["case_list", "people_search_latin"]


def test_percentiles_interpolate_between_ranks():
    values = [float(n) for n in range(1, 101)]
    assert run.percentile(values, 0.5) == pytest.approx(50.5)
    assert run.percentile(values, 0.95) == pytest.approx(95.05)
    assert run.percentile([], 0.95) == 0.0
    assert load.percentile([7.0], 0.99) == 7.0


def test_a_target_verdict_says_by_how_much_it_is_missed():
    assert run.verdict(80.0, 100.0, "ms")["result"] == "PASS"
    missed = run.verdict(130.0, 100.0, "ms")
    assert missed["result"] == "MISS" and missed["over"] == 30.0
    assert missed["text"] == "MISS +30.0 ms (1.3x)"
    assert run.verdict(None, 100.0, "KB")["result"] == "n/a"


def test_a_miss_says_where_the_time_goes():
    sql_bound = {"p50_ms": 120.0, "bare_sql": {"p50_ms": 90.0}}
    assert run.miss_reason(sql_bound, "p95").startswith("SQL-bound: its queries take 90 of 120")
    python_bound = {"p50_ms": 120.0, "bare_sql": {"p50_ms": 20.0}}
    assert run.miss_reason(python_bound, "p95").startswith("Python-bound: 100 of 120 ms")
    login = {"p50_ms": 130.0, "bare_sql": {"p50_ms": 3.0}, "password_check_p50_ms": 110.0}
    assert "hash check alone takes 110.0 ms" in run.miss_reason(login, "p95")
    assert "150 KB" in run.miss_reason({"html_kb": 150}, "html")


def test_a_load_test_miss_says_whether_the_machine_was_saturated():
    report = {
        "errors": 0,
        "rps": 34.0,
        "database": {"cpus": 2},
        "load_average_after": [2.9, 1.0, 0.5],
        "per_request": {"/work/": {"p95_ms": 420.0}, "/cases/": {"p95_ms": 480.0}},
    }
    reason = load.miss_reason(report)
    assert "saturated (load average 2.9 on 2 CPUs at 34.0 req/s" in reason
    assert "slowest request /cases/ (p95 480 ms)" in reason
    calm = report | {"load_average_after": [0.5, 0.5, 0.5]}
    assert "saturated" not in load.miss_reason(calm)
    assert "failed" in load.miss_reason(report | {"errors": 3})


HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)
LOCUST_STATS = "\n".join(
    [
        HEADER,
        "GET,/cases/,24,0,44,60.5,12,229,33000.0,1.2,0.0,44,55,70,80,110,130,200,210,230,230,230",
        "POST,login,10,1,1000,990.1,700,1138,0.0,0.5,0.05,"
        "1000,1100,1100,1100,1100,1100,1100,1100,1100,1100,1100",
        ",Aggregated,34,1,60,300.2,12,1138,20000.0,1.7,0.05,"
        "60,90,120,200,900,1000,1100,1100,1100,1100,1100",
    ]
)


def test_it_parses_locust_statistics(tmp_path):
    stats_path = tmp_path / "locust_stats.csv"
    stats_path.write_text(LOCUST_STATS)
    (tmp_path / "locust_failures.csv").write_text(
        "Method,Name,Error,Occurrences\nPOST,login,sign-in refused,1\n"
    )

    stats = load.parse_locust_stats(stats_path)
    failures = load.parse_locust_failures(tmp_path / "locust_failures.csv")

    assert stats["/cases/"]["requests"] == 24 and stats["/cases/"]["p95_ms"] == 130
    assert stats["Aggregated"]["failures"] == 1 and stats["Aggregated"]["p99_ms"] == 1100
    assert stats["Aggregated"]["average_ms"] == 300.2
    assert failures == [
        {"method": "POST", "name": "login", "error": "sign-in refused", "occurrences": 1}
    ]
    assert load.parse_locust_failures(tmp_path / "missing.csv") == []


def test_it_summarises_response_times_with_and_without_the_sign_in():
    times = {"/work/": [10.0, 20.0, 30.0, 40.0], "login": [900.0, 1000.0]}

    everything = load.summarise_times(times)
    pages = load.summarise_times(times, exclude=load.SIGN_IN_NAMES)

    assert everything["requests"] == 6 and everything["max_ms"] == 1000.0
    assert pages == {"requests": 4, "p50_ms": 25.0, "p95_ms": 38.5, "p99_ms": 39.7, "max_ms": 40.0}
    assert load.verdict(0, 250.0)["result"] == "PASS"
    assert load.verdict(2, 350.0) == {
        "result": "MISS",
        "misses": ["2 error(s)", "p95 350 ms is 50 ms over 300"],
    }
