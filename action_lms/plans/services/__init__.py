"""Every rule of the plans domain, split by use case: who sees and edits which city's plans,
plans and their milestones, the append-only history, the cross-city overview and its CSV,
the weekly overdue digest, the city dashboard, personal data and demo data. The API, the
pages, the CLI and the domain's `__init__` import from here; the names below are the
package's public surface. Progress and phase are pure helpers of `plans.progress`,
re-exported here for callers that used them from services.

Modules import only from those above them: rules, validation, history, then plans,
milestones, digest, overview, dashboard, personal_data and demo.
"""

from ..progress import COMPLETED_PHASE, city_today, current_phase, overdue_milestones, phase_label, progress_percent
from .dashboard import (
    dashboard,
    milestone_resources,
    next_consulting_session,
    plan_page,
    resource_labels,
    viewer_city_id,
)
from .demo import seed_demo
from .digest import send_overdue_digests
from .history import (
    actor_label,
    describe_change,
    format_day,
    history_label,
    history_page,
    history_query,
    milestone_history,
)
from .milestones import update_milestone
from .overview import (
    BASE_SORTS,
    OverviewRow,
    csv_value,
    overview,
    overview_csv,
    recount_city_figures,
    stat_columns,
)
from .personal_data import erase_plan_history_names, export_plan_history
from .plans import (
    PlanSummary,
    create_plan,
    current_plan,
    get_plan,
    list_all_plans,
    list_all_plans_query,
    list_city_plans,
    list_city_plans_query,
    make_current,
    milestone_template,
    patch_plan,
    plan_summaries,
    update_plan,
)
from .rules import (
    ALL_PHASES,
    HISTORY_PAGE_SIZE,
    MILESTONE_FIELDS,
    NO_PLAN_PHASE,
    PHASES,
    SYSTEM_ACTOR,
    can_edit_city,
    can_view_city,
    city_or_404,
    policy,
    require_editor,
)
from .validation import MULTI_LINE_MAX, SINGLE_LINE_COLUMNS

__all__ = [
    "ALL_PHASES",
    "BASE_SORTS",
    "COMPLETED_PHASE",
    "HISTORY_PAGE_SIZE",
    "MILESTONE_FIELDS",
    "MULTI_LINE_MAX",
    "NO_PLAN_PHASE",
    "PHASES",
    "SINGLE_LINE_COLUMNS",
    "SYSTEM_ACTOR",
    "OverviewRow",
    "PlanSummary",
    "actor_label",
    "can_edit_city",
    "can_view_city",
    "city_or_404",
    "city_today",
    "create_plan",
    "csv_value",
    "current_phase",
    "current_plan",
    "dashboard",
    "describe_change",
    "erase_plan_history_names",
    "export_plan_history",
    "format_day",
    "get_plan",
    "history_label",
    "history_page",
    "history_query",
    "list_all_plans",
    "list_all_plans_query",
    "list_city_plans",
    "list_city_plans_query",
    "make_current",
    "milestone_history",
    "milestone_resources",
    "milestone_template",
    "next_consulting_session",
    "overdue_milestones",
    "overview",
    "overview_csv",
    "patch_plan",
    "phase_label",
    "plan_page",
    "plan_summaries",
    "policy",
    "progress_percent",
    "recount_city_figures",
    "require_editor",
    "resource_labels",
    "seed_demo",
    "send_overdue_digests",
    "stat_columns",
    "update_milestone",
    "update_plan",
    "viewer_city_id",
]
