"""A PATCH of a plan is one unit of work: its field changes and the switch to the current
plan are applied together, or not at all."""

import pytest

from action_lms.core.errors import Conflict
from action_lms.plans.services import plans as plan_services

from ..factories import make_city, make_user
from ..helpers import api_as, assert_envelope


@pytest.fixture
def city(session):
    return make_city("Graz", "AT", "Europe/Vienna")


@pytest.fixture
def api(client, city):
    return api_as(client, make_user("coordinator", city=city, name="Grete Graz"))


def _two_plans(api, city) -> tuple[dict, dict]:
    body = {"focus": "The whole Ten-Point Plan"}
    first = api.post(f"/api/v1/cities/{city.id}/plans", json={"title": "First plan", **body}).get_json()
    second = api.post(f"/api/v1/cities/{city.id}/plans", json={"title": "Renewed plan", **body}).get_json()
    return first, second


def test_a_patch_changes_the_title_and_makes_the_plan_current_together(api, city):
    first, second = _two_plans(api, city)
    response = api.patch(f"/api/v1/plans/{first['id']}", json={"title": "First plan, renewed", "is_current": True})
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["title"], response.get_json()["is_current"]) == ("First plan, renewed", True)
    assert api.get(f"/api/v1/plans/{second['id']}").get_json()["is_current"] is False
    fields = [h["field"] for h in api.get(f"/api/v1/plans/{first['id']}/history").get_json()]
    assert fields[:2] == ["is_current", "title"]


def test_a_patch_whose_second_half_fails_leaves_the_plan_unchanged(api, city, monkeypatch):
    first, second = _two_plans(api, city)
    history_before = api.get(f"/api/v1/plans/{first['id']}/history").get_json()
    make_current = plan_services.make_current

    def switch_then_fail(actor, plan_id):
        make_current(actor, plan_id)  # the switch is made in the session...
        raise Conflict("The current plan changed at the same moment; please reload and try again.")

    monkeypatch.setattr(plan_services, "make_current", switch_then_fail)
    response = api.patch(f"/api/v1/plans/{first['id']}", json={"title": "Half applied?", "is_current": True})
    assert assert_envelope(response, 409)["message"].startswith("The current plan changed")

    monkeypatch.undo()
    after = api.get(f"/api/v1/plans/{first['id']}").get_json()
    assert (after["title"], after["is_current"], after["updated_at"]) == ("First plan", False, first["updated_at"])
    assert api.get(f"/api/v1/plans/{second['id']}").get_json()["is_current"] is True
    assert api.get(f"/api/v1/plans/{first['id']}/history").get_json() == history_before
