"""Consultants see the plans of the cities that booked them, and only those."""
from ..factories import make_booking, make_city, make_consultant, make_plan, make_slot
from ..helpers import api_as


def test_consultant_sees_plans_of_cities_with_bookings_only(client):
    graz, vienna = make_city("Graz", "AT", "Europe/Vienna"), make_city("Vienna", "AT", "Europe/Vienna")
    consultant = make_consultant()
    make_booking(slot=make_slot(consultant), city=graz)
    graz_plan, vienna_plan = make_plan(graz), make_plan(vienna)
    api = api_as(client, consultant)
    assert api.get(f"/api/v1/plans/{graz_plan.id}").status_code == 200
    assert api.get(f"/api/v1/plans/{vienna_plan.id}").status_code in (403, 404)
    other = api_as(client, make_consultant())
    assert other.get(f"/api/v1/plans/{graz_plan.id}").status_code in (403, 404)
    # Viewing is not editing.
    assert api.patch(f"/api/v1/plans/{graz_plan.id}/milestones/political_mandate", json={"status": "in_progress"}).status_code == 403
