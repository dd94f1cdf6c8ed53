"""Cost per request that a busy machine does not move: CPU time or instruction counts.

    .venv/bin/python bench/cost.py [--repeat 50] [--warmup 5] [--only NAME,...]
    .venv/bin/python bench/cost.py --instructions [--requests 3] [--rounds 2]
    .venv/bin/python bench/cost.py --save-baseline bench/cost-baseline.json
    .venv/bin/python bench/cost.py --check bench/cost-baseline.json [--tolerance PCT]

Wall times jump when other work shares the machine; the CPU time this process spends on a
request only grows a little (caches, frequency), and its lowest values hardly at all, so the
minimum and the 25th percentile of time.process_time() over many requests are the figures to
compare. With --instructions the requests run in a child process under valgrind's callgrind,
which counts the instructions each one executes: the same on any load. Both use the anchors
and requests of bench/run.py (in process, through Django's test client). On PostgreSQL the
database server's own work is not counted (another process); on SQLite it is.

--save-baseline writes the figures with the machine and the git commit; --check compares with
such a file and exits 1 when a figure grew by more than the tolerance (10% for instructions,
25% for CPU min and p25). See bench/README.md.
"""

import argparse
import datetime
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import run as pages  # noqa: E402 - bench/run.py, beside this file

BENCHMARKS = (
    "case_page",
    "case_timeline_page2",
    "case_list",
    "case_list_case_worker",
    "my_work_case_worker",
)
# Per figure: how much it may grow over its baseline (percent) before --check fails.
TOLERANCE_PCT = {"cpu_min_ms": 25.0, "cpu_p25_ms": 25.0, "instructions_m": 10.0}
# callgrind dumps its counters each time the program enters this libc function
# (--dump-before). Nothing in Django, the application or SQLite calls ctermid(3), so only
# mark() below does: each dump holds exactly the instructions between two marks.
MARKER = "ctermid"


# --- CPU time, in process ------------------------------------------------------------------


def selected_benchmarks(names) -> list:
    """bench/run.py's benchmarks of these names, in its order (its anchors, its clients)."""
    anchors = pages.find_anchors([])  # no password: the sign-in is not a cost benchmark
    available = {bench.name: bench for bench in pages.build_benchmarks(anchors)}
    unknown = set(names) - set(available)
    if unknown:
        raise SystemExit(f"Unknown benchmark(s): {', '.join(sorted(unknown))}")
    return [bench for name, bench in available.items() if name in names]


