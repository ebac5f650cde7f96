"""JSON API of the consulting domain: parse, call a service, serialise."""

from flask_login import current_user

from ..core.api import Blueprint
from ..core.calendar import calendar_response
from ..core.i18n import _
from ..core.pagination import SelectPage
from . import services
from .schemas import (
    AvailabilityResultSchema,
    AvailabilitySchema,
    BookingCancelSchema,
    BookingCreateSchema,
    BookingQuerySchema,
    BookingSchema,
    BookingUpdateSchema,
    ConsultantQuerySchema,
    ConsultantSchema,
    NotesSchema,
    ProfileSchema,
    RescheduleSchema,
    SlotCreateSchema,
    SlotQuerySchema,
    SlotSchema,
)

blp = Blueprint("consulting_api", __name__, url_prefix="/api/v1", description="Consulting")


def _zoned(item):
    """A slot or booking with its consultant's zone, for the schema."""
    return services.annotate_slots([item])[0]


class ConsultantPage(SelectPage):
    """A page of consultants, as cards (profile and expertise for the whole page at once)."""

    def transform(self, items: list) -> list:
        return services.consultant_cards(items)


class SlotPage(SelectPage):
    """A page of slots or bookings, with the consultants' zones (one query for the page)."""

    def transform(self, items: list) -> list:
        return services.annotate_slots(items)


# ---------------------------------------------------------------- consultants


@blp.route("/consultants", methods=["GET"])
@blp.arguments(ConsultantQuerySchema, location="query")
@blp.response(200, ConsultantSchema(many=True))
@blp.paginate(ConsultantPage)
def list_consultants(args):
    """The experts cities can book, with expertise (commitments 1-10), languages and zone."""
    return services.list_consultants_query(current_user, args.get("expertise"))


@blp.route("/consultants/<int:user_id>", methods=["GET"])
@blp.response(200, ConsultantSchema)
@blp.alt_response(404, description="No such consultant")
def get_consultant(user_id):
    """One consultant's profile."""
    return services.get_consultant(current_user, user_id)


@blp.route("/consultants/<int:user_id>", methods=["PATCH"])
@blp.arguments(ProfileSchema)
@blp.response(200, ConsultantSchema)
@blp.alt_response(403, description="Not your profile")
def update_consultant(data, user_id):
    """Edit a consultant profile (the consultant themself, or an admin); `timezone` is the account's zone."""
    return services.update_profile(current_user, user_id, **data)


# ---------------------------------------------------------------- availability and slots


@blp.route("/availability", methods=["POST"])
@blp.arguments(AvailabilitySchema)
@blp.response(201, AvailabilityResultSchema)
def publish_availability(data):
    """Publish a weekly availability; returns the slots created and the times skipped (with why)."""
    result = services.publish_availability(current_user, **data)
    services.annotate_slots(result.slots)
    return result


@blp.route("/slots", methods=["POST"])
@blp.arguments(SlotCreateSchema)
@blp.response(201, SlotSchema)
@blp.alt_response(409, description="Overlaps another slot of the consultant")
def create_slot(data):
    """Add a single slot (consultant, or admin with consultant_id)."""
    return _zoned(services.create_slot(current_user, **data))


@blp.route("/slots", methods=["GET"])
@blp.arguments(SlotQuerySchema, location="query")
@blp.response(200, SlotSchema(many=True))
@blp.paginate(SlotPage)
def list_slots(args):
    """Slots still ahead (or from `from`), filtered by consultant, expertise, dates and status."""
    return services.list_slots_query(current_user, **args)


@blp.route("/slots/<int:slot_id>", methods=["GET"])
@blp.response(200, SlotSchema)
def get_slot(slot_id):
    return _zoned(services.get_slot(current_user, slot_id))


@blp.route("/slots/<int:slot_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(409, description="The slot is booked")
def delete_slot(slot_id):
    """Remove an open slot. A booked slot is refused (cancel the booking first)."""
    services.delete_slot(current_user, slot_id)


# ---------------------------------------------------------------- bookings


@blp.route("/slots/<int:slot_id>/booking", methods=["POST"])
@blp.arguments(BookingCreateSchema)
@blp.response(201, BookingSchema)
@blp.alt_response(409, description="Slot taken, too short notice, or the city's monthly quota is used up")
def book_slot(data, slot_id):
    """Book an open slot for a city (coordinator; admin with city_id)."""
    return _zoned(services.book_slot(current_user, slot_id, **data))


@blp.route("/bookings", methods=["GET"])
@blp.arguments(BookingQuerySchema, location="query")
@blp.response(200, BookingSchema(many=True))
@blp.paginate(SlotPage)
def list_bookings(args):
    """Bookings the caller may see: a coordinator their city's, a consultant theirs, an admin all."""
    return services.list_bookings_query(current_user, **args)


@blp.route("/bookings/<int:booking_id>", methods=["GET"])
@blp.response(200, BookingSchema)
@blp.alt_response(404, description="No such booking, or not visible to you")
def get_booking(booking_id):
    return _zoned(services.get_booking(current_user, booking_id))


@blp.route("/bookings/<int:booking_id>", methods=["PATCH"])
@blp.arguments(BookingUpdateSchema)
@blp.response(200, BookingSchema)
@blp.alt_response(404, description="No such booking, or not visible to you")
@blp.alt_response(409, description="The session is cancelled or has taken place")
def update_booking(data, booking_id):
    """Where to meet (the consultant of the session, or an admin): both sides are told, with the
    updated calendar file."""
    return _zoned(services.set_meeting_link(current_user, booking_id, data["meeting_link"]))


@blp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
@blp.arguments(BookingCancelSchema)
@blp.response(200, BookingSchema)
@blp.alt_response(409, description="Already cancelled, or past the cancellation deadline")
def cancel_booking(data, booking_id):
    """Cancel with a reason: the slot reopens and both sides are notified."""
    return _zoned(services.cancel_booking(current_user, booking_id, data["reason"]))


@blp.route("/bookings/<int:booking_id>/reschedule", methods=["POST"])
@blp.arguments(RescheduleSchema)
@blp.response(200, BookingSchema)
@blp.alt_response(409, description="The new slot is not bookable; nothing changed")
def reschedule_booking(data, booking_id):
    """Move the booking to another open slot of the same consultant, in one step."""
    return _zoned(services.reschedule_booking(current_user, booking_id, data["slot_id"]))


@blp.route("/bookings/<int:booking_id>/notes", methods=["POST"])
@blp.arguments(NotesSchema)
@blp.response(200, BookingSchema)
def record_notes(data, booking_id):
    """After the session (consultant): summary, follow-up actions, and held or no_show."""
    return _zoned(
        services.record_notes(current_user, booking_id, data.get("summary"), data.get("follow_ups"), data.get("status"))
    )


@blp.route("/bookings/<int:booking_id>/calendar.ics", methods=["GET"])
@blp.response(200, content_type="text/calendar")
def booking_calendar(booking_id):
    """The booking as an RFC 5545 calendar file."""
    events, filename = services.booking_calendar(current_user, booking_id)
    return calendar_response(events, filename, name=_("ACTION consulting"))
