"""Course reports for administrators (every city) and coordinators (their own city):
per learner and per city, in a fixed number of queries; the CSV export; and the figures
the cross-city overview shows per city."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, exists, func, select

from ...accounts.models import City, User
from ...core.errors import Forbidden, Invalid
from ...core.i18n import _, _l
from ...extensions import db
from ..models import Certificate, Course, Enrollment, Lesson, LessonCompletion, Quiz, QuizAttempt
from .catalogue import Progress, catalogue, get_by_id, visible_course
from .rules import can_view_all_cities, policy

#: How each learner status (`ReportRow.status`) reads on the report page.
STATUS_LABELS = {
    "completed": _l("completed"),
    "unenrolled": _l("unenrolled"),
    "in_progress": _l("in progress"),
    "not_started": _l("not started"),
}


@dataclass
class ReportRow:
    user: User
    city: City | None
    enrollment: Enrollment
    lessons_completed: int
    quizzes_passed: int
    average_score: float | None
    lessons_total: int
    quizzes_total: int

    @property
    def progress(self) -> Progress:
        return Progress(self.lessons_completed, self.lessons_total, self.quizzes_passed, self.quizzes_total)

    @property
    def percent(self) -> int:
        return self.progress.percent

    @property
    def status(self) -> str:
        if self.enrollment.completed_at is not None:
            return "completed"
        if not self.enrollment.active:
            return "unenrolled"
        if self.lessons_completed or self.quizzes_passed or self.average_score is not None:
            return "in_progress"
        return "not_started"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class ReportTotals:
    label: str
    city: City | None = None
    enrolled: int = 0
    not_started: int = 0
    in_progress: int = 0
    completed: int = 0
    scores: list = field(default_factory=list)

    @property
    def average_quiz_score(self) -> float | None:
        return round(sum(self.scores) / len(self.scores), 1) if self.scores else None

    def add(self, row: ReportRow, best_scores: list[int]) -> None:
        status = row.status
        if status == "unenrolled":
            return
        self.enrolled += 1
        setattr(self, status, getattr(self, status) + 1)
        self.scores.extend(best_scores)


@dataclass
class CourseReport:
    course: Course
    city: City | None
    totals: ReportTotals
    cities: list[ReportTotals]
    learners: list[ReportRow]


def _report_city(user, city_id: int | None) -> City | None:
    policy.require(user, "report.view")
    if not can_view_all_cities(user):
        if city_id is not None and city_id != user.city_id:
            raise Forbidden(_("Coordinators see the reports of their own city only."))
        city_id = user.city_id
    if city_id is None:
        return None
    city = get_by_id(City, city_id)
    if city is None:
        raise Invalid.field("city_id", _("No city with this id."))
    return city


def course_report(user, slug: str, city_id: int | None = None) -> CourseReport:
    """Per learner and per city: enrolled, in progress, completed, average best quiz score.
    Coordinators see only the learners of their city. Five queries whatever the size."""
    city = _report_city(user, city_id)
    course = visible_course(user, slug)
    learners = (
        select(Enrollment, User, City)
        .join(User, User.id == Enrollment.user_id)
        .outerjoin(City, City.id == User.city_id)
        .where(Enrollment.course_id == course.id)
    )
    if city is not None:
        learners = learners.where(User.city_id == city.id)
    rows = db.session.execute(learners.order_by(City.name, User.name, User.id)).all()
    completions = dict(
        db.session.execute(
            select(LessonCompletion.user_id, func.count(LessonCompletion.id))
            .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
            .join(User, User.id == LessonCompletion.user_id)
            .where(Lesson.course_id == course.id, *([User.city_id == city.id] if city else []))
            .group_by(LessonCompletion.user_id)
        ).all()
    )
    best: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for user_id, _quiz_id, score, passed in db.session.execute(
        select(
            QuizAttempt.user_id,
            QuizAttempt.quiz_id,
            func.max(QuizAttempt.score),
            func.max(case((QuizAttempt.passed.is_(True), 1), else_=0)),
        )
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .join(User, User.id == QuizAttempt.user_id)
        .where(Quiz.course_id == course.id, *([User.city_id == city.id] if city else []))
        .group_by(QuizAttempt.user_id, QuizAttempt.quiz_id)
    ):
        best[user_id].append((score, bool(passed)))
    totals = ReportTotals(label=_("All cities") if city is None else city.name, city=city)
    per_city: dict[int | None, ReportTotals] = {}
    report_rows = []
    for enrollment, learner, learner_city in rows:
        scores = [s for s, _passed in best.get(learner.id, [])]
        row = ReportRow(
            user=learner,
            city=learner_city,
            enrollment=enrollment,
            lessons_completed=completions.get(learner.id, 0),
            quizzes_passed=sum(1 for _score, p in best.get(learner.id, []) if p),
            average_score=round(sum(scores) / len(scores), 1) if scores else None,
            lessons_total=course.lessons_count,
            quizzes_total=course.quizzes_count,
        )
        report_rows.append(row)
        key = learner_city.id if learner_city else None
        if key not in per_city:
            per_city[key] = ReportTotals(label=learner_city.name if learner_city else _("No city"), city=learner_city)
        per_city[key].add(row, scores)
        totals.add(row, scores)
    cities = sorted(per_city.values(), key=lambda t: (t.city is None, t.label))
    return CourseReport(course=course, city=city, totals=totals, cities=cities, learners=report_rows)


def reports_overview(user, city_id: int | None = None) -> tuple[City | None, list[tuple[Course, ReportTotals]]]:
    """Totals per course for the reports page, in three queries whatever the number of courses."""
    city = _report_city(user, city_id)
    courses = catalogue(user)
    status_rows = db.session.execute(
        select(
            Enrollment.course_id,
            func.sum(case((Enrollment.completed_at.is_not(None), 1), else_=0)),
            func.sum(case(((Enrollment.completed_at.is_(None)) & Enrollment.active.is_(True), 1), else_=0)),
        )
        .join(User, User.id == Enrollment.user_id)
        .where(*([User.city_id == city.id] if city else []))
        .group_by(Enrollment.course_id)
    ).all()
    started = (
        select(LessonCompletion.user_id.label("user_id"), Lesson.course_id.label("course_id"))
        .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
        .union(select(QuizAttempt.user_id, Quiz.course_id).join(Quiz, Quiz.id == QuizAttempt.quiz_id))
        .subquery()
    )
    in_progress = dict(
        db.session.execute(
            select(Enrollment.course_id, func.count(func.distinct(Enrollment.user_id)))
            .join(started, (started.c.user_id == Enrollment.user_id) & (started.c.course_id == Enrollment.course_id))
            .join(User, User.id == Enrollment.user_id)
            .where(
                Enrollment.completed_at.is_(None),
                Enrollment.active.is_(True),
                *([User.city_id == city.id] if city else []),
            )
            .group_by(Enrollment.course_id)
        ).all()
    )
    best = (
        select(QuizAttempt.user_id, QuizAttempt.quiz_id, func.max(QuizAttempt.score).label("best"))
        .join(User, User.id == QuizAttempt.user_id)
        .where(*([User.city_id == city.id] if city else []))
        .group_by(QuizAttempt.user_id, QuizAttempt.quiz_id)
        .subquery()
    )
    averages: dict[int, float | None] = dict(
        db.session.execute(
            select(Quiz.course_id, func.avg(best.c.best)).join(best, best.c.quiz_id == Quiz.id).group_by(Quiz.course_id)
        ).all()
    )
    result = []
    by_course = {course_id: (completed or 0, active or 0) for course_id, completed, active in status_rows}
    for course in courses:
        completed, active = by_course.get(course.id, (0, 0))
        totals = ReportTotals(label=course.title, city=city)
        totals.completed = completed
        totals.in_progress = in_progress.get(course.id, 0)
        totals.not_started = active - totals.in_progress
        totals.enrolled = completed + active
        average = averages.get(course.id)
        if average is not None:
            totals.scores = [float(average)]
        result.append((course, totals))
    return city, result


def report_csv_rows(report: CourseReport) -> list[list[str | int | float]]:
    header: list[str | int | float] = [
        _("learner"),
        _("email"),
        _("city"),
        _("status"),
        _("enrolled_at"),
        _("completed_at"),
        _("lessons_completed"),
        _("lessons_total"),
        _("quizzes_passed"),
        _("quizzes_total"),
        _("percent"),
        _("average_quiz_score"),
    ]
    rows = [header]
    for row in report.learners:
        rows.append(
            [
                row.user.name,
                row.user.email,
                row.city.name if row.city else "",
                row.status,
                row.enrollment.enrolled_at.isoformat(),
                row.enrollment.completed_at.isoformat() if row.enrollment.completed_at else "",
                row.lessons_completed,
                row.lessons_total,
                row.quizzes_passed,
                row.quizzes_total,
                row.percent,
                "" if row.average_score is None else row.average_score,
            ]
        )
    return rows


def report_cities(user) -> list[City]:
    """Cities an admin can filter the reports by (coordinators: none, they see their own)."""
    if not can_view_all_cities(user):
        return []
    return list(db.session.scalars(select(City).order_by(City.name)))


# ---------------------------------------------------------------- figures of the cross-city overview


def learners_enrolled_by_city(city_ids: list[int]) -> dict[int, int]:
    if not city_ids:
        return {}
    # EXISTS over covering indexes: one index probe per learner, no row reads, no DISTINCT.
    rows = db.session.execute(
        select(User.city_id, func.count())
        .where(
            User.city_id.in_(city_ids),
            User.erased_at.is_(None),
            exists().where(Enrollment.user_id == User.id, Enrollment.active.is_(True)),
        )
        .group_by(User.city_id)
    ).all()
    found = {key: value for key, value in rows}
    return {city_id: found.get(city_id, 0) for city_id in city_ids}


def learners_certified_by_city(city_ids: list[int]) -> dict[int, int]:
    if not city_ids:
        return {}
    rows = db.session.execute(
        select(User.city_id, func.count())
        .where(
            User.city_id.in_(city_ids), exists().where(Certificate.user_id == User.id, Certificate.revoked_at.is_(None))
        )
        .group_by(User.city_id)
    ).all()
    found = {key: value for key, value in rows}
    return {city_id: found.get(city_id, 0) for city_id in city_ids}
