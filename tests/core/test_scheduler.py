"""The scheduler: fixed job ids, coalescing, one instance at a time; jobs take `now`."""
from action_lms import scheduler
from action_lms.core.models import OutboxMessage
from action_lms.core import outbox
from action_lms.extensions import db

from ..factories import make_user


def test_jobs_have_fixed_ids_and_safe_defaults(app):
    sched = scheduler.build_scheduler(app)
    sched.start(paused=True)
    try:
        jobs = {job.id: job for job in sched.get_jobs()}
    finally:
        sched.shutdown(wait=False)
    assert "deliver_outbox" in jobs
    assert set(jobs) == {j.id for j in scheduler.jobs(app)}
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1


def test_tick_runs_jobs_once(app):
    outbox.queue(make_user(), "welcome", "Welcome", "welcome.txt", {}, "tick-1")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["scheduler", "tick", "deliver_outbox"])
    assert result.exit_code == 0 and "'logged': 1" in result.output
    db.session.expire_all()
    assert db.session.query(OutboxMessage).one().status == "logged"


def test_a_failing_job_does_not_stop_the_scheduler(app, caplog):
    def broken(now):
        raise RuntimeError("boom")
    assert scheduler.run_job(app, scheduler.Job("broken", broken, 60)) is None
    assert "Scheduled job broken failed" in caplog.text
