"""`make bench`: the benchmarks of a large deployment, on SQLite and on PostgreSQL.

For each database: migrate, import the courses (timed, then the no-op re-import), generate
the data of bench/generate.py, serve the app with gunicorn on loopback, load each endpoint
in turn and compare its median latency with the floor (a trivial JSON endpoint of the same
app measured in the same run), then the contention runs. Prints a table per database and
writes bench/RESULTS.md (the part above the notes marker; the notes are kept).

    python bench/run.py                       # both databases, 8 s per endpoint
    python bench/run.py --db sqlite --seconds 3 --scale 0.1 --no-write
    python bench/run.py --db postgres --scale 10   # ten times the deployment (about 40 minutes)

Each run is kept as bench/runs/<database>-scale<k>.json; RESULTS.md is built from all of
them, with a table of scale 10 against scale 1 when both are there.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from harness import ROOT, PYTHON, LoadResult, app_env, database, fire_at_once, flask, gunicorn, load, \
    worker_peak_memory_mb

RESULTS = ROOT / "bench" / "RESULTS.md"
RUNS = ROOT / "bench" / "runs"  # one JSON per database and scale; RESULTS.md is built from them
NOTES_MARKER = "<!-- notes: kept by bench/run.py; write analysis below this line -->"
REQUEST_TARGET = 1.5  # an authenticated request that does one indexed read
LIST_TARGET = 2.0
REPORT_TARGET = 3.0  # the cross-city overview and the impact report
SCALE_TARGET = 1.25  # ratio at scale 10 over ratio at scale 1
MEMORY_TARGET_MB = 150


def endpoints(data: dict) -> list[tuple[str, str, str | None, float | None]]:
    """(name, path, role whose token is used, target ratio); the first one is the floor."""
    return [
        ("floor: GET /healthz/live", "/healthz/live", None, None),
        ("request: GET /api/v1/me", "/api/v1/me", "learner", REQUEST_TARGET),
        ("catalogue", "/api/v1/courses", "learner", LIST_TARGET),
        ("course progress", f"/api/v1/courses/{data['course_slug']}/progress", "learner", LIST_TARGET),
        ("webinar list", "/api/v1/webinars", "learner", LIST_TARGET),
        ("open-slot list", "/api/v1/slots?status=open", "coordinator", LIST_TARGET),
        ("practice library", "/api/v1/practices", "learner", LIST_TARGET),
        ("exchange list", "/api/v1/exchanges", "coordinator", LIST_TARGET),
        ("city overview", "/api/v1/progress/cities?page_size=100", "admin", REPORT_TARGET),
        ("impact report", "/api/v1/impact", "admin", REPORT_TARGET),
    ]


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _row(result: LoadResult, target: float | None) -> dict:
    return {"name": result.name, "path": result.path, "median_ms": result.median_ms, "p99_ms": result.p99_ms,
            "throughput": result.throughput, "statuses": {str(k): v for k, v in result.statuses.items()},
            "errors": result.errors, "target": target}


def run_load(port: int, data: dict, seconds: float, concurrency: int) -> list[dict]:
    results = []
    for name, path, role, target in endpoints(data):
        headers = auth(data["tokens"][role]) if role else {}
        load(port, name, path, headers, seconds=min(1.0, seconds), concurrency=concurrency)  # warm up
        results.append(_row(load(port, name, path, headers, seconds=seconds, concurrency=concurrency), target))
    # The floor again at the end: the machine may have changed pace during the run.
    floor_again = load(port, "floor (again, at the end)", "/healthz/live", seconds=seconds, concurrency=concurrency)
    results.insert(1, _row(floor_again, None))
    return results


def query_counts(url: str, data: dict) -> dict[str, int]:
    """SQL statements per request of each endpoint (in-process, a request already warmed up)."""
    code = (
        "import json, sys\n"
        "from sqlalchemy import event\n"
        "from action_lms import create_app\n"
        "from action_lms.extensions import db\n"
        "specs = json.loads(sys.argv[1])\n"
        "app = create_app({'SCHEDULER_IN_PROCESS': False})\n"
        "client = app.test_client()\n"
        "with app.app_context():\n"
        "    engine = db.engine\n"
        "seen = []\n"
        "event.listen(engine, 'before_cursor_execute', lambda *a: seen.append(1))\n"
        "out = {}\n"
        "for name, path, token in specs:\n"
        "    headers = {'Authorization': 'Bearer ' + token} if token else {}\n"
        "    client.get(path, headers=headers)\n"
        "    seen.clear()\n"
        "    assert client.get(path, headers=headers).status_code == 200, path\n"
        "    out[name] = len(seen)\n"
        "print(json.dumps(out))\n"
    )
    specs = [(name, path, data["tokens"][role] if role else None) for name, path, role, _t in endpoints(data)]
    out = subprocess.run([PYTHON, "-c", code, json.dumps(specs)], env=app_env(url), cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def contention(port: int, data: dict) -> dict:
    c = data["contention"]
    tokens = c["coordinator_tokens"]
    booking = fire_at_once(port, [
        ("POST", f"/api/v1/slots/{c['slot_id']}/booking", auth(tokens[i % len(tokens)]),
         {"topic": "Contention", "questions": "Who gets the slot?"}) for i in range(200)])
    registration = fire_at_once(port, [
        ("POST", f"/api/v1/webinars/{c['webinar_id']}/registrations", auth(token), None)
        for token in c["learner_tokens"][:500]])
    confirmed = [body for status, body in registration if status == 201 and body.get("status") == "confirmed"]
    waitlisted = [body for status, body in registration if status == 201 and body.get("status") == "waitlisted"]
    positions = [body.get("waitlist_position") for body in waitlisted]
    return {
        "booking": {"attempts": 200, "201": sum(1 for s, _ in booking if s == 201),
                    "409": sum(1 for s, _ in booking if s == 409),
                    "5xx": sum(1 for s, _ in booking if s >= 500 or s < 0),
                    "other": sorted({s for s, _ in booking if s not in (201, 409) and 0 < s < 500})},
        "registration": {"attempts": len(registration), "confirmed": len(confirmed), "waitlisted": len(waitlisted),
                         "distinct_positions": len(set(positions)),
                         "positions_1_to_n": sorted(positions) == list(range(1, len(positions) + 1)),
                         "5xx": sum(1 for s, _ in registration if s >= 500 or s < 0),
                         "other": sorted({s for s, _ in registration if s != 201 and 0 < s < 500})},
    }


def run_database(kind: str, args) -> dict:
    report: dict = {"database": kind}
    with database(kind) as url:
        report["migrate_s"] = flask(url, "db", "upgrade")
        report["cli_startup_s"] = flask(url, "courses", "--help")
        report["import_s"] = flask(url, "courses", "import", "courses/")
        report["reimport_s"] = flask(url, "courses", "import", "courses/")
        start = time.perf_counter()
        out = subprocess.run([PYTHON, str(ROOT / "bench" / "generate.py"), url, str(args.scale)], env=app_env(url),
                             cwd=ROOT, check=True, capture_output=True, text=True).stdout
        report["generate_s"] = time.perf_counter() - start
        data = json.loads(out)
        report["counts"] = data["counts"]
        if kind == "postgres":
            subprocess.run([PYTHON, "-c", "import sys; from sqlalchemy import create_engine, text;"
                            "e = create_engine(sys.argv[1].replace('postgresql://', 'postgresql+psycopg://', 1));"
                            "c = e.connect().execution_options(isolation_level='AUTOCOMMIT');"
                            "c.execute(text('VACUUM ANALYZE'))", url], check=True)
        report["queries"] = query_counts(url, data)
        with gunicorn(url, workers=args.workers) as (port, proc):
            report["load"] = run_load(port, data, args.seconds, args.concurrency)
            report["worker_peak_mb"] = worker_peak_memory_mb(proc.pid)  # after the load, before contention
            report["contention"] = contention(port, data)
    report["scale"] = args.scale
    report["run_at"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    report["command"] = (f"python bench/run.py --db {kind} --seconds {args.seconds:g} --concurrency "
                         f"{args.concurrency} --workers {args.workers} --scale {args.scale:g}")
    return report


def ratios(report: dict) -> dict[str, float]:
    floor = report["load"][0]["median_ms"]
    return {r["name"]: r["median_ms"] / floor for r in report["load"]}


def load_table(report: dict) -> list[str]:
    results, queries = report["load"], report.get("queries", {})
    floor = results[0]["median_ms"]
    lines = ["| endpoint | median ms | p99 ms | req/s | × floor median | target | met | queries | errors |",
             "|---|---:|---:|---:|---:|---:|:-:|---:|---|"]
    for r in results:
        ratio = r["median_ms"] / floor if floor else float("nan")
        target = r.get("target")
        bad = {s: n for s, n in r["statuses"].items() if s != "200"}
        errors = ", ".join(f"{n}×{s}" for s, n in sorted(bad.items())) + (f" {r['errors']} failed" if r["errors"] else "")
        met = ("yes" if ratio <= target else "**no**") if target else "–"
        lines.append(f"| {r['name']} | {r['median_ms']:.2f} | {r['p99_ms']:.2f} | {r['throughput']:.0f} | {ratio:.2f} | "
                     f"{f'{target:g}×' if target else '–'} | {met} | {queries.get(r['name'], '–')} | {errors or '0'} |")
    return lines


def scale_table(small: dict, large: dict) -> list[str]:
    """Each endpoint's ratio at scale 10 against its ratio at scale 1, and its queries."""
    a, b = ratios(small), ratios(large)
    qa, qb = small.get("queries", {}), large.get("queries", {})
    lines = [f"| endpoint | × floor at scale {small['scale']:g} | × floor at scale {large['scale']:g} | growth | "
             f"within {SCALE_TARGET}× | queries (scale {small['scale']:g} → {large['scale']:g}) |",
             "|---|---:|---:|---:|:-:|---|"]
    for r in large["load"]:
        name = r["name"]
        if name.startswith("floor") or name not in a:
            continue
        growth = b[name] / a[name]
        lines.append(f"| {name} | {a[name]:.2f} | {b[name]:.2f} | {growth:.2f} | "
                     f"{'yes' if growth <= SCALE_TARGET else '**no**'} | {qa.get(name, '–')} → {qb.get(name, '–')} |")
    return lines


