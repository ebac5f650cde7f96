"""JSON API of the plans domain (API.md, "Action plans and milestones")."""

from __future__ import annotations

from datetime import datetime

from flask_login import current_user

from ..core.api import Blueprint
from ..core.csvfile import csv_response
from ..core.pagination import SelectPage
from ..core.time import isoformat_z
from . import services
from .schemas import (
    HistorySchema,
    MilestonePatchSchema,
    MilestoneSchema,
    MilestoneTemplateSchema,
    OverviewQuerySchema,
    OverviewRowSchema,
    PlanCreateSchema,
    PlanPatchSchema,
    PlanSchema,
)

blp = Blueprint("plans_api", __name__, url_prefix="/api/v1", description="Action plans and milestones")

KNOWN_STATS = (
    "learners_enrolled",
    "learners_certified",
    "consulting_sessions_held",
    "webinar_attendances",
    "next_consulting_session",
)


@blp.route("/milestone-templates", methods=["GET"])
@blp.response(200, MilestoneTemplateSchema(many=True))
def milestone_templates():
    """The ordered milestone template every plan starts from."""
    services.policy.require(current_user, "template.view")
    return services.milestone_template()


@blp.route("/cities/<int:city_id>/plans", methods=["GET"])
@blp.response(200, PlanSchema(many=True))
@blp.alt_response(403, description="Not your city")
@blp.paginate(SelectPage)
def list_city_plans(city_id):
    """A city's plans, the current one first."""
    return services.list_city_plans_query(current_user, city_id)


@blp.route("/cities/<int:city_id>/plans", methods=["POST"])
@blp.arguments(PlanCreateSchema)
@blp.response(201, PlanSchema)
@blp.alt_response(403, description="Not your city")
def create_plan(data, city_id):
    """Start a plan (the city's coordinator or an admin): one milestone per template entry,
    all not_started; it becomes the city's current plan."""
    return services.create_plan(current_user, city_id, **data)


@blp.route("/plans/<int:plan_id>", methods=["GET"])
@blp.response(200, PlanSchema)
def get_plan(plan_id):
    """A plan with its milestones, progress and current phase."""
    return services.get_plan(current_user, plan_id)


@blp.route("/plans/<int:plan_id>", methods=["PATCH"])
@blp.arguments(PlanPatchSchema)
@blp.response(200, PlanSchema)
def update_plan(data, plan_id):
    """Change title, focus or commitments; `is_current: true` makes an earlier plan current again.
    All of it or nothing: one unit of work."""
    return services.patch_plan(current_user, plan_id, data)


@blp.route("/plans/<int:plan_id>/milestones/<key>", methods=["PATCH"])
@blp.arguments(MilestonePatchSchema)
@blp.response(200, MilestoneSchema)
@blp.alt_response(409, description="The plan is not the city's current plan")
def update_milestone(data, plan_id, key):
    """Change a milestone's status, due date, evidence, note, owner or blocked reason.
    `completed` needs evidence_url or note; `blocked` needs blocked_reason."""
    return services.update_milestone(current_user, plan_id, key, data)


@blp.route("/plans/<int:plan_id>/history", methods=["GET"])
@blp.response(200, HistorySchema(many=True))
@blp.paginate(SelectPage)
def plan_history(plan_id):
    """Every change to the plan, newest first: who, when, field, from, to. Read-only."""
    return services.history_query(current_user, plan_id)


def _overview_row(row: dict, counted_at: datetime) -> dict:
    out = {
        key: row[key]
        for key in (
            "city",
            "plan_id",
            "plan_title",
            "progress_percent",
            "milestones_completed",
            "milestones_total",
            "current_phase",
            "overdue_milestones",
        )
    }
    for key in KNOWN_STATS:
        out[key] = row["stats"].get(key)
    out["stats"] = {key: (isoformat_z(v) if isinstance(v, datetime) else v) for key, v in row["stats"].items()}
    out["figures_counted_at"] = counted_at
    return out


@blp.route("/progress/cities", methods=["GET"])
@blp.arguments(OverviewQuerySchema, location="query")
@blp.response(200, OverviewRowSchema(many=True))
@blp.paginate()
def cities_progress(args, pagination_parameters):
    """Cross-city overview (admin): per city plan progress, phase, overdue milestones and the
    figures of courses, consulting and webinars. Filters: country, phase; sort by city,
    country, progress, phase, overdue or any statistic key; `format=csv` for a file."""
    fmt = args.pop("format")
    data = services.overview(current_user, **args)
    rows = data["rows"]
    pagination_parameters.item_count = len(rows)
    if fmt == "csv":
        return csv_response(services.overview_csv(data), "cities-progress.csv")
    first = pagination_parameters.first_item
    return [_overview_row(r, data["figures_counted_at"]) for r in rows[first : first + pagination_parameters.page_size]]
