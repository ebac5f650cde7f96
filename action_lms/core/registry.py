"""Cross-domain read hooks, so the cross-city overview and the plan pages can show
figures and links owned by other domains without importing their models.

- City statistics: `register_city_stat(key, label, fn)` where `fn(city_ids: list[int]) ->
  dict[int, value]` answers for all cities in ONE query (the overview must load in a
  constant number of queries however many cities there are).
- Milestone resources: `register_milestone_resource(kind, label, fn)` where
  `fn(city_id: int | None, keys: list[str]) -> dict[str, list[dict]]` returns, per
  milestone key, items `{"title": str, "url": str, "detail": str | None}` (lessons tagged
  with the key, bookings and follow-ups naming it...), also in a fixed number of queries.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CityStat:
    key: str
    label: str
    fn: Callable[[list[int]], dict]


@dataclass(frozen=True)
class MilestoneResource:
    kind: str
    label: str
    fn: Callable[[int | None, list[str]], dict]


CITY_STATS: dict[str, CityStat] = {}
MILESTONE_RESOURCES: dict[str, MilestoneResource] = {}


def register_city_stat(key: str, label: str, fn: Callable[[list[int]], dict]) -> None:
    CITY_STATS[key] = CityStat(key, label, fn)


def register_milestone_resource(kind: str, label: str, fn: Callable[[int | None, list[str]], dict]) -> None:
    MILESTONE_RESOURCES[kind] = MilestoneResource(kind, label, fn)


def city_stats(city_ids: list[int]) -> dict[str, dict]:
    """{stat key: {city_id: value}} for every registered statistic."""
    return {key: stat.fn(city_ids) for key, stat in CITY_STATS.items()}


def milestone_resources(city_id: int | None, keys: list[str]) -> dict[str, dict]:
    """{kind: {milestone key: [items]}} for every registered resource."""
    return {kind: res.fn(city_id, keys) for kind, res in MILESTONE_RESOURCES.items()}
