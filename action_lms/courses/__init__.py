"""Online courses: content import, catalogue, enrollment, progress, quizzes, certificates."""


def init_app(app) -> None:
    """Register nav items, the CLI group, demo seeders, cross-domain figures."""
    from ..core.registry import register_city_stat, register_milestone_resource
    from ..core.web import add_nav_item
    from ..demo import register_seeder
    from . import services
    from .cli import courses_cli

    app.cli.add_command(courses_cli)
    add_nav_item("Courses", "courses.catalogue")
    add_nav_item("My learning", "courses.my_learning")
    add_nav_item("Course reports", "courses.reports", {"admin", "coordinator"})
    register_city_stat("learners_enrolled", "Learners enrolled", services.learners_enrolled_by_city)
    register_city_stat("learners_certified", "Learners certified", services.learners_certified_by_city)
    register_milestone_resource("lessons", "Recommended learning", services.lessons_for_milestones)
    register_seeder("courses", services.seed_demo)
