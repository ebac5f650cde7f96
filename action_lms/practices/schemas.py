"""Marshmallow schemas of the practices domain (shapes only; the rules live in services)."""

from marshmallow import Schema, fields, validate

from ..core.api import StrictSchema, UtcDateTime
from .models import Practice

_STATUS = validate.OneOf(Practice.STATUSES)
_SHORT = validate.Length(max=1000)  # shape only: the service gives each field's own limit


class PracticeCitySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    country = fields.String(metadata={"description": "ISO 3166-1 alpha-2"})


class PracticeContactSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class PracticeLinkSchema(Schema):
    title = fields.String()
    url = fields.String()


class PracticeSchema(Schema):
    id = fields.Integer()
    city = fields.Nested(PracticeCitySchema)
    title = fields.String()
    summary = fields.String()
    description = fields.String(metadata={"description": "Markdown, as written"})
    description_html = fields.String(metadata={"description": "The description rendered and sanitised"})
    problem = fields.String(allow_none=True, metadata={"description": "The problem it answers"})
    actions = fields.String(allow_none=True, metadata={"description": "What was done"})
    resources = fields.String(allow_none=True, metadata={"description": "People, budget, partners"})
    results = fields.String(allow_none=True, metadata={"description": "Results or indicators"})
    transfer = fields.String(allow_none=True, metadata={"description": "What another city needs to transfer it"})
    commitments = fields.List(fields.Integer(), metadata={"description": "Commitments (1-10) of the Ten-Point Plan"})
    milestone_keys = fields.List(fields.String(), metadata={"description": "Plan milestones it illustrates"})
    languages = fields.List(
        fields.String(), metadata={"description": "ISO 639 codes the city can talk about it in, e.g. es, ca, en"}
    )
    links = fields.List(fields.Nested(PracticeLinkSchema))
    contact = fields.Nested(PracticeContactSchema, allow_none=True)
    started_year = fields.Integer(allow_none=True)
    featured_in = fields.String(
        allow_none=True, metadata={"example": "Guidebook on Local Actions against Anti-Muslim Racism"}
    )
    status = fields.String(validate=_STATUS)
    review_comment = fields.String(
        allow_none=True, metadata={"description": "The office's comment when it sent the practice back"}
    )
    updated_at = UtcDateTime()


class PracticeQuerySchema(StrictSchema):
    q = fields.String(metadata={"description": "Search over title, summary, description and city name"})
    commitment = fields.Integer()
    milestone = fields.String(validate=_SHORT)
    country = fields.String(validate=_SHORT, metadata={"example": "ES"})
    language = fields.String(validate=_SHORT, metadata={"example": "es"})
    city_id = fields.Integer()
    status = fields.String(validate=_STATUS)


class PracticeLinkInSchema(StrictSchema):
    title = fields.String(required=True)
    url = fields.String(required=True)


class _PracticeFields(StrictSchema):
    title = fields.String()
    summary = fields.String()
    description = fields.String(metadata={"description": "Markdown"})
    problem = fields.String(allow_none=True)
    actions = fields.String(allow_none=True)
    resources = fields.String(allow_none=True)
    results = fields.String(allow_none=True)
    transfer = fields.String(allow_none=True)
    commitments = fields.List(fields.Integer(), validate=validate.Length(max=50))
    milestone_keys = fields.List(fields.String(validate=_SHORT), allow_none=True, validate=validate.Length(max=50))
    languages = fields.List(fields.String(validate=_SHORT), validate=validate.Length(max=50))
    links = fields.List(fields.Nested(PracticeLinkInSchema), allow_none=True, validate=validate.Length(max=100))
    contact_id = fields.Integer(allow_none=True, metadata={"description": "An active member of the practice's city"})
    started_year = fields.Integer(allow_none=True)
    featured_in = fields.String(allow_none=True)


class PracticeCreateSchema(_PracticeFields):
    title = fields.String(required=True)
    summary = fields.String(required=True)
    description = fields.String(required=True, metadata={"description": "Markdown"})
    commitments = fields.List(fields.Integer(), required=True, validate=validate.Length(max=50))
    languages = fields.List(fields.String(validate=_SHORT), required=True, validate=validate.Length(max=50))
    city_id = fields.Integer(
        load_default=None, allow_none=True, metadata={"description": "Admins: the city the practice belongs to"}
    )


class PracticeUpdateSchema(_PracticeFields):
    pass


class PracticeSendBackSchema(StrictSchema):
    comment = fields.String(required=True, metadata={"description": "What the city should change; sent to them"})
