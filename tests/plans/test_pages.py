"""The plan pages: create a plan, edit milestones with errors in place, history, the
city dashboard for coordinators and learners, the list of all plans."""
import re
from datetime import date

import pytest

from action_lms.plans.models import Plan

from ..factories import make_city, make_plan, make_user
from ..helpers import csrf_from, login_session


@pytest.fixture
def graz(session):
    return make_city("Graz", "AT", "Europe/Vienna")


@pytest.fixture
def coordinator(graz):
    return make_user("coordinator", city=graz, name="Grete Graz", timezone="Europe/Vienna")


def test_coordinator_without_plan_is_invited_to_start_one_and_creates_it(client, graz, coordinator):
    csrf = login_session(client, coordinator)
    html = client.get("/my-city").get_data(as_text=True)
    assert "no current action plan" in html and "Start Graz's plan" in html
    form = client.get(f"/cities/{graz.id}/plans/new").get_data(as_text=True)
    assert 'name="commitments"' in form and "Hate crimes and conflict management" in form
    response = client.post(f"/cities/{graz.id}/plans/new", data={"csrf_token": csrf, "title": "", "focus": "All"})
    assert response.status_code == 422
    assert 'id="title-error"' in response.get_data(as_text=True)
    response = client.post(f"/cities/{graz.id}/plans/new", data={
        "csrf_token": csrf, "title": "Graz plan 2027", "focus": "Anti-Muslim racism", "commitments": ["3", "8"]})
    assert response.status_code == 302
    plan = Plan.query.one()
    assert (plan.title, plan.commitments, plan.is_current) == ("Graz plan 2027", [3, 8], True)
    html = client.get("/my-city").get_data(as_text=True)
    assert "Graz plan 2027" in html and html.count('class="plan-step ') == 9


def test_milestone_form_shows_errors_in_place_and_saves(client, graz, coordinator):
    plan = make_plan(graz)
    csrf = login_session(client, coordinator)
    url = f"/plans/{plan.id}/milestones/political_mandate"
    base = {"csrf_token": csrf, "political_mandate-status": "completed", "political_mandate-due_date": "",
            "political_mandate-evidence_url": "", "political_mandate-note": "", "political_mandate-owner": "",
            "political_mandate-blocked_reason": ""}
    response = client.post(url, data=base)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="political_mandate-evidence_url-error"' in html and "evidence link or a note" in html
    assert re.search(r'id="milestone-political_mandate">\s*<details class="plan-milestone" open>', html)
    response = client.post(url, data={**base, "political_mandate-due_date": "2027-02-31"})
    assert response.status_code == 422 and 'id="political_mandate-due_date-error"' in response.get_data(as_text=True)
    response = client.post(url, data={**base, "political_mandate-status": "blocked"})
    assert 'id="political_mandate-blocked_reason-error"' in response.get_data(as_text=True)
    response = client.post(url, data={**base, "political_mandate-evidence_url": "https://graz.at/decision",
                                      "political_mandate-owner": "Mayor's office",
                                      "political_mandate-due_date": "2027-02-01"})
    assert response.status_code == 302
    html = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "https://graz.at/decision" in html and "Mayor&#39;s office" in html and "11%" in html
    history = client.get(f"/plans/{plan.id}/history").get_data(as_text=True)
    assert "Grete Graz" in history and "Political mandate" in history
    assert "Status: Not started \u2192 Completed" in history


def test_learners_of_the_city_see_the_plan_without_edit_forms(client, graz):
    plan = make_plan(graz, statuses={"political_mandate": "completed"}, due={"coordination_team": date(2020, 1, 1)})
    learner = make_user("learner", city=graz)
    csrf = login_session(client, learner)
    html = client.get("/my-city").get_data(as_text=True)
    assert plan.title in html and "Overdue" in html and "plan-edit" not in html
    response = client.post(f"/plans/{plan.id}/milestones/adoption", data={"csrf_token": csrf, "adoption-status": "in_progress"})
    assert response.status_code == 403


def test_nav_items_by_role(client, graz, coordinator):
    admin = make_user("admin")
    login_session(client, coordinator)
    nav = client.get("/").get_data(as_text=True)
    assert "My city&#39;s plan" in nav and "Cities overview" not in nav
    client.post("/logout", data={"csrf_token": csrf_from(nav)})
    login_session(client, admin)
    nav = client.get("/").get_data(as_text=True)
    assert "Cities overview" in nav and ">Plans<" in nav and "My city&#39;s plan" not in nav


def test_all_plans_and_city_plans_pages_load_in_constant_queries(client, session, count_queries):
    admin = make_user("admin")
    login_session(client, admin)
    counts = []
    made = 0
    for target in (2, 20):
        while made < target:
            city = make_city(f"Town {made:02d}")
            make_plan(city, title=f"First plan {made}")
            make_plan(city, title=f"Second plan {made}")
            made += 1
        with count_queries() as q:
            html = client.get("/plans").get_data(as_text=True)
        assert html.count("Progress of Second plan") == target
        counts.append(q.count)
    assert counts[0] == counts[1]


def test_edit_plan_and_make_an_earlier_plan_current(client, graz, coordinator):
    first = make_plan(graz, title="First plan")
    second = make_plan(graz, title="Second plan")
    csrf = login_session(client, coordinator)
    response = client.post(f"/plans/{second.id}/edit", data={"csrf_token": csrf, "title": "Renewed plan",
                                                            "focus": "Housing", "commitments": ["7"]})
    assert response.status_code == 302
    html = client.get(f"/cities/{graz.id}/plans").get_data(as_text=True)
    assert "Renewed plan" in html and "Make current" in html
    client.post(f"/plans/{first.id}/make-current", data={"csrf_token": csrf})
    from action_lms.extensions import db
    db.session.rollback()
    assert db.session.get(Plan, first.id).is_current and not db.session.get(Plan, second.id).is_current
    html = client.get(f"/plans/{second.id}").get_data(as_text=True)
    assert "earlier plan" in html and "plan-edit" not in html
