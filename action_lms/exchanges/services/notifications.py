"""Messages about an exchange, each person in their own zone: the request (to the office),
the invitation (to the invited city, with the questions), the answers, the time (with the
calendar file), a move, a cancellation, the reminder and the report. Each is an outbox row
with a unique key, so nothing is sent twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from ...accounts.models import User
from ...core import outbox
from ...core.calendar import build_calendar
from ...core.db import affected_rows, transactional
from ...core.i18n import _, _l, in_language, user_language
from ...core.policy import ADMIN, COORDINATOR
from ...core.time import format_local, utcnow
from ...extensions import db
from ...plans.template import BY_KEY
from ..models import Exchange, Invitation
from .calendar import city_names, exchange_event, exchange_url
from .rules import REMINDER_BEFORE_HOURS

#: The subjects, filled in with `city`, `topic`, `when` and `host` in the recipient's language.
SUBJECTS = {
    "requested": _l("Peer exchange requested by %(city)s: %(topic)s"),
    "invited": _l("%(city)s would like to learn from your city: %(topic)s"),
    "accepted": _l("%(host)s accepted to host the peer exchange: %(topic)s"),
    "declined": _l("%(host)s declined the peer exchange: %(topic)s"),
    "scheduled": _l("Peer exchange on %(when)s: %(topic)s"),
    "rescheduled": _l("Peer exchange moved to %(when)s: %(topic)s"),
    "cancelled": _l("Peer exchange cancelled: %(topic)s"),
    "withdrawn": _l("Peer exchange request withdrawn by %(city)s: %(topic)s"),
    "reminder": _l("Reminder: peer exchange %(when)s: %(topic)s"),
    "reported": _l("Report of the peer exchange: %(topic)s"),
    "added": _l("You take part in a peer exchange: %(topic)s"),
}
WITH_CALENDAR = ("scheduled", "rescheduled", "cancelled", "withdrawn", "added", "reminder")


def _active(stmt):
    return stmt.where(User.active.is_(True), User.erased_at.is_(None)).order_by(User.id)


def office() -> list[User]:
    return list(db.session.scalars(_active(select(User).where(User.role == ADMIN))))


def coordinators_of(city_ids) -> list[User]:
    ids = sorted(set(city_ids))
    if not ids:
        return []
    return list(db.session.scalars(_active(select(User).where(User.city_id.in_(ids), User.role == COORDINATOR))))


def participants_of(exchange: Exchange) -> list[User]:
    return [p.user for p in exchange.participants if p.user is not None and p.user.is_active]


def people_taking_part(exchange: Exchange, include_invited: bool = False) -> list[User]:
    """Participants, and the coordinators of the requesting and accepted (or still invited) cities."""
    statuses = Invitation.TAKING_PART if include_invited else (Invitation.ACCEPTED,)
    city_ids = {exchange.city_id} | {i.city_id for i in exchange.invitations if i.status in statuses}
    return unique([*participants_of(exchange), *coordinators_of(city_ids)])


def unique(people: list[User]) -> list[User]:
    seen: set[int] = set()
    result = []
    for person in people:
        if person.id not in seen:
            seen.add(person.id)
            result.append(person)
    return result


def notify(
    exchange: Exchange,
    kind: str,
    people: list[User],
    actor=None,
    invitation: Invitation | None = None,
    previous_start: datetime | None = None,
    key_suffix: str = "",
) -> int:
    """Queue one message per person, in their own language and zone; the join link (in the text and the
    calendar file) only for participants and the office. Returns how many were queued."""
    participant_ids = {p.user_id for p in exchange.participants if p.user_id is not None}
    queued = 0
    for person in unique(people):
        with in_language(user_language(person)):  # the times and the subject in the recipient's language
            if _queue(exchange, kind, person, participant_ids, actor, invitation, previous_start, key_suffix):
                queued += 1
    return queued


def _queue(
    exchange: Exchange,
    kind: str,
    person: User,
    participant_ids: set[int],
    actor,
    invitation: Invitation | None,
    previous_start: datetime | None,
    key_suffix: str,
) -> bool:
    """One person's message, built in their language and zone."""
    with_link = person.role == ADMIN or person.id in participant_ids
    attachment = None
    if kind in WITH_CALENDAR and exchange.starts_at is not None:
        attachment = (
            f"exchange-{exchange.id}.ics",
            "text/calendar",
            lambda: build_calendar([exchange_event(exchange, with_link)], _("ACTION peer exchanges")).decode("utf-8"),
        )
    when = format_local(exchange.starts_at, person.timezone) if exchange.starts_at else ""
    context = {
        "exchange": exchange,
        "kind": kind,
        "when": when,
        "until": format_local(exchange.ends_at, person.timezone, "%H:%M") if exchange.ends_at else "",
        "previous": format_local(previous_start, person.timezone) if previous_start else None,
        "with_link": with_link and exchange.status == Exchange.SCHEDULED,
        "cities": city_names(exchange),
        "invitation": invitation,
        "url": exchange_url(exchange),
        "actor": actor,
        "milestone": BY_KEY.get(exchange.milestone_key) if exchange.milestone_key else None,
    }
    subject = SUBJECTS[kind] % {
        "city": exchange.city.name,
        "topic": exchange.topic,
        "when": when,
        "host": invitation.city.name if invitation is not None else "",
    }
    key = f"exchanges:{kind}:{exchange.id}:{exchange.sequence}{key_suffix}:{person.id}"
    return outbox.queue(
        person, f"exchange_{kind}", subject, f"exchanges/{kind}.txt", context, key, attachment=attachment
    )


@transactional()
def send_exchange_reminders(now: datetime | None = None) -> int:
    """Scheduler job: a reminder to everyone taking part 24 hours before each scheduled session.

    Exactly once (the exchange is claimed with a conditional UPDATE, and the outbox key is
    unique); none for withdrawn or cancelled exchanges, none once the session started. A job
    that was down catches up for sessions still ahead. Returns how many exchanges were reminded."""
    from datetime import timedelta

    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(Exchange)
            .where(
                Exchange.status == Exchange.SCHEDULED,
                Exchange.reminded_at.is_(None),
                Exchange.starts_at > now,
                Exchange.starts_at <= now + timedelta(hours=REMINDER_BEFORE_HOURS),
            )
            .order_by(Exchange.starts_at)
        )
    )
    sent = 0
    for exchange in due:
        claimed = db.session.execute(
            update(Exchange)
            .where(Exchange.id == exchange.id, Exchange.reminded_at.is_(None), Exchange.status == Exchange.SCHEDULED)
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        if affected_rows(claimed) != 1:
            continue
        notify(exchange, "reminder", people_taking_part(exchange))
        sent += 1
    return sent
