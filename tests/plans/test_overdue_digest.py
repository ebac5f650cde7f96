"""The weekly overdue digest: once per ISO week per city (in the city's own calendar), to
each coordinator of the city, none when nothing is overdue."""
from datetime import UTC, date, datetime

import pytest

from action_lms.core.models import OutboxMessage
from action_lms.plans.services import send_overdue_digests

from ..factories import make_city, make_plan, make_user


def at(text):
    return datetime.fromisoformat(text).astimezone(UTC)


def digests():
    return OutboxMessage.query.filter_by(kind="plans.overdue_digest").order_by(OutboxMessage.id).all()


@pytest.fixture
def graz(session):
    return make_city("Graz", "AT", "Europe/Vienna")


def test_overdue_milestones_send_one_digest_per_coordinator_per_week(graz):
    coordinators = [make_user("coordinator", city=graz, name="Grete"), make_user("coordinator", city=graz, name="Hans")]
    make_user("learner", city=graz)
    make_plan(graz, title="Graz plan", statuses={"coordination_team": "completed"},
              due={"political_mandate": date(2027, 3, 1), "coordination_team": date(2027, 2, 1),
                   "baseline_assessment": date(2027, 3, 20)})
    result = send_overdue_digests(now=at("2027-03-10T09:00:00+01:00"))  # Wednesday of week 10
    assert result == {"cities_with_overdue": 1, "queued": 2}
    messages = digests()
    assert sorted(m.to_email for m in messages) == sorted(c.email for c in coordinators)
    body = messages[0].body_text
    assert "Political mandate" in body and "9 days overdue" in body
    assert "Coordination team" not in body  # completed, not overdue
    assert "Baseline assessment" not in body  # not due yet
    assert "1 overdue milestone in Graz" in messages[0].subject
    assert "/plans/" in body

    # later in the same week, and a second process running at the same time: nothing more
    for when in ("2027-03-10T10:00:00+01:00", "2027-03-14T23:30:00+01:00"):
        assert send_overdue_digests(now=at(when))["queued"] == 0
    assert len(digests()) == 2
    # the next ISO week: a new digest
    assert send_overdue_digests(now=at("2027-03-15T08:00:00+01:00"))["queued"] == 2
    assert len(digests()) == 4


def test_no_digest_when_nothing_is_overdue(graz):
    make_user("coordinator", city=graz)
    make_plan(graz, statuses={"political_mandate": "completed"},
              due={"political_mandate": date(2027, 1, 1), "coordination_team": date(2027, 3, 10)})
    # due today (in Graz) is not overdue; completed ones never are
    assert send_overdue_digests(now=at("2027-03-10T20:00:00+01:00")) == {"cities_with_overdue": 0, "queued": 0}
    assert digests() == []


def test_only_the_current_plan_counts_and_other_cities_are_separate(graz):
    ghent = make_city("Ghent", "BE", "Europe/Brussels")
    make_user("coordinator", city=graz)
    ghent_coordinator = make_user("coordinator", city=ghent)
    make_plan(graz, title="Old plan", due={"adoption": date(2020, 1, 1)})
    make_plan(graz, title="New plan")  # the old plan is no longer current
    make_plan(ghent, due={"draft_plan": date(2027, 1, 1)})
    assert send_overdue_digests(now=at("2027-03-10T09:00:00+01:00"))["queued"] == 1
    assert [m.to_email for m in digests()] == [ghent_coordinator.email]


def test_week_and_overdue_follow_the_city_calendar_across_the_dst_change(graz):
    """Last Sunday of October 2026: Vienna goes from CEST to CET. At 23:30 UTC on Sunday
    25 Oct it is already Monday 26 Oct 00:30 in Graz: a new ISO week there, and a milestone
    due on Sunday 25 Oct is overdue in Graz although it is still Sunday in UTC."""
    make_user("coordinator", city=graz)
    plan = make_plan(graz, due={"political_mandate": date(2026, 10, 25)})
    assert send_overdue_digests(now=at("2026-10-25T22:30:00+00:00"))["queued"] == 0  # 23:30 Sunday in Graz
    assert send_overdue_digests(now=at("2026-10-25T23:30:00+00:00"))["queued"] == 1  # 00:30 Monday, week 44
    assert "2026-W44" in digests()[0].dedupe_key and f"city-{plan.city_id}" in digests()[0].dedupe_key
    # the rest of the week (Sunday 1 Nov 23:59 local) adds nothing; Monday 2 Nov (week 45) does
    assert send_overdue_digests(now=at("2026-11-01T22:59:00+00:00"))["queued"] == 0
    assert send_overdue_digests(now=at("2026-11-01T23:01:00+00:00"))["queued"] == 1


def test_erased_or_inactive_coordinators_get_nothing(graz):
    make_user("coordinator", city=graz, active=False)
    make_plan(graz, due={"political_mandate": date(2027, 1, 1)})
    assert send_overdue_digests(now=at("2027-03-10T09:00:00+01:00")) == {"cities_with_overdue": 1, "queued": 0}


def test_the_job_is_registered_hourly(app):
    from action_lms.scheduler import jobs
    job = next(j for j in jobs(app) if j.id == "plans_overdue_digest")
    assert job.func is send_overdue_digests and job.seconds == 3600
