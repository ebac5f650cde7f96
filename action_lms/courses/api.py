"""JSON API of the courses domain (API.md, "Courses")."""

from __future__ import annotations

from flask_login import current_user

from ..core.api import Blueprint
from ..core.pagination import SelectPage
from . import services
from .schemas import (
    AttemptInSchema,
    AttemptSchema,
    CertificateSchema,
    CompletionSchema,
    CourseListSchema,
    EnrollmentSchema,
    LanguageArgsSchema,
    LessonSchema,
    OutlineSchema,
    ProgressSchema,
    QuizSchema,
    ReportQuerySchema,
    ReportSchema,
)

blp = Blueprint("courses_api", __name__, url_prefix="/api/v1", description="Courses")


# ---------------------------------------------------------------- translation to the API's shapes


def _module_ref(module, language: str | None = None):
    title = services.text(module, "title", language) if language else module.title
    return {"id": module.id, "key": module.key, "title": title}


def outline_dict(state: services.CourseState, language: str | None = None) -> dict:
    course = state.course
    language = language or course.language

    def t(obj, field):
        return services.text(obj, field, language)

    by_key = {m.key: m for m in state.modules}
    modules = []
    for module in state.modules:
        ms = state.state_of(module)
        quiz = module.quiz
        modules.append(
            {
                "id": module.id,
                "key": module.key,
                "title": t(module, "title"),
                "summary": t(module, "summary"),
                "position": module.position,
                "prerequisites": [_module_ref(by_key[k], language) for k in module.prerequisites or [] if k in by_key],
                "locked": ms.locked,
                "locked_reason": ms.locked_reason,
                "quiz_id": quiz.id if quiz else None,
                "pass_mark": quiz.pass_mark if quiz else None,
                "quiz": (
                    {
                        "id": quiz.id,
                        "key": quiz.key,
                        "title": t(quiz, "title"),
                        "pass_mark": quiz.pass_mark,
                        "max_attempts": quiz.max_attempts,
                        "allow_blanks": quiz.allow_blanks,
                    }
                    if quiz
                    else None
                ),
                "lessons": [
                    {
                        "id": lesson.id,
                        "key": lesson.key,
                        "title": t(lesson, "title"),
                        "position": lesson.position,
                        "minutes": lesson.minutes,
                        "commitments": lesson.commitments,
                        "milestones": lesson.milestones,
                        "completed": lesson.id in state.completed_lesson_ids,
                    }
                    for lesson in module.lessons
                ],
            }
        )
    return {
        **CourseListSchema().dump(course),
        "title": t(course, "title"),
        "summary": t(course, "summary"),
        "languages": services.offered(course),
        "reading_language": language,
        "enrolled": state.enrolled,
        "modules": modules,
    }


def next_step_dict(step: services.NextStep | None) -> dict | None:
    if step is None:
        return None
    return {"kind": step.kind, "id": step.id, "title": step.title, "module": _module_ref(step.module)}


def progress_dict(state: services.CourseState) -> dict:
    progress = state.progress
    return {
        "course": state.course.slug,
        "enrolled": state.enrolled,
        "percent": progress.percent,
        "label": progress.label,
        "lessons_completed": progress.lessons_completed,
        "lessons_total": progress.lessons_total,
        "quizzes_passed": progress.quizzes_passed,
        "quizzes_total": progress.quizzes_total,
        "next_step": next_step_dict(state.next_step),
        "modules": [
            {
                "id": m.id,
                "key": m.key,
                "title": m.title,
                "percent": s.percent,
                "lessons_completed": s.lessons_completed,
                "lessons_total": s.lessons_total,
                "quiz_passed": s.quiz_passed,
                "best_score": s.best_score,
                "locked": s.locked,
                "locked_reason": s.locked_reason,
            }
            for m in state.modules
            for s in [state.state_of(m)]
        ],
        "completed_at": state.completed_at,
        "certificate_code": state.certificate.code if state.certificate else None,
    }


def lesson_dict(view: services.LessonView, language: str | None = None) -> dict:
    lesson = view.lesson
    language = language or view.course.language
    translated = services.has_text(lesson, "body_html", language, view.course.language)
    shown = language if translated else view.course.language
    return {
        "id": lesson.id,
        "key": lesson.key,
        "title": services.text(lesson, "title", shown),
        "body_html": services.text(lesson, "body_html", shown),
        "language": shown,
        "module": _module_ref(view.module, shown),
        "course": view.course.slug,
        "position": lesson.position,
        "minutes": lesson.minutes,
        "commitments": lesson.commitments,
        "milestones": lesson.milestones,
        "completed": view.completed,
        "previous_lesson_id": view.previous.id if view.previous else None,
        "next_lesson_id": view.next.id if view.next else None,
    }


