"""Action plans: each city's progress through its plan milestones, and the cross-city overview."""

OVERDUE_DIGEST_INTERVAL_SECONDS = 3600


def init_app(app) -> None:
    """Register nav items, scheduler jobs, demo seeders and personal-data hooks."""
    from ..core.web import add_nav_item
    from ..demo import register_seeder
    from ..scheduler import register_job
    from . import services  # noqa: F401 - registers the privacy exporter and eraser

    add_nav_item("My city's plan", "plans.my_city", {"coordinator", "learner"})
    add_nav_item("Cities overview", "plans.overview", {"admin"})
    add_nav_item("Plans", "plans.all_plans", {"admin"})
    register_job("plans_overdue_digest", services.send_overdue_digests, OVERDUE_DIGEST_INTERVAL_SECONDS)
    register_seeder("plans", services.seed_demo)
