"""Exactly one booking per slot however many cities try at the same moment (SQLite and PostgreSQL)."""

from datetime import timedelta

from action_lms.consulting.models import Booking, Slot
from action_lms.core.models import OutboxMessage
from action_lms.core.time import utcnow

from ..conftest import run_concurrently
from ..factories import make_consultant, make_slot, make_token, make_user

N = 20


def test_twenty_cities_race_for_one_slot(app, session):
    slot = make_slot(make_consultant(), utcnow() + timedelta(days=4))
    slot_id = slot.id
    tokens = [make_token(make_user("coordinator")) for _ in range(N)]
    session.commit()

    def attempt(i):
        client = app.test_client()
        response = client.post(
            f"/api/v1/slots/{slot_id}/booking",
            headers={"Authorization": f"Bearer {tokens[i]}"},
            json={"topic": f"Topic {i}", "questions": "Q"},
        )
        return response.status_code, response.get_json()

    results = run_concurrently(attempt, N)
    assert not [r for r in results if isinstance(r, Exception)], results
    codes = sorted(code for code, _ in results)
    assert codes == [201] + [409] * (N - 1), codes
    assert all(body["message"] for code, body in results if code == 409)
    session.expire_all()
    assert session.query(Booking).filter_by(slot_id=slot_id).count() == 1
    assert session.get(Slot, slot_id).status == "booked"
    # Only the winner's confirmations were queued.
    assert session.query(OutboxMessage).filter_by(kind="consulting_confirmed").count() == 2


def test_one_city_racing_for_many_slots_never_exceeds_its_quota(make_app):
    from action_lms.core.db import reset_write_intent, set_write_intent

    app = make_app(CONSULTING_MONTHLY_QUOTA=3)
    token_ = set_write_intent(False)  # the test's own reads must not hold SQLite's write lock
    with app.app_context():
        from action_lms.extensions import db

        consultant = make_consultant()
        start = (utcnow() + timedelta(days=40)).replace(day=10, hour=8, minute=0, second=0, microsecond=0)
        slots = [make_slot(consultant, start + timedelta(hours=2 * i)) for i in range(8)]
        coordinator = make_user("coordinator")
        token = make_token(coordinator)
        slot_ids = [s.id for s in slots]
        city_id = coordinator.city_id
        db.session.commit()

        def attempt(i):
            response = app.test_client().post(
                f"/api/v1/slots/{slot_ids[i]}/booking",
                headers={"Authorization": f"Bearer {token}"},
                json={"topic": "T"},
            )
            return response.status_code

        results = run_concurrently(attempt, len(slot_ids))
        assert not [r for r in results if isinstance(r, Exception)], results
        assert sorted(results) == [201] * 3 + [409] * 5, results
        db.session.expire_all()
        assert db.session.query(Booking).filter_by(city_id=city_id).count() == 3
        db.session.remove()
    reset_write_intent(token_)


def test_overlapping_slots_created_at_the_same_moment_one_wins(app, session):
    consultant = make_consultant()
    token = make_token(consultant)
    consultant_id = consultant.id
    session.commit()
    base = utcnow().replace(microsecond=0, second=0) + timedelta(days=10)

    def attempt(i):
        starts = (base + timedelta(minutes=5 * i)).isoformat()
        response = app.test_client().post(
            "/api/v1/slots",
            headers={"Authorization": f"Bearer {token}"},
            json={"starts_at": starts, "duration_minutes": 60},
        )
        return response.status_code

    results = run_concurrently(attempt, 10)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == [201] + [409] * 9, results
    session.expire_all()
    assert session.query(Slot).filter_by(consultant_id=consultant_id).count() == 1