def quiz_dict(view: services.QuizView, language: str | None = None) -> dict:
    quiz = view.quiz
    language = language or view.course.language
    shown = language if services.has_text(quiz, "title", language, view.course.language) else view.course.language

    def t(obj, field):
        return services.text(obj, field, shown)

    return {
        "id": quiz.id,
        "key": quiz.key,
        "title": t(quiz, "title"),
        "language": shown,
        "course": view.course.slug,
        "module": _module_ref(view.module, shown),
        "pass_mark": quiz.pass_mark,
        "max_attempts": quiz.max_attempts,
        "allow_blanks": quiz.allow_blanks,
        "attempts_used": view.attempts_used,
        "attempts_left": view.attempts_left,
        "passed": view.passed,
        "best_score": view.best_score,
        "questions": [
            {
                "id": q.id,
                "text": t(q, "text"),
                "type": q.type,
                "options": [{"id": o.id, "text": t(o, "text")} for o in q.options],
            }
            for q in quiz.questions
        ],
    }


def attempt_dict(attempt, view: services.QuizView) -> dict:
    certificate = view.state.certificate
    return {
        "score": attempt.score,
        "passed": attempt.passed,
        "attempt_number": attempt.attempt_number,
        "pass_mark": view.quiz.pass_mark,
        "attempts_left": view.attempts_left,
        "submitted_at": attempt.submitted_at,
        "questions": [
            {k: item[k] for k in ("id", "correct", "chosen_option_ids", "correct_option_ids")}
            for item in services.attempt_feedback(attempt, view)
        ],
        "course_completed": view.state.completed_at is not None,
        "certificate_code": certificate.code if certificate else None,
    }


def report_dict(report: services.CourseReport) -> dict:
    def totals(t: services.ReportTotals):
        return {
            "city_id": t.city.id if t.city else None,
            "city": t.city.name if t.city else None,
            "enrolled": t.enrolled,
            "not_started": t.not_started,
            "in_progress": t.in_progress,
            "completed": t.completed,
            "average_quiz_score": t.average_quiz_score,
        }

    return {
        "course": report.course.slug,
        "course_title": report.course.title,
        "city_id": report.city.id if report.city else None,
        "totals": totals(report.totals),
        "cities": [totals(t) for t in report.cities],
        "learners": [
            {
                "user_id": r.user.id,
                "name": r.user.name,
                "email": r.user.email,
                "city_id": r.city.id if r.city else None,
                "city": r.city.name if r.city else None,
                "status": r.status,
                "percent": r.percent,
                "lessons_completed": r.lessons_completed,
                "quizzes_passed": r.quizzes_passed,
                "average_quiz_score": r.average_score,
                "enrolled_at": r.enrollment.enrolled_at,
                "completed_at": r.enrollment.completed_at,
            }
            for r in report.learners
        ],
    }


# ---------------------------------------------------------------- catalogue and outline


@blp.route("/courses", methods=["GET"])
@blp.response(200, CourseListSchema(many=True))
@blp.paginate(SelectPage)
def list_courses():
    """Published courses."""
    return services.catalogue_query(current_user)


@blp.route("/courses/<slug>", methods=["GET"])
@blp.arguments(LanguageArgsSchema, location="query")
@blp.response(200, OutlineSchema)
@blp.alt_response(404, description="No such (published) course")
def get_course(args, slug):
    """A course's outline: modules in order with their lessons (no bodies), quiz and prerequisites,
    in `?lang=` where the course has it (else the learner's chosen or own language, else the course's)."""
    state = services.outline(current_user, slug)
    return outline_dict(state, services.reading_language(state.course, current_user, args["lang"], state.enrollment))


# ---------------------------------------------------------------- enrollment


@blp.route("/courses/<slug>/enrollment", methods=["POST"])
@blp.response(201, EnrollmentSchema)
@blp.alt_response(200, schema=EnrollmentSchema, description="Already enrolled")
def enroll(slug):
    """Enroll in a course (idempotent: 200 when already enrolled). Returning learners keep their progress."""
    enrollment, created = services.enroll(current_user, slug)
    body = {
        "course": slug,
        "active": enrollment.active,
        "enrolled_at": enrollment.enrolled_at,
        "completed_at": enrollment.completed_at,
    }
    return body, 201 if created else 200


