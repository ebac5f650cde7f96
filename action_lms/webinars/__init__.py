"""Webinars: scheduling, registration with capacity and waitlist, reminders, calendar files, attendance."""


def init_app(app) -> None:
    """Register nav items, scheduler jobs, demo seeders and personal-data hooks."""
    from ..core import calendar, registry
    from ..core.web import add_nav_item
    from ..demo import register_seeder
    from ..scheduler import register_job
    from . import services  # noqa: F401 - registers the privacy exporter and eraser
    from .cli import webinars_cli

    register_job("webinar_reminders", services.send_webinar_reminders, 60)
    calendar.register_source(services.feed_events)
    registry.register_city_stat("webinar_attendances", "Webinar attendances", services.attendances_by_city)
    registry.register_milestone_resource("webinars", "Webinars", services.webinars_for_milestones)
    add_nav_item("Webinars", "webinars.index")
    add_nav_item("My webinars", "webinars.mine")
    register_seeder("webinars", services.seed_demo)
    app.cli.add_command(webinars_cli)
