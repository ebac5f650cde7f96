"""Operator commands: users create, demo seed (idempotent)."""
from sqlalchemy import func, select

from action_lms.accounts.models import City, User


def test_users_create_command(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["cities", "create", "--name", "Graz", "--country", "AT", "--timezone", "Europe/Vienna"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "create", "--email", "Office@Example.org", "--name", "Office", "--role", "coordinator",
                                 "--password", "a-long-password", "--city", "graz"])
    assert result.exit_code == 0, result.output
    user = session.scalars(select(User)).one()
    assert user.email == "office@example.org" and user.city.name == "Graz" and user.timezone == "Europe/Vienna"
    result = runner.invoke(args=["users", "create", "--email", "x@example.org", "--name", "X", "--role", "learner", "--password", "short"])
    assert result.exit_code != 0 and "10 characters" in result.output


def test_demo_seed_is_idempotent(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "demo-admin-pass" in first.output
    counts = (session.scalar(select(func.count(City.id))), session.scalar(select(func.count(User.id))))
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0, second.output
    session.expire_all()
    assert (session.scalar(select(func.count(City.id))), session.scalar(select(func.count(User.id)))) == counts
    assert counts[0] == 15
    assert {u.role for u in session.scalars(select(User))} == {"learner", "coordinator", "consultant", "admin"}