@blp.route("/courses/<slug>/enrollment", methods=["DELETE"])
@blp.response(204)
def unenroll(slug):
    """Leave a course. Progress is kept for a return."""
    services.unenroll(current_user, slug)


# ---------------------------------------------------------------- lessons


@blp.route("/lessons/<int:lesson_id>", methods=["GET"])
@blp.arguments(LanguageArgsSchema, location="query")
@blp.response(200, LessonSchema)
@blp.alt_response(403, description="Not enrolled, or the module has an unmet prerequisite (the message names it)")
def get_lesson(args, lesson_id):
    """A lesson with its body, for enrolled learners whose module is unlocked; admins read any lesson as a
    preview (no enrollment or progress is created)."""
    view = services.lesson_view(current_user, lesson_id)
    language = services.reading_language(view.course, current_user, args["lang"], view.state.enrollment)
    return lesson_dict(view, language)


@blp.route("/lessons/<int:lesson_id>/completion", methods=["POST"])
@blp.response(200, CompletionSchema)
@blp.alt_response(403, description="Not enrolled, or the module is locked")
def complete_lesson(lesson_id):
    """Mark a lesson as done (idempotent). The last missing item completes the course and issues the certificate."""
    view = services.complete_lesson(current_user, lesson_id)
    certificate = view.state.certificate
    return {
        "lesson_id": lesson_id,
        "completed": True,
        "course_completed": view.state.completed_at is not None,
        "certificate_code": certificate.code if certificate else None,
    }


# ---------------------------------------------------------------- quizzes


@blp.route("/quizzes/<int:quiz_id>", methods=["GET"])
@blp.arguments(LanguageArgsSchema, location="query")
@blp.response(200, QuizSchema)
@blp.alt_response(403, description="Not enrolled, or the module is locked")
def get_quiz(args, quiz_id):
    """A quiz's questions and options, never which options are correct. Admins may read any quiz (preview).
    Texts in `?lang=` where translated; the answers are option ids, the same in every language."""
    view = services.quiz_view(current_user, quiz_id)
    return quiz_dict(view, services.reading_language(view.course, current_user, args["lang"], view.state.enrollment))


@blp.route("/quizzes/<int:quiz_id>/attempts", methods=["POST"])
@blp.arguments(AttemptInSchema)
@blp.response(201, AttemptSchema)
@blp.alt_response(409, description="No attempt left")
@blp.alt_response(
    422,
    description="Answers name questions or options outside the quiz, or leave questions unanswered in a quiz "
    "that does not allow blanks (errors: answers.<question id>); nothing is recorded, no attempt is used",
)
def submit_attempt(data, quiz_id):
    """Submit answers; graded on the server. Correct options are revealed only when no retry remains."""
    attempt, view = services.submit_attempt(current_user, quiz_id, data["answers"])
    return attempt_dict(attempt, view)


@blp.route("/quizzes/<int:quiz_id>/learners/<int:user_id>/attempts", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(403, description="Administrators only")
def reset_attempts(quiz_id, user_id):
    """Admin: delete a learner's attempts at a quiz, so they can try again (e.g. after using every attempt)."""
    services.reset_quiz_attempts(current_user, quiz_id, user_id)


# ---------------------------------------------------------------- progress, certificates, reports


@blp.route("/courses/<slug>/progress", methods=["GET"])
@blp.response(200, ProgressSchema)
@blp.alt_response(403, description="Not enrolled")
def get_progress(slug):
    """My progress in a course, per module."""
    return progress_dict(services.progress(current_user, slug))


@blp.route("/certificates/<code>", methods=["GET"])
@blp.response(200, CertificateSchema)
@blp.alt_response(404, description="No certificate with this code")
def verify_certificate(code):
    """Public (no sign-in): check a certificate. valid=false once withdrawn (the learner erased their account)."""
    return services.verify_certificate(code)


@blp.route("/courses/<slug>/report", methods=["GET"])
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.alt_response(403, description="Not an administrator or coordinator, or another city")
def get_report(args, slug):
    """Admins and coordinators (own city only): per-learner and per-city completion."""
    return report_dict(services.course_report(current_user, slug, args.get("city_id")))
