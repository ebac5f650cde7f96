"""`flask demo seed` holds DOMAIN.md's example: Berlin asks, Barcelona and Bologna invited."""
from __future__ import annotations

from sqlalchemy import select

from action_lms.accounts.models import User
from action_lms.exchanges.models import Exchange


def test_demo_seed_has_berlins_exchange_once(app, session):
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
    session.expire_all()
    exchanges = session.scalars(select(Exchange)).all()
    assert len(exchanges) == 1
    exchange = exchanges[0]
    assert exchange.city.name == "Berlin" and exchange.status == "matching"
    assert len(exchange.questions) == 3
    assert sorted(i.city.name for i in exchange.invitations) == ["Barcelona", "Bologna"]
    coordinators = session.scalars(select(User.email).where(User.email.like("%@demo.action-lms.eu"), User.role == "coordinator")).all()
    assert {"berlin@demo.action-lms.eu", "barcelona@demo.action-lms.eu", "bologna@demo.action-lms.eu"} <= set(coordinators)
