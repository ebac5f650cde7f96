"""Marshmallow schemas of the consulting domain (shapes only; the rules live in services)."""

from flask_login import current_user
from marshmallow import Schema, fields, validate

from ..core.api import StrictSchema, TimeZoneField, UtcDateTime
from ..core.i18n import _l
from ..core.time import format_local
from ..core.validators import column_length
from .models import AvailabilityRule, Booking, ConsultantProfile, FollowUp, Slot

_SLOT_LENGTH = validate.Range(Slot.MIN_MINUTES, Slot.MAX_MINUTES)
_TIME_OF_DAY = validate.Regexp(AvailabilityRule.TIME_OF_DAY, error=_l("Use the 24-hour format HH:MM."))
_MILESTONE_KEY = validate.Length(max=column_length(Booking.milestone_key))
_MEETING_LINK = validate.Length(max=column_length(Booking.meeting_link))
_MEETING_LINK_HELP = "Where to meet: a video link (http or https) or a place, one line"


def _viewer_zone() -> str:
    return getattr(current_user, "timezone", None) or "Europe/Brussels"


# ---------------------------------------------------------------- consultants


class ConsultantSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    expertise = fields.List(
        fields.Integer(), metadata={"description": "Commitment numbers (1-10) of the Ten-Point Plan"}
    )
    expertise_titles = fields.List(fields.String())
    timezone = fields.String(metadata={"description": "The consultant's zone: their account's zone"})
    languages = fields.List(fields.String())
    bio = fields.String()


class ConsultantQuerySchema(StrictSchema):
    expertise = fields.Integer(validate=validate.Range(1, 10))


class ProfileSchema(StrictSchema):
    expertise = fields.List(fields.Integer(validate=validate.Range(1, 10)), validate=validate.Length(max=10))
    languages = fields.List(
        fields.String(validate=validate.Length(max=ConsultantProfile.MAX_LANGUAGE_LENGTH)),
        validate=validate.Length(max=ConsultantProfile.MAX_LANGUAGES),
    )
    bio = fields.String(validate=validate.Length(max=ConsultantProfile.MAX_BIO))
    timezone = TimeZoneField(metadata={"description": "Changes the consultant's account zone (one zone per person)"})


# ---------------------------------------------------------------- slots


class ConsultantRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class SlotSchema(Schema):
    id = fields.Integer()
    consultant = fields.Nested(ConsultantRefSchema)
    starts_at = UtcDateTime()
    ends_at = UtcDateTime()
    duration_minutes = fields.Integer()
    status = fields.String(validate=validate.OneOf([Slot.OPEN, Slot.BOOKED]))
    consultant_timezone = fields.String(metadata={"description": "The consultant's zone"})
    starts_at_local = fields.Method("_local", metadata={"description": "Start in the caller's zone, for display"})
    starts_at_consultant = fields.Method(
        "_consultant", metadata={"description": "Start in the consultant's zone, for display"}
    )

    def _local(self, slot):
        return format_local(slot.starts_at, _viewer_zone())

    def _consultant(self, slot):
        return format_local(slot.starts_at, slot.consultant_timezone or slot.consultant.timezone)


class SlotQuerySchema(StrictSchema):
    consultant_id = fields.Integer()
    expertise = fields.Integer(validate=validate.Range(1, 10))
    from_ = UtcDateTime(data_key="from")
    to = UtcDateTime()
    status = fields.String(validate=validate.OneOf([Slot.OPEN, Slot.BOOKED]))


class SlotCreateSchema(StrictSchema):
    starts_at = UtcDateTime(required=True)
    duration_minutes = fields.Integer(required=True, validate=_SLOT_LENGTH)
    consultant_id = fields.Integer(
        load_default=None, allow_none=True, metadata={"description": "Admins: the consultant the slot belongs to"}
    )


class AvailabilitySchema(StrictSchema):
    weekdays = fields.List(
        fields.Integer(validate=validate.Range(0, 6)),
        required=True,
        validate=validate.Length(min=1, max=7),
        metadata={"description": "0 = Monday ... 6 = Sunday"},
    )
    start_time = fields.String(required=True, validate=_TIME_OF_DAY, metadata={"example": "09:00"})
    end_time = fields.String(required=True, validate=_TIME_OF_DAY, metadata={"example": "12:00"})
    timezone = TimeZoneField(load_default=None, metadata={"description": "Defaults to the consultant's zone"})
    slot_minutes = fields.Integer(required=True, validate=_SLOT_LENGTH)
    buffer_minutes = fields.Integer(load_default=0, validate=validate.Range(0, AvailabilityRule.MAX_BUFFER_MINUTES))
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    consultant_id = fields.Integer(load_default=None, allow_none=True)


