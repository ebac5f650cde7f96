"""The exchange tests' world: Berlin asks, Barcelona and Bologna host (DOMAIN.md's example),
with a coordinator and a learner per city and one admin; and helpers for the API path."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from action_lms.accounts.models import City, User
from action_lms.core.time import UTC, utcnow

from ..factories import make_city, make_user
from ..helpers import ApiClient, api_as


@dataclass
class World:
    berlin: City
    barcelona: City
    bologna: City
    lisbon: City
    helsinki: City
    admin: User
    coord: dict
    learner: dict


def make_world() -> World:
    cities = {
        "berlin": make_city("Berlin", "DE", "Europe/Berlin"),
        "barcelona": make_city("Barcelona", "ES", "Europe/Madrid"),
        "bologna": make_city("Bologna", "IT", "Europe/Rome"),
        "lisbon": make_city("Lisbon", "PT", "Europe/Lisbon"),
        "helsinki": make_city("Helsinki", "FI", "Europe/Helsinki"),
    }
    coord = {k: make_user("coordinator", city=c, name=f"{c.name} Coordinator", timezone=c.timezone,
                          email=f"coord-{k}@example.org") for k, c in cities.items()}
    learner = {k: make_user("learner", city=c, name=f"{c.name} Officer", timezone=c.timezone,
                            email=f"officer-{k}@example.org") for k, c in cities.items()}
    admin = make_user("admin", name="Office", email="office@example.org", timezone="Europe/Vienna")
    return World(admin=admin, coord=coord, learner=learner, **cities)


def request_body(**extra) -> dict:
    body = {
        "topic": "Drafting a plan against anti-Muslim racism",
        "objective": "Learn how two cities drafted and implemented their plans.",
        "questions": ["How did you involve communities?", "Who owns the measures?", "What would you change?"],
        "languages": ["de", "en"],
        "commitments": [1, 3],
        "milestone_key": "stakeholder_consultation",
    }
    body.update(extra)
    return body


def next_weekday(weekday: int, weeks: int = 2) -> date:
    """A date `weeks` ahead falling on `weekday` (Monday 0)."""
    day = utcnow().date() + timedelta(days=7 * weeks)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def at(day: date, hour: int, minute: int = 0, tz: str = "UTC") -> datetime:
    from zoneinfo import ZoneInfo
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def requested(client, world: World, **extra) -> tuple[ApiClient, dict]:
    api = api_as(client, world.coord["berlin"])
    response = api.post("/api/v1/exchanges", json=request_body(**extra))
    assert response.status_code == 201, response.get_data(as_text=True)
    return api, response.get_json()


def invited(client, world: World, exchange_id: int, *keys: str) -> dict[str, int]:
    office = api_as(client, world.admin)
    ids = {}
    for key in keys:
        city = getattr(world, key)
        response = office.post(f"/api/v1/exchanges/{exchange_id}/invitations", json={"city_id": city.id})
        assert response.status_code == 201, response.get_data(as_text=True)
        ids[key] = response.get_json()["id"]
    return ids


def accepted(client, world: World, exchange_id: int, invitations: dict[str, int]) -> None:
    for key, inv_id in invitations.items():
        response = api_as(client, world.coord[key]).post(
            f"/api/v1/exchanges/{exchange_id}/invitations/{inv_id}/accept")
        assert response.status_code == 200, response.get_data(as_text=True)


def scheduled(client, world: World, exchange_id: int, starts_at: datetime, **extra) -> dict:
    body = {"starts_at": starts_at.isoformat(), "duration_minutes": 60, "join_url": "https://meet.example.org/berlin"}
    body.update(extra)
    response = api_as(client, world.admin).post(f"/api/v1/exchanges/{exchange_id}/schedule", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def published_practice(city: City, title: str, commitments=(), languages=("en",), milestones=()):
    """A published practice written straight to the database (the practices domain's rules
    are tested there)."""
    from action_lms.extensions import db
    from action_lms.practices.models import Practice, PracticeCommitment, PracticeLanguage, PracticeMilestone
    practice = Practice(city_id=city.id, title=title, summary=f"{title} in short.", description="What was done.",
                        description_html="<p>What was done.</p>", status=Practice.PUBLISHED, links=[],
                        search_text=title.lower(), created_at=utcnow(), updated_at=utcnow(), published_at=utcnow())
    practice.commitment_rows = [PracticeCommitment(commitment=c) for c in commitments]
    practice.language_rows = [PracticeLanguage(language=code, position=i) for i, code in enumerate(languages)]
    practice.milestone_rows = [PracticeMilestone(milestone_key=k) for k in milestones]
    db.session.add(practice)
    db.session.commit()
    return practice