def report_lines(report: dict) -> list[str]:
    c = report["contention"]
    b, r = c["booking"], c["registration"]
    counts = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in report["counts"].items())
    memory = report["worker_peak_mb"]
    lines = [f"### {'SQLite' if report['database'] == 'sqlite' else 'PostgreSQL'}, scale {report['scale']:g}", "",
             f"Run on {report['run_at']}: `{report['command']}`.", "",
             f"Data: {counts}.", "",
             f"Migrations {report['migrate_s']:.1f} s; data generation {report['generate_s']:.1f} s.", "",
             f"Course import (all content, empty database): {report['import_s']:.2f} s; no-op re-import: "
             f"{report['reimport_s']:.2f} s (both include the CLI's start-up, {report['cli_startup_s']:.2f} s "
             "for `flask courses --help`).", "",
             *load_table(report), "",
             f"Peak resident memory of a gunicorn worker after the load: {memory:.0f} MB "
             f"({'within' if memory <= MEMORY_TARGET_MB else '**over**'} the {MEMORY_TARGET_MB} MB target).", "",
             "Contention:", "",
             f"- {b['attempts']} simultaneous bookings of one slot: {b['201']} × 201, {b['409']} × 409, "
             f"{b['5xx']} × 5xx{'; other: ' + str(b['other']) if b['other'] else ''} "
             f"({'as expected' if (b['201'], b['409'], b['5xx']) == (1, b['attempts'] - 1, 0) else '**unexpected**'}).",
             f"- {r['attempts']} simultaneous registrations for 100 seats: {r['confirmed']} confirmed, "
             f"{r['waitlisted']} waitlisted with {r['distinct_positions']} distinct positions"
             f"{' (1..' + str(r['waitlisted']) + ')' if r['positions_1_to_n'] else ''}, {r['5xx']} × 5xx"
             f"{'; other: ' + str(r['other']) if r['other'] else ''} "
             f"({'as expected' if (r['confirmed'], r['waitlisted'], r['distinct_positions'], r['5xx']) == (100, r['attempts'] - 100, r['attempts'] - 100, 0) else '**unexpected**'}).",
             ""]
    return lines


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    pg = ""
    try:
        from tests.pg_cluster import find_bindir
        bindir = find_bindir()
        if bindir:
            pg = ", " + subprocess.run([os.path.join(bindir, "postgres"), "--version"], capture_output=True,
                                       text=True).stdout.strip()
    except Exception:  # noqa: BLE001 - the machine line is informative only
        pass
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}){mem}; Python "
            f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}{pg}")


