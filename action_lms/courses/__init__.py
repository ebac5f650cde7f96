"""Online courses: content import, catalogue, enrollment, progress, quizzes, certificates."""


def init_app(app) -> None:
    """Register nav items, scheduler jobs, demo seeders and personal-data hooks."""
