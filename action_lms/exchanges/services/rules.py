"""What every exchange use case shares: the role table, the settings and the input checks."""

from __future__ import annotations

from datetime import date, time

from flask import current_app

from ...core.i18n import _, _l
from ...core.policy import ADMIN, ANY_USER, COORDINATOR, Policy
from ...extensions import db
from ..models import Exchange, Invitation

policy = Policy(
    "exchanges",
    {
        "exchange.request": {COORDINATOR, ADMIN},
        "exchange.list": ANY_USER,
        "exchange.view": ANY_USER,
        "exchange.withdraw": {COORDINATOR, ADMIN},
        "exchange.match": {ADMIN},  # suggestions, invitations, time options, scheduling, cancelling
        "exchange.record": {ADMIN},  # attendance, report, follow-ups, story
        "invitation.respond": {COORDINATOR, ADMIN},
        "participant.join": ANY_USER,
        "participant.add": {COORDINATOR, ADMIN},
        "board.view": {ADMIN},
    },
)

DEFAULTS: dict[str, str] = {
    "EXCHANGE_WORKDAY_START": "09:00",
    "EXCHANGE_WORKDAY_END": "17:00",
    "EXCHANGE_WORKDAYS": "0,1,2,3,4",  # Monday = 0
}


def is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _clock(value: str) -> time:
    hours, __, minutes = value.partition(":")
    return time(int(hours), int(minutes or 0))


def working_hours() -> tuple[time, time, frozenset[int]]:
    """The working day every taking-part city's zone must contain the meeting in."""
    cfg = current_app.config
    start = _clock(str(cfg.get("EXCHANGE_WORKDAY_START", DEFAULTS["EXCHANGE_WORKDAY_START"])))
    end = _clock(str(cfg.get("EXCHANGE_WORKDAY_END", DEFAULTS["EXCHANGE_WORKDAY_END"])))
    days = str(cfg.get("EXCHANGE_WORKDAYS", DEFAULTS["EXCHANGE_WORKDAYS"]))
    return start, end, frozenset(int(d) for d in days.split(",") if d.strip())


def is_working_day(day: date) -> bool:
    return day.weekday() in working_hours()[2]


# ---------------------------------------------------------------- input checks

NOT_VISIBLE = _l("No exchange with this id, or it is not visible to you.")
LANGUAGE_RE = r"^[a-z]{2,3}$"
REMINDER_BEFORE_HOURS = 24
SLOT_STEP_MINUTES = 30
MAX_SUGGESTIONS = 20

#: A status as a word inside a sentence ("This exchange is held: ..."); the English word is
#: the status itself. The pages' badges say it differently (views.STATUS_LABELS).
STATUS_WORDS = {
    Exchange.REQUESTED: _l("requested"),
    Exchange.MATCHING: _l("matching"),
    Exchange.SCHEDULED: _l("scheduled"),
    Exchange.HELD: _l("held"),
    Exchange.REPORTED: _l("reported"),
    Exchange.WITHDRAWN: _l("withdrawn"),
    Exchange.CANCELLED: _l("cancelled"),
}
INVITATION_WORDS = {
    Invitation.PENDING: _l("pending"),
    Invitation.ACCEPTED: _l("accepted"),
    Invitation.DECLINED: _l("declined"),
    Invitation.WITHDRAWN: _l("withdrawn"),
}


def status_word(status: str) -> str:
    """An exchange's status inside a sentence, in the current language."""
    return str(STATUS_WORDS.get(status, status))


def invitation_word(status: str) -> str:
    """An invitation's status inside a sentence, in the current language."""
    return str(INVITATION_WORDS.get(status, status))


def commitments(values, field_name: str = "commitments") -> list[int]:
    from ...core.errors import Invalid

    values = list(values or [])
    if len(values) > 10 or any(isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 10 for v in values):
        raise Invalid.field(field_name, _("Commitments are numbers from 1 to 10 (the Ten-Point Plan of Action)."))
    return sorted(set(values))


def languages(values, field_name: str = "languages", required: bool = True) -> list[str]:
    import re

    from ...core.errors import Invalid

    cleaned: list[str] = []
    for value in values or []:
        code = value.strip().lower() if isinstance(value, str) else ""
        if not re.match(LANGUAGE_RE, code):
            raise Invalid.field(field_name, _("Use language codes such as de, en, es, it or fr."))
        if code not in cleaned:
            cleaned.append(code)
    if required and not cleaned:
        raise Invalid.field(field_name, _("Name at least one language your people can use in the meeting."))
    if len(cleaned) > Exchange.MAX_LIST:
        raise Invalid.field(field_name, _("Name at most %(num)d languages.", num=Exchange.MAX_LIST))
    return cleaned


def milestone(key, field_name: str = "milestone_key") -> str | None:
    from ...core.errors import Invalid
    from ...plans.template import is_milestone_key

    key = (key or "").strip() if isinstance(key, str) else key
    if not key:
        return None
    if not is_milestone_key(key):
        raise Invalid.field(field_name, _("Unknown milestone: use one of the keys of the milestone template."))
    return key


def calendar_date(value, field_name: str) -> date | None:
    from datetime import datetime

    from ...core.errors import Invalid
    from ...core.validators import date_in_range

    if value is None:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise Invalid.field(field_name, _("Use a date such as 2027-03-31."))
    date_in_range(value, field_name)
    return value


def id_list(values, field_name: str) -> list[int]:
    from ...core.errors import MAX_DB_INT, Invalid

    result: list[int] = []
    for value in values or []:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_DB_INT:
            raise Invalid.field(field_name, _("Use the ids of existing records."))
        if value not in result:
            result.append(value)
    if len(result) > Exchange.MAX_LIST:
        raise Invalid.field(field_name, _("Name at most %(num)d.", num=Exchange.MAX_LIST))
    return result
