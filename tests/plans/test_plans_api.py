"""Plans and milestones through the API: template, creation, status and evidence rules,
reopening, history, progress and phase, one current plan per city."""
from datetime import date

import pytest

from action_lms.plans import services
from action_lms.plans.models import Plan, PlanHistory
from action_lms.plans.template import MILESTONE_KEYS, MILESTONES

from ..conftest import run_concurrently
from ..factories import make_city, make_plan, make_token, make_user
from ..helpers import api_as, assert_envelope, login_session


@pytest.fixture
def city(session):
    return make_city("Graz", "AT", "Europe/Vienna")


@pytest.fixture
def coordinator(city):
    return make_user("coordinator", city=city, name="Grete Graz")


@pytest.fixture
def api(client, coordinator):
    return api_as(client, coordinator)


def create(api, city, **body):
    body = {"title": "Graz action plan 2027", "focus": "The whole Ten-Point Plan", **body}
    return api.post(f"/api/v1/cities/{city.id}/plans", json=body)


def test_template_is_served_in_order_with_titles_and_descriptions(client, coordinator):
    response = api_as(client, coordinator).get("/api/v1/milestone-templates")
    assert response.status_code == 200
    body = response.get_json()
    assert [m["key"] for m in body] == list(MILESTONE_KEYS) == [
        "political_mandate", "coordination_team", "baseline_assessment", "stakeholder_consultation",
        "priorities_and_indicators", "draft_plan", "adoption", "implementation", "monitoring_and_reporting"]
    assert all(m["title"] and m["description"] and m["phase"] for m in body)
    assert [m["position"] for m in body] == list(range(1, 10))


def test_create_plan_has_one_not_started_milestone_per_template_entry(api, city):
    response = create(api, city, commitments=[8, 3, 3])
    assert response.status_code == 201, response.get_json()
    plan = response.get_json()
    assert plan["city"]["name"] == "Graz" and plan["title"] == "Graz action plan 2027"
    assert plan["commitments"] == [3, 8]
    assert plan["is_current"] is True
    assert plan["progress_percent"] == 0
    assert plan["current_phase"] == MILESTONES[0].phase
    assert [m["key"] for m in plan["milestones"]] == list(MILESTONE_KEYS)
    assert {m["status"] for m in plan["milestones"]} == {"not_started"}
    assert all(m["completed_at"] is None and m["evidence_url"] is None for m in plan["milestones"])
    assert api.get(f"/api/v1/plans/{plan['id']}").get_json() == plan


@pytest.mark.parametrize("body, field", [
    ({"title": ""}, "title"),
    ({"focus": None}, "focus"),
    ({"commitments": [0]}, "commitments"),
    ({"commitments": [11]}, "commitments"),
    ({"commitments": ["x"]}, "commitments"),
    ({"colour": "red"}, "colour"),
])
def test_create_plan_refuses_bad_input_with_field_errors(api, city, body, field):
    body = assert_envelope(create(api, city, **body), 422)
    assert field in body["errors"]
    assert Plan.query.count() == 0


def test_a_new_plan_becomes_current_and_the_previous_one_not(api, city, session):
    first = create(api, city, title="First plan").get_json()
    second = create(api, city, title="Renewed plan").get_json()
    plans = api.get(f"/api/v1/cities/{city.id}/plans").get_json()
    assert [(p["id"], p["is_current"]) for p in plans] == [(second["id"], True), (first["id"], False)]
    history = api.get(f"/api/v1/plans/{first['id']}/history").get_json()
    assert history[0]["field"] == "is_current" and history[0]["from"] == "true" and history[0]["to"] == "false"
    # an earlier plan is the record of what was: its milestones are not edited any more
    response = api.patch(f"/api/v1/plans/{first['id']}/milestones/political_mandate", json={"status": "in_progress"})
    assert "no longer" in assert_envelope(response, 409)["message"]
    # ...until it is made current again, which ends the other one
    response = api.patch(f"/api/v1/plans/{first['id']}", json={"is_current": True})
    assert response.status_code == 200 and response.get_json()["is_current"] is True
    assert api.get(f"/api/v1/plans/{second['id']}").get_json()["is_current"] is False


