"""A throwaway redis-server for the tests of the shared rate-limit store: started on a free
loopback port with no persistence, stopped when the test session ends. Without the binary
the tests skip with the reason, unless REQUIRE_REDIS=1 (CI), when they fail."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time

REQUIRE_REDIS = os.environ.get("REQUIRE_REDIS") == "1"


class RedisUnavailable(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self):
        self.binary = shutil.which("redis-server") or ("/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None)
        if not self.binary:
            raise RedisUnavailable("redis-server not found (apt-get install redis-server)")
        self.port = _free_port()
        self.tmp = tempfile.mkdtemp(prefix="action-lms-redis-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> str:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.tmp, "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return self.url
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RedisUnavailable("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None
        shutil.rmtree(self.tmp, ignore_errors=True)
