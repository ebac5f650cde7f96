"""Reading and validating course content files (see courses/README.md for the format).

`load_directory(root)` parses every `<root>/<course>/course.yaml`, its lesson Markdown
files and its quiz YAML files, and returns the parsed courses together with every problem
found, each with its file and line (from YAML's marks). Nothing here touches the
database: the import service writes only when the list of problems is empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..core.content import render_markdown
from ..core.errors import Invalid
from ..core.validators import column_length, multi_line, single_line
from ..plans.template import MILESTONE_KEYS, is_milestone_key
from .models import Course, Lesson, Module, Quiz

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,119}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
QUESTION_TYPES = ("single", "multiple")

COURSE_FIELDS = {"slug", "title", "summary", "language", "version", "published", "modules"}
MODULE_FIELDS = {"key", "title", "summary", "prerequisites", "lessons", "quiz"}
LESSON_FIELDS = {"key", "title", "minutes", "commitments", "milestones"}
QUIZ_FIELDS = {"key", "title", "pass_mark", "max_attempts", "questions"}
QUESTION_FIELDS = {"key", "text", "type", "options"}
OPTION_FIELDS = {"key", "text", "correct"}
# Every title column (course, module, lesson, quiz) has the same length.
TITLE_LENGTH = min(column_length(c) for c in (Course.title, Module.title, Lesson.title, Quiz.title))
SUMMARY_LENGTH = 5000
QUESTION_LENGTH = 2000


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass
class OptionData:
    key: str
    text: str
    correct: bool


@dataclass
class QuestionData:
    key: str
    text: str
    type: str
    options: list[OptionData]


@dataclass
class QuizData:
    key: str
    title: str
    pass_mark: int
    max_attempts: int | None
    questions: list[QuestionData]
    source_path: str
    key_line: int = 1


@dataclass
class LessonData:
    key: str
    title: str
    minutes: int
    commitments: list[int]
    milestones: list[str]
    body_html: str
    source_path: str
    key_line: int = 1


@dataclass
class ModuleData:
    key: str
    title: str
    summary: str
    prerequisites: list[str]
    lessons: list[LessonData]
    quiz: QuizData | None


@dataclass
class CourseData:
    slug: str
    title: str
    summary: str
    language: str
    version: str
    published: bool
    modules: list[ModuleData]
    source_path: str

    @property
    def lessons(self) -> list[LessonData]:
        return [lesson for module in self.modules for lesson in module.lessons]

    @property
    def estimated_minutes(self) -> int:
        return sum(lesson.minutes for lesson in self.lessons)


# ---------------------------------------------------------------- YAML with line numbers


class LineDict(dict):
    """A mapping that remembers the line of itself and of each key's value."""

    line: int = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: dict = {}

    def line_of(self, key) -> int:
        return self.lines.get(key, self.line)


class LineList(list):
    line: int = 0

    def __init__(self, *args):
        super().__init__(*args)
        self.lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else self.line


class DuplicateKey(yaml.MarkedYAMLError):
    pass


class _Loader(yaml.SafeLoader):
    line_offset = 0


