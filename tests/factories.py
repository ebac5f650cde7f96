"""Factories for every model. They write directly (fast, no e-mails) and return the object.
Domains add theirs below the accounts section."""
from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from action_lms.accounts.models import ApiToken, City, User
from action_lms.accounts.services import hash_secret
from action_lms.core.time import utcnow
from action_lms.extensions import db

PASSWORD = "correct-horse-battery"
# Test users' passwords are hashed with a cheap method: every sign-in of a test checks one,
# and scrypt (what the services use) costs about 100 ms a check. The services' own hashing is
# tested through registration and password changes.
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


# ---------------------------------------------------------------- accounts

def make_city(name: str | None = None, country: str = "DE", timezone: str = "Europe/Berlin", commit: bool = True) -> City:
    city = City(name=name or f"City {_n()}", country=country, timezone=timezone, created_at=utcnow())
    db.session.add(city)
    if commit:
        db.session.commit()
    return city


def make_user(role: str = "learner", city: City | None = None, email: str | None = None, name: str | None = None,
              timezone: str = "Europe/Berlin", password: str | None = PASSWORD, active: bool = True,
              commit: bool = True) -> User:
    if role == "coordinator" and city is None:
        city = make_city(commit=False)
    n = _n()
    user = User(email=(email or f"{role}{n}@example.org").lower(), name=name or f"{role.capitalize()} {n}", role=role,
                city=city, timezone=timezone, active=active, created_at=utcnow(),
                password_hash=_PASSWORD_HASH if password == PASSWORD else (generate_password_hash(password) if password else None))
    db.session.add(user)
    if commit:
        db.session.commit()
    return user


def make_token(user: User, plain: str | None = None, name: str = "test token") -> str:
    plain = plain or f"alms_test_{_n()}_{user.id}"
    db.session.add(ApiToken(user_id=user.id, name=name, token_hash=hash_secret(plain), prefix=plain[:12],
                            created_at=utcnow(), revoked=False))
    db.session.commit()
    return plain


# ---------------------------------------------------------------- courses

SAMPLE_COURSE_YAML = """\
slug: {slug}
title: {title}
summary: A short course used by the tests.
language: en
version: 1
published: {published}
modules:
  - key: basics
    title: The basics
    summary: First steps.
    prerequisites: []
    lessons:
      - basics/01-first.md
      - basics/02-second.md
    quiz: basics/quiz.yaml
  - key: advanced
    title: Going further
    summary: Next steps.
    prerequisites: [basics]
    lessons:
      - advanced/01-third.md
    quiz: advanced/quiz.yaml
"""

SAMPLE_FILES = {
    "basics/01-first.md": """\
---
key: first
title: First lesson
minutes: 10
commitments: [1, 2]
milestones: [political_mandate]
---
The **first** lesson.

<script>alert("x")</script>

- [ ] Exercise: write down one thing.
""",
    "basics/02-second.md": """\
---
key: second
title: Second lesson
minutes: 15
commitments: [4]
milestones: [stakeholder_consultation, political_mandate]
---
The second lesson.
""",
    "basics/quiz.yaml": """\
key: basics-quiz
title: Basics quiz
pass_mark: 50
max_attempts: 3
questions:
  - key: q1
    text: Pick a.
    type: single
    options:
      - key: a
        text: A
        correct: true
      - key: b
        text: B
  - key: q2
    text: Pick a and b.
    type: multiple
    options:
      - key: a
        text: A
        correct: true
      - key: b
        text: B
        correct: true
      - key: c
        text: C
""",
    "advanced/01-third.md": """\
---
key: third
title: Third lesson
minutes: 20
commitments: [10]
milestones: [implementation]
---
The third lesson.
""",
    "advanced/quiz.yaml": """\
key: advanced-quiz
title: Advanced quiz
pass_mark: 100
questions:
  - key: q1
    text: Pick yes.
    type: single
    options:
      - key: "y"
        text: "Yes"
        correct: true
      - key: "n"
        text: "No"
""",
}


