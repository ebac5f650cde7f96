"""After a session: the consultant's summary, the follow-up actions, held or no-show."""

from __future__ import annotations

from ...core.db import transactional
from ...core.errors import Conflict, Invalid
from ...core.i18n import _
from ...core.time import utcnow
from ...core.validators import column_length, multi_line, single_line
from ...extensions import db
from ..models import Booking, FollowUp
from .bookings import booking_for
from .notifications import notify
from .permissions import can_write_notes
from .rules import calendar_date, milestone, when

AFTER_SESSION = (Booking.HELD, Booking.NO_SHOW)


def _follow_up(item: dict, i: int) -> FollowUp:
    """One follow-up action, each field named `follow_ups.<i>.<name>` in errors."""
    text = single_line(item.get("text"), f"follow_ups.{i}.text", FollowUp.MAX_TEXT)
    owner = single_line(item.get("owner"), f"follow_ups.{i}.owner", column_length(FollowUp.owner))
    due = item.get("due_date")
    if due is not None:
        due = calendar_date(due, f"follow_ups.{i}.due_date")
    key = milestone(item.get("milestone_key"), f"follow_ups.{i}.milestone_key")
    return FollowUp(position=i, text=text, owner=owner, due_date=due, milestone_key=key)


@transactional()
def record_notes(
    actor, booking_id: int, summary: str | None, follow_ups: list[dict] | None, status: str = Booking.HELD
) -> Booking:
    """After the session: the consultant records what was discussed and what follows."""
    booking = booking_for(actor, booking_id, "booking.notes", can_write_notes, lock=True)
    if booking.status == Booking.CANCELLED:
        raise Conflict(_("This booking was cancelled, so there is no session to record."))
    now = utcnow()
    if booking.slot.starts_at > now:
        raise Conflict(
            _(
                "Notes can be recorded once the session has started (%(when)s).",
                when=when(booking.slot.starts_at, actor.timezone),
            )
        )
    if status not in AFTER_SESSION:
        raise Invalid.field("status", _("Status after a session is held or no_show."))
    summary = multi_line(summary, "summary", Booking.MAX_SUMMARY, required=status == Booking.HELD) or ""
    items = [_follow_up(item, i) for i, item in enumerate(follow_ups or [])]
    if len(items) > Booking.MAX_FOLLOW_UPS:
        raise Invalid.field("follow_ups", _("Record at most %(num)d follow-up actions.", num=Booking.MAX_FOLLOW_UPS))
    first_time = booking.notes_recorded_at is None
    booking.follow_ups.clear()
    db.session.flush()
    booking.follow_ups.extend(items)
    booking.summary = summary or None
    booking.status = status
    booking.notes_recorded_at = now
    booking.updated_at = now
    db.session.flush()
    if first_time and status == Booking.HELD:
        notify(booking, "notes")
    return booking
