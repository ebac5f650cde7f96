"""Marshmallow schemas of the feedback domain (shapes only; the rules live in services)."""

from marshmallow import Schema, fields, validate

from ..accounts.schemas import CityRefSchema
from ..core.api import StrictSchema, UtcDateTime
from .models import KINDS, FeedbackAnswer


class SubjectSchema(Schema):
    id = fields.Integer(attribute="subject_id")
    title = fields.String(attribute="subject_title")


class FeedbackRequestSchema(Schema):
    id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(KINDS))
    subject = fields.Function(lambda r: {"id": r.subject_id, "title": r.subject_title})
    due_since = UtcDateTime()
    reminded_at = UtcDateTime(allow_none=True)


class FeedbackInputSchema(StrictSchema):
    request_id = fields.Integer(required=True)
    usefulness = fields.Integer(required=True, validate=validate.Range(1, 5))
    will_apply = fields.Integer(required=True, validate=validate.Range(1, 5))
    recommend = fields.Boolean(required=True)
    comment = fields.String(allow_none=True, validate=validate.Length(max=FeedbackAnswer.MAX_COMMENT))


class FeedbackAnswerSchema(Schema):
    id = fields.Integer()
    request_id = fields.Integer()
    kind = fields.String()
    usefulness = fields.Integer()
    will_apply = fields.Integer()
    recommend = fields.Boolean()
    comment = fields.String(allow_none=True)
    created_at = UtcDateTime()


class ImpactQuerySchema(StrictSchema):
    year = fields.Integer(validate=validate.Range(2000, 2100))
    city_id = fields.Integer()
    country = fields.String(validate=validate.Length(equal=2))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class FormatFiguresSchema(Schema):
    kind = fields.String()
    label = fields.String()
    events = fields.Integer()
    requests_made = fields.Integer()
    feedback_requests = fields.Integer()
    responses = fields.Integer()
    response_rate = fields.Float(allow_none=True, metadata={"description": "null below 3 responses"})
    usefulness_mean = fields.Float(allow_none=True, metadata={"description": "1-5; null below 3 responses"})
    will_apply_mean = fields.Float(allow_none=True)
    recommend_share = fields.Float(allow_none=True, metadata={"description": "0-1; null below 3 responses"})
    rank = fields.Integer(allow_none=True, metadata={"description": "1 = most useful; null when not rated"})


class CityFiguresSchema(Schema):
    city = fields.Nested(CityRefSchema)
    formats = fields.List(fields.Nested(FormatFiguresSchema))


class CommentSchema(Schema):
    text = fields.String()
    city = fields.String(allow_none=True, metadata={"description": "Only when at least 3 cities answered"})


class ImpactSchema(Schema):
    year = fields.Integer()
    formats = fields.List(fields.Nested(FormatFiguresSchema))
    cities = fields.List(fields.Nested(CityFiguresSchema))
    comments = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(CommentSchema)))
    min_responses = fields.Integer()
    counted_at = UtcDateTime(
        metadata={"description": "When the figures were counted (the scheduler counts them again every few minutes)."}
    )
