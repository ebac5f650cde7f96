"""No single scheduler: two real `flask scheduler run` processes on PostgreSQL, one holding
the advisory lock and running the jobs, the other standing by. The leader hangs while
reminders fall due, then is killed with -9: the follower takes over within seconds and
sends them, each once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from action_lms.core.time import utcnow
from action_lms.scheduler import LEADER_LOCK_KEY

from ..conftest import BACKEND
from ..factories import make_registration, make_user, make_webinar

pytestmark = pytest.mark.skipif(BACKEND != "postgres", reason="the scheduler lock is PostgreSQL's (SQLite: one scheduler)")

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
LOCK_HOLDER = f"SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = {LEADER_LOCK_KEY} AND granted"


def start_scheduler(url: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "FLASK_APP": "action_lms", "DATABASE_URL": url, "APP_ENV": "development",
           "SCHEDULER_LEADER_POLL_SECONDS": "1", "MAIL_SERVER": "", "LOG_LEVEL": "WARNING"}
    return subprocess.Popen([FLASK, "scheduler", "run"], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_follower_takes_over_when_the_leader_is_killed(app, session, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    engine = create_engine(url)

    def lock_holders() -> list[int]:
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(text(LOCK_HOLDER))]

    def reminders() -> int:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM outbox_messages WHERE kind LIKE 'webinar_reminder%'")).scalar()

    first = start_scheduler(url, tmp_path / "first.log")
    processes = [first]
    try:
        wait_for(lock_holders, 30, "the first scheduler to take the lock")
        second = start_scheduler(url, tmp_path / "second.log")
        processes.append(second)
        wait_for(lambda: "waiting for the scheduler lock" in (tmp_path / "second.log").read_text(), 30, "the second scheduler")
        time.sleep(2)
        leader_pid = lock_holders()
        assert len(leader_pid) == 1  # one leader, one standing by
        assert "running the jobs" not in (tmp_path / "second.log").read_text()

        # The leader hangs (it keeps the lock but does nothing) while a webinar falls due for
        # its one-hour reminder; then it is killed.
        first.send_signal(signal.SIGSTOP)
        webinar = make_webinar("Indicators that work", starts_at=(utcnow() + timedelta(minutes=50)).replace(microsecond=0))
        for __ in range(3):  # registered days ago, so the reminder is theirs
            registration = make_registration(webinar, make_user("learner"))
            registration.created_at = registration.confirmed_at = utcnow() - timedelta(days=3)
        session.commit()
        time.sleep(2)
        assert reminders() == 0 and lock_holders() == leader_pid  # the follower did not step in early
        first.send_signal(signal.SIGKILL)
        first.wait(10)

        wait_for(lambda: "running the jobs" in (tmp_path / "second.log").read_text(), 30, "the follower to take over")
        assert lock_holders() and lock_holders() != leader_pid
        wait_for(lambda: reminders() == 3, 30, "the due reminders")
        time.sleep(3)  # another round of the job sends nothing twice
        assert reminders() == 3
        assert second.poll() is None
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(10)
        engine.dispose()
