"""After the session: attendance, the report and its follow-up actions for the requesting
city, and the public story (the report without anything personal beyond what it says)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from sqlalchemy import select

from ...core.content import render_markdown
from ...core.db import transactional
from ...core.errors import Conflict, Invalid, NotFound
from ...core.hooks import app_object, exchange_reported
from ...core.i18n import _
from ...core.time import utcnow
from ...core.validators import column_length, date_in_range, multi_line, single_line
from ...extensions import db
from ..models import Exchange, ExchangeFollowUp
from .calendar import city_names
from .notifications import notify, people_taking_part
from .requests import exchange_for
from .rules import id_list, milestone, status_word


@transactional()
def record_attendance(actor, exchange_id: int, attended_user_ids: list[int]) -> Exchange:
    """The session took place: who attended (the other participants did not)."""
    exchange = exchange_for(actor, exchange_id, "exchange.record", lock=True)
    if exchange.status not in (Exchange.SCHEDULED, Exchange.HELD):
        raise Conflict(
            _(
                "This exchange is %(status)s: attendance is recorded for a scheduled session.",
                status=status_word(exchange.status),
            )
        )
    assert exchange.starts_at is not None
    if exchange.starts_at > utcnow():
        raise Conflict(_("The session has not started yet: record attendance once it took place."))
    ids = set(id_list(attended_user_ids, "attended_user_ids"))
    known = {p.user_id for p in exchange.participants if p.user_id is not None}
    unknown = sorted(ids - known)
    if unknown:
        raise Invalid.field(
            "attended_user_ids",
            _("Not participants of this exchange: %(ids)s.", ids=", ".join(map(str, unknown))),
        )
    for participant in exchange.participants:
        participant.attended = participant.user_id in ids
    now = utcnow()
    exchange.status = Exchange.HELD
    exchange.held_at = exchange.held_at or now
    exchange.updated_at = now
    db.session.flush()
    return exchange


def _follow_ups(items) -> list[ExchangeFollowUp]:
    if not isinstance(items, list | tuple):
        raise Invalid.field("follow_ups", _("Send the follow-up actions as a list."))
    if len(items) > Exchange.MAX_FOLLOW_UPS:
        raise Invalid.field("follow_ups", _("Record at most %(num)d follow-up actions.", num=Exchange.MAX_FOLLOW_UPS))
    result = []
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise Invalid.field("follow_ups", _("Each follow-up has a text and an owner."))
        due = item.get("due_date")
        if due is not None and not isinstance(due, date):
            raise Invalid.field(f"follow_ups.{position}.due_date", _("Use a date such as 2027-03-31."))
        date_in_range(due, f"follow_ups.{position}.due_date")
        result.append(
            ExchangeFollowUp(
                position=position,
                text=multi_line(
                    item.get("text"), f"follow_ups.{position}.text", ExchangeFollowUp.MAX_TEXT, required=True
                ),
                owner=single_line(
                    item.get("owner"), f"follow_ups.{position}.owner", column_length(ExchangeFollowUp.owner)
                ),
                due_date=due,
                milestone_key=milestone(item.get("milestone_key"), f"follow_ups.{position}.milestone_key"),
            )
        )
    return result


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80] or "exchange"


@transactional()
def write_report(
    actor, exchange_id: int, report: str, follow_ups: list | None = None, publish: bool = False
) -> Exchange:
    """The report and follow-ups (which appear on the requesting city's plan page); with
    `publish` the report becomes a public story. Writing it again replaces both."""
    exchange = exchange_for(actor, exchange_id, "exchange.record", lock=True)
    if exchange.status not in (Exchange.HELD, Exchange.REPORTED):
        raise Conflict(
            _(
                "This exchange is %(status)s: record attendance before writing the report.",
                status=status_word(exchange.status),
            )
        )
    text = multi_line(report, "report", Exchange.MAX_REPORT, required=True)
    actions = _follow_ups(follow_ups or [])
    first_report = exchange.status == Exchange.HELD
    now = utcnow()
    exchange.report = text
    exchange.report_html = render_markdown(text)
    exchange.follow_ups.clear()
    db.session.flush()
    exchange.follow_ups.extend(actions)
    exchange.status = Exchange.REPORTED
    exchange.reported_at = exchange.reported_at or now
    exchange.updated_at = now
    if publish:
        exchange.story_slug = exchange.story_slug or f"{slugify(exchange.topic)}-{exchange.id}"
        exchange.story_published_at = exchange.story_published_at or now
    else:
        exchange.story_published_at = None
    db.session.flush()
    if first_report:
        notify(exchange, "reported", people_taking_part(exchange), actor=actor)
    exchange_reported.send(app_object(), exchange=exchange)
    return exchange


# ---------------------------------------------------------------- stories (public)


def stories_query():
    return (
        select(Exchange)
        .where(Exchange.status == Exchange.REPORTED, Exchange.story_published_at.is_not(None))
        .order_by(Exchange.story_published_at.desc(), Exchange.id.desc())
    )


def get_story(slug: str) -> Exchange:
    exchange = db.session.scalar(stories_query().where(Exchange.story_slug == slug))
    if exchange is None:
        raise NotFound(_("No published story at this address."))
    return exchange


def story_cities(exchange: Exchange) -> list[str]:
    return city_names(exchange)
