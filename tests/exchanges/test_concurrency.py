"""The database-held rules under concurrent requests (SQLite and PostgreSQL): one
invitation per (exchange, city), one participation per person, one answer per invitation,
one reminder per session."""
from __future__ import annotations

from datetime import timedelta

from action_lms.core.models import OutboxMessage
from action_lms.exchanges import services
from action_lms.exchanges.models import Invitation, Participant

from ..conftest import run_concurrently
from ..factories import make_token, make_user
from .world import accepted, at, invited, make_world, next_weekday, requested, scheduled

N = 8


def _post(app, token, path, json=None, method="POST"):
    response = app.test_client().open(path, method=method, json=json if json is not None else {},
                                      headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.get_json()


def test_office_users_inviting_the_same_city_at_once_one_201_the_rest_409(app, client, session):
    world = make_world()
    _, exchange = requested(client, world)
    tokens = [make_token(make_user("admin")) for _ in range(N)]
    city_id, path = world.barcelona.id, f"/api/v1/exchanges/{exchange['id']}/invitations"
    session.commit()
    results = run_concurrently(lambda i: _post(app, tokens[i], path, {"city_id": city_id}), N)
    assert not [r for r in results if isinstance(r, Exception)], results
    codes = sorted(code for code, _ in results)
    assert codes == [201] + [409] * (N - 1), results
    assert all("already invited" in body["message"] for code, body in results if code == 409)
    session.expire_all()
    assert session.query(Invitation).filter_by(exchange_id=exchange["id"], city_id=city_id).count() == 1
    assert session.query(OutboxMessage).filter_by(kind="exchange_invited").count() == 1


def test_one_person_joining_from_many_tabs_is_one_participation(app, client, session):
    world = make_world()
    _, exchange = requested(client, world)
    accepted(client, world, exchange["id"], invited(client, world, exchange["id"], "bologna"))
    token = make_token(world.learner["bologna"])
    path = f"/api/v1/exchanges/{exchange['id']}/participants/me"
    session.commit()
    results = run_concurrently(lambda i: _post(app, token, path, method="PUT"), N)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(code for code, _ in results) == [200] * N, results
    session.expire_all()
    assert session.query(Participant).filter_by(exchange_id=exchange["id"]).count() == 1


def test_two_coordinators_answering_one_invitation_at_once(app, client, session):
    world = make_world()
    _, exchange = requested(client, world)
    inv = invited(client, world, exchange["id"], "bologna")["bologna"]
    second = make_user("coordinator", city=world.bologna)
    tokens = [make_token(world.coord["bologna"]), make_token(second)]
    base = f"/api/v1/exchanges/{exchange['id']}/invitations/{inv}"
    session.commit()

    def answer(i):
        if i == 0:
            return _post(app, tokens[0], f"{base}/accept")
        return _post(app, tokens[1], f"{base}/decline", {"reason": "We cannot."})

    results = run_concurrently(answer, 2)
    assert sorted(code for code, _ in results) == [200, 409], results
    session.expire_all()
    final = session.get(Invitation, inv)
    assert final.status in ("accepted", "declined")
    assert session.query(OutboxMessage).filter(OutboxMessage.kind.in_(["exchange_accepted", "exchange_declined"])).count() == 2


def test_two_schedulers_send_each_reminder_once(app, client, session):
    world = make_world()
    _, exchange = requested(client, world)
    accepted(client, world, exchange["id"], invited(client, world, exchange["id"], "bologna"))
    starts = at(next_weekday(1), 10, tz="Europe/Berlin")
    scheduled(client, world, exchange["id"], starts)
    session.commit()

    def run_job(i):
        with app.app_context():
            return services.send_exchange_reminders(now=starts - timedelta(hours=2))

    results = run_concurrently(run_job, 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == [0, 0, 0, 1]
    session.expire_all()
    assert session.query(OutboxMessage).filter_by(kind="exchange_reminder").count() == 2
