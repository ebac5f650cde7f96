"""`flask practices import FILE.yaml` and the demo seeder: practices from a YAML list, each
naming its city (and optionally its contact) by name or e-mail.

Every entry is checked by the same rules as the API and the forms (`clean_fields`) before
anything is written; every problem is reported with its entry number, and then nothing is
written. Otherwise all entries are written in one transaction, matched to existing
practices by (city, title), so importing the same file again changes nothing.

An entry: `city`, `title`, `summary`, `description`, `commitments`, `languages`, and
optionally `milestone_keys`, `problem`, `actions`, `resources`, `results`, `transfer`,
`links` ([{title, url}]), `contact` (the e-mail of an active member of the city),
`started_year`, `featured_in`, `status` (default `published`: the file is the office's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

from ...accounts.models import City, User
from ...core.db import unit_of_work
from ...core.errors import Invalid
from ...core.time import utcnow
from ...extensions import db
from ..models import Practice
from .editing import write_fields
from .rules import STATUSES
from .validation import FIELDS, clean_fields

ENTRY_KEYS = ("city", "contact", "status", *(f for f in FIELDS if f != "contact_id"))
DEFAULT_STATUS = Practice.PUBLISHED


@dataclass
class ImportResult:
    problems: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Entry:
    number: int
    city: City
    status: str
    cleaned: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.city.name}: {self.cleaned['title']}"


def read_file(path: str | Path) -> tuple[list | None, list[str]]:
    """The entries of a YAML file (a list, or a mapping with a `practices` list)."""
    name = str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        return None, [f"{name}: cannot read the file ({exc.strerror or exc})."]
    except UnicodeDecodeError:
        return None, [f"{name}: the file is not UTF-8 text."]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        return None, [f"{name}: not valid YAML{where}: {getattr(exc, 'problem', None) or exc}."]
    if isinstance(data, dict) and isinstance(data.get("practices"), list):
        data = data["practices"]
    if not isinstance(data, list):
        return None, [f"{name}: expected a list of practices (or a mapping with a `practices` list)."]
    return data, []


def import_file(path: str | Path) -> ImportResult:
    entries, problems = read_file(path)
    if entries is None:
        return ImportResult(problems=problems)
    return import_practices(entries)


def _check(number: int, raw, cities: dict[str, City], problems: list[str]) -> _Entry | None:
    where = f"entry {number}"
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping of fields (city, title, summary...).")
        return None
    found = len(problems)
    for key in raw:
        if key not in ENTRY_KEYS:
            problems.append(f"{where}: unknown field {key!r}.")
    city_name = raw.get("city")
    city = cities.get(city_name.strip().casefold()) if isinstance(city_name, str) else None
    if city is None:
        problems.append(
            f"{where}: city: no city is named {city_name!r}."
            if city_name
            else f"{where}: city: this field is required."
        )
    status = raw.get("status", DEFAULT_STATUS)
    if status not in STATUSES:
        problems.append(f"{where}: status: use one of {', '.join(STATUSES)}.")
    fields = {k: v for k, v in raw.items() if k in FIELDS}
    contact = raw.get("contact")
    if contact is not None and city is not None:
        user_id = db.session.scalar(
            select(User.id).where(func.lower(User.email) == str(contact).strip().lower(), User.city_id == city.id)
        )
        fields["contact_id"] = user_id if user_id is not None else -1  # -1: refused below, with the rule's message
    cleaned: dict[str, Any] = {}
    try:
        cleaned = clean_fields(fields, city.id if city is not None else 0)
    except Invalid as exc:
        for name, messages in sorted((exc.errors or {}).items()):
            shown = "contact" if name == "contact_id" else name
            problems.extend(f"{where}: {shown}: {message}" for message in messages)
    if city is None or len(problems) > found:
        return None
    return _Entry(number, city, status, cleaned)


_EMPTY: dict[str, Any] = {"milestone_keys": [], "links": []}


def _full(cleaned: dict[str, Any]) -> dict[str, Any]:
    """Every field of an entry: the file is the whole record, so a field left out is cleared."""
    return {name: cleaned.get(name, _EMPTY.get(name)) for name in FIELDS}


def _comparable(values: dict[str, Any]) -> dict[str, Any]:
    return values | {"milestone_keys": sorted(values["milestone_keys"] or [])}


def _snapshot(practice: Practice) -> dict[str, Any]:
    return _comparable({name: getattr(practice, name) for name in FIELDS}) | {"status": practice.status}


def _set_status(practice: Practice, status: str) -> None:
    if practice.status == status:
        return
    now = utcnow()
    practice.status = status
    if status == Practice.SUBMITTED:
        practice.submitted_at = now
    elif status == Practice.PUBLISHED:
        practice.published_at, practice.archived_at = now, None
    elif status == Practice.ARCHIVED:
        practice.archived_at = now
    practice.updated_at = now


def import_practices(entries: list) -> ImportResult:
    """Check every entry, then write them all (or nothing), creating or updating by (city, title)."""
    result = ImportResult()
    cities = {c.name.casefold(): c for c in db.session.scalars(select(City))}
    checked: list[_Entry] = []
    seen: dict[tuple[int, str], int] = {}
    for number, raw in enumerate(entries, start=1):
        entry = _check(number, raw, cities, result.problems)
        if entry is None:
            continue
        key = (entry.city.id, entry.cleaned["title"].casefold())
        if key in seen:
            result.problems.append(f"entry {number}: the same city and title as entry {seen[key]}.")
            continue
        seen[key] = number
        checked.append(entry)
    if result.problems:
        return result
    existing = {
        (p.city_id, p.title.casefold()): p
        for p in db.session.scalars(select(Practice).where(Practice.city_id.in_({e.city.id for e in checked})))
    }
    with unit_of_work():
        for entry in checked:
            values = _full(entry.cleaned)
            practice = existing.get((entry.city.id, entry.cleaned["title"].casefold()))
            if practice is None:
                now = utcnow()
                practice = Practice(city_id=entry.city.id, city=entry.city, status=Practice.DRAFT, links=[])
                practice.created_at = practice.updated_at = now
                write_fields(practice, values, entry.city.name)
                db.session.add(practice)
                _set_status(practice, entry.status)
                result.created.append(entry.label)
            elif _snapshot(practice) == _comparable(values) | {"status": entry.status}:
                result.unchanged.append(entry.label)
            else:
                write_fields(practice, values, entry.city.name)
                _set_status(practice, entry.status)
                result.updated.append(entry.label)
    return result
