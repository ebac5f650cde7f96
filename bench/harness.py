"""Benchmark plumbing: a database (SQLite file or a throwaway PostgreSQL cluster), the app
served by gunicorn on loopback, a load generator, and peak-memory readings.

Everything runs on this machine and only talks to 127.0.0.1; every loop is bounded in
time and count."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pg_cluster import Cluster  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def database(kind: str):
    """Yield a DATABASE_URL for an empty database of the given kind."""
    if kind == "sqlite":
        tmp = tempfile.mkdtemp(prefix="action-lms-bench-")
        yield f"sqlite:///{tmp}/bench.db"
    else:
        cluster = Cluster()
        cluster.start()
        try:
            yield cluster.create_database("action_lms_bench")
        finally:
            cluster.stop()


def app_env(url: str, **extra) -> dict:
    env = {**os.environ, "FLASK_APP": "action_lms", "DATABASE_URL": url, "APP_ENV": "production",
           "SECRET_KEY": "bench-" + "x" * 40, "RATELIMIT_ENABLED": "false", "LOG_LEVEL": "WARNING",
           "CONSULTING_MIN_NOTICE_HOURS": "0"}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def flask(url: str, *args, **extra) -> float:
    """Run a flask command; returns its wall time in seconds."""
    start = time.perf_counter()
    subprocess.run([str(BIN / "flask"), *args], env=app_env(url, **extra), check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


@contextmanager
def gunicorn(url: str, workers: int = 2):
    port = free_port()
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", "wsgi:app"], env=app_env(url), cwd=ROOT,
                            start_new_session=True)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield port, proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)


def worker_peak_memory_mb(master_pid: int) -> float:
    """Largest VmHWM (peak resident memory) among the gunicorn workers."""
    peaks = []
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    pids = children.read_text().split() if children.exists() else []
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        except OSError:
            continue
    return max(peaks) if peaks else float("nan")


@dataclass
class LoadResult:
    name: str
    path: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def p99_ms(self) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def load(port: int, name: str, path: str, headers: dict | None = None, seconds: float = 5.0,
         concurrency: int = 4, max_requests: int = 20000) -> LoadResult:
    """Hit one GET endpoint from `concurrency` clients for `seconds` (a connection is reopened
    when the server closes it, as gunicorn's sync workers do after every response)."""
    result = LoadResult(name, path)
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    count = [0]

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop_at:
            with lock:
                if count[0] >= max_requests:
                    return
                count[0] += 1
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                response.read()
                elapsed = time.perf_counter() - start
                with lock:
                    result.latencies.append(elapsed)
                    result.statuses[response.status] = result.statuses.get(response.status, 0) + 1
            except OSError:
                with lock:
                    result.errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    result.seconds = time.perf_counter() - began
    return result


def fire_at_once(port: int, requests: list[tuple[str, str, dict, dict | None]]) -> list[tuple[int, dict]]:
    """Send (method, path, headers, json body) requests simultaneously, each on its own
    connection, released together by a barrier; returns (status, JSON body) per request
    (status -1 when the connection failed)."""
    barrier = threading.Barrier(len(requests))
    answers: list[tuple[int, dict]] = [(0, {})] * len(requests)

    def one(i, method, path, headers, body):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        data = json.dumps(body) if body is not None else None
        hdrs = {**headers, "Content-Type": "application/json"}
        try:
            try:
                conn.connect()
            finally:
                barrier.wait(120)  # everyone waits, connected or not, so no thread hangs
            conn.request(method, path, body=data, headers=hdrs)
            response = conn.getresponse()
            raw = response.read()
            try:
                parsed = json.loads(raw) if raw else {}
            except ValueError:
                parsed = {}
            answers[i] = (response.status, parsed if isinstance(parsed, dict) else {})
        except (OSError, threading.BrokenBarrierError):
            answers[i] = (-1, {})
        finally:
            conn.close()

    threads = [threading.Thread(target=one, args=(i, *r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    return answers
