"""A throwaway PostgreSQL cluster for the test suite: initdb + pg_ctl from the installed
binaries, in a temp dir, on a free loopback port, as a non-root user (postgres refuses
to run as root). Removed when the test session ends."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time


class PostgresUnavailable(RuntimeError):
    pass


def find_bindir() -> str | None:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return os.path.dirname(found)
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return os.path.dirname(candidates[0]) if candidates else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self):
        self.bindir = find_bindir()
        if not self.bindir:
            raise PostgresUnavailable("PostgreSQL binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin")
        self.tmp = tempfile.mkdtemp(prefix="action-lms-pg-")
        self.datadir = os.path.join(self.tmp, "data")
        self.port = free_port()
        self.user = None
        if os.geteuid() == 0:
            self.user = "nobody"
            entry = pwd.getpwnam(self.user)
            os.chown(self.tmp, entry.pw_uid, entry.pw_gid)
        os.chmod(self.tmp, 0o700)

    def _run(self, *args, **kwargs):
        return subprocess.run(args, check=True, capture_output=True, text=True, user=self.user,
                              cwd=self.tmp, env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}, **kwargs)

    def start(self) -> str:
        try:
            self._run(os.path.join(self.bindir, "initdb"), "-D", self.datadir, "-U", "postgres", "-A", "trust",
                      "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
            opts = (f"-p {self.port} -k {self.tmp} -c listen_addresses=127.0.0.1 -c fsync=off "
                    "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300 "
                    "-c shared_buffers=64MB")
            self._run(os.path.join(self.bindir, "pg_ctl"), "-D", self.datadir, "-o", opts,
                      "-l", os.path.join(self.tmp, "server.log"), "-w", "-t", "60", "start")
        except subprocess.CalledProcessError as exc:
            self.stop()
            raise PostgresUnavailable(f"could not start PostgreSQL: {exc.stderr or exc.stdout}") from exc
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def create_database(self, name: str) -> str:
        import psycopg
        deadline = time.time() + 30
        while True:
            try:
                with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "{name}"')
                break
            except psycopg.OperationalError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if os.path.exists(os.path.join(self.datadir, "postmaster.pid")):
            try:
                self._run(os.path.join(self.bindir, "pg_ctl"), "-D", self.datadir, "-m", "immediate", "-w", "stop")
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)
