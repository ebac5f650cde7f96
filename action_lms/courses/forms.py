"""Forms of the course pages. Shape checks only (how many answers, numbers where numbers
belong); whether the answers belong to the quiz, and who may reset attempts, are the
services' rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Field, IntegerField
from wtforms.validators import InputRequired, ValidationError

from ..core.i18n import _, _l
from .schemas import MAX_OPTIONS_PER_QUESTION, MAX_QUESTIONS_PER_QUIZ

#: Each question of the quiz page posts its chosen options as `q-<question id>`.
ANSWER_PREFIX = "q-"


def _number_or_text(value: str) -> int | str:
    """Option ids are numbers; anything else is passed on for the service to refuse by name."""
    try:
        return int(value)
    except ValueError:
        return value


class AnswersField(Field):
    """Every posted `q-<question id>` field, as {question id: [option ids]} (the shape the
    API's attempt body has). Rendered by the quiz template, one input per option."""

    data: dict[str, list[int | str]]
    process_errors: list[str]

    def process(self, formdata, data=None, extra_filters=None) -> None:
        self.process_errors = []
        self.data = {}
        if formdata is None:
            return
        for name in formdata:
            if name.startswith(ANSWER_PREFIX):
                self.data[name[len(ANSWER_PREFIX) :]] = [_number_or_text(v) for v in formdata.getlist(name)]


def _within_quiz_bounds(form, field: AnswersField) -> None:
    if len(field.data) > MAX_QUESTIONS_PER_QUIZ:
        raise ValidationError(_("A quiz has at most %(num)d questions.", num=MAX_QUESTIONS_PER_QUIZ))
    if any(len(values) > MAX_OPTIONS_PER_QUESTION for values in field.data.values()):
        raise ValidationError(_("A question has at most %(num)d options.", num=MAX_OPTIONS_PER_QUESTION))


class QuizAttemptForm(FlaskForm):
    answers = AnswersField(validators=[_within_quiz_bounds])


class ResetAttemptsForm(FlaskForm):
    """An administrator's fresh start for one learner on one quiz of the report page."""

    user_id = IntegerField(_l("Learner"), validators=[InputRequired()])
    quiz_id = IntegerField(_l("Quiz"), validators=[InputRequired()])