def write_course_files(root, slug: str = "sample-course", title: str = "Sample course", published: bool = True,
                       overrides: dict | None = None):
    """Write a two-module course (basics → advanced, both with a quiz) under root/slug; returns root."""
    from pathlib import Path
    root = Path(root)
    folder = root / slug
    files = {"course.yaml": SAMPLE_COURSE_YAML.format(slug=slug, title=title, published=str(published).lower()),
             **SAMPLE_FILES, **(overrides or {})}
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(text, encoding="utf-8")
    return root


def make_course(root, slug: str = "sample-course", **kwargs):
    """Write and import the sample course; returns the Course."""
    from action_lms.courses import services as course_services
    from action_lms.courses.models import Course
    write_course_files(root, slug=slug, **kwargs)
    result = course_services.import_directory(root)
    assert result.ok, [str(p) for p in result.problems]
    return db.session.scalar(db.select(Course).where(Course.slug == slug))



# ---------------------------------------------------------------- webinars

def make_webinar(title: str | None = None, starts_at=None, duration_minutes: int = 60, capacity: int = 10,
                 timezone: str = "Europe/Berlin", status: str = "published", join_url: str | None = "https://meet.example.org/w",
                 registration_closes_at=None, commit: bool = True, **extra):
    from datetime import timedelta

    from action_lms.core.content import render_markdown
    from action_lms.webinars.models import Webinar
    starts_at = starts_at or (utcnow() + timedelta(days=7)).replace(microsecond=0)
    description = extra.pop("description", "About the webinar.")
    webinar = Webinar(title=title or f"Webinar {_n()}", description=description,
                      description_html=render_markdown(description), timezone=timezone, capacity=capacity,
                      join_url=join_url, registration_closes_at=registration_closes_at, status=status,
                      course_module_keys=extra.pop("course_module_keys", []), milestone_keys=extra.pop("milestone_keys", []),
                      sequence=0, created_at=utcnow(), updated_at=utcnow(), **extra)
    webinar.set_time(starts_at, duration_minutes)
    db.session.add(webinar)
    if commit:
        db.session.commit()
    return webinar


def make_registration(webinar, user, status: str = "confirmed", waitlist_position: int | None = None,
                      attended: bool = False, commit: bool = True):
    from action_lms.webinars.models import WebinarRegistration
    reg = WebinarRegistration(webinar_id=webinar.id, user_id=user.id, status=status, attended=attended,
                              waitlist_position=waitlist_position if status == "waitlisted" else None,
                              created_at=utcnow(), confirmed_at=utcnow() if status == "confirmed" else None)
    db.session.add(reg)
    if commit:
        db.session.commit()
    return reg



# ---------------------------------------------------------------- consulting
from datetime import timedelta as _td  # noqa: E402

from action_lms.consulting.models import Booking, ConsultantExpertise, ConsultantProfile, Slot  # noqa: E402


def make_consultant(expertise=(), timezone: str = "Europe/Madrid", languages=("English",), bio: str = "",
                    **kwargs) -> User:
    user = make_user("consultant", timezone=timezone, commit=False, **kwargs)
    db.session.flush()
    db.session.add(ConsultantProfile(user_id=user.id, languages=list(languages), bio=bio, timezone=timezone,
                                     updated_at=utcnow()))
    db.session.add_all(ConsultantExpertise(user_id=user.id, commitment=c) for c in expertise)
    db.session.commit()
    return user


def make_slot(consultant: User | None = None, starts_at=None, minutes: int = 60, status: str = "open",
              commit: bool = True) -> Slot:
    consultant = consultant or make_consultant()
    starts_at = starts_at or (utcnow().replace(microsecond=0, second=0) + _td(days=3))
    slot = Slot(consultant_id=consultant.id, starts_at=starts_at, ends_at=starts_at + _td(minutes=minutes),
                status=status, created_at=utcnow())
    db.session.add(slot)
    if commit:
        db.session.commit()
    return slot


