"""Translated course content: the files beside the English ones, matched by key.

A course lists the languages it is offered in (`languages: [en, de, fr]` in course.yaml,
its own `language` among them). For each other language `xx`, every file may have a
translation next to it:

- `course.xx.yaml`: `title`, `summary`, and `modules: {<module key>: {title, summary}}`;
- `<lesson>.xx.md`: front matter with the lesson's `key` and its `title`, then the body;
- `<quiz>.xx.yaml`: the quiz's `key` and `title`, and `questions`: each question of the
  quiz by `key` with its `text` and `options` (each option by `key` with its `text`).
  Which options are correct, the question types and the pass mark come from the original.

What is not translated is shown in the course's own language, with a notice. A translation
must match its original: a question or option key missing or extra, a lesson key that is
another lesson's, or a file for a language the course does not list is a problem with its
file and line, and nothing is imported. Progress, attempts and certificates belong to the
keys, so they are the same whatever language a learner reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ...core.content import render_markdown
from .lines import LineDict, LineList, parse_yaml, split_front_matter, yaml_error_line, yaml_error_message
from .loader import CourseData, LessonData, Problem, QuizData, _display, _File, _read, _read_yaml_mapping
from .schemas import TITLE_LENGTH

#: The languages a course may be offered in: the interface's.
OFFERED = ("en", "de", "es", "it", "fr")
TEXT_LENGTH = 5000


def _translated_path(path: Path, language: str) -> Path:
    return path.with_name(f"{path.stem}.{language}{path.suffix}")


def _text(file: _File, data: LineDict, key: str, required: bool, max_len: int, one_line: bool) -> str | None:
    value = data.get(key)
    line = data.line_of(key) if key in data else data.line
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            file.error(line, f"the translation has no {key!r}")
        return None
    if not isinstance(value, str):
        file.error(line, f"{key!r} must be text")
        return None
    value = value.strip()
    if one_line and "\n" in value:
        file.error(line, f"{key!r} must be one line")
        return None
    if len(value) > max_len:
        file.error(line, f"{key!r} is longer than {max_len} characters")
        return None
    return value


def _unknown(file: _File, data: LineDict, allowed: set[str], what: str) -> None:
    for key in data:
        if key not in allowed:
            file.error(data.line_of(key), f"unknown field {key!r} in {what}")


def load_translations(
    root: Path, course_file: Path, raw: LineDict, course: CourseData, problems: list[Problem]
) -> None:
    """Check `languages` and read every translated file of the course into its data."""
    file = _File(problems, _display(root, course_file))
    languages = list(dict.fromkeys(course.languages or [course.language]))
    line = raw.line_of("languages") if "languages" in raw else raw.line
    for language in languages:
        if language not in OFFERED:
            file.error(line, f"language {language!r} is not one of the interface's: {', '.join(OFFERED)}")
    if course.language not in languages:
        file.error(line, f"'languages' must include the course's own language {course.language!r}")
    course.languages = languages
    others = [language for language in languages if language != course.language]
    _stray_files(root, course_file.parent, course, set(others), problems)
    for language in others:
        _course_translation(root, _translated_path(course_file, language), course, language, problems)
        for module in course.modules:
            for lesson in module.lessons:
                _lesson_translation(root, lesson, language, problems)
            if module.quiz is not None:
                _quiz_translation(root, module.quiz, language, problems)


def _stray_files(root: Path, folder: Path, course: CourseData, others: set[str], problems: list[Problem]) -> None:
    """A translated file for a language the course does not offer is a mistake worth saying."""
    originals = {Path(lesson.source_path).name for lesson in course.lessons}
    originals |= {Path(m.quiz.source_path).name for m in course.modules if m.quiz is not None}
    originals.add("course.yaml")
    for path in sorted(folder.rglob("*.*.*")):
        stem, _dot, language = path.stem.rpartition(".")
        if not stem or f"{stem}{path.suffix}" not in originals or language in others:
            continue
        problems.append(
            Problem(
                _display(root, path),
                None,
                f"a translation into {language!r}, which course.yaml does not list in 'languages'",
            )
        )


def _yaml(root: Path, path: Path, problems: list[Problem]) -> tuple[_File, LineDict | None]:
    """A translation file's mapping, or None when there is no such file (nothing translated)."""
    if not path.is_file():
        return _File(problems, _display(root, path)), None
    return _read_yaml_mapping(root, path, problems, "the translation")


def _course_translation(root: Path, path: Path, course: CourseData, language: str, problems: list[Problem]) -> None:
    file, data = _yaml(root, path, problems)
    if data is None:
        return
    _unknown(file, data, {"title", "summary", "modules"}, "the course's translation")
    found: dict[str, Any] = {}
    title = _text(file, data, "title", True, TITLE_LENGTH, True)
    if title:
        found["title"] = title
    summary = _text(file, data, "summary", False, TEXT_LENGTH, False)
    if summary:
        found["summary"] = summary
    if found:
        course.translations[language] = found
    modules = data.get("modules")
    if modules is None:
        return
    if not isinstance(modules, LineDict):
        file.error(data.line_of("modules"), "'modules' must map each module key to its title and summary")
        return
    by_key = {m.key: m for m in course.modules}
    for key, value in modules.items():
        line = modules.line_of(key)
        module = by_key.get(str(key))
        if module is None:
            file.error(line, f"unknown module {key!r} (course.yaml has no module with this key)")
            continue
        if not isinstance(value, LineDict):
            file.error(line, f"module {key!r} must be a mapping with 'title' and 'summary'")
            continue
        _unknown(file, value, {"title", "summary"}, f"module {key!r}")
        texts = {}
        title = _text(file, value, "title", True, TITLE_LENGTH, True)
        if title:
            texts["title"] = title
        summary = _text(file, value, "summary", False, TEXT_LENGTH, False)
        if summary:
            texts["summary"] = summary
        if texts:
            module.translations[language] = texts


