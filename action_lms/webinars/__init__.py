"""Webinars: scheduling, registration with capacity and waitlist, reminders, calendar files, attendance."""


def init_app(app) -> None:
    """Register nav items, scheduler jobs, demo seeders and personal-data hooks."""
