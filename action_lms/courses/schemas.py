"""Marshmallow schemas of the courses domain (shapes of API.md, "Courses")."""

from marshmallow import Schema, ValidationError, fields, validate

from ..core.api import UtcDateTime
from ..core.i18n import _

# Caps on one quiz attempt's body, so its cost is bounded by the domain, not by the request size:
# no real question has 50 options, and no quiz 200 questions.
MAX_OPTIONS_PER_QUESTION = 50
MAX_QUESTIONS_PER_QUIZ = 200


class CourseListSchema(Schema):
    slug = fields.String()
    title = fields.String()
    summary = fields.String()
    language = fields.String()
    version = fields.String()
    published = fields.Boolean()
    modules_count = fields.Integer()
    lessons_count = fields.Integer()
    estimated_minutes = fields.Integer()


class LessonRefSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    title = fields.String()
    position = fields.Integer()
    minutes = fields.Integer()
    commitments = fields.List(fields.Integer())
    milestones = fields.List(fields.String())
    completed = fields.Boolean(metadata={"description": "Completed by me (false when not enrolled)."})


class ModuleRefSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    title = fields.String()


class QuizRefSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    title = fields.String()
    pass_mark = fields.Integer(metadata={"description": "Percent needed to pass."})
    max_attempts = fields.Integer(allow_none=True, metadata={"description": "null: unlimited."})
    allow_blanks = fields.Boolean(
        metadata={"description": "true: an attempt may leave questions unanswered (they count as wrong)."}
    )
    questions_count = fields.Integer()


class OutlineModuleSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    title = fields.String()
    summary = fields.String()
    position = fields.Integer()
    prerequisites = fields.List(fields.Nested(ModuleRefSchema), metadata={"description": "Modules to finish first."})
    locked = fields.Boolean()
    locked_reason = fields.String(allow_none=True)
    quiz_id = fields.Integer(allow_none=True)
    pass_mark = fields.Integer(allow_none=True)
    quiz = fields.Nested(QuizRefSchema, allow_none=True)
    lessons = fields.List(fields.Nested(LessonRefSchema))


class LanguageArgsSchema(Schema):
    lang = fields.String(
        load_default=None,
        metadata={"description": "Serve the texts in this language where the course has them (else its own)."},
    )


class OutlineSchema(CourseListSchema):
    languages = fields.List(fields.String(), metadata={"description": "The languages the course is offered in."})
    reading_language = fields.String(
        metadata={"description": "The language of the texts in this answer (the course's own where not translated)."}
    )
    enrolled = fields.Boolean()
    modules = fields.List(fields.Nested(OutlineModuleSchema))


class EnrollmentSchema(Schema):
    course = fields.String(metadata={"description": "Course slug."})
    active = fields.Boolean()
    enrolled_at = UtcDateTime()
    completed_at = UtcDateTime(allow_none=True)


class LessonSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    title = fields.String()
    body_html = fields.String(metadata={"description": "Sanitised HTML rendered from the lesson's Markdown."})
    language = fields.String(
        metadata={"description": "The language of `title` and `body_html` (the course's own when not translated)."}
    )
    module = fields.Nested(ModuleRefSchema)
    course = fields.String(metadata={"description": "Course slug."})
    position = fields.Integer()
    minutes = fields.Integer()
    commitments = fields.List(fields.Integer())
    milestones = fields.List(fields.String())
    completed = fields.Boolean()
    previous_lesson_id = fields.Integer(allow_none=True)
    next_lesson_id = fields.Integer(allow_none=True)


class CompletionSchema(Schema):
    lesson_id = fields.Integer()
    completed = fields.Boolean()
    course_completed = fields.Boolean()
    certificate_code = fields.String(allow_none=True)


class OptionSchema(Schema):
    id = fields.Integer()
    text = fields.String()


class QuestionSchema(Schema):
    id = fields.Integer()
    text = fields.String()
    type = fields.String(metadata={"description": "single or multiple"})
    options = fields.List(fields.Nested(OptionSchema))


class QuizSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    title = fields.String()
    language = fields.String(
        metadata={"description": "The language of the texts (the course's own when not translated)."}
    )
    course = fields.String()
    module = fields.Nested(ModuleRefSchema)
    pass_mark = fields.Integer()
    max_attempts = fields.Integer(allow_none=True)
    allow_blanks = fields.Boolean(
        metadata={"description": "false: every question must be answered (422 naming those left unanswered)."}
    )
    attempts_used = fields.Integer()
    attempts_left = fields.Integer(allow_none=True, metadata={"description": "null: unlimited."})
    passed = fields.Boolean()
    best_score = fields.Integer(allow_none=True)
    questions = fields.List(fields.Nested(QuestionSchema))


