"""Seats are never oversold and waitlist positions never collide, however many people
register at the same moment (SQLite and PostgreSQL: run with TEST_DATABASE=postgres)."""
from sqlalchemy import func, select

from action_lms.extensions import db
from action_lms.webinars.models import WebinarRegistration

from ..conftest import run_concurrently
from ..factories import make_token, make_user, make_webinar


def test_thirty_simultaneous_registrations_for_ten_seats(app):
    webinar = make_webinar(capacity=10)
    tokens = [make_token(make_user()) for _ in range(30)]
    path = f"/api/v1/webinars/{webinar.id}/registrations"

    def attempt(i):
        client = app.test_client()
        response = client.post(path, json={}, headers={"Authorization": f"Bearer {tokens[i]}"})
        return response.status_code, response.get_json()

    results = run_concurrently(attempt, 30)
    assert all(not isinstance(r, Exception) for r in results), results
    assert [code for code, _ in results] == [201] * 30, results
    statuses = [body["status"] for _, body in results]
    assert statuses.count("confirmed") == 10 and statuses.count("waitlisted") == 20
    positions = sorted(body["waitlist_position"] for _, body in results if body["status"] == "waitlisted")
    assert positions == list(range(1, 21))
    db.session.commit()
    confirmed = db.session.scalar(select(func.count()).where(WebinarRegistration.status == "confirmed"))
    assert confirmed == 10
    listed = app.test_client().get(f"/api/v1/webinars/{webinar.id}", headers={"Authorization": f"Bearer {tokens[0]}"}).get_json()
    assert listed["seats_left"] == 0 and listed["waitlist_length"] == 20


def test_one_person_clicking_register_many_times_at_once_gets_one_registration(app):
    webinar = make_webinar(capacity=10)
    token = make_token(make_user())
    path = f"/api/v1/webinars/{webinar.id}/registrations"

    def attempt(i):
        return app.test_client().post(path, json={}, headers={"Authorization": f"Bearer {token}"}).status_code

    results = run_concurrently(attempt, 8)
    assert sorted(results) == [201] + [409] * 7, results
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(WebinarRegistration)) == 1


def test_cancellations_and_registrations_racing_keep_the_waitlist_consistent(app):
    webinar = make_webinar(capacity=3)
    first = [make_user() for _ in range(6)]
    first_tokens = [make_token(u) for u in first]
    client = app.test_client()
    for token in first_tokens:
        assert client.post(f"/api/v1/webinars/{webinar.id}/registrations", json={},
                           headers={"Authorization": f"Bearer {token}"}).status_code == 201
    newcomers = [make_token(make_user()) for _ in range(6)]
    path = f"/api/v1/webinars/{webinar.id}/registrations"

    def attempt(i):
        c = app.test_client()
        if i < 3:  # three confirmed people leave
            return c.delete(path + "/me",
                            headers={"Authorization": f"Bearer {first_tokens[i]}"}).status_code
        return c.post(path, json={}, headers={"Authorization": f"Bearer {newcomers[i - 3]}"}).status_code

    results = run_concurrently(attempt, 9)
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(results) == [201] * 6 + [204] * 3, results
    db.session.commit()
    regs = list(db.session.scalars(select(WebinarRegistration).where(WebinarRegistration.status != "cancelled")))
    assert sum(r.status == "confirmed" for r in regs) == 3
    positions = sorted(r.waitlist_position for r in regs if r.status == "waitlisted")
    assert positions == list(range(1, len(positions) + 1)) and len(positions) == 6
