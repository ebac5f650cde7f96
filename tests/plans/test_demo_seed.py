"""The demo seeder: Graz's current plan (two milestones completed with evidence, the
third in progress) and plans for two more cities; running it again adds nothing."""
from action_lms.demo import seed
from action_lms.plans.models import Plan, PlanHistory


def test_demo_seed_is_idempotent(app, session):
    seed()
    plans = {p.city.name: p for p in Plan.query.all()}
    assert set(plans) == {"Graz", "Heidelberg", "Bologna"}
    graz = plans["Graz"]
    assert graz.is_current
    statuses = [m.status for m in graz.milestones]
    assert statuses[:4] == ["completed", "completed", "in_progress", "not_started"]
    assert all((m.evidence_url or m.note) and m.completed_at for m in graz.milestones[:2])
    assert PlanHistory.query.filter_by(plan_id=graz.id, actor_name="Graz Coordinator").count() > 0
    counts = (Plan.query.count(), PlanHistory.query.count())
    seed()
    assert (Plan.query.count(), PlanHistory.query.count()) == counts
