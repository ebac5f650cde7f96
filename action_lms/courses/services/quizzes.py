"""Quizzes: the quiz page, answers checked against the quiz and graded on the server, every
question answered unless the quiz allows blanks, attempts limited per learner (the database refuses a second attempt with the same
number), results with the correct options once no retry remains, and the administrators'
fresh start."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import contains_eager, selectinload

from ...accounts.models import User
from ...core.db import affected_rows, flush_or_conflict, transactional, unit_of_work
from ...core.errors import Conflict, Invalid, NotFound
from ...core.i18n import _, ngettext
from ...core.time import utcnow
from ...extensions import db
from ..models import Course, Module, Question, Quiz, QuizAttempt
from .catalogue import CourseState, ModuleState, get_by_id
from .certificates import complete_course_if_done, lock_enrollment
from .lessons import open_module
from .rules import ATTEMPT_CONFLICT, policy


@dataclass
class QuizView:
    quiz: Quiz
    module: Module
    state: CourseState
    attempts: list[QuizAttempt]
    preview: bool = False  # as LessonView.preview: questions shown, no answers taken

    @property
    def course(self) -> Course:
        return self.state.course

    @property
    def module_state(self) -> ModuleState:
        return self.state.state_of(self.module)

    @property
    def attempts_used(self) -> int:
        return len(self.attempts)

    @property
    def attempts_left(self) -> int | None:
        return None if self.quiz.max_attempts is None else max(self.quiz.max_attempts - self.attempts_used, 0)

    @property
    def passed(self) -> bool:
        return any(a.passed for a in self.attempts)

    @property
    def best_score(self) -> int | None:
        return max((a.score for a in self.attempts), default=None)

    @property
    def can_attempt(self) -> bool:
        return self.attempts_left is None or self.attempts_left > 0

    @property
    def reveal_answers(self) -> bool:
        """Correct answers are shown only when no retry remains."""
        return not self.can_attempt


def quiz_view(user, quiz_id: int, action: str = "quiz.view") -> QuizView:
    policy.require(user, action)
    quiz = (
        None
        if get_by_id(Quiz, quiz_id) is None
        else db.session.scalar(
            select(Quiz).where(Quiz.id == quiz_id).options(selectinload(Quiz.questions).selectinload(Question.options))
        )
    )
    if quiz is None:
        raise NotFound(_("No quiz with this id."))
    state, module, preview = open_module(user, quiz.course_id, quiz.module_id, action, _("No quiz with this id."))
    attempts = list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user.id, QuizAttempt.quiz_id == quiz.id)
            .order_by(QuizAttempt.attempt_number)
        )
    )
    return QuizView(quiz=quiz, module=module, state=state, attempts=attempts, preview=preview)


def _validate_answers(quiz: Quiz, answers) -> dict[int, set[int]]:
    if not isinstance(answers, dict):
        raise Invalid.field("answers", _("Send an object mapping question ids to lists of option ids."))
    questions = {q.id: q for q in quiz.questions}
    errors: dict[str, list[str]] = {}
    chosen: dict[int, set[int]] = {}
    for raw_id, option_ids in answers.items():
        try:
            question_id = int(raw_id)
        except (TypeError, ValueError):
            errors[f"answers.{raw_id}"] = [_("Not a question id.")]
            continue
        question = questions.get(question_id)
        if question is None:
            errors[f"answers.{raw_id}"] = [_("This question is not part of this quiz.")]
            continue
        if not isinstance(option_ids, (list, tuple)):
            errors[f"answers.{raw_id}"] = [_("Send a list of option ids.")]
            continue
        valid = {o.id for o in question.options}
        picked = set()
        for option_id in option_ids:
            if isinstance(option_id, bool) or not isinstance(option_id, int) or option_id not in valid:
                errors[f"answers.{raw_id}"] = [
                    _("Option %(option)s is not an option of this question.", option=repr(option_id))
                ]
                break
            picked.add(option_id)
        else:
            if question.type == Question.SINGLE and len(picked) > 1:
                errors[f"answers.{raw_id}"] = [_("Choose one option only: this is a single-choice question.")]
                continue
            chosen[question_id] = picked
    if errors:
        raise Invalid(_("Some answers do not match the quiz's questions."), errors)
    return chosen


class Unanswered(Invalid):
    """422 for an attempt that leaves questions unanswered in a quiz that does not allow
    blanks: nothing is recorded and no attempt is used. `questions` are the unanswered
    ones with their numbers on the page (1-based), for the page's error summary."""

    def __init__(self, questions: list[tuple[int, Question]]):
        self.questions = questions
        named = [
            _("%(number)d (“%(text)s”)", number=number, text=question.text.strip()) for number, question in questions
        ]
        listed = (
            named[0] if len(named) == 1 else _("%(first)s and %(last)s", first=", ".join(named[:-1]), last=named[-1])
        )
        super().__init__(
            ngettext(
                "Question %(listed)s is not answered. Answer every question: nothing was recorded "
                "and no attempt was used.",
                "Questions %(listed)s are not answered. Answer every question: nothing was recorded "
                "and no attempt was used.",
                len(named),
                listed=listed,
            ),
            {
                f"answers.{q.id}": [_("Question %(number)d is not answered: choose an option.", number=n)]
                for n, q in questions
            },
        )


