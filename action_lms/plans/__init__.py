"""Action plans: each city's progress through its plan milestones, and the cross-city overview."""

from typing import Any

OVERDUE_DIGEST_INTERVAL_SECONDS = 3600


def init_app(app) -> None:
    """Navigation, the overdue digest job, demo data, the data export and erasure, and the CLI."""
    from ..core.hooks import contributions, user_erased
    from ..core.i18n import _l
    from . import services
    from .cli import plans_cli
    from .services import home
    from .services.overview import CITY_FIGURES, city_figures_defaults, count_city_figures

    app.add_template_filter(_milestone_title, "milestone_title")
    hooks = contributions(app)
    hooks.add_nav_item(_l("My city's plan"), "plans.my_city", {"coordinator", "learner"}, order=400, group="My city")
    hooks.add_nav_item(_l("Cities overview"), "plans.overview", {"admin"}, order=410, group="Office")
    hooks.add_nav_item(_l("Plans"), "plans.all_plans", {"admin"}, order=420, group="Office")
    hooks.add_job("plans_overdue_digest", services.send_overdue_digests, OVERDUE_DIGEST_INTERVAL_SECONDS)
    hooks.add_snapshot(CITY_FIGURES, count_city_figures, city_figures_defaults)
    hooks.add_home_panel("plan", home.plan_panel, {"coordinator": 10, "learner": 40})
    hooks.add_home_panel("overdue_cities", home.overdue_cities_panel, {"admin": 30})
    hooks.add_seeder("plans", services.seed_demo)
    hooks.add_data_section("plans", services.export_plan_history)
    user_erased.connect(_erase)
    app.cli.add_command(plans_cli)


def _erase(sender: Any, user: Any, **kwargs: Any) -> None:
    from . import services

    services.erase_plan_history_names(user)


def _milestone_title(key: str | None) -> str:
    """`{{ booking.milestone_key|milestone_title }}`: a milestone's title in the reader's language."""
    from .template import BY_KEY

    if not key:
        return "—"
    template = BY_KEY.get(key)
    return str(template.title) if template is not None else key
