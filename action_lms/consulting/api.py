"""JSON API of the consulting domain: parse, call a service, serialise."""

from flask_login import current_user

from ..core.api import Blueprint, paginate_select
from ..core.calendar import calendar_response
from ..extensions import db
from . import services
from .schemas import (
    AvailabilityResultSchema,
    AvailabilitySchema,
    BookingCancelSchema,
    BookingCreateSchema,
    BookingQuerySchema,
    BookingSchema,
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


# ---------------------------------------------------------------- consultants


@blp.route("/consultants", methods=["GET"])
@blp.arguments(ConsultantQuerySchema, location="query")
@blp.response(200, ConsultantSchema(many=True))
@blp.paginate()
def list_consultants(args, pagination_parameters):
    """The experts cities can book, with expertise (commitments 1-10), languages and zone."""
    stmt = services.list_consultants_query(current_user, args.get("expertise"))
    return services.consultant_cards(paginate_select(db.session, stmt, pagination_parameters))


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
    """Edit a consultant profile (the consultant themself, or an admin)."""
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
    return services.annotate_slots([services.create_slot(current_user, **data)])[0]


@blp.route("/slots", methods=["GET"])
@blp.arguments(SlotQuerySchema, location="query")
@blp.response(200, SlotSchema(many=True))
@blp.paginate()
def list_slots(args, pagination_parameters):
    """Slots still ahead (or from `from`), filtered by consultant, expertise, dates and status."""
    stmt = services.list_slots_query(
        current_user,
        args.get("consultant_id"),
        args.get("expertise"),
        args.get("from_"),
        args.get("to"),
        args.get("status"),
    )
    return services.annotate_slots(paginate_select(db.session, stmt, pagination_parameters))


@blp.route("/slots/<int:slot_id>", methods=["GET"])
@blp.response(200, SlotSchema)
def get_slot(slot_id):
    return services.annotate_slots([services.get_slot(current_user, slot_id)])[0]


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
    return services.annotate_slots([services.book_slot(current_user, slot_id, **data)])[0]


@blp.route("/bookings", methods=["GET"])
@blp.arguments(BookingQuerySchema, location="query")
@blp.response(200, BookingSchema(many=True))
@blp.paginate()
def list_bookings(args, pagination_parameters):
    """Bookings the caller may see: a coordinator their city's, a consultant theirs, an admin all."""
    stmt = services.list_bookings_query(
        current_user,
        args.get("status"),
        args.get("from_"),
        args.get("to"),
        args.get("city_id"),
        args.get("consultant_id"),
    )
    return services.annotate_slots(paginate_select(db.session, stmt, pagination_parameters))


@blp.route("/bookings/<int:booking_id>", methods=["GET"])
@blp.response(200, BookingSchema)
@blp.alt_response(404, description="No such booking, or not visible to you")
def get_booking(booking_id):
    return services.annotate_slots([services.get_booking(current_user, booking_id)])[0]


@blp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
@blp.arguments(BookingCancelSchema)
@blp.response(200, BookingSchema)
@blp.alt_response(409, description="Already cancelled, or past the cancellation deadline")
def cancel_booking(data, booking_id):
    """Cancel with a reason: the slot reopens and both sides are notified."""
    return services.annotate_slots([services.cancel_booking(current_user, booking_id, data["reason"])])[0]


@blp.route("/bookings/<int:booking_id>/reschedule", methods=["POST"])
@blp.arguments(RescheduleSchema)
@blp.response(200, BookingSchema)
@blp.alt_response(409, description="The new slot is not bookable; nothing changed")
def reschedule_booking(data, booking_id):
    """Move the booking to another open slot of the same consultant, in one step."""
    return services.annotate_slots([services.reschedule_booking(current_user, booking_id, data["slot_id"])])[0]


@blp.route("/bookings/<int:booking_id>/notes", methods=["POST"])
@blp.arguments(NotesSchema)
@blp.response(200, BookingSchema)
def record_notes(data, booking_id):
    """After the session (consultant): summary, follow-up actions, and held or no_show."""
    return services.annotate_slots(
        [
            services.record_notes(
                current_user, booking_id, data.get("summary"), data.get("follow_ups"), data.get("status")
            )
        ]
    )[0]


@blp.route("/bookings/<int:booking_id>/calendar.ics", methods=["GET"])
@blp.response(200, content_type="text/calendar")
def booking_calendar(booking_id):
    """The booking as an RFC 5545 calendar file."""
    events, filename = services.booking_calendar(current_user, booking_id)
    return calendar_response(events, filename, name="ACTION consulting")
