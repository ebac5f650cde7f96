"""`make bench`: the benchmarks of a large deployment, on SQLite and on PostgreSQL.

For each database: migrate, import the courses (timed, then the no-op re-import), generate
the data of bench/generate.py, serve the app with gunicorn on loopback, load each endpoint
in turn and compare its median latency with the floor (a trivial JSON endpoint of the same
app measured in the same run), then the contention runs. Prints a table per database and
writes bench/RESULTS.md (the part above the notes marker; the notes are kept).

    python bench/run.py                       # both databases, 8 s per endpoint
    python bench/run.py --db sqlite --seconds 3 --scale 0.1
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
NOTES_MARKER = "<!-- notes: kept by bench/run.py; write analysis below this line -->"
TARGET_RATIO = 1.5


def endpoints(data: dict) -> list[tuple[str, str, str | None]]:
    """(name, path, role whose token is used); the first one is the floor."""
    return [
        ("floor: GET /healthz/live", "/healthz/live", None),
        ("reference: GET /api/v1/me", "/api/v1/me", "learner"),
        ("catalogue", "/api/v1/courses", "learner"),
        ("course progress", f"/api/v1/courses/{data['course_slug']}/progress", "learner"),
        ("webinar list", "/api/v1/webinars", "learner"),
        ("open-slot list", "/api/v1/slots?status=open", "coordinator"),
        ("city overview", "/api/v1/progress/cities?page_size=100", "admin"),
    ]


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def run_load(port: int, data: dict, seconds: float, concurrency: int) -> list[LoadResult]:
    results = []
    for name, path, role in endpoints(data):
        headers = auth(data["tokens"][role]) if role else {}
        load(port, name, path, headers, seconds=min(1.0, seconds), concurrency=concurrency)  # warm up
        results.append(load(port, name, path, headers, seconds=seconds, concurrency=concurrency))
    # The floor again at the end: the machine may have changed pace during the run.
    floor_again = load(port, "floor (again, at the end)", "/healthz/live", seconds=seconds, concurrency=concurrency)
    results.insert(1, floor_again)
    return results


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
        with gunicorn(url, workers=args.workers) as (port, proc):
            report["load"] = run_load(port, data, args.seconds, args.concurrency)
            report["contention"] = contention(port, data)
            report["worker_peak_mb"] = worker_peak_memory_mb(proc.pid)
    return report


def load_table(results: list[LoadResult]) -> list[str]:
    floor = results[0].median_ms
    lines = ["| endpoint | median ms | p99 ms | req/s | × floor median | within 1.5× | errors |",
             "|---|---:|---:|---:|---:|:-:|---|"]
    for i, r in enumerate(results):
        ratio = r.median_ms / floor if floor else float("nan")
        is_target = not r.name.startswith(("floor", "reference"))
        bad = {s: n for s, n in r.statuses.items() if s != 200}
        errors = ", ".join(f"{n}×{s}" for s, n in sorted(bad.items())) + (f" {r.errors} failed" if r.errors else "")
        lines.append(f"| {r.name} | {r.median_ms:.2f} | {r.p99_ms:.2f} | {r.throughput:.0f} | {ratio:.2f} | "
                     f"{('yes' if ratio <= TARGET_RATIO else '**no**') if is_target else '–'} | {errors or '0'} |")
    return lines


def report_lines(report: dict) -> list[str]:
    c = report["contention"]
    b, r = c["booking"], c["registration"]
    counts = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in report["counts"].items())
    lines = [f"### {'SQLite' if report['database'] == 'sqlite' else 'PostgreSQL'}", "",
             f"Data: {counts}.", "",
             f"Migrations {report['migrate_s']:.1f} s; data generation {report['generate_s']:.1f} s.", "",
             f"Course import (all content, empty database): {report['import_s']:.2f} s; no-op re-import: "
             f"{report['reimport_s']:.2f} s (both include the CLI's start-up, {report['cli_startup_s']:.2f} s "
             "for `flask courses --help`).", "",
             *load_table(report["load"]), "",
             f"Peak resident memory of a gunicorn worker after the run: {report['worker_peak_mb']:.0f} MB.", "",
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


def write_results(reports: list[dict], args) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    head = ["# Benchmark results", "",
            f"Run on {now} by `make bench` (`python bench/run.py "
            f"--seconds {args.seconds:g} --concurrency {args.concurrency} --workers {args.workers} --scale {args.scale:g}`).",
            "", f"Machine: {machine()}.", "",
            f"gunicorn with {args.workers} sync workers on 127.0.0.1; {args.concurrency} clients per endpoint for "
            f"{args.seconds:g} s after a 1 s warm-up (sync workers close each connection, so every request, the "
            "floor's too, opens one). The load generator runs on the same machine. "
            f"Target: every endpoint's median within {TARGET_RATIO}× the floor's median (the floor is "
            "`/healthz/live`, a JSON response of the same app without database or login; it is measured first and "
            "again last). `GET /api/v1/me` is a reference, not a target: the cost of token authentication alone. "
            "The PostgreSQL cluster is the suite's throwaway one (fsync off).", ""]
    body = []
    for report in reports:
        body += report_lines(report)
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
        write_results(reports, args)
        print(f"Written to {RESULTS.relative_to(ROOT)}")
    ok = all(r["contention"]["booking"]["5xx"] == 0 and r["contention"]["registration"]["5xx"] == 0 for r in reports)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
