"""Marshmallow schemas of the exchanges domain (shapes only; the rules live in services)."""

from marshmallow import Schema, fields, validate

from ..accounts.schemas import CityRefSchema
from ..core.api import StrictSchema, UtcDateTime
from ..core.validators import column_length
from .models import Exchange, ExchangeFollowUp, Invitation

_LIST = validate.Length(max=Exchange.MAX_LIST)
_TEXT = validate.Length(max=Exchange.MAX_TEXT)


class ParticipantUserSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class ExchangePracticeSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    city = fields.String(attribute="city.name")


class InvitationSchema(Schema):
    id = fields.Integer()
    city = fields.Nested(CityRefSchema)
    status = fields.String(validate=validate.OneOf(Invitation.STATUSES))
    practice = fields.Nested(ExchangePracticeSchema, allow_none=True)
    message = fields.String(allow_none=True)
    decline_reason = fields.String(allow_none=True)
    created_at = UtcDateTime()
    responded_at = UtcDateTime(allow_none=True)


class ParticipantSchema(Schema):
    user = fields.Nested(
        ParticipantUserSchema, allow_none=True, metadata={"description": "Name only, never the address"}
    )
    city = fields.Nested(CityRefSchema)
    attended = fields.Boolean(allow_none=True)


class ExchangeFollowUpSchema(Schema):
    text = fields.String()
    owner = fields.String()
    due_date = fields.Date(allow_none=True)
    milestone_key = fields.String(allow_none=True)


class ExchangeSchema(Schema):
    id = fields.Integer()
    status = fields.String(validate=validate.OneOf(Exchange.STATUSES))
    city = fields.Nested(CityRefSchema, metadata={"description": "The requesting city"})
    topic = fields.String()
    objective = fields.String()
    questions = fields.List(fields.String())
    commitments = fields.List(fields.Integer())
    milestone_key = fields.String(allow_none=True)
    practices = fields.List(fields.Nested(ExchangePracticeSchema))
    preferred_cities = fields.List(fields.Nested(CityRefSchema))
    languages = fields.List(fields.String())
    earliest_date = fields.Date(allow_none=True)
    latest_date = fields.Date(allow_none=True)
    invitations = fields.List(fields.Nested(InvitationSchema))
    participants = fields.List(fields.Nested(ParticipantSchema))
    starts_at = UtcDateTime(allow_none=True)
    ends_at = UtcDateTime(allow_none=True)
    duration_minutes = fields.Integer(allow_none=True)
    join_url = fields.String(
        attribute="visible_join_url",
        allow_none=True,
        metadata={"description": "Participants and admins, once scheduled"},
    )
    sequence = fields.Integer(metadata={"description": "The calendar SEQUENCE, raised on every change of time"})
    report_html = fields.String(allow_none=True)
    follow_ups = fields.List(fields.Nested(ExchangeFollowUpSchema))
    story_slug = fields.Method("_story", allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()

    def _story(self, exchange):
        return exchange.story_slug if exchange.story_published_at else None


class ExchangeCreateSchema(StrictSchema):
    topic = fields.String(required=True, validate=validate.Length(max=column_length(Exchange.topic)))
    objective = fields.String(required=True, validate=_TEXT)
    questions = fields.List(
        fields.String(validate=validate.Length(max=Exchange.MAX_QUESTION)),
        required=True,
        validate=validate.Length(min=1, max=Exchange.MAX_QUESTIONS),
    )
    commitments = fields.List(fields.Integer(validate=validate.Range(1, 10)), validate=validate.Length(max=10))
    milestone_key = fields.String(allow_none=True, validate=validate.Length(max=column_length(Exchange.milestone_key)))
    practice_ids = fields.List(fields.Integer(), validate=_LIST)
    preferred_city_ids = fields.List(fields.Integer(), validate=_LIST)
    languages = fields.List(fields.String(validate=validate.Length(max=8)), required=True, validate=_LIST)
    earliest_date = fields.Date(allow_none=True)
    latest_date = fields.Date(allow_none=True)
    city_id = fields.Integer(allow_none=True, metadata={"description": "Admins: the city asking"})


class ExchangeQuerySchema(StrictSchema):
    status = fields.String(validate=validate.OneOf(Exchange.STATUSES))
    city_id = fields.Integer()


class SuggestionSchema(Schema):
    city = fields.Nested(CityRefSchema)
    score = fields.Integer()
    reasons = fields.List(fields.String())
    hosted_last_year = fields.Integer()
    invitation_status = fields.String(allow_none=True)


class InvitationCreateSchema(StrictSchema):
    city_id = fields.Integer(required=True)
    practice_id = fields.Integer(allow_none=True)
    message = fields.String(allow_none=True, validate=_TEXT)


class ExchangeReasonSchema(StrictSchema):
    reason = fields.String(required=True, validate=_TEXT)


class ParticipantCreateSchema(StrictSchema):
    user_id = fields.Integer(required=True)


class TimeOptionsQuerySchema(StrictSchema):
    date = fields.Date(required=True)
    duration_minutes = fields.Integer(
        load_default=60, validate=validate.Range(Exchange.MIN_MINUTES, Exchange.MAX_MINUTES)
    )


class TimeOptionSchema(Schema):
    starts_at = UtcDateTime()
    ends_at = UtcDateTime()


class ScheduleSchema(StrictSchema):
    starts_at = UtcDateTime(required=True)
    duration_minutes = fields.Integer(
        required=True, validate=validate.Range(Exchange.MIN_MINUTES, Exchange.MAX_MINUTES)
    )
    join_url = fields.String(required=True, validate=validate.Length(max=column_length(Exchange.join_url)))
    outside_hours_ok = fields.Boolean(load_default=False)


class HeldSchema(StrictSchema):
    attended_user_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(max=500))


class ExchangeFollowUpInputSchema(StrictSchema):
    text = fields.String(required=True, validate=validate.Length(max=ExchangeFollowUp.MAX_TEXT))
    owner = fields.String(required=True, validate=validate.Length(max=column_length(ExchangeFollowUp.owner)))
    due_date = fields.Date(allow_none=True)
    milestone_key = fields.String(allow_none=True, validate=validate.Length(max=60))


class ExchangeReportSchema(StrictSchema):
    report = fields.String(required=True, validate=validate.Length(max=Exchange.MAX_REPORT))
    follow_ups = fields.List(
        fields.Nested(ExchangeFollowUpInputSchema),
        load_default=list,
        validate=validate.Length(max=Exchange.MAX_FOLLOW_UPS),
    )
    publish = fields.Boolean(load_default=False)


class StorySchema(Schema):
    slug = fields.String(attribute="story_slug")
    title = fields.String(attribute="topic")
    cities = fields.Method("_cities")
    practices = fields.List(fields.Nested(ExchangePracticeSchema))
    published_at = UtcDateTime(attribute="story_published_at")
    report_html = fields.String()

    def _cities(self, exchange):
        from .services import story_cities

        return story_cities(exchange)
