"""Member cities (the office manages them; everyone signed in can list them)."""

from __future__ import annotations

from sqlalchemy import func, select

from ...core.db import transactional
from ...core.errors import Conflict, NotFound
from ...core.i18n import _, _l
from ...core.time import utcnow
from ...core.validators import column_length
from ...extensions import db
from ..models import City, User
from .rules import check_country, check_name, check_timezone, policy


def list_cities_query(actor: User, country: str | None = None):
    policy.require(actor, "city.list")
    stmt = select(City).order_by(City.name)
    if country:
        stmt = stmt.where(City.country == country.upper())
    return stmt


def all_cities() -> list[City]:
    return list(db.session.scalars(select(City).order_by(City.name)))


def get_city(actor: User, city_id: int) -> City:
    policy.require(actor, "city.view")
    city = db.session.get(City, city_id)
    if city is None:
        raise NotFound(_("No city with this id."))
    return city


@transactional(_l("A city with this name already exists."))
def create_city(actor: User | None, name: str, country: str, timezone: str) -> City:
    if actor is not None:
        policy.require(actor, "city.create")
    city = City(
        name=check_name(name, max_len=column_length(City.name)),
        country=check_country(country),
        timezone=check_timezone(timezone),
        created_at=utcnow(),
    )
    if db.session.scalar(select(City.id).where(func.lower(City.name) == city.name.lower())):
        raise Conflict(_("A city named %(name)s already exists.", name=city.name))
    db.session.add(city)
    return city


@transactional(_l("A city with this name already exists."))
def update_city(actor: User, city_id: int, changes: dict) -> City:
    policy.require(actor, "city.update")
    city = get_city(actor, city_id)
    if "name" in changes:
        name = check_name(changes["name"], max_len=column_length(City.name))
        if db.session.scalar(select(City.id).where(func.lower(City.name) == name.lower(), City.id != city.id)):
            raise Conflict(_("A city named %(name)s already exists.", name=name))
        city.name = name
    if "country" in changes:
        city.country = check_country(changes["country"])
    if "timezone" in changes:
        city.timezone = check_timezone(changes["timezone"])
    return city
