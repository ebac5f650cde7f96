"""Action plans: each city's progress through its plan milestones, and the cross-city overview."""


def init_app(app) -> None:
    """Register nav items, scheduler jobs, demo seeders and personal-data hooks."""
