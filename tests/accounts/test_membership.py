"""Choosing a city at registration is a request to join it, never membership: until a
coordinator of that city (or the office) approves, the person sees nothing of the city."""
from __future__ import annotations

from sqlalchemy import select

from action_lms.accounts.models import User
from action_lms.core.models import OutboxMessage

from ..conftest import run_concurrently
from ..factories import PASSWORD, make_city, make_plan, make_token, make_user
from ..helpers import api_as, assert_envelope, csrf_from, login_session


def register(client, city_id=None, email="newcomer@example.org"):
    body = {"email": email, "password": PASSWORD, "name": "Nadia Newcomer"}
    if city_id is not None:
        body["city_id"] = city_id
    response = client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def token_for(session, email):
    return make_token(session.scalar(select(User).where(User.email == email)))


def test_registering_with_a_city_is_a_pending_request_that_sees_nothing_of_the_city(client, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    plan = make_plan(graz)
    body = register(client, graz.id)
    assert body["city_status"] == "pending"
    assert body["city"]["name"] == "Graz"
    api = api_as(client)
    api.headers = {"Authorization": f"Bearer {token_for(session, 'newcomer@example.org')}"}
    me = api.get("/api/v1/me").get_json()
    assert me["city_status"] == "pending" and me["city"]["id"] == graz.id
    assert_envelope(api.get(f"/api/v1/cities/{graz.id}/plans"), 403)  # as for any city not yours
    assert_envelope(api.get(f"/api/v1/plans/{plan.id}"), 404)
    assert_envelope(api.get(f"/api/v1/plans/{plan.id}/history"), 404)
    assert_envelope(api.get("/api/v1/bookings"), 403)


def test_pending_learner_sees_no_city_pages(client, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    plan = make_plan(graz, title="Graz plan against racism")
    register(client, graz.id)
    assert client.post("/api/v1/auth/login", json={"email": "newcomer@example.org", "password": PASSWORD}).status_code == 200
    page = client.get("/my-city")
    assert page.status_code == 404
    assert "Graz plan against racism" not in page.get_data(as_text=True)
    assert client.get(f"/plans/{plan.id}").status_code == 404
    account = client.get("/account").get_data(as_text=True)
    assert "You asked to join <strong>Graz</strong>" in account


def test_coordinators_are_told_and_approve_then_the_person_is_a_member(client, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    plan = make_plan(graz)
    coordinator = make_user("coordinator", city=graz)
    other_city_coordinator = make_user("coordinator", city=make_city("Bonn", "DE", "Europe/Berlin"))
    register(client, graz.id)
    session.expire_all()
    asked = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "membership.requested")).all()
    assert [m.to_email for m in asked] == [coordinator.email]
    assert "Nadia Newcomer" in asked[0].subject and "/cities/" in asked[0].body_text

    coord = api_as(client, coordinator)
    requests = coord.get(f"/api/v1/cities/{graz.id}/join-requests").get_json()
    assert [r["user"]["name"] for r in requests] == ["Nadia Newcomer"]
    applicant_id = requests[0]["user"]["id"]
    assert_envelope(api_as(client, other_city_coordinator).get(f"/api/v1/cities/{graz.id}/join-requests"), 403)
    assert_envelope(api_as(client, other_city_coordinator).post(
        f"/api/v1/cities/{graz.id}/join-requests/{applicant_id}/approve"), 403)

    approved = coord.post(f"/api/v1/cities/{graz.id}/join-requests/{applicant_id}/approve")
    assert approved.status_code == 200
    assert approved.get_json()["city_status"] == "member"
    session.expire_all()
    told = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "membership.approved")).all()
    assert [m.to_email for m in told] == ["newcomer@example.org"]
    member = api_as(client, session.get(User, applicant_id))
    assert member.get(f"/api/v1/plans/{plan.id}").status_code == 200
    assert coord.get(f"/api/v1/cities/{graz.id}/join-requests").get_json() == []
    # Deciding again is a 409, not a second member row or a silent success.
    assert_envelope(coord.post(f"/api/v1/cities/{graz.id}/join-requests/{applicant_id}/decline"), 409)


def test_declined_person_is_told_and_stays_outside(client, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    plan = make_plan(graz)
    admin = make_user("admin")
    register(client, graz.id)
    applicant = session.scalar(select(User).where(User.email == "newcomer@example.org"))
    response = api_as(client, admin).post(f"/api/v1/cities/{graz.id}/join-requests/{applicant.id}/decline")
    assert response.status_code == 200
    assert response.get_json()["city_status"] == "none" and response.get_json()["city"] is None
    session.expire_all()
    assert session.scalar(select(OutboxMessage.subject).where(OutboxMessage.kind == "membership.declined"))
    assert_envelope(api_as(client, session.get(User, applicant.id)).get(f"/api/v1/plans/{plan.id}"), 404)


def test_a_city_without_coordinators_tells_the_office(client, session):
    admin = make_user("admin")
    city = make_city("Turin", "IT", "Europe/Rome")
    register(client, city.id)
    session.expire_all()
    asked = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "membership.requested")).all()
    assert [m.to_email for m in asked] == [admin.email]


