"""Who may do what to which object, in one place: the role table (`rules.policy`) says which
actions a role may take at all; these functions add the object-level rules (the city's own
bookings, a consultant's own slots and sessions, the ACTION office for everyone). Services
call them before acting, and views and templates ask them what to offer."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select

from ...core.policy import ADMIN, CONSULTANT, COORDINATOR, is_office, signed_in
from ...extensions import db
from ..models import Booking, Slot
from .rules import policy

#: Which bookings a person sees: every booking (the ACTION office), their city's
#: (coordinators), the sessions they give (consultants), or none.
BookingScope = Literal["all", "city", "consultant", "none"]


def booking_scope(user) -> BookingScope:
    if not signed_in(user):
        return "none"
    if user.role == ADMIN:
        return "all"
    if user.role == COORDINATOR:
        return "city"
    if user.role == CONSULTANT:
        return "consultant"
    return "none"


def visible_bookings(stmt, user):
    """Restrict a Booking select to what `user` may see (the query form of `can_view_booking`)."""
    scope = booking_scope(user)
    if scope == "all":
        return stmt
    if scope == "city":
        return stmt.where(Booking.city_id == user.city_id)
    if scope == "consultant":
        return stmt.where(Booking.slot_id.in_(select(Slot.id).where(Slot.consultant_id == user.id)))
    return stmt.where(False)


def _sees(user, booking: Booking) -> bool:
    scope = booking_scope(user)
    if scope == "all":
        return True
    if scope == "city":
        return booking.city_id == user.city_id
    if scope == "consultant":
        return booking.slot.consultant_id == user.id
    return False


def can_view_booking(user, booking: Booking) -> bool:
    return policy.allows(user, "booking.view") and _sees(user, booking)


def can_cancel_booking(user, booking: Booking) -> bool:
    """Either side of a session they see (the deadline is a rule of the action, not of the person)."""
    return policy.allows(user, "booking.cancel") and _sees(user, booking)


def can_reschedule_booking(user, booking: Booking) -> bool:
    return policy.allows(user, "booking.reschedule") and _sees(user, booking)


def can_write_notes(user, booking: Booking) -> bool:
    """The consultant who gave the session (or the office) records what was discussed."""
    return policy.allows(user, "booking.notes") and _sees(user, booking)


def can_set_meeting_link(user, booking: Booking) -> bool:
    """Where to meet is the expert's to say (or the office's); the city proposes one when booking."""
    return policy.allows(user, "booking.meeting_link") and _sees(user, booking)


def can_override_deadline(user) -> bool:
    """The office may still cancel or move a booking close to the session."""
    return is_office(user)


def can_book_for_any_city(user) -> bool:
    """The office books for the city it names; a coordinator books for their own."""
    return is_office(user) and policy.allows(user, "booking.create")


def can_book_for_city(user, city_id: int | None) -> bool:
    return policy.allows(user, "booking.create") and (can_book_for_any_city(user) or city_id == user.city_id)


def can_manage_any_consultant(user) -> bool:
    """The office manages every consultant's slots and profile, naming the consultant."""
    return is_office(user)


def can_manage_slots(user, consultant_id: int | None) -> bool:
    """A consultant their own availability and slots, the office anyone's."""
    return policy.allows(user, "slot.manage") and (can_manage_any_consultant(user) or consultant_id == user.id)


def can_edit_profile(user, consultant_id: int | None) -> bool:
    return policy.allows(user, "profile.edit") and (can_manage_any_consultant(user) or consultant_id == user.id)


def consultant_works_with_city(user, city_id: int) -> bool:
    """A consultant may follow the plans of the cities that booked them (any booking, past or future)."""
    if booking_scope(user) != "consultant":
        return False
    return (
        db.session.scalar(
            select(Booking.id)
            .join(Slot, Booking.slot_id == Slot.id)
            .where(Booking.city_id == city_id, Slot.consultant_id == user.id, Booking.status != Booking.CANCELLED)
            .limit(1)
        )
        is not None
    )
