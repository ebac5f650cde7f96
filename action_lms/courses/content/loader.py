"""Reading a folder of courses: each course.yaml, the lesson and quiz files it lists, and
every problem found, with its file and line.

The schemas (`schemas.py`) say what each file's values must be; this module reads the
files, follows course.yaml's references to lesson and quiz files (each inside the course
folder and used once; lesson and quiz keys unique in the course; slugs unique in the
folder), renders lesson Markdown, and builds the parsed courses the importer writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from marshmallow import ValidationError

from ...core.content import render_markdown
from .lines import LineDict, LineList, parse_yaml, split_front_matter, yaml_error_line, yaml_error_message
from .schemas import ContentSchema, CourseSchema, LessonSchema, QuizSchema, is_relative_path, problems_of


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
    translations: dict = field(default_factory=dict)  # {language: {"text": ...}}


@dataclass
class QuestionData:
    key: str
    text: str
    type: str
    options: list[OptionData]
    translations: dict = field(default_factory=dict)  # {language: {"text": ...}}


@dataclass
class QuizData:
    key: str
    title: str
    pass_mark: int
    max_attempts: int | None
    questions: list[QuestionData]
    source_path: str
    key_line: int = 1
    allow_blanks: bool = False  # an attempt may leave questions unanswered (they count as wrong)
    translations: dict = field(default_factory=dict)  # {language: {"title": ...}}


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
    translations: dict = field(default_factory=dict)  # {language: {"title": ..., "body_html": ...}}


@dataclass
class ModuleData:
    key: str
    title: str
    summary: str
    prerequisites: list[str]
    lessons: list[LessonData]
    quiz: QuizData | None
    translations: dict = field(default_factory=dict)  # {language: {"title": ..., "summary": ...}}


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
    languages: list[str] = field(default_factory=list)
    translations: dict = field(default_factory=dict)  # {language: {"title": ..., "summary": ...}}

    @property
    def lessons(self) -> list[LessonData]:
        return [lesson for module in self.modules for lesson in module.lessons]

    @property
    def estimated_minutes(self) -> int:
        return sum(lesson.minutes for lesson in self.lessons)


class _File:
    """The problems of one file."""

    def __init__(self, problems: list[Problem], path: str):
        self.problems = problems
        self.path = path

    def error(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def mapping(self, value, line: int, what: str) -> LineDict | None:
        if not isinstance(value, LineDict):
            self.error(getattr(value, "line", None) or line, f"{what} must be a mapping of fields")
            return None
        return value

    def validate(self, schema: ContentSchema, data: LineDict) -> dict | None:
        """The schema's result, or None after recording each of its errors with its line."""
        try:
            return schema.load(data)
        except ValidationError as exc:
            assert isinstance(exc.messages, dict)
            for line, message in problems_of(schema, data, exc.messages):
                self.error(line, message)
            return None


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


def _read(path: Path, file: _File) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        file.error(None, "is not valid UTF-8 text")
    except OSError as exc:
        file.error(None, f"cannot be read: {exc.strerror}")
    return None


def _read_yaml_mapping(root: Path, path: Path, problems: list[Problem], what: str) -> tuple[_File, LineDict | None]:
    """(file, mapping) of a YAML file whose top level must be a mapping; (file, None) after
    recording the problem when it cannot be read or parsed."""
    file = _File(problems, _display(root, path))
    text = _read(path, file)
    if text is None:
        return file, None
    try:
        data = parse_yaml(text)
    except yaml.YAMLError as exc:
        file.error(yaml_error_line(exc), yaml_error_message(exc))
        return file, None
    return file, file.mapping(data, 1, what)


def _load_course(root: Path, course_file: Path, problems: list[Problem]) -> CourseData | None:
    file, data = _read_yaml_mapping(root, course_file, problems, "course.yaml")
    if data is None:
        return None
    before = len(problems)
    fields = file.validate(CourseSchema(), data)
    # The lesson and quiz files are read even when course.yaml has problems: all are reported at once.
    references = _References(root, course_file.parent, file)
    modules = data.get("modules")
    lessons: dict[int, list[LessonData]] = {}
    quizzes: dict[int, QuizData | None] = {}
    for index, module in enumerate(modules if isinstance(modules, list) else []):
        if isinstance(module, LineDict):
            lessons[index] = references.lessons(module)
            quizzes[index] = references.quiz(module)
    if fields is None or len(problems) > before:
        return None
    modules = [
        ModuleData(**{**module, "lessons": lessons[index], "quiz": quizzes[index]})
        for index, module in enumerate(fields["modules"])
    ]
    course = CourseData(**{**fields, "modules": modules}, source_path=file.path)
    from .translations import load_translations

    before = len(problems)
    load_translations(root, course_file, data, course, problems)
    return course if len(problems) == before else None


