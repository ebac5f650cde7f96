"""`flask demo seed`: demo cities from DOMAIN.md and one user of each role.

Idempotent: running it again adds nothing that is already there. Each domain adds its
own demo data through `contributions(app).add_seeder`.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from .accounts import services as accounts
from .accounts.models import City, User
from .core.hooks import contributions
from .extensions import db

demo_cli = AppGroup("demo", help="Demo data for trying the service.")

DEMO_CITIES = [
    ("Barcelona", "ES", "Europe/Madrid"),
    ("Berlin", "DE", "Europe/Berlin"),
    ("Bologna", "IT", "Europe/Rome"),
    ("Graz", "AT", "Europe/Vienna"),
    ("Heidelberg", "DE", "Europe/Berlin"),
    ("Potsdam", "DE", "Europe/Berlin"),
    ("Nuremberg", "DE", "Europe/Berlin"),
    ("Toulouse", "FR", "Europe/Paris"),
    ("Bordeaux", "FR", "Europe/Paris"),
    ("Botkyrka", "SE", "Europe/Stockholm"),
    ("Helsingborg", "SE", "Europe/Stockholm"),
    ("Ghent", "BE", "Europe/Brussels"),
    ("Leuven", "BE", "Europe/Brussels"),
    ("Turin", "IT", "Europe/Rome"),
    ("Vienna", "AT", "Europe/Vienna"),
]

# Demo accounts for a local try-out only; `flask demo seed` refuses to run in production.
DEMO_USERS = [
    ("admin@demo.action-lms.eu", "Office Administrator", "admin", None, "demo-admin-pass"),
    ("coordinator@demo.action-lms.eu", "Graz Coordinator", "coordinator", "Graz", "demo-coordinator-pass"),
    ("consultant@demo.action-lms.eu", "Expert Consultant", "consultant", None, "demo-consultant-pass"),
    ("learner@demo.action-lms.eu", "City Learner", "learner", "Heidelberg", "demo-learner-pass"),
]


def seed() -> list[tuple[str, str, str, bool]]:
    """Create what is missing; returns (role, email, password, created) per demo user."""
    existing = {name.lower() for name in db.session.scalars(select(City.name))}
    for name, country, tz in DEMO_CITIES:
        if name.lower() not in existing:
            accounts.create_city(None, name=name, country=country, timezone=tz)
    cities = {c.name: c for c in db.session.scalars(select(City))}
    result = []
    for email, name, role, city_name, password in DEMO_USERS:
        found = db.session.scalar(select(User).where(func.lower(User.email) == email))
        created = found is None
        if created:
            accounts.create_user(
                None,
                email=email,
                name=name,
                role=role,
                city_id=cities[city_name].id if city_name else None,
                password=password,
            )
        result.append((role, email, password, created))
    _seed_join_request(cities["Graz"])
    for fn in contributions().seeders.values():  # after the accounts exist, in registration order
        fn()
    return result


DEMO_NEWCOMER = ("newcomer@demo.action-lms.eu", "Nadia Newcomer")


def _seed_join_request(city: City) -> None:
    """A newcomer who registered choosing Graz, so the Graz coordinator's "People asking to
    join" page has someone to approve (the account has no password: it cannot sign in)."""
    email, name = DEMO_NEWCOMER
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        return
    user = accounts.create_user(None, email=email, name=name, role="learner", timezone=city.timezone)
    user.requested_city_id = city.id
    user.city_requested_at = user.created_at
    db.session.commit()


@demo_cli.command("seed")
def seed_command():
    """Add demo cities, one user of each role, and each domain's demo data."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("Demo data is not for production (APP_ENV=production).")
    rows = seed()
    click.echo("Demo accounts (for local use only):")
    for role, email, password, created in rows:
        click.echo(f"  {role:<12} {email:<34} password: {password}{'' if created else '  (already there)'}")
