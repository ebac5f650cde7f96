"""Every rule of the courses domain, split by use case: content import, the catalogue and a
learner's state, enrollment and progress, lessons, quizzes, certificates, reports,
personal data and demo data. The API, the pages, the CLI and the other domains import
from here; the names below are the package's public surface.

Modules import only from those listed before them: rules → catalogue → certificates →
lessons → quizzes; enrollment, reports, personal_data, demo and importer sit on top.
"""

from .catalogue import (
    CourseState,
    ModuleState,
    NextStep,
    Progress,
    catalogue,
    catalogue_query,
    course_state,
    lessons_for_milestones,
    outline,
    step_url,
)
from .certificates import verify_certificate
from .demo import DEMO_COURSE, DEMO_LEARNER, seed_demo
from .enrollment import LearningRow, enroll, my_learning, progress, unenroll
from .importer import ImportResult, import_directory
from .languages import (
    Reading,
    choose_course_language,
    content_text,
    has_text,
    language_choices,
    offered,
    reading,
    reading_language,
    text,
)
from .lessons import LessonView, Locked, complete_lesson, lesson_view
from .module_choices import module_choices as module_choices
from .personal_data import erase_learning, export_learning
from .quizzes import (
    QuizView,
    Unanswered,
    attempt_feedback,
    attempt_result,
    course_quizzes,
    grade,
    quiz_view,
    reset_quiz_attempts,
    submit_attempt,
)
from .reports import (
    CourseReport,
    ReportRow,
    ReportTotals,
    course_report,
    learners_certified_by_city,
    learners_enrolled_by_city,
    report_cities,
    report_csv_rows,
    reports_overview,
)
from .rules import PREVIEW_ACTIONS, can_preview, can_reset_attempts, can_view_all_cities, policy

__all__ = [
    "DEMO_COURSE",
    "DEMO_LEARNER",
    "PREVIEW_ACTIONS",
    "CourseReport",
    "CourseState",
    "ImportResult",
    "LearningRow",
    "LessonView",
    "Locked",
    "ModuleState",
    "NextStep",
    "Progress",
    "QuizView",
    "Reading",
    "ReportRow",
    "ReportTotals",
    "Unanswered",
    "attempt_feedback",
    "attempt_result",
    "can_preview",
    "can_reset_attempts",
    "can_view_all_cities",
    "catalogue",
    "catalogue_query",
    "choose_course_language",
    "complete_lesson",
    "content_text",
    "course_quizzes",
    "course_report",
    "course_state",
    "enroll",
    "erase_learning",
    "export_learning",
    "grade",
    "has_text",
    "import_directory",
    "language_choices",
    "learners_certified_by_city",
    "learners_enrolled_by_city",
    "lesson_view",
    "lessons_for_milestones",
    "my_learning",
    "offered",
    "outline",
    "policy",
    "progress",
    "quiz_view",
    "reading",
    "reading_language",
    "report_cities",
    "report_csv_rows",
    "reports_overview",
    "reset_quiz_attempts",
    "seed_demo",
    "step_url",
    "submit_attempt",
    "text",
    "unenroll",
    "verify_certificate",
]