def _lesson_translation(root: Path, lesson: LessonData, language: str, problems: list[Problem]) -> None:
    path = _translated_path(_source_file(root, lesson.source_path), language)
    if not path.is_file():
        return
    file = _File(problems, _display(root, path))
    text = _read(path, file)
    if text is None:
        return
    split = split_front_matter(text)
    if split is None:
        file.error(1, "the translation needs YAML front matter between '---' lines at the top")
        return
    front, body, body_line = split
    try:
        parsed = parse_yaml(front, line_offset=1)
    except yaml.YAMLError as exc:
        file.error(yaml_error_line(exc, 1), "broken front matter: " + yaml_error_message(exc))
        return
    data = file.mapping(parsed, 2, "the front matter")
    if data is None:
        return
    _unknown(file, data, {"key", "title"}, "a translated lesson's front matter (only 'key' and 'title')")
    if str(data.get("key")) != lesson.key:
        file.error(
            data.line_of("key") if "key" in data else 2,
            f"key {data.get('key')!r} is not the lesson's key {lesson.key!r}",
        )
        return
    title = _text(file, data, "title", True, TITLE_LENGTH, True)
    if not body.strip():
        file.error(body_line, "the translation has no text after the front matter")
        return
    if title:
        lesson.translations[language] = {"title": title, "body_html": render_markdown(body)}


def _source_file(root: Path, source_path: str) -> Path:
    """The original file of a parsed item (its `source_path` is shown relative to `root`'s parent)."""
    path = Path(source_path)
    return path if path.is_absolute() or path.exists() else root / path


def _quiz_translation(root: Path, quiz: QuizData, language: str, problems: list[Problem]) -> None:
    file, data = _yaml(root, _translated_path(_source_file(root, quiz.source_path), language), problems)
    if data is None:
        return
    _unknown(file, data, {"key", "title", "questions"}, "a translated quiz (only 'key', 'title' and 'questions')")
    if str(data.get("key")) != quiz.key:
        file.error(
            data.line_of("key") if "key" in data else data.line,
            f"key {data.get('key')!r} is not the quiz's key {quiz.key!r}",
        )
        return
    title = _text(file, data, "title", True, TITLE_LENGTH, True)
    questions = data.get("questions")
    if not isinstance(questions, LineList):
        file.error(
            data.line_of("questions") if "questions" in data else data.line,
            "the translation needs the list of 'questions'",
        )
        return
    originals = {q.key: q for q in quiz.questions}
    texts: dict[str, tuple[str, dict[str, str]]] = {}
    ok = True
    for index, entry in enumerate(questions):
        line = questions.line_of(index)
        if not isinstance(entry, LineDict):
            file.error(line, f"question {index + 1} must be a mapping with 'key', 'text' and 'options'")
            ok = False
            continue
        key = str(entry.get("key"))
        question = originals.get(key)
        if question is None:
            file.error(
                entry.line_of("key") if "key" in entry else line,
                f"question {key!r} is not in the quiz (extra question)",
            )
            ok = False
            continue
        if key in texts:
            file.error(entry.line_of("key"), f"question {key!r} is translated twice")
            ok = False
            continue
        _unknown(file, entry, {"key", "text", "options"}, f"question {key!r} (only 'key', 'text' and 'options')")
        text = _text(file, entry, "text", True, TEXT_LENGTH, False)
        options = _option_texts(file, entry, question, key)
        if text is None or options is None:
            ok = False
            continue
        texts[key] = (text, options)
    for key in originals:
        if key not in texts and ok:
            file.error(questions.line, f"question {key!r} of the quiz is missing from the translation")
            ok = False
    if not ok or not title:
        return
    quiz.translations[language] = {"title": title}
    for question in quiz.questions:
        text, options = texts[question.key]
        question.translations[language] = {"text": text}
        for option in question.options:
            option.translations[language] = {"text": options[option.key]}


def _option_texts(file: _File, entry: LineDict, question, key: str) -> dict[str, str] | None:
    options = entry.get("options")
    if not isinstance(options, LineList):
        file.error(
            entry.line_of("options") if "options" in entry else entry.line,
            f"question {key!r} needs its list of 'options'",
        )
        return None
    wanted = [o.key for o in question.options]
    found: dict[str, str] = {}
    ok = True
    for index, option in enumerate(options):
        line = options.line_of(index)
        if not isinstance(option, LineDict):
            file.error(line, f"question {key!r}, option {index + 1} must be a mapping with 'key' and 'text'")
            ok = False
            continue
        _unknown(file, option, {"key", "text"}, f"question {key!r}, option {index + 1} (only 'key' and 'text')")
        option_key = str(option.get("key"))
        if option_key not in wanted:
            file.error(
                option.line_of("key") if "key" in option else line,
                f"question {key!r}: option {option_key!r} is not in the quiz (extra option)",
            )
            ok = False
            continue
        if option_key in found:
            file.error(option.line_of("key"), f"question {key!r}: option {option_key!r} is translated twice")
            ok = False
            continue
        text = _text(file, option, "text", True, TEXT_LENGTH, False)
        if text is None:
            ok = False
            continue
        found[option_key] = text
    missing = [k for k in wanted if k not in found]
    if missing and ok:
        file.error(options.line, f"question {key!r}: option {missing[0]!r} of the quiz is missing from the translation")
        return None
    return found if ok else None
