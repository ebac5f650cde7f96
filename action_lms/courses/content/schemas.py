"""Declarative schemas of the course content files, and their errors as `line: message`.

One marshmallow schema per kind of mapping: `CourseSchema` (course.yaml) with its
`ModuleSchema` entries, `LessonSchema` (a lesson's front matter), and `QuizSchema` with its
`QuestionSchema` and `OptionSchema` entries. Fields say what each value must be; the rules
that relate several entries (unique keys, prerequisites that come first, a question's
correct options) are schema validators next to them.

A message names the mapping it is about ("module 'basics': 'title' must be non-empty
text"), and that name depends on where the mapping sits (its key, or its position when the
key is unusable). So fields begin their messages with `SUBJECT`, and `problems_of()` puts
the name in while it walks the errors alongside the YAML, whose LineDict/LineList give
each value's line. A required value that is absent is reported on its mapping's line.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from marshmallow import Schema, ValidationError, fields, missing, post_load, validates_schema
from marshmallow.error_store import SCHEMA

from ...core.errors import Invalid
from ...core.validators import column_length, multi_line, single_line
from ...plans.template import COMMITMENTS, MILESTONE_KEYS, is_milestone_key
from ..models import Course, Lesson, Module, Question, Quiz
from .lines import LineDict, LineList

KEY_LENGTH = column_length(Module.key)
KEY_RE = re.compile(rf"^[a-z0-9][a-z0-9_-]{{0,{KEY_LENGTH - 1}}}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
QUESTION_TYPES = (Question.SINGLE, Question.MULTIPLE)
# Every title column (course, module, lesson, quiz) has the same length.
TITLE_LENGTH = min(column_length(c) for c in (Course.title, Module.title, Lesson.title, Quiz.title))
SUMMARY_LENGTH = 5000
QUESTION_LENGTH = 2000
LESSON_MINUTES = (1, 600)
PASS_MARK = (1, 100)
MAX_ATTEMPTS = (1, 100)

#: Stands for the name of the mapping at the start of a message; `problems_of` fills it in.
SUBJECT = "{subject}"
#: marshmallow's message for a key that no field declares (reported by `problems_of`).
UNKNOWN = "unknown field"


def valid_key(value: Any) -> str | None:
    """The key as text when it is usable, else None."""
    if value is None:
        return None
    key = str(value)
    return key if KEY_RE.match(key) else None


def is_relative_path(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


# ---------------------------------------------------------------- fields


class ContentField(fields.Field):
    """A value of a content file. YAML's empty value (`title:`) counts as not given, unless
    `none_is_value`: then it is refused like any other wrong value. A required value that is
    not given is reported by the schema (`ContentSchema`), on the mapping's line."""

    def __init__(self, *args: Any, none_is_value: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.none_is_value = none_is_value

    def is_blank(self, value: Any) -> bool:
        return value is missing or (value is None and not self.none_is_value)

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        if self.is_blank(value):
            default = self.load_default
            return default() if callable(default) else default
        return self._deserialize(value, attr, data, **kwargs)


class Text(ContentField):
    """Text: one line (a title, core's `single_line`: no line breaks or control characters)
    or several (a summary or a question, `multi_line`)."""

    def __init__(self, *, max_len: int = TITLE_LENGTH, one_line: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_len = max_len
        self.one_line = one_line

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        name = str(self.name)
        if isinstance(value, (bool, int, float)):
            raise ValidationError(
                f"{SUBJECT}: {name!r} must be text, not {value!r} (put quotes around values such as yes, no, on, off or numbers)"
            )
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"{SUBJECT}: {name!r} must be non-empty text")
        if len(value) > self.max_len:
            raise ValidationError(f"{SUBJECT}: {name!r} is longer than {self.max_len} characters")
        clean = single_line if self.one_line else multi_line
        try:
            return clean(value, name, self.max_len, self.required) or ""
        except Invalid as exc:
            raise ValidationError(f"{SUBJECT}: {name!r}: {exc.message}") from exc


class AnyText(ContentField):
    """Any scalar, read as text (a prerequisite names a module key)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return str(value)


class Key(ContentField):
    """A file-level key: how a re-import finds the row again (and keeps its id)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        key = valid_key(value)
        if key is None:
            raise ValidationError(
                f"{SUBJECT}: {self.name} {str(value)!r} must be lower-case letters, digits, '-' or '_'"
            )
        return key


class Code(ContentField):
    """A short code (a course's slug, a language) matching `pattern` and fitting `column`;
    an empty or false value counts as not given. `message` says what it must be ({value!r})."""

    def __init__(self, pattern: re.Pattern[str], column: Any, message: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pattern = pattern
        self.max_len = column_length(column)
        self.message = message

    def is_blank(self, value: Any) -> bool:
        return value is missing or not value

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = str(value)
        if not self.pattern.match(code) or len(code) > self.max_len:
            raise ValidationError(self.message.format(value=code))
        return code


class Version(ContentField):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, str, float))
            or len(str(value)) > column_length(Course.version)
        ):
            raise ValidationError("version must be a number or short text")
        return str(value)


