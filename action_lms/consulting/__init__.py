"""Consulting: experts' availability, slots, bookings by cities, session notes and follow-ups."""

import os
from typing import Any

from ..core.i18n import _l
from .services import DEFAULTS


def init_app(app) -> None:
    """Settings, navigation, reminders, the personal feed, overview figures, plan resources,
    demo data, data export and erasure, the consultants' view of their cities' plans, and
    the `flask consulting` commands."""
    from ..core.hooks import contributions, user_erased
    from . import services
    from .cli import consulting_cli
    from .demo import seed_demo
    from .services import feedback as feedback_source
    from .services import home

    for name, default in DEFAULTS.items():
        value = os.environ.get(name)
        app.config.setdefault(name, int(value) if value not in (None, "") else default)

    hooks = contributions(app)
    hooks.add_nav_item(_l("Consulting"), "consulting.slots_week", order=300, group="Consulting")
    hooks.add_nav_item(_l("My schedule"), "consulting.schedule", {"consultant"}, order=310, group="Consulting")
    hooks.add_nav_item(_l("Consulting overview"), "consulting.overview", {"admin"}, order=320, group="Consulting")
    hooks.add_job("send_booking_reminders", services.send_booking_reminders, 60)
    hooks.add_calendar_source(services.calendar_events_for)
    hooks.add_city_stat("consulting_sessions_held", _l("Consulting sessions held"), services.sessions_held_by_city)
    hooks.add_city_stat(
        "next_consulting_session", _l("Next consulting session"), services.next_session_by_city, live=True
    )
    hooks.add_milestone_resource("consulting", _l("Consulting sessions and follow-ups"), services.milestone_resources)
    hooks.add_feedback_format(
        "consulting", _l("Consulting"), feedback_source.feedback_due, feedback_source.impact_figures, order=30
    )
    hooks.add_home_panel("city_sessions", home.city_sessions_panel, {"coordinator": 20})
    hooks.add_home_panel("consultant_sessions", home.consultant_sessions_panel, {"consultant": 10})
    hooks.add_home_panel("consultant_week", home.consultant_week_panel, {"consultant": 20})
    hooks.add_home_todo(home.notes_todo)
    hooks.add_home_figure("consulting", home.month_figures, order=30)
    hooks.add_seeder("consulting", seed_demo)
    hooks.add_data_section("consulting", services.export_personal_data)
    hooks.add_city_viewer(services.consultant_works_with_city)
    user_erased.connect(_erase)
    app.cli.add_command(consulting_cli)


def _erase(sender: Any, user: Any, **_kwargs: Any) -> None:
    from . import services

    services.erase_personal_data(user)