def make_booking(slot: Slot | None = None, city: City | None = None, booked_by: User | None = None,
                 topic: str = "Baseline data", questions: str = "How do we collect data?", status: str = "booked",
                 milestone_key: str | None = None, commit: bool = True) -> Booking:
    slot = slot or make_slot()
    if booked_by is None:
        booked_by = make_user("coordinator", city=city)
    city = city or booked_by.city
    booking = Booking(slot_id=slot.id, city_id=city.id, booked_by_id=booked_by.id, topic=topic, questions=questions,
                      milestone_key=milestone_key, status=status, sequence=0, created_at=utcnow(), updated_at=utcnow())
    if status != "cancelled":
        slot.status = "booked"
    db.session.add(booking)
    if commit:
        db.session.commit()
    return booking



# ---------------------------------------------------------------- plans

def make_plan(city: City | None = None, title: str = "Local action plan", focus: str = "The whole Ten-Point Plan",
              commitments=(1, 3), is_current: bool = True, statuses: dict | None = None, due: dict | None = None,
              created_at=None):
    """A plan with one milestone per template entry. `statuses` {key: status} (completed ones
    get a note as evidence, blocked ones a reason); `due` {key: date}. An earlier current plan
    of the city stops being current."""
    from action_lms.plans.models import Milestone, Plan
    from action_lms.plans.template import MILESTONES
    city = city or make_city(commit=False)
    now = created_at or utcnow()
    if is_current and city.id is not None:
        for other in db.session.query(Plan).filter(Plan.city_id == city.id, Plan.is_current):
            other.is_current = False
        db.session.flush()
    plan = Plan(city=city, title=title, focus=focus, commitments=list(commitments), is_current=is_current,
                created_at=now, updated_at=now)
    statuses = statuses or {}
    due = due or {}
    for i, m in enumerate(MILESTONES):
        status = statuses.get(m.key, "not_started")
        plan.milestones.append(Milestone(
            key=m.key, position=i + 1, status=status, due_date=due.get(m.key), updated_at=now,
            note="Done, see minutes." if status == "completed" else None,
            completed_at=now if status == "completed" else None,
            blocked_reason="Waiting for the council." if status == "blocked" else None))
    db.session.add(plan)
    db.session.commit()
    return plan



# ---------------------------------------------------------------- practices

def make_practice(city: City | None = None, title: str | None = None, status: str = "published",
                  commitments=(1,), milestone_keys=(), languages=("en",), summary: str = "What the city did, in short.",
                  description: str = "A longer description of the practice.", commit: bool = True, **fields):
    """A practice of `city` (a new city by default) with its tag rows and its search text,
    written by the service's normaliser so the full-text index finds it. `fields`: any other
    column (problem, contact_id, started_year, featured_in, links, review_comment, created_by_id,
    submitted_at, updated_at...)."""
    from action_lms.core.content import render_markdown
    from action_lms.practices.models import Practice, PracticeCommitment, PracticeLanguage, PracticeMilestone
    from action_lms.practices.services import search_text
    city = city or make_city(commit=False)
    db.session.flush()
    title = title or f"Practice {_n()}"
    now = fields.pop("updated_at", None) or utcnow()
    practice = Practice(
        city_id=city.id, title=title, summary=summary, description=description,
        description_html=render_markdown(description), status=status, links=fields.pop("links", []),
        search_text=search_text(title, city.name, summary, description), created_at=now, updated_at=now,
        submitted_at=fields.pop("submitted_at", now if status != "draft" else None),
        published_at=now if status in ("published", "archived") else None,
        archived_at=now if status == "archived" else None, **fields)
    practice.commitment_rows = [PracticeCommitment(commitment=c) for c in commitments]
    practice.milestone_rows = [PracticeMilestone(milestone_key=k) for k in milestone_keys]
    practice.language_rows = [PracticeLanguage(language=code, position=i) for i, code in enumerate(languages)]
    db.session.add(practice)
    if commit:
        db.session.commit()
    return practice