def test_admin_created_users_are_members_at_once(client):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    admin = make_user("admin")
    body = api_as(client, admin).post("/api/v1/users", json={"email": "staff@graz.example", "name": "Staff",
                                                              "role": "learner", "city_id": graz.id}).get_json()
    assert body["city_status"] == "member" and body["city"]["id"] == graz.id


def test_learner_can_ask_from_the_account_and_withdraw(client, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    learner = make_user("learner")
    api = api_as(client, learner)
    assert api.get("/api/v1/me").get_json()["city_status"] == "none"
    body = api.post("/api/v1/me/city-request", json={"city_id": graz.id}).get_json()
    assert body["city_status"] == "pending"
    assert_envelope(api.post("/api/v1/me/city-request", json={"city_id": graz.id}), 409)
    assert api.delete("/api/v1/me/city-request").status_code == 204
    assert api.get("/api/v1/me").get_json()["city_status"] == "none"
    assert_envelope(api.post("/api/v1/me/city-request", json={"city_id": 99999}), 422)
    member = make_user("learner", city=graz)
    assert_envelope(api_as(client, member).post("/api/v1/me/city-request", json={"city_id": graz.id}), 409)


def test_people_asking_to_join_page_approves(client, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    coordinator = make_user("coordinator", city=graz)
    register(client, graz.id)
    login_session(client, coordinator)
    page = client.get("/join-requests")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Nadia Newcomer" in html and "newcomer@example.org" in html
    assert "People asking to join" in client.get("/").get_data(as_text=True)  # in the navigation
    applicant = session.scalar(select(User).where(User.email == "newcomer@example.org"))
    response = client.post(f"/cities/{graz.id}/join-requests/{applicant.id}/approve",
                           data={"csrf_token": csrf_from(html)})
    assert response.status_code == 302
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nadia Newcomer is now a member" in after and "Nobody is waiting" in after
    session.expire_all()
    assert session.get(User, applicant.id).city_id == graz.id


def test_learners_and_other_cities_cannot_open_the_page(client):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    login_session(client, make_user("coordinator", city=make_city("Bonn", "DE", "Europe/Berlin")))
    assert client.get(f"/cities/{graz.id}/join-requests").status_code == 403


def test_two_coordinators_deciding_at_once_one_wins(app, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    tokens = [make_token(make_user("coordinator", city=graz)) for _ in range(2)]
    applicant = make_user("learner")
    applicant.requested_city_id = graz.id
    from action_lms.core.time import utcnow
    applicant.city_requested_at = utcnow()
    session.commit()
    applicant_id, city_id = applicant.id, graz.id
    verbs = ["approve", "decline"]

    def attempt(i):
        response = app.test_client().post(f"/api/v1/cities/{city_id}/join-requests/{applicant_id}/{verbs[i]}",
                                          headers={"Authorization": f"Bearer {tokens[i]}"})
        return response.status_code

    results = run_concurrently(attempt, 2)
    assert sorted(results) == [200, 409], results
    session.commit()  # end the test's read snapshot taken before the requests
    decided = session.scalars(select(OutboxMessage.kind)).all()
    assert len([k for k in decided if k in ("membership.approved", "membership.declined")]) == 1


def test_removing_a_coordinators_city_is_a_422_not_a_500(client, session):
    coordinator = make_user("coordinator", city=make_city("Graz", "AT", "Europe/Vienna"))
    admin = make_user("admin")
    body = assert_envelope(api_as(client, admin).patch(f"/api/v1/users/{coordinator.id}", json={"city_id": None}), 422)
    assert "city_id" in body["errors"]
    session.expire_all()
    assert session.get(User, coordinator.id).city_id is not None


def test_admin_form_with_an_empty_city_for_a_coordinator_re_renders(client, session):
    coordinator = make_user("coordinator", city=make_city("Graz", "AT", "Europe/Vienna"))
    admin = make_user("admin")
    login_session(client, admin)
    form = client.get(f"/admin/users/{coordinator.id}/edit").get_data(as_text=True)
    response = client.post(f"/admin/users/{coordinator.id}/edit", data={
        "csrf_token": csrf_from(form), "name": coordinator.name, "email": coordinator.email, "role": "coordinator",
        "city_id": "", "timezone": "Europe/Vienna", "active": "y"})
    assert response.status_code == 422
    assert "A coordinator must belong to a city." in response.get_data(as_text=True)
