"""Online courses: content import, catalogue, enrollment, progress, quizzes, certificates."""

from typing import Any

from ..core.i18n import _l


def init_app(app) -> None:
    """The CLI group, navigation, overview figures, plan resources, demo data, data export and erasure."""
    from ..core.hooks import contributions, user_erased
    from . import services
    from .cli import courses_cli
    from .services import feedback as feedback_source
    from .services import home

    app.cli.add_command(courses_cli)
    app.add_template_global(services.content_text, "ctext")
    hooks = contributions(app)
    hooks.add_nav_item(_l("Courses"), "courses.catalogue", order=100, group="Learn")
    hooks.add_nav_item(_l("My learning"), "courses.my_learning", order=110, group="Learn")
    hooks.add_nav_item(_l("Course reports"), "courses.reports", {"admin", "coordinator"}, order=120, group="Learn")
    hooks.add_city_stat("learners_enrolled", _l("Learners enrolled"), services.learners_enrolled_by_city)
    hooks.add_city_stat("learners_certified", _l("Learners certified"), services.learners_certified_by_city)
    hooks.add_milestone_resource("lessons", _l("Recommended learning"), services.lessons_for_milestones)
    hooks.add_feedback_format(
        "course", _l("Online courses"), feedback_source.feedback_due, feedback_source.impact_figures, order=10
    )
    hooks.add_home_panel(
        "learning", home.learning_panel, {"learner": 10, "coordinator": 50, "consultant": 60, "admin": 80}
    )
    hooks.add_home_panel(
        "certificates", home.certificates_panel, {"learner": 30, "coordinator": 70, "consultant": 70, "admin": 90}
    )
    hooks.add_home_panel("city_learning", home.city_learning_panel, {"coordinator": 40})
    hooks.add_home_figure("courses", home.month_figures, order=10)
    hooks.add_seeder("courses", services.seed_demo)
    hooks.add_data_section("courses", services.export_learning)
    user_erased.connect(_erase)


def _erase(sender: Any, user: Any, **kwargs: Any) -> None:
    from . import services

    services.erase_learning(user)
