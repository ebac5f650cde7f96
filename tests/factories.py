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
_PASSWORD_HASH = generate_password_hash(PASSWORD)
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
# (courses factories go here)



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
# (consulting factories go here)



# ---------------------------------------------------------------- plans
# (plans factories go here)
