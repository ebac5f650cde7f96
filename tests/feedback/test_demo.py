"""`flask demo seed` gives the impact report enough answers to rank every format."""
from __future__ import annotations

from ..helpers import api_as


def test_demo_answers_rank_every_format(app, client, session):
    from sqlalchemy import select

    from action_lms.accounts.models import User
    runner = app.test_cli_runner()
    for _ in range(2):
        assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    admin = session.scalar(select(User).where(User.email == "admin@demo.action-lms.eu"))
    body = api_as(client, admin).get("/api/v1/impact").get_json()
    ranks = {f["kind"]: f["rank"] for f in body["formats"]}
    assert sorted(ranks.values()) == [1, 2, 3, 4], ranks
    assert ranks["exchange"] == 1
    assert {f["kind"]: f["responses"] for f in body["formats"]} == {"course": 4, "webinar": 4, "consulting": 4, "exchange": 4}