class SkippedSchema(Schema):
    starts_at = UtcDateTime(allow_none=True)
    local = fields.String(metadata={"description": "The local time in the availability's zone"})
    reason = fields.String()


class AvailabilityResultSchema(Schema):
    id = fields.Integer(attribute="rule.id")
    consultant_id = fields.Integer(attribute="consultant.id")
    timezone = fields.String(attribute="rule.timezone")
    created_count = fields.Method("_created")
    skipped_count = fields.Method("_skipped")
    slots = fields.List(fields.Nested(SlotSchema))
    skipped = fields.List(fields.Nested(SkippedSchema))

    def _created(self, obj):
        return len(obj.slots)

    def _skipped(self, obj):
        return len(obj.skipped)


# ---------------------------------------------------------------- bookings


class BookingCitySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    timezone = fields.String()


class PersonRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class FollowUpSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=FollowUp.MAX_TEXT))
    owner = fields.String(required=True, validate=validate.Length(min=1, max=column_length(FollowUp.owner)))
    due_date = fields.Date(load_default=None, allow_none=True)
    milestone_key = fields.String(load_default=None, allow_none=True, validate=_MILESTONE_KEY)


class BookingSchema(Schema):
    id = fields.Integer()
    slot = fields.Nested(SlotSchema)
    city = fields.Nested(BookingCitySchema)
    booked_by = fields.Nested(PersonRefSchema, allow_none=True)
    topic = fields.String()
    questions = fields.String()
    milestone_key = fields.String(allow_none=True)
    meeting_link = fields.String(allow_none=True, metadata={"description": _MEETING_LINK_HELP})
    status = fields.String(validate=validate.OneOf(Booking.STATUSES))
    created_at = UtcDateTime()
    cancelled_at = UtcDateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    summary = fields.String(allow_none=True)
    notes_recorded_at = UtcDateTime(allow_none=True)
    follow_ups = fields.List(fields.Nested(FollowUpSchema))


class BookingCreateSchema(StrictSchema):
    topic = fields.String(required=True, validate=validate.Length(min=1, max=column_length(Booking.topic)))
    questions = fields.String(
        load_default="",
        validate=validate.Length(max=Booking.MAX_QUESTIONS),
        metadata={"description": "Sent ahead so the expert can prepare"},
    )
    milestone_key = fields.String(load_default=None, allow_none=True, validate=_MILESTONE_KEY)
    meeting_link = fields.String(
        load_default=None,
        allow_none=True,
        validate=_MEETING_LINK,
        metadata={"description": _MEETING_LINK_HELP + ", proposed by the city; the expert may change it"},
    )
    city_id = fields.Integer(load_default=None, allow_none=True, metadata={"description": "Admins: the city booking"})


class BookingQuerySchema(StrictSchema):
    status = fields.String(validate=validate.OneOf(Booking.STATUSES))
    from_ = UtcDateTime(data_key="from")
    to = UtcDateTime()
    city_id = fields.Integer()
    consultant_id = fields.Integer()


class BookingCancelSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=Booking.MAX_CANCEL_REASON))


class BookingUpdateSchema(StrictSchema):
    meeting_link = fields.String(
        required=True,
        allow_none=True,
        validate=_MEETING_LINK,
        metadata={"description": _MEETING_LINK_HELP + "; empty or null removes it"},
    )


class RescheduleSchema(StrictSchema):
    slot_id = fields.Integer(required=True)


class NotesSchema(StrictSchema):
    summary = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=Booking.MAX_SUMMARY))
    follow_ups = fields.List(
        fields.Nested(FollowUpSchema), load_default=list, validate=validate.Length(max=Booking.MAX_FOLLOW_UPS)
    )
    status = fields.String(load_default=Booking.HELD, validate=validate.OneOf([Booking.HELD, Booking.NO_SHOW]))