def test_simultaneous_plan_creation_leaves_exactly_one_current_plan(app, city, coordinator):
    token = make_token(coordinator)
    city_id = city.id

    def attempt(i):
        with app.test_client() as c:
            return c.post(f"/api/v1/cities/{city_id}/plans", json={"title": f"Plan {i}", "focus": "All"},
                          headers={"Authorization": f"Bearer {token}"}).status_code

    results = run_concurrently(attempt, 4)
    assert all(code in (201, 409) for code in results), results
    assert results.count(201) >= 1
    from action_lms.extensions import db
    db.session.rollback()
    plans = Plan.query.filter_by(city_id=city_id).all()
    assert len(plans) == results.count(201)
    assert sum(1 for p in plans if p.is_current) == 1


def test_status_rules_unknown_status_and_bad_dates_are_422(api, city):
    plan = create(api, city).get_json()
    url = f"/api/v1/plans/{plan['id']}/milestones/political_mandate"
    assert "status" in assert_envelope(api.patch(url, json={"status": "done"}), 422)["errors"]
    assert "due_date" in assert_envelope(api.patch(url, json={"due_date": "2027-02-30"}), 422)["errors"]
    assert "due_date" in assert_envelope(api.patch(url, json={"due_date": "next week"}), 422)["errors"]
    assert "evidence_url" in assert_envelope(api.patch(url, json={"evidence_url": "javascript:alert(1)"}), 422)["errors"]
    assert "owner" in assert_envelope(api.patch(url, json={"owner": "x" * 201}), 422)["errors"]
    assert assert_envelope(api.patch(f"/api/v1/plans/{plan['id']}/milestones/no_such_key", json={"status": "in_progress"}), 404)
    response = api.patch(url, json={"status": "in_progress", "due_date": "2027-03-01", "owner": "Mayor's office"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["due_date"], body["owner"]) == ("in_progress", "2027-03-01", "Mayor's office")
    assert api.patch(url, json={"due_date": None}).get_json()["due_date"] is None


def test_completing_needs_evidence_and_sets_the_completed_date(api, city):
    plan = create(api, city).get_json()
    url = f"/api/v1/plans/{plan['id']}/milestones/political_mandate"
    body = assert_envelope(api.patch(url, json={"status": "completed"}), 422)
    assert "evidence_url" in body["errors"] and "note" in body["errors"]
    assert assert_envelope(api.patch(url, json={"status": "completed", "note": "   "}), 422)
    response = api.patch(url, json={"status": "completed", "evidence_url": "https://graz.at/council/2027-01"})
    assert response.status_code == 200
    assert response.get_json()["completed_at"].endswith("Z")
    # removing the only evidence of a completed milestone is refused
    assert assert_envelope(api.patch(url, json={"evidence_url": None}), 422)
    other = f"/api/v1/plans/{plan['id']}/milestones/coordination_team"
    assert api.patch(other, json={"status": "completed", "note": "Working group met on 3 March."}).status_code == 200
    plan = api.get(f"/api/v1/plans/{plan['id']}").get_json()
    assert plan["progress_percent"] == round(200 / 9)
    assert plan["current_phase"] == "Analysis"


def test_reopening_clears_the_completed_date_and_is_recorded(api, city, coordinator):
    plan = create(api, city).get_json()
    url = f"/api/v1/plans/{plan['id']}/milestones/political_mandate"
    api.patch(url, json={"status": "completed", "note": "Council decision 12/2026"})
    response = api.patch(url, json={"status": "in_progress"})
    assert response.status_code == 200
    assert response.get_json()["completed_at"] is None
    assert response.get_json()["note"] == "Council decision 12/2026"
    history = api.get(f"/api/v1/plans/{plan['id']}/history").get_json()
    latest = history[0]
    assert (latest["milestone_key"], latest["field"], latest["from"], latest["to"]) == (
        "political_mandate", "status", "completed", "in_progress")
    assert latest["who"] == "Grete Graz" and latest["who_id"] == coordinator.id and latest["when"].endswith("Z")


def test_blocked_needs_a_reason_which_is_cleared_when_unblocked(api, city):
    plan = create(api, city).get_json()
    url = f"/api/v1/plans/{plan['id']}/milestones/adoption"
    assert "blocked_reason" in assert_envelope(api.patch(url, json={"status": "blocked"}), 422)["errors"]
    response = api.patch(url, json={"status": "blocked", "blocked_reason": "Council elections in May"})
    assert response.get_json()["blocked_reason"] == "Council elections in May"
    response = api.patch(url, json={"status": "in_progress"})
    assert response.get_json()["blocked_reason"] is None


def test_history_keeps_every_change_and_cannot_be_edited(api, city, session):
    plan = create(api, city).get_json()
    url = f"/api/v1/plans/{plan['id']}/milestones/baseline_assessment"
    api.patch(url, json={"status": "in_progress", "owner": "Statistics office"})
    api.patch(url, json={"due_date": "2027-06-30"})
    api.patch(url, json={"due_date": "2027-06-30"})  # no change, no entry
    history = api.get(f"/api/v1/plans/{plan['id']}/history").get_json()
    assert [(h["field"], h["from"], h["to"]) for h in history] == [
        ("due_date", None, "2027-06-30"),
        ("owner", None, "Statistics office"),
        ("status", "not_started", "in_progress"),
        ("plan", None, "created: Graz action plan 2027"),
    ]
    entry_id = history[0]["id"]
    for method in ("PUT", "PATCH", "DELETE"):
        assert api.request(method, f"/api/v1/plans/{plan['id']}/history", json={}).status_code == 405
        assert api.request(method, f"/api/v1/plans/{plan['id']}/history/{entry_id}", json={}).status_code in (404, 405)
    entry = session.get(PlanHistory, entry_id)
    entry.new_value = "2030-01-01"
    with pytest.raises(RuntimeError, match="append-only"):
        session.flush()
    session.rollback()


def test_history_is_paginated(api, city):
    plan = create(api, city).get_json()
    for day in range(1, 6):
        api.patch(f"/api/v1/plans/{plan['id']}/milestones/draft_plan", json={"due_date": f"2027-05-0{day}"})
    response = api.get(f"/api/v1/plans/{plan['id']}/history?page_size=2")
    assert len(response.get_json()) == 2
    import json
    assert json.loads(response.headers["X-Pagination"])["total"] == 6


def test_progress_and_phase_rules():
    class M:
        def __init__(self, position, status):
            self.position, self.status = position, status
            self.phase = MILESTONES[position - 1].phase

    assert services.progress_percent([]) == 0
    ms = [M(i + 1, "not_started") for i in range(9)]
    assert (services.progress_percent(ms), services.current_phase(ms)) == (0, "Preparation")
    for i in range(4):
        ms[i].status = "completed"
    assert (services.progress_percent(ms), services.current_phase(ms)) == (44, "Drafting")
    ms[5].status = "completed"  # a later milestone done does not skip the phase
    assert services.current_phase(ms) == "Drafting"
    for m in ms:
        m.status = "completed"
    assert (services.progress_percent(ms), services.current_phase(ms)) == (100, "Completed")


def test_overdue_flag_uses_the_city_calendar(api, city):
    plan = make_plan(city, due={"political_mandate": date(2000, 1, 1), "coordination_team": date(2999, 1, 1)})
    body = api.get(f"/api/v1/plans/{plan.id}").get_json()
    flags = {m["key"]: m["overdue"] for m in body["milestones"]}
    assert flags["political_mandate"] is True and flags["coordination_team"] is False


def test_export_lists_history_entries_and_erasure_anonymises_the_actor(client, api, city, coordinator, session):
    plan = create(api, city).get_json()
    api.patch(f"/api/v1/plans/{plan['id']}/milestones/political_mandate", json={"status": "in_progress"})
    # (the API's /me/data schema drops other domains' sections: the account page's download has them all)
    login_session(client, coordinator)
    export = client.get("/account/data.json").get_json()
    assert [(e["field"], e["to"]) for e in export["plans"]] == [
        ("plan", "created: Graz action plan 2027"), ("status", "in_progress")]
    assert api.delete("/api/v1/me").status_code == 204
    admin = make_user("admin")
    history = api_as(client, admin).get(f"/api/v1/plans/{plan['id']}/history").get_json()
    assert len(history) == 2
    assert {h["who"] for h in history} == {"Erased user"}
    assert history[0]["to"] == "in_progress"


def test_simultaneous_completions_record_one_change(app, city, coordinator):
    plan = make_plan(city)
    token = make_token(coordinator)
    plan_id = plan.id

    def attempt(i):
        with app.test_client() as c:
            return c.patch(f"/api/v1/plans/{plan_id}/milestones/political_mandate",
                           json={"status": "completed", "note": "Council decision"},
                           headers={"Authorization": f"Bearer {token}"}).status_code

    assert run_concurrently(attempt, 4) == [200] * 4
    from action_lms.extensions import db
    db.session.rollback()
    entries = PlanHistory.query.filter_by(plan_id=plan_id, field="status").all()
    assert [(e.old_value, e.new_value) for e in entries] == [("not_started", "completed")]