def unanswered_questions(quiz: Quiz, chosen: dict[int, set[int]]) -> list[tuple[int, Question]]:
    """The questions (with their 1-based numbers) that have no option chosen."""
    return [(number, q) for number, q in enumerate(quiz.questions, start=1) if not chosen.get(q.id)]


def require_answers(quiz: Quiz, chosen: dict[int, set[int]]) -> None:
    """Every question answered, unless the quiz says `allow_blanks: true` (blanks are then wrong)."""
    if quiz.allow_blanks:
        return
    missing = unanswered_questions(quiz, chosen)
    if missing:
        raise Unanswered(missing)


def grade(quiz: Quiz, chosen: dict[int, set[int]]) -> tuple[int, dict[str, bool]]:
    """A question counts only when exactly its correct options are chosen (no partial
    credit for multiple choice; unanswered is wrong). Score: percent, rounded down."""
    results = {}
    for question in quiz.questions:
        correct = {o.id for o in question.options if o.correct}
        results[str(question.id)] = chosen.get(question.id, set()) == correct
    total = len(quiz.questions)
    score = (100 * sum(results.values())) // total if total else 0
    return score, results


def submit_attempt(user, quiz_id: int, answers) -> tuple[QuizAttempt, QuizView]:
    """Grade one attempt; a passed quiz may complete the course (and issue its certificate).
    Answers outside the quiz, or questions left unanswered (unless the quiz allows blanks),
    are a 422 that records nothing; no attempt left is a 409."""
    with unit_of_work(ATTEMPT_CONFLICT):
        view = quiz_view(user, quiz_id, "quiz.attempt")
        quiz = view.quiz
        chosen = _validate_answers(quiz, answers)
        lock_enrollment(view.state.enrollment)
        used = (
            db.session.scalar(
                select(func.count(QuizAttempt.id)).where(QuizAttempt.user_id == user.id, QuizAttempt.quiz_id == quiz.id)
            )
            or 0
        )
        if quiz.max_attempts is not None and used >= quiz.max_attempts:
            raise Conflict(_("You have used all %(num)d attempts for this quiz.", num=quiz.max_attempts))
        require_answers(quiz, chosen)
        score, results = grade(quiz, chosen)
        attempt = QuizAttempt(
            user_id=user.id,
            quiz_id=quiz.id,
            attempt_number=used + 1,
            score=score,
            passed=score >= quiz.pass_mark,
            answers={str(k): sorted(v) for k, v in chosen.items()},
            results=results,
            submitted_at=utcnow(),
        )
        db.session.add(attempt)
        flush_or_conflict(ATTEMPT_CONFLICT)  # the same attempt number submitted twice at once
        if attempt.passed:
            complete_course_if_done(user, view.course)
    return attempt, quiz_view(user, quiz_id)


@transactional()
def reset_quiz_attempts(actor, quiz_id: int, user_id: int) -> int:
    """Administrators give a learner a fresh start on a quiz (e.g. after using every
    attempt): their attempts at it are deleted. A completed course stays completed."""
    policy.require(actor, "quiz.reset_attempts")
    if get_by_id(Quiz, quiz_id) is None:
        raise NotFound(_("No quiz with this id."))
    learner = get_by_id(User, user_id)
    if learner is None or learner.erased_at is not None:
        raise NotFound(_("No user with this id."))
    deleted = db.session.execute(
        delete(QuizAttempt).where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.user_id == user_id)
    )
    return affected_rows(deleted)


def course_quizzes(course: Course) -> list[Quiz]:
    return list(
        db.session.scalars(
            select(Quiz)
            .join(Module, Module.id == Quiz.module_id)
            .where(Quiz.course_id == course.id)
            .order_by(Module.position)
            .options(contains_eager(Quiz.module))
        )
    )


def attempt_result(user, quiz_id: int, attempt_number: int) -> tuple[QuizAttempt, QuizView]:
    view = quiz_view(user, quiz_id)
    attempt = next((a for a in view.attempts if a.attempt_number == attempt_number), None)
    if attempt is None:
        raise NotFound(_("No attempt with this number."))
    return attempt, view


def attempt_feedback(attempt: QuizAttempt, view: QuizView) -> list[dict]:
    """Per question: what was chosen and whether it was right; the correct options only
    when no retry remains."""
    items = []
    for question in view.quiz.questions:
        chosen = set(attempt.answers.get(str(question.id), []))
        items.append(
            {
                "question": question,
                "id": question.id,
                "correct": bool(attempt.results.get(str(question.id), False)),
                "chosen_option_ids": sorted(chosen),
                "correct_option_ids": sorted(o.id for o in question.options if o.correct)
                if view.reveal_answers
                else None,
            }
        )
    return items
