"""Who may do what (role x action matrix) and who sees which booking (never another city's)."""

from datetime import timedelta

import pytest

from action_lms.consulting.services import policy
from action_lms.core.policy import ROLES
from action_lms.core.time import utcnow

from ..factories import make_booking, make_city, make_consultant, make_slot, make_user
from ..helpers import api_as, assert_envelope

EXPECTED = {
    "consultant.list": {"learner", "coordinator", "consultant", "admin"},
    "profile.edit": {"consultant", "admin"},
    "slot.list": {"learner", "coordinator", "consultant", "admin"},
    "slot.manage": {"consultant", "admin"},
    "booking.create": {"coordinator", "admin"},
    "booking.list": {"coordinator", "consultant", "admin"},
    "booking.view": {"coordinator", "consultant", "admin"},
    "booking.cancel": {"coordinator", "consultant", "admin"},
    "booking.reschedule": {"coordinator", "admin"},
    "booking.notes": {"consultant", "admin"},
    "booking.meeting_link": {"consultant", "admin"},  # where to meet: the expert or the office
    "overview.view": {"admin"},
}


def test_policy_table_is_the_expected_one():
    assert {a: set(r) for a, r in policy.rules.items()} == EXPECTED


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_policy_matrix(app, role, action):
    user = make_user(role)
    assert policy.allows(user, action) is (role in EXPECTED[action])


@pytest.fixture
def world(session):
    berlin, bologna = make_city("Berlin"), make_city("Bologna", "IT", "Europe/Rome")
    c_berlin, c_bologna = make_user("coordinator", city=berlin), make_user("coordinator", city=bologna)
    ana, oona = make_consultant(name="Ana"), make_consultant(name="Oona")
    b1 = make_booking(make_slot(ana, utcnow() + timedelta(days=3)), booked_by=c_berlin, questions="Berlin's secret")
    b2 = make_booking(make_slot(oona, utcnow() + timedelta(days=4)), booked_by=c_bologna, questions="Bologna's secret")
    return {
        "c_berlin": c_berlin,
        "c_bologna": c_bologna,
        "ana": ana,
        "oona": oona,
        "admin": make_user("admin"),
        "learner": make_user("learner"),
        "b1": b1.id,
        "b2": b2.id,
    }


@pytest.mark.parametrize(
    "who,sees",
    [
        ("c_berlin", {"b1"}),
        ("c_bologna", {"b2"}),
        ("ana", {"b1"}),
        ("oona", {"b2"}),
        ("admin", {"b1", "b2"}),
    ],
)
def test_each_sees_only_their_bookings(client, world, who, sees):
    api = api_as(client, world[who])
    listing = api.get("/api/v1/bookings")
    assert listing.status_code == 200
    assert {b["id"] for b in listing.get_json()} == {world[k] for k in sees}
    assert int(listing.headers["X-Pagination"].split('"total": ')[1].split(",")[0]) == len(sees)
    for key in ("b1", "b2"):
        response = api.get(f"/api/v1/bookings/{world[key]}")
        ics = api.get(f"/api/v1/bookings/{world[key]}/calendar.ics")
        if key in sees:
            assert response.status_code == 200 and "secret" in response.get_json()["questions"]
            assert ics.status_code == 200
        else:
            body = assert_envelope(response, 404)
            assert "secret" not in response.get_data(as_text=True) and "secret" not in body["message"]
            assert_envelope(ics, 404)
            assert_envelope(api.post(f"/api/v1/bookings/{world[key]}/cancel", json={"reason": "x"}), 404)


def test_learner_sees_no_bookings_and_anonymous_must_sign_in(client, world):
    assert_envelope(api_as(client, world["learner"]).get("/api/v1/bookings"), 403)
    assert_envelope(api_as(client, world["learner"]).get(f"/api/v1/bookings/{world['b1']}"), 403)
    assert_envelope(client.get("/api/v1/bookings"), 401)
    assert_envelope(client.get("/api/v1/slots"), 401)


def test_coordinator_cannot_filter_their_way_into_another_city(client, world):
    api = api_as(client, world["c_berlin"])
    other_city = world["c_bologna"].city_id
    assert api.get(f"/api/v1/bookings?city_id={other_city}").get_json() == []
    assert api.post(f"/api/v1/bookings/{world['b2']}/reschedule", json={"slot_id": 1}).status_code == 404


def test_booking_list_query_count_is_constant(client, count_queries):
    city = make_city()
    coordinator = make_user("coordinator", city=city)
    api = api_as(client, coordinator)
    consultants = [make_consultant() for _ in range(3)]
    for i in range(2):
        make_booking(make_slot(consultants[i % 3], utcnow() + timedelta(days=2, hours=2 * i)), booked_by=coordinator)
    api.get("/api/v1/bookings")
    with count_queries() as few:
        assert len(api.get("/api/v1/bookings").get_json()) == 2
    for i in range(2, 20):
        make_booking(make_slot(consultants[i % 3], utcnow() + timedelta(days=2, hours=2 * i)), booked_by=coordinator)
    with count_queries() as many:
        assert len(api.get("/api/v1/bookings").get_json()) == 20
    assert many.count == few.count
