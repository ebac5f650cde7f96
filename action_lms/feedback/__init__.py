"""Feedback: one request per person and event of every format, the answers, and the impact
report the office puts in its annual report."""

from typing import Any

from ..core.i18n import _l


def init_app(app) -> None:
    """Navigation, the scan and reminder jobs, demo answers, data export and erasure."""
    from ..core.hooks import contributions, user_erased
    from . import services
    from .demo import seed_demo
    from .services import home
    from .services.impact import IMPACT, count_impact, impact_defaults

    hooks = contributions(app)
    hooks.add_nav_item(_l("Your feedback"), "feedback.mine", order=800, group="Events")
    hooks.add_nav_item(_l("Impact"), "feedback.impact", {"admin", "coordinator"}, order=810, group="My city")
    hooks.add_job("create_feedback_requests", services.create_feedback_requests, 300)
    hooks.add_job("send_feedback_reminders", services.send_feedback_reminders, 3600)
    hooks.add_snapshot(IMPACT, count_impact, impact_defaults)
    hooks.add_home_todo(home.feedback_todo)
    hooks.add_home_figure("feedback", home.month_figures, order=90)
    hooks.add_seeder("feedback", seed_demo)
    hooks.add_data_section("feedback", services.export_personal_data)
    user_erased.connect(_erase)


def _erase(sender: Any, user: Any, **kwargs: Any) -> None:
    from . import services

    services.erase_personal_data(user)
