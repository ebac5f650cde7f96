"""Consulting: experts' availability, slots, bookings by cities, session notes and follow-ups."""
import os

from .services import DEFAULTS


def init_app(app) -> None:
    """Register settings, nav items, scheduler jobs, demo seeders, calendar source and cross-domain figures."""
    from ..core import calendar, registry
    from ..core.web import add_nav_item
    from ..demo import register_seeder
    from ..scheduler import register_job
    from . import services
    from .demo import seed_demo

    for name, default in DEFAULTS.items():
        value = os.environ.get(name)
        app.config.setdefault(name, int(value) if value not in (None, "") else default)

    add_nav_item("Consulting", "consulting.slots_week")
    add_nav_item("My schedule", "consulting.schedule", {"consultant"})
    add_nav_item("Consulting overview", "consulting.overview", {"admin"})
    register_job("send_booking_reminders", services.send_booking_reminders, 60)
    calendar.register_source(services.calendar_events_for)
    registry.register_city_stat("consulting_sessions_held", "Consulting sessions held", services.sessions_held_by_city)
    registry.register_city_stat("next_consulting_session", "Next consulting session", services.next_session_by_city)
    registry.register_milestone_resource("consulting", "Consulting sessions and follow-ups", services.milestone_resources)
    register_seeder("consulting", seed_demo)
    from ..plans import services as plans_services
    if services.consultant_works_with_city not in plans_services.plan_viewer_checks:
        plans_services.plan_viewer_checks.append(services.consultant_works_with_city)