def _construct_mapping(loader: _Loader, node):
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1 + loader.line_offset
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise DuplicateKey(None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = key_node.start_mark.line + 1 + loader.line_offset
    return mapping


def _construct_sequence(loader: _Loader, node):
    seq = LineList(loader.construct_object(child, deep=True) for child in node.value)
    seq.line = node.start_mark.line + 1 + loader.line_offset
    seq.lines = [child.start_mark.line + 1 + loader.line_offset for child in node.value]
    return seq


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def parse_yaml(text: str, line_offset: int = 0):
    """YAML → LineDict/LineList; raises yaml.YAMLError with a mark on broken input."""
    loader = _Loader(text)
    loader.line_offset = line_offset
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _yaml_error_line(exc: yaml.YAMLError, line_offset: int = 0) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 + line_offset if mark is not None else None


def _yaml_error_message(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    return f"invalid YAML: {context + ', ' if context else ''}{problem}"


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line where the body starts) or None without front matter."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    return None


# ---------------------------------------------------------------- validation


class _Checker:
    """Collects problems for one file."""

    def __init__(self, problems: list[Problem], path: str):
        self.problems = problems
        self.path = path

    def error(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def mapping(self, value, line: int, what: str) -> LineDict | None:
        if not isinstance(value, dict):
            self.error(getattr(value, "line", None) or line, f"{what} must be a mapping of fields")
            return None
        return value

    def unknown_fields(self, data: LineDict, allowed: set[str], what: str) -> None:
        for key in data:
            if key not in allowed:
                self.error(
                    data.line_of(key), f"unknown field {key!r} in {what} (allowed: {', '.join(sorted(allowed))})"
                )

    def text(
        self,
        data: LineDict,
        name: str,
        what: str,
        required: bool = True,
        max_len: int = TITLE_LENGTH,
        one_line: bool = True,
    ) -> str:
        """A text field: a title is one line (core's `single_line`: no line breaks or control
        characters), a summary or a question may have line breaks (`multi_line`)."""
        value = data.get(name)
        if value is None:
            if required:
                self.error(data.line, f"{what} has no {name!r}")
            return ""
        if isinstance(value, (bool, int, float)) and not isinstance(value, str):
            self.error(
                data.line_of(name),
                f"{what}: {name!r} must be text, not {value!r} (put quotes around values such as yes, no, on, off or numbers)",
            )
            return ""
        if not isinstance(value, str) or not value.strip():
            self.error(data.line_of(name), f"{what}: {name!r} must be non-empty text")
            return ""
        if len(value) > max_len:
            self.error(data.line_of(name), f"{what}: {name!r} is longer than {max_len} characters")
            return value.strip()
        try:
            return (single_line if one_line else multi_line)(value, name, max_len, required) or ""
        except Invalid as exc:
            self.error(data.line_of(name), f"{what}: {name!r}: {exc.errors[name][0]}")
            return ""

    def key(self, data: LineDict, what: str, name: str = "key") -> str:
        value = data.get(name)
        if value is None:
            self.error(data.line, f"{what} has no {name!r}")
            return ""
        value = str(value)
        if not KEY_RE.match(value):
            self.error(data.line_of(name), f"{what}: {name} {value!r} must be lower-case letters, digits, '-' or '_'")
            return ""
        return value

    def integer(
        self, data: LineDict, name: str, what: str, minimum: int, maximum: int | None = None, required: bool = True
    ) -> int | None:
        value = data.get(name)
        if value is None:
            if required:
                self.error(data.line, f"{what} has no {name!r}")
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < minimum
            or (maximum is not None and value > maximum)
        ):
            bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            self.error(data.line_of(name), f"{what}: {name!r} must be a whole number {bounds}")
            return None
        return value

    def string_list(self, data: LineDict, name: str, what: str) -> LineList:
        value = data.get(name)
        if value is None:
            return LineList()
        if not isinstance(value, list):
            self.error(data.line_of(name), f"{what}: {name!r} must be a list")
            return LineList()
        return value


def _safe_relative(course_dir: Path, rel, checker: _Checker, line: int, what: str) -> Path | None:
    if not isinstance(rel, str) or not rel.strip():
        checker.error(line, f"{what} must be a relative file path")
        return None
    candidate = (course_dir / rel).resolve()
    try:
        candidate.relative_to(course_dir.resolve())
    except ValueError:
        checker.error(line, f"{what} {rel!r} points outside the course folder")
        return None
    if not candidate.is_file():
        checker.error(line, f"{what} {rel!r} does not exist")
        return None
    return candidate


def load_directory(root: str | Path) -> tuple[list[CourseData], list[Problem]]:
    """Parse and validate every course folder under `root` (each with a course.yaml)."""
    root = Path(root)
    problems: list[Problem] = []
    courses: list[CourseData] = []
    if not root.is_dir():
        return [], [Problem(str(root), None, "is not a directory")]
    course_files = sorted(root.glob("*/course.yaml"))
    if not course_files:
        problems.append(Problem(str(root), None, "no course folders found (expected <slug>/course.yaml)"))
    seen_slugs: dict[str, str] = {}
    for course_file in course_files:
        course = _load_course(root, course_file, problems)
        if course is None:
            continue
        if course.slug in seen_slugs:
            problems.append(
                Problem(
                    course.source_path,
                    _slug_line(course_file),
                    f"duplicate slug {course.slug!r}: also used by {seen_slugs[course.slug]}",
                )
            )
            continue
        seen_slugs[course.slug] = course.source_path
        courses.append(course)
    return courses, problems


def _display(root: Path, path: Path) -> str:
    try:
        return str(root / path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _slug_line(course_file: Path) -> int | None:
    for number, line in enumerate(course_file.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("slug:"):
            return number
    return None


def _read(path: Path, checker: _Checker) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        checker.error(None, "is not valid UTF-8 text")
    except OSError as exc:
        checker.error(None, f"cannot be read: {exc.strerror}")
    return None


def _read_yaml_mapping(root: Path, path: Path, problems: list[Problem], what: str):
    """(checker, mapping) of a YAML file whose top level must be a mapping; (checker, None)
    after recording the problem when it cannot be read or parsed."""
    checker = _Checker(problems, _display(root, path))
    text = _read(path, checker)
    if text is None:
        return checker, None
    try:
        data = parse_yaml(text)
    except yaml.YAMLError as exc:
        checker.error(_yaml_error_line(exc), _yaml_error_message(exc))
        return checker, None
    return checker, checker.mapping(data, 1, what)


def _load_course(root: Path, course_file: Path, problems: list[Problem]) -> CourseData | None:
    display = _display(root, course_file)
    checker, data = _read_yaml_mapping(root, course_file, problems, "course.yaml")
    if data is None:
        return None
    before = len(problems)
    checker.unknown_fields(data, COURSE_FIELDS, "the course")
    slug = str(data.get("slug") or "")
    if not slug:
        checker.error(data.line, "the course has no 'slug'")
    elif not SLUG_RE.match(slug) or len(slug) > 120:
        checker.error(data.line_of("slug"), f"slug {slug!r} must be lower-case words joined by '-'")
    title = checker.text(data, "title", "the course")
    summary = checker.text(data, "summary", "the course", required=False, max_len=SUMMARY_LENGTH, one_line=False)
    language = str(data.get("language") or "en")
    if not LANG_RE.match(language):
        checker.error(data.line_of("language"), f"language {language!r} must be a language code such as 'en'")
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, (int, str, float)) or len(str(version)) > 40:
        checker.error(data.line_of("version"), "version must be a number or short text")
    published = data.get("published", True)
    if not isinstance(published, bool):
        checker.error(data.line_of("published"), "published must be true or false")
    modules_raw = data.get("modules")
    modules: list[ModuleData] = []
    if not isinstance(modules_raw, list) or not modules_raw:
        checker.error(data.line_of("modules"), "the course needs a non-empty list of 'modules'")
        modules_raw = LineList()
    course_dir = course_file.parent
    module_keys: list[str] = []
    lesson_keys: dict[str, str] = {}
    quiz_keys: dict[str, str] = {}
    used_files: dict[Path, int] = {}
    for index, raw in enumerate(modules_raw):
        line = modules_raw.line_of(index)
        raw = checker.mapping(raw, line, f"module {index + 1}")
        if raw is None:
            continue
        what = f"module {index + 1}"
        checker.unknown_fields(raw, MODULE_FIELDS, what)
        key = checker.key(raw, what)
        if key:
            what = f"module {key!r}"
            if key in module_keys:
                checker.error(raw.line_of("key"), f"duplicate module key {key!r}")
        module_title = checker.text(raw, "title", what)
        module_summary = checker.text(raw, "summary", what, required=False, max_len=SUMMARY_LENGTH, one_line=False)
        prerequisites = []
        prereq_raw = checker.string_list(raw, "prerequisites", what)
        for p_index, prereq in enumerate(prereq_raw):
            p_line = prereq_raw.line_of(p_index)
            prereq = str(prereq)
            if prereq == key:
                checker.error(p_line, f"{what} cannot be its own prerequisite")
            elif prereq not in module_keys:
                known = {str(m.get("key")) for m in modules_raw if isinstance(m, dict)}
                if prereq in known:
                    checker.error(p_line, f"{what}: prerequisite {prereq!r} must come before this module")
                else:
                    checker.error(p_line, f"{what}: unknown prerequisite {prereq!r} (no module has this key)")
            elif prereq in prerequisites:
                checker.error(p_line, f"{what}: prerequisite {prereq!r} is listed twice")
            else:
                prerequisites.append(prereq)
        lessons: list[LessonData] = []
        lessons_raw = checker.string_list(raw, "lessons", what)
        if not lessons_raw:
            checker.error(raw.line_of("lessons"), f"{what} needs a non-empty list of 'lessons'")
        for l_index, rel in enumerate(lessons_raw):
            l_line = lessons_raw.line_of(l_index)
            path = _safe_relative(course_dir, rel, checker, l_line, "lesson file")
            if path is None:
                continue
            if path in used_files:
                checker.error(l_line, f"lesson file {rel!r} is listed twice (also on line {used_files[path]})")
                continue
            used_files[path] = l_line
            lesson = _load_lesson(root, path, problems)
            if lesson is None:
                continue
            if lesson.key in lesson_keys:
                problems.append(
                    Problem(
                        lesson.source_path,
                        lesson.key_line,
                        f"duplicate lesson key {lesson.key!r}: also used by {lesson_keys[lesson.key]}",
                    )
                )
                continue
            lesson_keys[lesson.key] = lesson.source_path
            lessons.append(lesson)
        quiz = None
        if raw.get("quiz") is not None:
            path = _safe_relative(course_dir, raw.get("quiz"), checker, raw.line_of("quiz"), "quiz file")
            if path is not None:
                if path in used_files:
                    checker.error(raw.line_of("quiz"), f"quiz file {raw.get('quiz')!r} is used twice")
                else:
                    used_files[path] = raw.line_of("quiz")
                    quiz = _load_quiz(root, path, problems)
                    if quiz is not None:
                        if quiz.key in quiz_keys:
                            problems.append(
                                Problem(
                                    quiz.source_path,
                                    quiz.key_line,
                                    f"duplicate quiz key {quiz.key!r}: also used by {quiz_keys[quiz.key]}",
                                )
                            )
                            quiz = None
                        else:
                            quiz_keys[quiz.key] = quiz.source_path
        if key:
            module_keys.append(key)
        modules.append(
            ModuleData(
                key=key,
                title=module_title,
                summary=module_summary,
                prerequisites=prerequisites,
                lessons=lessons,
                quiz=quiz,
            )
        )
    if len(problems) > before:
        return None
    return CourseData(
        slug=slug,
        title=title,
        summary=summary,
        language=language,
        version=str(version),
        published=bool(published),
        modules=modules,
        source_path=display,
    )


def _load_lesson(root: Path, path: Path, problems: list[Problem]) -> LessonData | None:
    display = _display(root, path)
    checker = _Checker(problems, display)
    text = _read(path, checker)
    if text is None:
        return None
    split = split_front_matter(text)
    if split is None:
        checker.error(1, "the lesson needs YAML front matter between '---' lines at the top")
        return None
    front, body, body_line = split
    try:
        data = parse_yaml(front, line_offset=1)
    except yaml.YAMLError as exc:
        checker.error(_yaml_error_line(exc, 1), "broken front matter: " + _yaml_error_message(exc))
        return None
    data = checker.mapping(data, 2, "the front matter")
    if data is None:
        return None
    before = len(problems)
    checker.unknown_fields(data, LESSON_FIELDS, "the front matter")
    key = checker.key(data, "the lesson")
    title = checker.text(data, "title", "the lesson")
    minutes = checker.integer(data, "minutes", "the lesson", 1, 600)
    commitments = []
    raw = checker.string_list(data, "commitments", "the lesson")
    for index, value in enumerate(raw):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10:
            checker.error(raw.line_of(index), f"commitment {value!r} must be a number from 1 to 10")
        elif value not in commitments:
            commitments.append(value)
    milestones = []
    raw = checker.string_list(data, "milestones", "the lesson")
    for index, value in enumerate(raw):
        if not is_milestone_key(value):
            checker.error(raw.line_of(index), f"unknown milestone {value!r} (known: {', '.join(MILESTONE_KEYS)})")
        elif value not in milestones:
            milestones.append(value)
    if not body.strip():
        checker.error(body_line, "the lesson has no text after the front matter")
    if len(problems) > before:
        return None
    return LessonData(
        key=key,
        title=title,
        minutes=minutes or 0,
        commitments=sorted(commitments),
        milestones=milestones,
        body_html=render_markdown(body),
        source_path=display,
        key_line=data.line_of("key"),
    )


def _load_quiz(root: Path, path: Path, problems: list[Problem]) -> QuizData | None:
    display = _display(root, path)
    checker, data = _read_yaml_mapping(root, path, problems, "the quiz")
    if data is None:
        return None
    before = len(problems)
    checker.unknown_fields(data, QUIZ_FIELDS, "the quiz")
    key = checker.key(data, "the quiz")
    title = checker.text(data, "title", "the quiz")
    pass_mark = checker.integer(data, "pass_mark", "the quiz", 1, 100)
    max_attempts = checker.integer(data, "max_attempts", "the quiz", 1, 100, required=False)
    questions: list[QuestionData] = []
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        checker.error(data.line_of("questions"), "the quiz needs a non-empty list of 'questions'")
        raw_questions = LineList()
    question_keys: set[str] = set()
    for index, raw in enumerate(raw_questions):
        raw = checker.mapping(raw, raw_questions.line_of(index), f"question {index + 1}")
        if raw is None:
            continue
        what = f"question {index + 1}"
        checker.unknown_fields(raw, QUESTION_FIELDS, what)
        q_key = checker.key(raw, what)
        if q_key:
            what = f"question {q_key!r}"
            if q_key in question_keys:
                checker.error(raw.line_of("key"), f"duplicate question key {q_key!r}")
            question_keys.add(q_key)
        q_text = checker.text(raw, "text", what, max_len=QUESTION_LENGTH, one_line=False)
        q_type = raw.get("type", "single")
        if q_type not in QUESTION_TYPES:
            checker.error(raw.line_of("type"), f"{what}: type must be 'single' or 'multiple'")
        options: list[OptionData] = []
        raw_options = raw.get("options")
        if not isinstance(raw_options, list) or len(raw_options) < 2:
            checker.error(raw.line_of("options"), f"{what} needs a list of at least two 'options'")
            raw_options = LineList()
        option_keys: set[str] = set()
        for o_index, option in enumerate(raw_options):
            option = checker.mapping(option, raw_options.line_of(o_index), f"{what}, option {o_index + 1}")
            if option is None:
                continue
            o_what = f"{what}, option {o_index + 1}"
            checker.unknown_fields(option, OPTION_FIELDS, o_what)
            o_key = checker.key(option, o_what)
            if o_key:
                if o_key in option_keys:
                    checker.error(option.line_of("key"), f"{what}: duplicate option key {o_key!r}")
                option_keys.add(o_key)
            o_text = checker.text(option, "text", o_what, max_len=QUESTION_LENGTH, one_line=False)
            correct = option.get("correct", False)
            if not isinstance(correct, bool):
                checker.error(option.line_of("correct"), f"{o_what}: correct must be true or false")
                correct = False
            options.append(OptionData(key=o_key, text=o_text, correct=correct))
        correct_count = sum(1 for o in options if o.correct)
        if raw_options and correct_count == 0:
            checker.error(raw.line, f"{what} has no correct option (mark one with 'correct: true')")
        elif q_type == "single" and correct_count > 1:
            checker.error(raw.line, f"{what} is single-choice but has {correct_count} correct options")
        questions.append(QuestionData(key=q_key, text=q_text, type=q_type, options=options))
    if len(problems) > before:
        return None
    return QuizData(
        key=key,
        title=title,
        pass_mark=pass_mark or 0,
        max_attempts=max_attempts,
        questions=questions,
        source_path=display,
        key_line=data.line_of("key"),
    )