class _References:
    """The files one course.yaml lists: inside the course folder, each used once, and lesson
    and quiz keys unique in the course."""

    def __init__(self, root: Path, course_dir: Path, file: _File):
        self.root = root
        self.course_dir = course_dir
        self.file = file
        self.used: dict[Path, int] = {}
        self.lesson_keys: dict[str, str] = {}
        self.quiz_keys: dict[str, str] = {}

    def lessons(self, module: LineDict) -> list[LessonData]:
        listed = module.get("lessons")
        if not isinstance(listed, LineList):
            return []
        lessons = []
        for index, rel in enumerate(listed):
            line = listed.line_of(index)
            path = self._resolve(rel, line, "lesson file")
            if path is None:
                continue
            if path in self.used:
                self.file.error(line, f"lesson file {rel!r} is listed twice (also on line {self.used[path]})")
                continue
            self.used[path] = line
            lesson = _load_lesson(self.root, path, self.file.problems)
            if lesson is None:
                continue
            if self._first_use("lesson", self.lesson_keys, lesson):
                lessons.append(lesson)
        return lessons

    def quiz(self, module: LineDict) -> QuizData | None:
        rel = module.get("quiz")
        line = module.line_of("quiz")
        path = self._resolve(rel, line, "quiz file")
        if path is None:
            return None
        if path in self.used:
            self.file.error(line, f"quiz file {rel!r} is used twice")
            return None
        self.used[path] = line
        quiz = _load_quiz(self.root, path, self.file.problems)
        if quiz is None:
            return None
        return quiz if self._first_use("quiz", self.quiz_keys, quiz) else None

    def _first_use(self, kind: str, keys: dict[str, str], item: LessonData | QuizData) -> bool:
        """True the first time a lesson (or quiz) key is used in the course; a problem after."""
        if item.key in keys:
            message = f"duplicate {kind} key {item.key!r}: also used by {keys[item.key]}"
            self.file.problems.append(Problem(item.source_path, item.key_line, message))
            return False
        keys[item.key] = item.source_path
        return True

    def _resolve(self, rel, line: int, what: str) -> Path | None:
        """The file, when it is one inside the course folder (a path that is no path at all
        is the schema's problem, reported already)."""
        if not is_relative_path(rel):
            return None
        candidate = (self.course_dir / rel).resolve()
        try:
            candidate.relative_to(self.course_dir.resolve())
        except ValueError:
            self.file.error(line, f"{what} {rel!r} points outside the course folder")
            return None
        if not _is_file(candidate):
            self.file.error(line, f"{what} {rel!r} does not exist")
            return None
        return candidate


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a name longer than the file system allows
        return False


def _load_lesson(root: Path, path: Path, problems: list[Problem]) -> LessonData | None:
    file = _File(problems, _display(root, path))
    text = _read(path, file)
    if text is None:
        return None
    split = split_front_matter(text)
    if split is None:
        file.error(1, "the lesson needs YAML front matter between '---' lines at the top")
        return None
    front, body, body_line = split
    try:
        parsed = parse_yaml(front, line_offset=1)
    except yaml.YAMLError as exc:
        file.error(yaml_error_line(exc, 1), "broken front matter: " + yaml_error_message(exc))
        return None
    data = file.mapping(parsed, 2, "the front matter")
    if data is None:
        return None
    fields = file.validate(LessonSchema(), data)
    if not body.strip():
        file.error(body_line, "the lesson has no text after the front matter")
        return None
    if fields is None:
        return None
    return LessonData(**fields, body_html=render_markdown(body), source_path=file.path, key_line=data.line_of("key"))


def _load_quiz(root: Path, path: Path, problems: list[Problem]) -> QuizData | None:
    file, data = _read_yaml_mapping(root, path, problems, "the quiz")
    if data is None:
        return None
    fields = file.validate(QuizSchema(), data)
    if fields is None:
        return None
    questions = [
        QuestionData(**{**question, "options": [OptionData(**option) for option in question["options"]]})
        for question in fields["questions"]
    ]
    return QuizData(**{**fields, "questions": questions}, source_path=file.path, key_line=data.line_of("key"))
