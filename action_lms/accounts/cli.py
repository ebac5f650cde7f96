"""`flask users ...` commands for operators."""

import click
from flask.cli import AppGroup

from ..core.errors import DomainError
from . import services

users_cli = AppGroup("users", help="Manage user accounts.")
cities_cli = AppGroup("cities", help="Manage member cities.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["learner", "coordinator", "consultant", "admin"]))
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 10 characters; asked for when not given.",
)
@click.option("--city", "city_name", default=None, help="City name (required for coordinators).")
@click.option("--timezone", default=None, help="IANA zone, e.g. Europe/Berlin (default: the city's).")
def create_user(email, name, role, password, city_name, timezone):
    """Create a user of any role."""
    city_id = None
    if city_name:
        city = next((c for c in services.all_cities() if c.name.lower() == city_name.lower()), None)
        if city is None:
            raise click.ClickException(f"No city named {city_name!r}.")
        city_id = city.id
    try:
        user = services.create_user(
            None, email=email, name=name, role=role, city_id=city_id, timezone=timezone, password=password
        )
    except DomainError as exc:
        details = "; ".join(f"{k}: {' '.join(v)}" for k, v in (getattr(exc, "errors", None) or {}).items())
        raise click.ClickException(
            exc.message + (f" ({details})" if details and details not in exc.message else "")
        ) from exc
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@cities_cli.command("create")
@click.option("--name", required=True)
@click.option("--country", required=True, help="ISO code, e.g. DE")
@click.option("--timezone", required=True, help="IANA zone, e.g. Europe/Berlin")
def create_city(name, country, timezone):
    """Add a member city."""
    try:
        city = services.create_city(None, name=name, country=country, timezone=timezone)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Created city {city.name} (id {city.id}).")
