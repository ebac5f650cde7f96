"""The plan page offers, under each milestone, to ask other cities about it, to those who may."""
from __future__ import annotations

from ..factories import make_plan
from ..helpers import login_session
from .world import make_world


def test_coordinators_and_not_learners_are_offered_to_ask_other_cities(client, session):
    world = make_world()
    make_plan(world.berlin)
    login_session(client, world.coord["berlin"])
    page = client.get("/my-city").get_data(as_text=True)
    assert 'href="/exchanges/new?milestone_key=stakeholder_consultation"' in page
    assert page.count("Ask other cities about this") == 9
    client.post("/logout", data={})
    other = client.application.test_client()
    login_session(other, world.learner["berlin"])
    assert "Ask other cities about this" not in other.get("/my-city").get_data(as_text=True)
