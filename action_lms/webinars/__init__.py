"""Webinars: scheduling, registration with capacity and waitlist, reminders, calendar files, attendance."""

from typing import Any


def init_app(app) -> None:
    """Navigation, reminders, the personal feed, overview figures, demo data, data export and erasure."""
    from ..core.hooks import contributions, user_erased
    from ..core.i18n import _l
    from . import services
    from .cli import webinars_cli
    from .services import feedback as feedback_source
    from .services import home

    hooks = contributions(app)
    hooks.add_nav_item(_l("Webinars"), "webinars.index", order=200, group="Events")
    hooks.add_nav_item(_l("My webinars"), "webinars.mine", order=210, group="Events")
    hooks.add_job("webinar_reminders", services.send_webinar_reminders, 60)
    hooks.add_calendar_source(services.feed_events)
    hooks.add_city_stat("webinar_attendances", _l("Webinar attendances"), services.attendances_by_city)
    hooks.add_milestone_resource("webinars", _l("Webinars"), services.webinars_for_milestones)
    hooks.add_feedback_format(
        "webinar", _l("Webinars"), feedback_source.feedback_due, feedback_source.impact_figures, order=20
    )
    hooks.add_home_panel(
        "my_webinars", home.my_next_webinars_panel, {"learner": 20, "coordinator": 60, "consultant": 50, "admin": 85}
    )
    hooks.add_home_panel("webinars_week", home.week_panel, {"admin": 20})
    hooks.add_home_figure("webinars", home.month_figures, order=20)
    hooks.add_seeder("webinars", services.seed_demo)
    hooks.add_data_section("webinar_registrations", services.export_registrations)
    user_erased.connect(_erase)
    app.cli.add_command(webinars_cli)


def _erase(sender: Any, user: Any, **_kwargs: Any) -> None:
    from . import services

    services.erase_registrations(user)
