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
from ...core.policy import ADMIN, COORDINATOR
from ...core.time import format_local, utcnow
from ...extensions import db
from ...plans.template import BY_KEY
from ..models import Exchange, Invitation
from .calendar import city_names, exchange_event, exchange_url
from .rules import REMINDER_BEFORE_HOURS

SUBJECTS = {
    "requested": "Peer exchange requested by {city}: {topic}",
    "invited": "{city} would like to learn from your city: {topic}",
    "accepted": "{host} accepted to host the peer exchange: {topic}",
    "declined": "{host} declined the peer exchange: {topic}",
    "scheduled": "Peer exchange on {when}: {topic}",
    "rescheduled": "Peer exchange moved to {when}: {topic}",
    "cancelled": "Peer exchange cancelled: {topic}",
    "withdrawn": "Peer exchange request withdrawn by {city}: {topic}",
    "reminder": "Reminder: peer exchange {when}: {topic}",
    "reported": "Report of the peer exchange: {topic}",
    "added": "You take part in a peer exchange: {topic}",
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
    """Queue one message per person, in their own zone; the join link (in the text and the
    calendar file) only for participants and the office. Returns how many were queued."""
    participant_ids = {p.user_id for p in exchange.participants if p.user_id is not None}
    queued = 0
    for person in unique(people):
        with_link = person.role == ADMIN or person.id in participant_ids
        attachment = None
        if kind in WITH_CALENDAR and exchange.starts_at is not None:
            attachment = (
                f"exchange-{exchange.id}.ics",
                "text/calendar",
                build_calendar([exchange_event(exchange, with_link)], "ACTION peer exchanges").decode("utf-8"),
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
        subject = SUBJECTS[kind].format(
            city=exchange.city.name,
            topic=exchange.topic,
            when=when,
            host=invitation.city.name if invitation is not None else "",
        )
        key = f"exchanges:{kind}:{exchange.id}:{exchange.sequence}{key_suffix}:{person.id}"
        if outbox.queue(
            person, f"exchange_{kind}", subject, f"exchanges/{kind}.txt", context, key, attachment=attachment
        ):
            queued += 1
    return queued


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
