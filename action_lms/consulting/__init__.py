"""Consulting: experts' availability, slots, bookings by cities, session notes and follow-ups."""


def init_app(app) -> None:
    """Register nav items, scheduler jobs, demo seeders and personal-data hooks."""
