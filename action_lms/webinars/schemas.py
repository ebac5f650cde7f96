"""Marshmallow schemas of the webinars domain (input shape; the rules live in services)."""

from marshmallow import Schema, fields, validate

from ..core.api import TimeZoneField, UtcDateTime
from ..core.validators import column_length
from .models import MAX_CANCEL_REASON, MAX_CAPACITY, MAX_DURATION_MINUTES, MAX_MODULE_KEY, Webinar

STATUS_INPUT = ("draft", "published")
# Caps on the lists a webinar links to: a course has far fewer than 50 modules, and the milestone
# template 9 entries (20 leaves room for it to grow).
MAX_MODULE_KEYS = 50
MAX_MILESTONE_KEYS = 20
TITLE = validate.Length(min=1, max=column_length(Webinar.title))
DURATION = validate.Range(min=1, max=MAX_DURATION_MINUTES)
CAPACITY = validate.Range(min=1, max=MAX_CAPACITY)
JOIN_URL = validate.Length(max=column_length(Webinar.join_url))
RECORDING_URL = validate.Length(max=column_length(Webinar.recording_url))
MODULE_KEY = validate.Length(min=1, max=MAX_MODULE_KEY)


class WebinarCreateSchema(Schema):
    title = fields.String(required=True, validate=TITLE)
    description = fields.String(load_default="", metadata={"description": "Markdown; rendered and sanitised."})
    starts_at = UtcDateTime(required=True, metadata={"example": "2027-03-01T10:00:00+01:00"})
    duration_minutes = fields.Integer(required=True, validate=DURATION)
    timezone = TimeZoneField(required=True, metadata={"description": "Display time zone", "example": "Europe/Berlin"})
    capacity = fields.Integer(required=True, validate=CAPACITY)
    join_url = fields.String(load_default=None, allow_none=True, validate=JOIN_URL)
    recording_url = fields.String(load_default=None, allow_none=True, validate=RECORDING_URL)
    registration_closes_at = UtcDateTime(
        load_default=None,
        allow_none=True,
        metadata={"description": "Default: WEBINAR_REGISTRATION_CLOSES_MINUTES_BEFORE (60) minutes before the start"},
    )
    status = fields.String(load_default="draft", validate=validate.OneOf(STATUS_INPUT))
    course_module_keys = fields.List(
        fields.String(validate=MODULE_KEY),
        load_default=list,
        validate=validate.Length(max=MAX_MODULE_KEYS),
        metadata={"description": "Modules of published courses as `<course slug>/<module key>`"},
    )
    milestone_keys = fields.List(
        fields.String(),
        load_default=list,
        validate=validate.Length(max=MAX_MILESTONE_KEYS),
        metadata={"description": "Keys from GET /api/v1/milestone-templates"},
    )


class WebinarPatchSchema(Schema):
    title = fields.String(validate=TITLE)
    description = fields.String()
    starts_at = UtcDateTime()
    duration_minutes = fields.Integer(validate=DURATION)
    timezone = TimeZoneField()
    capacity = fields.Integer(validate=CAPACITY)
    join_url = fields.String(allow_none=True, validate=JOIN_URL)
    recording_url = fields.String(allow_none=True, validate=RECORDING_URL)
    registration_closes_at = UtcDateTime(allow_none=True)
    status = fields.String(validate=validate.OneOf(STATUS_INPUT))
    course_module_keys = fields.List(fields.String(validate=MODULE_KEY), validate=validate.Length(max=MAX_MODULE_KEYS))
    milestone_keys = fields.List(fields.String(), validate=validate.Length(max=MAX_MILESTONE_KEYS))


class WebinarQuerySchema(Schema):
    from_ = UtcDateTime(data_key="from", load_default=None, metadata={"description": "Starts at or after"})
    to = UtcDateTime(load_default=None, metadata={"description": "Starts before"})
    include_past = fields.Boolean(load_default=False)


class WebinarCancelSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=MAX_CANCEL_REASON))


class MyRegistrationSchema(Schema):
    id = fields.Integer()
    webinar_id = fields.Integer()
    status = fields.String(metadata={"description": "confirmed | waitlisted | cancelled"})
    waitlist_position = fields.Integer(allow_none=True)
    attended = fields.Boolean()
    created_at = UtcDateTime()


class WebinarSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    description_html = fields.String()
    starts_at = UtcDateTime()
    ends_at = UtcDateTime()
    duration_minutes = fields.Integer()
    timezone = fields.String()
    capacity = fields.Integer()
    seats_left = fields.Integer()
    waitlist_length = fields.Integer()
    status = fields.String(metadata={"description": "draft | published | cancelled"})
    past = fields.Boolean(metadata={"description": "The webinar has ended"})
    registration_open = fields.Boolean()
    registration_closes_at = UtcDateTime()
    join_url = fields.String(allow_none=True, metadata={"description": "Only for confirmed registrants and admins"})
    recording_url = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    course_module_keys = fields.List(fields.String())
    milestone_keys = fields.List(fields.String())
    sequence = fields.Integer()
    my_registration = fields.Nested(MyRegistrationSchema, allow_none=True)


class RegistrationUserSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()
    city = fields.String(allow_none=True)
    timezone = fields.String()


class RegistrationSchema(MyRegistrationSchema):
    user = fields.Nested(RegistrationUserSchema)
    confirmed_at = UtcDateTime(allow_none=True)
    cancelled_at = UtcDateTime(allow_none=True)
    attended_marked_at = UtcDateTime(allow_none=True)


class RegistrationQuerySchema(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))
    status = fields.String(load_default=None, validate=validate.OneOf(("confirmed", "waitlisted", "cancelled")))


class AttendanceSchema(Schema):
    # A webinar seats at most MAX_CAPACITY people.
    user_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(max=MAX_CAPACITY))
    replace = fields.Boolean(
        load_default=False,
        metadata={
            "description": "true: everyone registered but not listed is marked absent; false: add to those marked"
        },
    )


class AttendanceResultSchema(Schema):
    webinar_id = fields.Integer()
    attended_user_ids = fields.List(fields.Integer())
    attended_count = fields.Integer()