def _no_more_answers_than_a_quiz_has_questions(answers: dict) -> None:
    if len(answers) > MAX_QUESTIONS_PER_QUIZ:
        raise ValidationError(_("A quiz has at most %(num)d questions.", num=MAX_QUESTIONS_PER_QUIZ))


class AttemptInSchema(Schema):
    answers = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Integer(), validate=validate.Length(max=MAX_OPTIONS_PER_QUESTION)),
        required=True,
        validate=_no_more_answers_than_a_quiz_has_questions,
        metadata={
            "description": "Question id → chosen option ids.",
            "example": {"12": [40], "13": [44, 46]},
            "maxProperties": MAX_QUESTIONS_PER_QUIZ,
        },
    )


class QuestionResultSchema(Schema):
    id = fields.Integer()
    correct = fields.Boolean()
    chosen_option_ids = fields.List(fields.Integer())
    correct_option_ids = fields.List(
        fields.Integer(), allow_none=True, metadata={"description": "Only once no retry remains; null before."}
    )


class AttemptSchema(Schema):
    score = fields.Integer(metadata={"description": "Percent of questions answered exactly right."})
    passed = fields.Boolean()
    attempt_number = fields.Integer()
    pass_mark = fields.Integer()
    attempts_left = fields.Integer(allow_none=True)
    submitted_at = UtcDateTime()
    questions = fields.List(fields.Nested(QuestionResultSchema))
    course_completed = fields.Boolean()
    certificate_code = fields.String(allow_none=True)


class ModuleProgressSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    title = fields.String()
    percent = fields.Integer()
    lessons_completed = fields.Integer()
    lessons_total = fields.Integer()
    quiz_passed = fields.Boolean()
    best_score = fields.Integer(allow_none=True)
    locked = fields.Boolean()
    locked_reason = fields.String(allow_none=True)


class NextStepSchema(Schema):
    kind = fields.String(metadata={"description": "lesson or quiz"})
    id = fields.Integer(metadata={"description": "The lesson's or the quiz's id."})
    title = fields.String()
    module = fields.Nested(ModuleRefSchema)


class ProgressSchema(Schema):
    course = fields.String()
    enrolled = fields.Boolean()
    percent = fields.Integer(
        metadata={"description": "Lessons completed and quizzes passed, of all lessons and quizzes."}
    )
    label = fields.String(
        metadata={
            "description": "What the percentage is made of, e.g. “77% · 8 of 10 lessons and 2 of 3 quizzes done”."
        }
    )
    lessons_completed = fields.Integer()
    lessons_total = fields.Integer()
    quizzes_passed = fields.Integer()
    quizzes_total = fields.Integer()
    next_step = fields.Nested(
        NextStepSchema,
        allow_none=True,
        metadata={
            "description": "The next lesson, or a module's quiz once its lessons are done; null when the course "
            "is complete (or only quizzes with no attempt left remain)."
        },
    )
    modules = fields.List(fields.Nested(ModuleProgressSchema))
    completed_at = UtcDateTime(allow_none=True)
    certificate_code = fields.String(allow_none=True)


class CertificateSchema(Schema):
    code = fields.String()
    learner_name = fields.String(allow_none=True, metadata={"description": "null once withdrawn."})
    course_title = fields.String()
    issued_at = UtcDateTime()
    valid = fields.Boolean(metadata={"description": "false when the certificate was withdrawn (learner erased)."})


class ReportQuerySchema(Schema):
    city_id = fields.Integer(
        load_default=None, metadata={"description": "Admins: one city. Coordinators: always their own."}
    )


class ReportTotalsSchema(Schema):
    city_id = fields.Integer(allow_none=True)
    city = fields.String(allow_none=True)
    enrolled = fields.Integer()
    not_started = fields.Integer()
    in_progress = fields.Integer()
    completed = fields.Integer()
    average_quiz_score = fields.Float(
        allow_none=True, metadata={"description": "Mean of learners' best score per quiz."}
    )


class ReportLearnerSchema(Schema):
    user_id = fields.Integer()
    name = fields.String()
    email = fields.String()
    city_id = fields.Integer(allow_none=True)
    city = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "not_started, in_progress, completed or unenrolled"})
    percent = fields.Integer()
    lessons_completed = fields.Integer()
    quizzes_passed = fields.Integer()
    average_quiz_score = fields.Float(allow_none=True)
    enrolled_at = UtcDateTime()
    completed_at = UtcDateTime(allow_none=True)


class ReportSchema(Schema):
    course = fields.String()
    course_title = fields.String()
    city_id = fields.Integer(allow_none=True)
    totals = fields.Nested(ReportTotalsSchema)
    cities = fields.List(fields.Nested(ReportTotalsSchema))
    learners = fields.List(fields.Nested(ReportLearnerSchema))
