"""Marshmallow schemas of the plans domain."""

from marshmallow import Schema, fields, validate

from ..accounts.schemas import CityRefSchema
from ..core.api import UtcDateTime
from ..core.i18n import _l
from ..core.validators import column_length
from .models import MAX_BLOCKED_REASON, MAX_NOTE, STATUSES, Milestone, Plan
from .progress import current_phase, progress_percent
from .template import COMMITMENTS

TITLE = validate.Length(min=1, max=column_length(Plan.title))
FOCUS = validate.Length(min=1, max=column_length(Plan.focus))
COMMITMENT = validate.Range(min=1, max=len(COMMITMENTS))
COMMITMENT_COUNT = validate.Length(max=len(COMMITMENTS))  # each commitment named once


class MilestoneTemplateSchema(Schema):
    key = fields.String()
    title = fields.String()
    description = fields.String(metadata={"description": "What 'done' looks like."})
    phase = fields.String()
    position = fields.Integer()


class MilestoneSchema(Schema):
    key = fields.String()
    title = fields.String()
    description = fields.String()
    phase = fields.String()
    position = fields.Integer()
    status = fields.String(validate=validate.OneOf(STATUSES))
    due_date = fields.Date(allow_none=True)
    completed_at = UtcDateTime(allow_none=True)
    evidence_url = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    owner = fields.String(allow_none=True)
    blocked_reason = fields.String(allow_none=True)
    overdue = fields.Boolean(metadata={"description": "Due date passed (city's calendar), not completed."})
    updated_at = UtcDateTime()


class PlanSchema(Schema):
    id = fields.Integer()
    city = fields.Nested(CityRefSchema)
    title = fields.String()
    focus = fields.String()
    commitments = fields.List(fields.Integer(), metadata={"description": "Ten-Point Plan commitments (1-10)."})
    is_current = fields.Boolean()
    progress_percent = fields.Method(
        "get_progress", metadata={"type": "integer", "description": "Completed milestones / all, in percent."}
    )
    current_phase = fields.Method(
        "get_phase",
        metadata={
            "type": "string",
            "description": "Phase of the first milestone not completed; 'Completed' when all are.",
        },
    )
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    milestones = fields.List(fields.Nested(MilestoneSchema))

    def get_progress(self, plan) -> int:
        return progress_percent(plan.milestones)

    def get_phase(self, plan) -> str:
        return current_phase(plan.milestones)


class PlanCreateSchema(Schema):
    title = fields.String(required=True, validate=TITLE)
    focus = fields.String(
        required=True,
        validate=FOCUS,
        metadata={"example": "Anti-Muslim racism, or the whole Ten-Point Plan"},
    )
    commitments = fields.List(
        fields.Integer(validate=COMMITMENT),
        load_default=None,
        validate=COMMITMENT_COUNT,
        metadata={"description": "Numbers of the Ten-Point Plan commitments (1-10)."},
    )


class PlanPatchSchema(Schema):
    title = fields.String(validate=TITLE)
    focus = fields.String(validate=FOCUS)
    commitments = fields.List(fields.Integer(validate=COMMITMENT), validate=COMMITMENT_COUNT)
    is_current = fields.Boolean(
        validate=validate.Equal(
            True,
            error=_l("Make a plan current by sending true; creating or making another plan current ends it."),
        ),
        metadata={"description": "true makes this earlier plan the city's current plan again."},
    )


class MilestonePatchSchema(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    due_date = fields.Date(allow_none=True, metadata={"example": "2027-03-01"})
    evidence_url = fields.String(allow_none=True, validate=validate.Length(max=column_length(Milestone.evidence_url)))
    note = fields.String(allow_none=True, validate=validate.Length(max=MAX_NOTE))
    owner = fields.String(
        allow_none=True,
        validate=validate.Length(max=column_length(Milestone.owner)),
        metadata={"description": "Who is responsible (a name or a unit)."},
    )
    blocked_reason = fields.String(
        allow_none=True,
        validate=validate.Length(max=MAX_BLOCKED_REASON),
        metadata={"description": "Required when status is blocked."},
    )


class HistorySchema(Schema):
    id = fields.Integer()
    plan_id = fields.Integer()
    milestone_key = fields.String(allow_none=True)
    field = fields.String()
    from_ = fields.String(attribute="old_value", data_key="from", allow_none=True)
    to = fields.String(attribute="new_value", allow_none=True)
    who = fields.String(attribute="actor_name")
    who_id = fields.Integer(attribute="actor_id", allow_none=True)
    when = UtcDateTime(attribute="changed_at")


class OverviewQuerySchema(Schema):
    country = fields.String(load_default=None, validate=validate.Length(equal=2))
    phase = fields.String(load_default=None)
    sort = fields.String(load_default="city")
    order = fields.String(load_default="asc", validate=validate.OneOf(["asc", "desc"]))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class OverviewRowSchema(Schema):
    city = fields.Nested(CityRefSchema)
    plan_id = fields.Integer(allow_none=True)
    plan_title = fields.String(allow_none=True)
    progress_percent = fields.Integer(allow_none=True)
    milestones_completed = fields.Integer()
    milestones_total = fields.Integer()
    current_phase = fields.String()
    overdue_milestones = fields.Integer()
    learners_enrolled = fields.Integer(allow_none=True)
    learners_certified = fields.Integer(allow_none=True)
    consulting_sessions_held = fields.Integer(allow_none=True)
    webinar_attendances = fields.Integer(allow_none=True)
    next_consulting_session = UtcDateTime(allow_none=True)
    stats = fields.Dict(metadata={"description": "Every registered city statistic by key (null when absent)."})
    figures_counted_at = UtcDateTime(
        metadata={"description": "When the counted figures (learners, attendances, sessions...) were counted."}
    )
