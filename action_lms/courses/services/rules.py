"""Who may do what in the courses domain, and the constants the use cases share.

The role table (`policy`) decides actions; the `can_*` functions answer the questions
pages and templates ask, so no view compares roles.
"""

from __future__ import annotations

from ...core.i18n import _l
from ...core.policy import ADMIN, ANY_USER, COORDINATOR, Policy

policy = Policy(
    "courses",
    {
        "course.list": ANY_USER,
        "course.view": ANY_USER,
        "course.view_unpublished": {ADMIN},
        # Read any lesson or quiz without enrolling or unlocking it (read-only: no progress is written).
        "course.preview": {ADMIN},
        "course.enroll": ANY_USER,
        "lesson.view": ANY_USER,
        "lesson.complete": ANY_USER,
        "quiz.view": ANY_USER,
        "quiz.attempt": ANY_USER,
        "progress.view_own": ANY_USER,
        "report.view": {ADMIN, COORDINATOR},
        "report.view_all_cities": {ADMIN},
        "quiz.reset_attempts": {ADMIN},
    },
)

# Reading, never writing: only these actions may fall back to a preview.
PREVIEW_ACTIONS = ("lesson.view", "quiz.view")

IMPORT_CONFLICT = "another import changed the same courses at the same moment; nothing was written, run it again"
ATTEMPT_CONFLICT = _l("Another attempt at this quiz was submitted at the same moment; reload and try again.")


def can_preview(user) -> bool:
    """May open every lesson and quiz read-only, without enrolling (the office checking courses)."""
    return policy.allows(user, "course.preview")


def can_reset_attempts(user) -> bool:
    """May give a learner a fresh start on a quiz."""
    return policy.allows(user, "quiz.reset_attempts")


def can_view_all_cities(user) -> bool:
    """May read the reports of every city (coordinators see their own city only)."""
    return policy.allows(user, "report.view_all_cities")