def first_request(bench) -> dict:
    """One request with its queries counted and its status checked (part of the warm-up):
    a redirect to the sign-in would be cheap and wrong."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = bench.run()
    status = response.status_code if bench.kind == "http" else None
    ok = status == bench.expected_status if bench.kind == "http" else True
    return {"name": bench.name, "status": status, "ok": ok, "queries": len(captured)}


def cpu_figures(seconds: list[float]) -> dict:
    """Lowest, 25th and 50th percentile in ms: contention only adds, so the low figures are
    the ones that stay put."""
    ms = [value * 1000 for value in seconds]
    return {
        "cpu_min_ms": round(min(ms), 3),
        "cpu_p25_ms": round(pages.percentile(ms, 0.25), 3),
        "cpu_p50_ms": round(pages.percentile(ms, 0.50), 3),
    }


def measure_cpu(bench, repeat: int, warmup: int) -> dict:
    """Process time of each of *repeat* requests after *warmup* untimed ones."""
    result = first_request(bench)
    for _ in range(max(warmup - 1, 0)):
        bench.run()
    times = []
    for _ in range(repeat):
        start = time.process_time()
        bench.run()
        times.append(time.process_time() - start)
    return result | {"repeat": repeat} | cpu_figures(times)


# --- instructions, under callgrind ---------------------------------------------------------


def mark() -> None:
    """Enter ctermid(3): under callgrind --dump-before=ctermid, the counters are dumped here."""
    os.ctermid()


def run_segments(calls, requests: int, rounds: int) -> None:
    """The child's measured part: an empty segment (the marks' own cost), then *rounds* times
    each call *requests* times, each segment between two marks. A full garbage collection
    before each segment (between segments, not counted) starts each one from the same state."""
    segments = [(None, 0)] + [(call, requests) for _ in range(rounds) for call in calls]
    for call, count in segments:
        gc.collect()
        mark()
        for _ in range(count):
            call()
        mark()


def callgrind_command(out_file: Path, program: list[str]) -> list[str]:
    """valgrind running *program* (this script as the child), dumping at each mark."""
    return [
        "valgrind",
        "--tool=callgrind",
        f"--dump-before={MARKER}",
        "--dump-line=no",
        "--dump-instr=no",
        f"--callgrind-out-file={out_file}",
        *program,
    ]


def read_dumps(out_file: Path) -> list[int]:
    """The instruction totals of callgrind's dumps ``<out>.1``, ``<out>.2``..., in order (the
    file without a number is what ran after the last mark: the exit)."""
    parts = sorted(out_file.parent.glob(out_file.name + ".*"), key=lambda p: int(p.suffix[1:]))
    totals = []
    for part in parts:
        for line in part.read_text(errors="replace").splitlines():
            if line.startswith(("totals:", "summary:")):
                totals.append(int(line.split()[1]))
                break
    return totals


def per_request(dumps: list[int], names: list[str], requests: int, rounds: int) -> dict:
    """Instructions per request (millions) per benchmark from the dumps of run_segments: the
    dumps alternate between the gap before a segment and the segment itself; the empty
    segment's count (the marks) is taken off each. The figure is the lowest round; the spread
    between rounds says how repeatable it is."""
    segments = dumps[1::2]
    expected = 1 + rounds * len(names)
    if len(dumps) != 2 * expected:
        raise RuntimeError(
            f"callgrind wrote {len(dumps)} dumps, {2 * expected} expected: something else "
            f"called {MARKER}(), or the child failed"
        )
    empty, measured = segments[0], segments[1:]
    figures = {}
    for index, name in enumerate(names):
        rounds_m = [
            (measured[r * len(names) + index] - empty) / requests / 1e6 for r in range(rounds)
        ]
        low = min(rounds_m)
        figures[name] = {
            "instructions_m": round(low, 3),
            "rounds_m": [round(value, 3) for value in rounds_m],
            "spread_pct": round((max(rounds_m) - low) / low * 100, 3) if low > 0 else 0.0,
        }
    return figures


def child(args) -> int:
    """Under callgrind: warm up (and check) each benchmark, then the measured segments; the
    statuses and query counts go to --child-json after the last mark."""
    benches = selected_benchmarks(wanted(args.only))
    checks = {}
    for bench in benches:
        checks[bench.name] = first_request(bench)
        for _ in range(max(args.warmup - 1, 0)):
            bench.run()
    run_segments([bench.run for bench in benches], args.requests, args.rounds)
    Path(args.child_json).write_text(json.dumps(list(checks.values())))
    return 0


def measure_instructions(args) -> list[dict]:
    """Run the child under callgrind and read its dumps."""
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind).")
    work = Path(tempfile.mkdtemp(prefix="phteah-cost-"))
    try:
        out_file, checks_file = work / "callgrind.out", work / "checks.json"
        child_args = [
            "--child-json",
            str(checks_file),
            "--requests",
            str(args.requests),
            "--rounds",
            str(args.rounds),
            "--warmup",
            str(args.warmup),
            "--only",
            ",".join(wanted(args.only)),
        ]
        env = os.environ | {"PYTHONHASHSEED": "0"}  # same dict layouts in every run
        done = subprocess.run(
            callgrind_command(
                out_file, [sys.executable, str(Path(__file__).resolve()), *child_args]
            ),
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not checks_file.exists():
            raise RuntimeError(f"the child failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
        checks = json.loads(checks_file.read_text())
        names = [check["name"] for check in checks]
        figures = per_request(read_dumps(out_file), names, args.requests, args.rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return [
        check | {"requests": args.requests, "rounds": args.rounds} | figures[check["name"]]
        for check in checks
    ]


# --- baseline and gate (pure; unit-tested) -------------------------------------------------


def compare(baseline: dict, current: dict, tolerance: dict) -> list[dict]:
    """Each figure measured now and in the baseline (per benchmark name), with how much it
    grew in percent and whether that is over its tolerance."""
    rows = []
    for name, figures in current.items():
        before = baseline.get(name)
        if before is None:
            continue
        for figure, allowed in tolerance.items():
            if figure not in figures or not before.get(figure):
                continue
            growth = (figures[figure] - before[figure]) / before[figure] * 100
            rows.append(
                {
                    "name": name,
                    "figure": figure,
                    "baseline": before[figure],
                    "now": figures[figure],
                    "growth_pct": round(growth, 1),
                    "tolerance_pct": allowed,
                    "regression": growth > allowed,
                }
            )
    return rows


def tolerances(mode: str, override: float | None) -> dict:
    """The gated figures of the mode, each with its default tolerance or the one given."""
    figures = ("instructions_m",) if mode == "instructions" else ("cpu_min_ms", "cpu_p25_ms")
    return {f: TOLERANCE_PCT[f] if override is None else override for f in figures}


def gate_text(rows: list[dict]) -> list[str]:
    """One line per regression (by how much), then the verdict."""
    lines = [
        f"REGRESSION {r['name']} {r['figure']}: {r['baseline']} → {r['now']} "
        f"(+{r['growth_pct']:.1f}%, tolerance {r['tolerance_pct']:.0f}%)"
        for r in rows
        if r["regression"]
    ]
    if not rows:
        return ["check: no figure in common with the baseline"]
    worst = max(rows, key=lambda r: r["growth_pct"])
    verdict = "FAIL" if lines else "PASS"
    return [
        *lines,
        f"check: {verdict} — {len(rows)} figures compared, largest change "
        f"{worst['growth_pct']:+.1f}% ({worst['name']} {worst['figure']})",
    ]


def baseline_document(report: dict) -> dict:
    """What --save-baseline writes: the mode, the machine and commit, the figures by name."""
    return {
        "mode": report["mode"],
        "machine": report["machine"],
        "rows": report["rows"],
        "settings": report["settings"],
        "benchmarks": {b["name"]: b for b in report["benchmarks"]},
    }


# --- main ----------------------------------------------------------------------------------


def wanted(only: list[str]) -> list[str]:
    names = [name.strip() for item in only for name in item.split(",") if name.strip()]
    return names or list(BENCHMARKS)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=50, help="timed requests (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first (default 5)")
    parser.add_argument(
        "--only", action="append", default=[], help="benchmark name(s), comma-separated"
    )
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions under callgrind"
    )
    parser.add_argument(
        "--requests", type=int, default=3, help="--instructions: requests per round (default 3)"
    )
    parser.add_argument(
        "--rounds", type=int, default=2, help="--instructions: rounds, to show the spread"
    )
    parser.add_argument("--json", default="", help="where to write the results")
    parser.add_argument("--save-baseline", default="", metavar="PATH")
    parser.add_argument("--check", default="", metavar="PATH", help="compare with a baseline")
    parser.add_argument(
        "--tolerance",
        type=float,
        default=None,
        metavar="PCT",
        help="allowed growth in percent (default 10 for instructions, 25 for CPU)",
    )
    parser.add_argument("--child-json", default="", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def measure(args) -> dict:
    mode = "instructions" if args.instructions else "cpu"
    if mode == "cpu":
        results = [
            measure_cpu(b, args.repeat, args.warmup) for b in selected_benchmarks(wanted(args.only))
        ]
        settings = {"repeat": args.repeat, "warmup": args.warmup}
    else:
        results = measure_instructions(args)
        settings = {"requests": args.requests, "rounds": args.rounds, "warmup": args.warmup}
    return {
        "mode": mode,
        "machine": pages.machine_info(),
        "rows": pages.row_counts(),
        "settings": settings,
        "benchmarks": results,
    }


def table(report: dict) -> str:
    if report["mode"] == "cpu":
        head = f"{'benchmark':<22} {'st':>4} {'q':>4} {'cpu min':>9} {'cpu p25':>9} {'cpu p50':>9}"
        rows = [
            f"{r['name']:<22} {r['status'] or '-':>4} {r['queries']:>4} {r['cpu_min_ms']:>9.2f} "
            f"{r['cpu_p25_ms']:>9.2f} {r['cpu_p50_ms']:>9.2f}"
            for r in report["benchmarks"]
        ]
        unit = "ms of process time per request"
    else:
        head = f"{'benchmark':<22} {'st':>4} {'q':>4} {'Minstr':>9} {'spread':>8}  rounds"
        rows = [
            f"{r['name']:<22} {r['status'] or '-':>4} {r['queries']:>4} "
            f"{r['instructions_m']:>9.2f} {r['spread_pct']:>7.2f}%  "
            + " ".join(f"{v:.2f}" for v in r["rounds_m"])
            for r in report["benchmarks"]
        ]
        unit = "millions of instructions per request (callgrind), lowest round"
    return "\n".join([unit, head, "-" * len(head), *rows])


def main(argv=None) -> int:
    pages._django_setup()
    args = parse_args(argv)
    if args.child_json:
        return child(args)
    report = measure(args)
    machine = report["machine"]
    print(
        f"{machine['db_vendor']} · commit {machine['git_commit']}"
        f"{'+' if machine['git_dirty'] else ''} · {machine['cpus']} CPUs, load average "
        f"{machine['load_average'][0]}"
    )
    print(table(report))
    ok = all(r["ok"] for r in report["benchmarks"])
    if args.check:
        baseline = json.loads(Path(args.check).read_text())
        if baseline.get("mode") != report["mode"]:
            raise SystemExit(
                f"{args.check} holds {baseline.get('mode')} figures, not {report['mode']}"
            )
        current = {r["name"]: r for r in report["benchmarks"]}
        rows = compare(baseline["benchmarks"], current, tolerances(report["mode"], args.tolerance))
        report["check"] = {"baseline": args.check, "rows": rows}
        print("\n".join(gate_text(rows)))
        ok = ok and bool(rows) and not any(r["regression"] for r in rows)
    if args.save_baseline:
        path = Path(args.save_baseline)
        path.write_text(json.dumps(baseline_document(report), indent=2, ensure_ascii=False) + "\n")
        print(f"baseline: {path}")
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path(args.json) if args.json else RESULTS / f"cost-{report['mode']}-{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"JSON: {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