class WholeNumber(ContentField):
    def __init__(self, bounds: tuple[int, int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.minimum, self.maximum = bounds

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not self.minimum <= value <= self.maximum:
            raise ValidationError(
                f"{SUBJECT}: {self.name!r} must be a whole number between {self.minimum} and {self.maximum}"
            )
        return value


class Flag(ContentField):
    """true or false; anything else is refused with `message`."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(none_is_value=True, **kwargs)
        self.message = message

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(self.message)
        return value


class QuestionType(ContentField):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if value not in QUESTION_TYPES:
            raise ValidationError(f"{SUBJECT}: type must be 'single' or 'multiple'")
        return value


class RelativePath(ContentField):
    """A file of the course folder, named relative to course.yaml (the loader reads it)."""

    def __init__(self, what: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.what = what

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not is_relative_path(value):
            raise ValidationError(f"{self.what} must be a relative file path")
        return value


class Commitment(ContentField):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value not in COMMITMENTS:
            raise ValidationError(
                f"commitment {value!r} must be a number from {min(COMMITMENTS)} to {max(COMMITMENTS)}"
            )
        return value


class Milestone(ContentField):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or not is_milestone_key(value):
            raise ValidationError(f"unknown milestone {value!r} (known: {', '.join(MILESTONE_KEYS)})")
        return value


class Items(ContentField, fields.List):
    """A list of at least `at_least` entries, else `too_few` (absent or empty in YAML: no
    entries). A value that is not a list is refused with "must be a list" (unless not
    `say_not_a_list`: `too_few` says it all), then `too_few`."""

    def __init__(
        self, inner: fields.Field, *, at_least: int = 0, too_few: str = "", say_not_a_list: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(inner, **kwargs)
        self.at_least = at_least
        self.too_few = too_few
        self.say_not_a_list = say_not_a_list
        if isinstance(self.inner, ContentField):
            self.inner.none_is_value = True  # an entry written as `-` is a wrong entry, not none

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        return self._deserialize([] if self.is_blank(value) else value, attr, data, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list:
        if not isinstance(value, list):
            messages = [f"{SUBJECT}: {self.name!r} must be a list"] if self.say_not_a_list else []
            raise ValidationError([*messages, self.too_few] if self.at_least else messages)
        if len(value) < self.at_least:
            raise ValidationError(self.too_few)
        return super()._deserialize(value, attr, data, **kwargs)


class Entry(ContentField, fields.Nested):
    """A mapping in a list (a module of the course, a question, an option)."""

    @property
    def entry_schema(self) -> ContentSchema:
        schema = self.schema
        assert isinstance(schema, ContentSchema)
        return schema


# ---------------------------------------------------------------- schemas


class ContentSchema(Schema):
    """One mapping of a content file: unknown fields are refused, required ones reported."""

    #: How messages name the mapping: "the course" at the top of a file; for an entry of a
    #: list, the noun that `subject_of` completes with the entry's key or position.
    subject: ClassVar[str] = ""
    #: How "unknown field" messages name it, when the file says it differently.
    fields_of: ClassVar[str | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error_messages.update(type=f"{SUBJECT} must be a mapping of fields", unknown=UNKNOWN)

    @classmethod
    def subject_of(cls, parent: str, raw: Any, index: int) -> str:
        """An entry of a list is named by its key, or by its position when the key is unusable."""
        key = valid_key(raw.get("key")) if isinstance(raw, dict) else None
        return f"{cls.subject} {key!r}" if key else cls.position_of(parent, index)

    @classmethod
    def position_of(cls, parent: str, index: int) -> str:
        """An entry named by its position: how unknown fields name it (the misspelt field may be the key)."""
        return f"{cls.subject} {index + 1}"

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _required_values(self, data: dict, original: Any, **kwargs: Any) -> None:
        if not isinstance(original, dict):
            return
        absent = [
            name
            for name, field in self.load_fields.items()
            if field.required and isinstance(field, ContentField) and field.is_blank(original.get(name, missing))
        ]
        if absent:
            raise ValidationError([f"{SUBJECT} has no {name!r}" for name in absent])


class ModuleSchema(ContentSchema):
    subject = "module"

    key = Key(required=True)
    title = Text(required=True)
    summary = Text(max_len=SUMMARY_LENGTH, one_line=False, load_default="")
    prerequisites = Items(AnyText())
    lessons = Items(RelativePath("lesson file"), at_least=1, too_few=f"{SUBJECT} needs a non-empty list of 'lessons'")
    quiz = RelativePath("quiz file", load_default=None)


class CourseSchema(ContentSchema):
    """course.yaml."""

    subject = "the course"

    slug = Code(SLUG_RE, Course.slug, "slug {value!r} must be lower-case words joined by '-'", required=True)
    title = Text(required=True)
    summary = Text(max_len=SUMMARY_LENGTH, one_line=False, load_default="")
    language = Code(
        LANG_RE, Course.language, "language {value!r} must be a language code such as 'en'", load_default="en"
    )
    # The languages the course is offered in, its own `language` among them (translations.py
    # checks that each is an interface language and reads the translated files).
    languages = Items(Code(LANG_RE, Course.language, "language {value!r} must be a language code such as 'de'"))
    version = Version(none_is_value=True, load_default="1")
    published = Flag("published must be true or false", load_default=True)
    modules = Items(
        Entry(ModuleSchema),
        at_least=1,
        too_few=f"{SUBJECT} needs a non-empty list of 'modules'",
        say_not_a_list=False,
    )

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _modules_in_order(self, data: dict, original: Any, **kwargs: Any) -> None:
        """Module keys are unique, and a module's prerequisites are earlier modules, each named once."""
        modules = original.get("modules") if isinstance(original, dict) else None
        if not isinstance(modules, list):
            return
        known = {str(m.get("key")) for m in modules if isinstance(m, dict)}
        earlier: list[str] = []
        errors: dict[int, dict] = {}
        for index, module in enumerate(modules):
            if not isinstance(module, dict):
                continue
            key = valid_key(module.get("key")) or ""
            subject = ModuleSchema.subject_of(self.subject, module, index)
            found: dict[str, Any] = {}
            if key and key in earlier:
                found["key"] = [f"duplicate module key {key!r}"]
            prerequisites = module.get("prerequisites")
            if isinstance(prerequisites, list):
                named: list[str] = []
                wrong: dict[int, list[str]] = {}
                for p_index, raw in enumerate(prerequisites):
                    prerequisite = str(raw)
                    if prerequisite == key:
                        wrong[p_index] = [f"{subject} cannot be its own prerequisite"]
                    elif prerequisite not in earlier:
                        wrong[p_index] = [
                            f"{subject}: prerequisite {prerequisite!r} must come before this module"
                            if prerequisite in known
                            else f"{subject}: unknown prerequisite {prerequisite!r} (no module has this key)"
                        ]
                    elif prerequisite in named:
                        wrong[p_index] = [f"{subject}: prerequisite {prerequisite!r} is listed twice"]
                    else:
                        named.append(prerequisite)
                if wrong:
                    found["prerequisites"] = wrong
            if found:
                errors[index] = found
            if key:
                earlier.append(key)
        if errors:
            raise ValidationError({"modules": errors})


class LessonSchema(ContentSchema):
    """A lesson's front matter (the Markdown body is checked by the loader)."""

    subject = "the lesson"
    fields_of = "the front matter"

    key = Key(required=True)
    title = Text(required=True)
    minutes = WholeNumber(LESSON_MINUTES, required=True)
    commitments = Items(Commitment())
    milestones = Items(Milestone())

    @post_load
    def _once_each(self, data: dict, **kwargs: Any) -> dict:
        data["commitments"] = sorted(set(data["commitments"]))
        data["milestones"] = list(dict.fromkeys(data["milestones"]))
        return data


class OptionSchema(ContentSchema):
    key = Key(required=True)
    text = Text(required=True, max_len=QUESTION_LENGTH, one_line=False)
    correct = Flag(f"{SUBJECT}: correct must be true or false", load_default=False)

    @classmethod
    def subject_of(cls, parent: str, raw: Any, index: int) -> str:
        return cls.position_of(parent, index)

    @classmethod
    def position_of(cls, parent: str, index: int) -> str:
        return f"{parent}, option {index + 1}"


class QuestionSchema(ContentSchema):
    subject = "question"

    key = Key(required=True)
    text = Text(required=True, max_len=QUESTION_LENGTH, one_line=False)
    type = QuestionType(none_is_value=True, load_default=Question.SINGLE)
    options = Items(
        Entry(OptionSchema),
        at_least=2,
        too_few=f"{SUBJECT} needs a list of at least two 'options'",
        say_not_a_list=False,
    )

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _correct_options(self, data: dict, original: Any, **kwargs: Any) -> None:
        """At least one correct option, and exactly one for a single-choice question."""
        options = original.get("options") if isinstance(original, dict) else None
        if not isinstance(options, list) or len(options) < 2:
            return  # the field says what is wrong
        correct = sum(1 for o in options if isinstance(o, dict) and o.get("correct", False) is True)
        if correct == 0:
            raise ValidationError(f"{SUBJECT} has no correct option (mark one with 'correct: true')")
        if original.get("type", Question.SINGLE) == Question.SINGLE and correct > 1:
            raise ValidationError(f"{SUBJECT} is single-choice but has {correct} correct options")


class QuizSchema(ContentSchema):
    """A quiz file."""

    subject = "the quiz"

    key = Key(required=True)
    title = Text(required=True)
    pass_mark = WholeNumber(PASS_MARK, required=True)
    max_attempts = WholeNumber(MAX_ATTEMPTS, load_default=None)
    allow_blanks = Flag(f"{SUBJECT}: 'allow_blanks' must be true or false", load_default=False)
    questions = Items(
        Entry(QuestionSchema),
        at_least=1,
        too_few=f"{SUBJECT} needs a non-empty list of 'questions'",
        say_not_a_list=False,
    )

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _unique_keys(self, data: dict, original: Any, **kwargs: Any) -> None:
        """Question keys are unique in the quiz, option keys in their question."""
        questions = original.get("questions") if isinstance(original, dict) else None
        if not isinstance(questions, list):
            return
        question_keys: set[str] = set()
        errors: dict[int, dict] = {}
        for index, question in enumerate(questions):
            if not isinstance(question, dict):
                continue
            found: dict[str, Any] = {}
            key = valid_key(question.get("key"))
            if key:
                if key in question_keys:
                    found["key"] = [f"duplicate question key {key!r}"]
                question_keys.add(key)
            options = question.get("options")
            if isinstance(options, list) and len(options) >= 2:
                subject = QuestionSchema.subject_of(self.subject, question, index)
                option_keys: set[str] = set()
                twice: dict[int, dict] = {}
                for o_index, option in enumerate(options):
                    o_key = valid_key(option.get("key")) if isinstance(option, dict) else None
                    if o_key:
                        if o_key in option_keys:
                            twice[o_index] = {"key": [f"{subject}: duplicate option key {o_key!r}"]}
                        option_keys.add(o_key)
                if twice:
                    found["options"] = twice
            if found:
                errors[index] = found
        if errors:
            raise ValidationError({"questions": errors})


# ---------------------------------------------------------------- errors → problems


def _named(message: str, subject: str) -> str:
    return subject + message[len(SUBJECT) :] if message.startswith(SUBJECT) else message


def _line(container: Any, key: Any, default: int | None) -> int | None:
    return container.line_of(key) if isinstance(container, (LineDict, LineList)) else default


def problems_of(schema: ContentSchema, raw: LineDict, errors: dict) -> list[tuple[int | None, str]]:
    """(line, message) for every error of `schema.load(raw)`, in the order of the file."""
    found: list[tuple[int | None, str]] = []
    _collect(schema, raw, errors, schema.subject, schema.fields_of or schema.subject, raw.line, found)
    return sorted(found, key=lambda problem: problem[0] or 0)


def _collect(
    schema: ContentSchema, raw: Any, errors: dict, subject: str, fields_of: str, line: int | None, found: list
) -> None:
    """Errors of one mapping: `raw`, at `line`, named `subject` (`fields_of` for unknown fields)."""
    allowed = ", ".join(sorted(schema.load_fields))
    for name, messages in errors.items():
        if name == SCHEMA or name not in schema.load_fields:
            for message in messages:
                if message == UNKNOWN:  # `name` is a key that no field declares
                    found.append(
                        (_line(raw, name, line), f"unknown field {name!r} in {fields_of} (allowed: {allowed})")
                    )
                else:
                    found.append((line, _named(message, subject)))
        elif isinstance(messages, dict):  # errors of some entries of a list
            field = schema.load_fields[name]
            assert isinstance(field, Items)
            for index, entry_errors in messages.items():
                _collect_entry(field, raw.get(name), index, entry_errors, subject, found)
        else:
            found.extend((_line(raw, name, line), _named(message, subject)) for message in messages)


def _collect_entry(field: Items, entries: Any, index: int, errors: Any, subject: str, found: list) -> None:
    entry = entries[index]
    if isinstance(field.inner, Entry):
        schema = field.inner.entry_schema
        _collect(
            schema,
            entry,
            errors if isinstance(errors, dict) else {SCHEMA: errors},
            schema.subject_of(subject, entry, index),
            schema.position_of(subject, index),
            getattr(entry, "line", None) or _line(entries, index, None),
            found,
        )
    else:
        found.extend((_line(entries, index, None), _named(message, subject)) for message in errors)