def run_file(database_kind: str, scale: float) -> Path:
    return RUNS / f"{database_kind}-scale{scale:g}.json"


def write_results(args) -> str:
    """RESULTS.md from every kept run (bench/runs/*.json); the notes below the marker stay."""
    runs = {(r["database"], r["scale"]): r for r in (json.loads(p.read_text()) for p in sorted(RUNS.glob("*.json")))}
    head = ["# Benchmark results", "",
            f"Built by `bench/run.py` from the runs kept in `bench/runs/` (each says when and how it ran). "
            f"Machine: {machine()}.", "",
            "gunicorn with sync workers on 127.0.0.1, concurrent clients per endpoint after a 1 s warm-up (sync "
            "workers close each connection, so every request, the floor's too, opens one). The load generator "
            "runs on the same machine. Every median is compared with the floor's median in the same run (the "
            "floor is `/healthz/live`, a JSON response of the same app without database or login, measured first "
            f"and again last). Targets: an authenticated request with one indexed read within {REQUEST_TARGET}×, "
            f"lists within {LIST_TARGET}×, the cross-city overview and the impact report within {REPORT_TARGET}×; at "
            f"scale 10 each ratio within {SCALE_TARGET}× of its ratio at scale 1 with the same queries per request; "
            f"a worker under {MEMORY_TARGET_MB} MB. `queries` is the SQL statements of one request. The PostgreSQL "
            "cluster is the suite's throwaway one (fsync off).", ""]
    body = []
    for key in sorted(runs, key=lambda k: (k[1], k[0] != "sqlite")):
        body += report_lines(runs[key])
    for kind in ("postgres", "sqlite"):
        scales = sorted(scale for k, scale in runs if k == kind)
        if len(scales) > 1:
            small, large = runs[(kind, scales[0])], runs[(kind, scales[-1])]
            body += [f"### {'PostgreSQL' if kind == 'postgres' else 'SQLite'}: scale {large['scale']:g} against "
                     f"scale {small['scale']:g}", "", *scale_table(small, large), ""]
    text = "\n".join(head + body)
    notes = ""
    if RESULTS.exists() and NOTES_MARKER in RESULTS.read_text():
        notes = RESULTS.read_text().split(NOTES_MARKER, 1)[1]
    RESULTS.write_text(text + "\n" + NOTES_MARKER + (notes or "\n"))
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--seconds", type=float, default=8.0, help="load time per endpoint")
    parser.add_argument("--concurrency", type=int, default=2, help="simultaneous clients per endpoint")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--scale", type=float, default=1.0, help="data size relative to the target deployment")
    parser.add_argument("--no-write", action="store_true", help="print only, leave bench/RESULTS.md alone")
    args = parser.parse_args()
    reports = []
    for kind in args.db.split(","):
        print(f"== {kind}: setting up (migrations, import, data generation)...", flush=True)
        report = run_database(kind.strip(), args)
        print("\n".join(report_lines(report)), flush=True)
        reports.append(report)
        if not args.no_write:
            RUNS.mkdir(exist_ok=True)
            run_file(report["database"], args.scale).write_text(json.dumps(report, indent=1) + "\n")
    if not args.no_write:
        write_results(args)
        print(f"Written to {RESULTS.relative_to(ROOT)}")
    ok = all(r["contention"]["booking"]["5xx"] == 0 and r["contention"]["registration"]["5xx"] == 0 for r in reports)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
