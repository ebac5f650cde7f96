"""Two versions of the code on the same data, in the same minutes: each endpoint of run.py
served by gunicorn from a checkout of REF (before) and from this tree (after), one after the
other, on one generated deployment. On a shared machine whose pace changes from one minute to
the next, this is the fair before/after.

    python bench/compare.py 991b0e2 --db postgres --seconds 4

Prints a Markdown table of medians and ratios to each server's own floor. The checkout is a
temporary `git worktree` (removed at the end); it is served with this tree's virtualenv."""
from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

from harness import BIN, PYTHON, ROOT, app_env, database, flask, free_port, load
from run import endpoints


def serve(cwd: str, url: str):
    port = free_port()
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                             "wsgi:app"], env=app_env(url), cwd=cwd, start_new_session=True)
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGTERM)
    raise SystemExit(f"gunicorn did not start in {cwd}")


def measure(cwd: str, url: str, data: dict, seconds: float) -> dict:
    proc, port = serve(cwd, url)
    try:
        results = {}
        for name, path, role, _target in endpoints(data):
            headers = {"Authorization": "Bearer " + data["tokens"][role]} if role else {}
            load(port, name, path, headers, seconds=1, concurrency=2)  # warm up
            result = load(port, name, path, headers, seconds=seconds, concurrency=2)
            results[name] = (result.median_ms, sorted(result.statuses))
        return results
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", help="the version before (a commit, branch or tag)")
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    before = tempfile.mkdtemp(prefix="action-lms-before-")
    subprocess.run(["git", "worktree", "add", "--detach", before, args.ref], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    try:
        with database(args.db) as url:
            flask(url, "db", "upgrade")  # this tree's migrations: a superset of the older ones
            flask(url, "courses", "import", str(ROOT / "courses"))
            out = subprocess.run([PYTHON, str(ROOT / "bench" / "generate.py"), url, str(args.scale)],
                                 env=app_env(url), cwd=ROOT, check=True, capture_output=True, text=True).stdout
            data = json.loads(out)
            if args.db == "postgres":
                subprocess.run([PYTHON, "-c", "import sys; from sqlalchemy import create_engine, text;"
                                "e = create_engine(sys.argv[1].replace('postgresql://', 'postgresql+psycopg://', 1));"
                                "c = e.connect().execution_options(isolation_level='AUTOCOMMIT');"
                                "c.execute(text('VACUUM ANALYZE'))", url], check=True)
            old = measure(before, url, data, args.seconds)
            new = measure(str(ROOT), url, data, args.seconds)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", before], cwd=ROOT, check=False)
    floor = "floor: GET /healthz/live"
    print(f"| endpoint | before ms | before × floor | after ms | after × floor |\n|---|---:|---:|---:|---:|")
    for name in new:
        (o, so), (n, sn) = old.get(name, (float("nan"), [])), new[name]
        note = "" if so == [200] and sn == [200] else f" statuses {so} / {sn}"
        print(f"| {name} | {o:.2f} | {o / old[floor][0]:.2f} | {n:.2f} | {n / new[floor][0]:.2f} |{note}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
