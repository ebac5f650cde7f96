"""HTML pages of the courses domain: catalogue, course, lesson, quiz, my learning,
certificate, reports."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from ..core.csvfile import csv_response
from ..core.errors import Conflict, Invalid, NotFound
from ..core.i18n import _, in_language
from . import services
from .forms import QuizAttemptForm, ResetAttemptsForm

bp = Blueprint("courses", __name__)


@bp.route("/courses")
@login_required
def catalogue():
    courses = services.catalogue(current_user)
    mine = {row.course.id: row for row in services.my_learning(current_user)}
    return render_template("courses/catalogue.html", courses=courses, mine=mine)


def _read_in(course, enrollment, *items) -> services.Reading:
    """The language this page shows the course in (`?lang=`, the learner's choice, their own
    language, the course's), set for `ctext` in the templates; with the fallback notice when
    an item in view is not translated."""
    g.course_language = services.reading_language(course, current_user, request.args.get("lang"), enrollment)
    return services.reading(course, g.course_language, *items)


@bp.route("/courses/<slug>")
@login_required
def course(slug):
    state = services.outline(current_user, slug)
    return render_template(
        "courses/course.html",
        state=state,
        course=state.course,
        step_url=services.step_url,
        can_preview=services.can_preview(current_user),
        reading=_read_in(state.course, state.enrollment, (state.course, "title")),
    )


@bp.route("/courses/<slug>/language", methods=["POST"])
@login_required
def course_language(slug):
    """The learner reads the course in another language from now on (kept with the enrollment)."""
    try:
        services.choose_course_language(current_user, slug, request.form.get("language", ""))
    except (Invalid, NotFound) as exc:
        flash(exc.message, "error")
    return redirect(url_for("courses.course", slug=slug))


@bp.route("/courses/<slug>/enroll", methods=["POST"])
@login_required
def enroll(slug):
    _enrollment, created = services.enroll(current_user, slug)
    flash(_("You are enrolled. Start with the first lesson.") if created else _("You are already enrolled."), "success")
    return redirect(url_for("courses.course", slug=slug))


@bp.route("/courses/<slug>/unenroll", methods=["POST"])
@login_required
def unenroll(slug):
    services.unenroll(current_user, slug)
    flash(_("You left the course. Your progress is kept if you enroll again."), "info")
    return redirect(url_for("courses.course", slug=slug))


def _locked_page(exc: services.Locked):
    return render_template("courses/locked.html", reason=exc.message, course=exc.course, enrolled=exc.enrolled), 403


@bp.route("/lessons/<int:lesson_id>")
@login_required
def lesson(lesson_id):
    try:
        view = services.lesson_view(current_user, lesson_id)
    except services.Locked as exc:
        return _locked_page(exc)
    reading = _read_in(view.course, view.state.enrollment, (view.lesson, "body_html"))
    return render_template("courses/lesson.html", view=view, lesson=view.lesson, course=view.course, reading=reading)


@bp.route("/lessons/<int:lesson_id>/complete", methods=["POST"])
@login_required
def complete_lesson(lesson_id):
    view = services.complete_lesson(current_user, lesson_id)
    if view.state.certificate is not None and view.state.completed_at is not None and not view.next:
        flash(_("Course completed. Your certificate is ready."), "success")
        return redirect(url_for("courses.course", slug=view.course.slug))
    flash(_("“%(title)s” is marked as complete.", title=view.lesson.title), "success")
    step = view.state.next_step  # the next lesson, or the module's quiz once its lessons are done
    if step is not None:
        return redirect(services.step_url(step))
    return redirect(url_for("courses.course", slug=view.course.slug))


@bp.route("/quizzes/<int:quiz_id>", methods=["GET", "POST"])
@login_required
def quiz(quiz_id):
    form = QuizAttemptForm()
    if form.is_submitted():
        unanswered: list = []
        if form.validate():
            try:
                attempt, _view = services.submit_attempt(current_user, quiz_id, form.answers.data)
                return redirect(url_for("courses.attempt", quiz_id=quiz_id, number=attempt.attempt_number))
            except services.Unanswered as exc:  # the form again, with the answers given kept
                error, code, unanswered = exc.message, exc.code, exc.questions
            except (Invalid, Conflict) as exc:
                error, code = exc.message, exc.code
        else:
            error, code = _first_error(form), Invalid.code
        view = services.quiz_view(current_user, quiz_id)
        reading = _read_in(view.course, view.state.enrollment, (view.quiz, "title"))
        return render_template(
            "courses/quiz.html",
            view=view,
            error=error,
            unanswered=unanswered,
            answers=form.answers.data,
            reading=reading,
        ), code
    try:
        view = services.quiz_view(current_user, quiz_id)
    except services.Locked as exc:
        return _locked_page(exc)
    reading = _read_in(view.course, view.state.enrollment, (view.quiz, "title"))
    return render_template("courses/quiz.html", view=view, error=None, unanswered=[], answers={}, reading=reading)


def _first_error(form) -> str:
    return next(message for messages in form.errors.values() for message in messages)


@bp.route("/quizzes/<int:quiz_id>/attempts/<int:number>")
@login_required
def attempt(quiz_id, number):
    attempt_, view = services.attempt_result(current_user, quiz_id, number)
    feedback = services.attempt_feedback(attempt_, view)
    _read_in(view.course, view.state.enrollment)
    return render_template("courses/attempt.html", attempt=attempt_, view=view, feedback=feedback)


@bp.route("/my-learning")
@login_required
def my_learning():
    return render_template(
        "courses/my_learning.html", rows=services.my_learning(current_user), step_url=services.step_url
    )


@bp.route("/certificates/<code>")
def certificate(code):
    """Public: the printable certificate and its verification."""
    cert = services.verify_certificate(code)
    body = None
    if cert.valid:
        with in_language(cert.language):  # the certificate in the learner's language, the page in the reader's
            body = Markup(render_template("courses/_certificate_body.html", cert=cert))
    return render_template("courses/certificate.html", cert=cert, body=body)


def _city_arg():
    value = request.args.get("city_id", "")
    return int(value) if value.isdigit() else None


@bp.route("/course-reports")
@login_required
def reports():
    city, rows = services.reports_overview(current_user, _city_arg())
    return render_template("courses/reports.html", rows=rows, city=city, cities=services.report_cities(current_user))


@bp.route("/course-reports/<slug>")
@login_required
def report(slug):
    report_ = services.course_report(current_user, slug, _city_arg())
    quizzes = services.course_quizzes(report_.course) if services.can_reset_attempts(current_user) else []
    return render_template(
        "courses/report.html", report=report_, cities=services.report_cities(current_user), quizzes=quizzes
    )


@bp.route("/course-reports/<slug>/reset-attempts", methods=["POST"])
@login_required
def reset_attempts(slug):
    form = ResetAttemptsForm()
    if not form.validate():
        flash(_("Choose a learner and a quiz."), "error")
        return redirect(url_for("courses.report", slug=slug))
    deleted = services.reset_quiz_attempts(current_user, form.quiz_id.data, form.user_id.data)
    flash(_("%(num)d attempt(s) deleted: the learner can take the quiz again.", num=deleted), "success")
    return redirect(url_for("courses.report", slug=slug))


@bp.route("/course-reports/<slug>.csv")
@login_required
def report_csv(slug):
    report_ = services.course_report(current_user, slug, _city_arg())
    suffix = f"-{report_.city.name.lower().replace(' ', '-')}" if report_.city else ""
    return csv_response(services.report_csv_rows(report_), f"{slug}-report{suffix}.csv")
