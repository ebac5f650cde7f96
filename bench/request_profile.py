"""Where one request's time goes, in-process (no gunicorn, no sockets): the floor against an
endpoint, the SQL statements it runs with their times, and (--profile) a cProfile of it.

    python bench/request_profile.py                         # /api/v1/me on a small SQLite deployment
    python bench/request_profile.py --path learner:/api/v1/webinars --path admin:/api/v1/impact --db postgres --profile
    python bench/request_profile.py --database-url sqlite:////tmp/bench.db --tokens tokens.json

Without --database-url it migrates a fresh database, imports the courses and generates a
small deployment (bench/generate.py at --scale). Prints medians over --repeat requests.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def median_ms(client, path: str, headers: dict, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
    return statistics.median(times) * 1000


@contextmanager
def prepared(args):
    if args.database_url:
        yield args.database_url, json.loads(Path(args.tokens).read_text())
        return
    from harness import database, flask

    with database(args.db) as url:
        flask(url, "db", "upgrade")
        flask(url, "courses", "import", str(ROOT / "courses"))
        os.environ["DATABASE_URL"] = url
        from action_lms import create_app
        from generate import Scale, generate

        app = create_app({"SCHEDULER_IN_PROCESS": False})
        with app.app_context():
            data = generate(Scale().scaled(args.scale))
        yield url, data


def sql_timer(engine):
    from sqlalchemy import event

    class Log(list):
        pass

    log = Log()

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("started", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        log.append(((time.perf_counter() - conn.info["started"].pop()) * 1000, " ".join(statement.split())[:160]))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    log.before, log.after = before, after
    return log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--path", action="append", help="ROLE:PATH (repeatable; default learner:/api/v1/me)")
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--database-url")
    parser.add_argument("--tokens", help="JSON with the generator's output (with --database-url)")
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of each path")
    args = parser.parse_args()

    with prepared(args) as (url, data):
        os.environ.update({"DATABASE_URL": url, "APP_ENV": "production", "SECRET_KEY": "bench-" + "x" * 40,
                           "RATELIMIT_ENABLED": "false", "LOG_LEVEL": "WARNING"})
        from action_lms import create_app
        from action_lms.extensions import db

        app = create_app({"SCHEDULER_IN_PROCESS": False})
        client = app.test_client()
        with app.app_context():
            engine = db.engine
        floor = None
        for spec in args.path or ["learner:/api/v1/me"]:
            role, _, path = spec.partition(":")
            path = path.replace("{course_slug}", data.get("course_slug", ""))
            headers = {"Authorization": f"Bearer {data['tokens'][role]}"}
            for _ in range(20):  # warm up: imports, compiled statements, the pool
                client.get("/healthz/live")
                client.get(path, headers=headers)
            if floor is None:
                floor = median_ms(client, "/healthz/live", {}, args.repeat)
                print(f"in-process medians over {args.repeat} requests ({args.db}); floor /healthz/live {floor:.3f} ms")
            target = median_ms(client, path, headers, args.repeat)
            log = sql_timer(engine)
            client.get(path, headers=headers)
            from sqlalchemy import event

            print(f"\n{role} {path}: {target:.3f} ms ({target / floor:.2f}x); "
                  f"{len(log)} statements, {sum(ms for ms, _ in log):.3f} ms in the database")
            for ms, statement in log:
                print(f"  {ms:7.3f} ms  {statement}")
            event.remove(engine, "before_cursor_execute", log.before)
            event.remove(engine, "after_cursor_execute", log.after)
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.repeat):
                    client.get(path, headers=headers)
                profiler.disable()
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                stats.sort_stats("cumulative").print_stats(args.top)
                stats.sort_stats("tottime").print_stats(args.top)
                print(out.getvalue())


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        main()
