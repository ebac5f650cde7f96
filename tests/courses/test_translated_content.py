"""Translated course content: files beside the originals, matched by key, checked at import
with file and line, stored per language (issue: the service in the cities' own languages)."""
from __future__ import annotations

from action_lms.courses import services
from action_lms.courses.models import Course, Lesson, Quiz

from ..factories import SAMPLE_COURSE_YAML, write_course_files

COURSE_YAML = SAMPLE_COURSE_YAML.replace("language: en\n", "language: en\nlanguages: [en, de]\n")

GERMAN = {
    "course.de.yaml": """\
title: Ein Beispielkurs
summary: Ein kurzer Kurs für die Tests.
modules:
  basics:
    title: Die Grundlagen
    summary: Erste Schritte.
""",
    "basics/01-first.de.md": """\
---
key: first
title: Erste Lektion
---
Die **erste** Lektion.
""",
    "basics/quiz.de.yaml": """\
key: basics-quiz
title: Quiz zu den Grundlagen
questions:
  - key: q1
    text: Wählen Sie a.
    options:
      - key: a
        text: A (de)
      - key: b
        text: B (de)
  - key: q2
    text: Wählen Sie a und b.
    options:
      - key: a
        text: A (de)
      - key: b
        text: B (de)
      - key: c
        text: C (de)
""",
}


def write(tmp_path, **overrides):
    files = {"course.yaml": COURSE_YAML.format(slug="sample-course", title="Sample course", published="true"),
             **GERMAN, **overrides}
    return write_course_files(tmp_path, overrides=files)


def problems(tmp_path, **overrides) -> list[str]:
    result = services.import_directory(write(tmp_path, **overrides))
    return [str(p) for p in result.problems]


def test_translations_are_imported_by_key(session, tmp_path):
    result = services.import_directory(write(tmp_path))
    assert result.ok, [str(p) for p in result.problems]
    course = session.query(Course).one()
    assert course.languages == ["en", "de"]
    assert course.translations["de"]["title"] == "Ein Beispielkurs"
    first = session.query(Lesson).filter_by(key="first").one()
    assert first.translations["de"]["title"] == "Erste Lektion"
    assert "<strong>erste</strong>" in first.translations["de"]["body_html"]
    assert session.query(Lesson).filter_by(key="second").one().translations == {}  # shown in English
    quiz = session.query(Quiz).filter_by(key="basics-quiz").one()
    assert quiz.translations == {"de": {"title": "Quiz zu den Grundlagen"}}
    q2 = next(q for q in quiz.questions if q.key == "q2")
    assert q2.translations["de"]["text"] == "Wählen Sie a und b."
    assert [o.translations["de"]["text"] for o in q2.options] == ["A (de)", "B (de)", "C (de)"]
    assert [o.correct for o in q2.options] == [True, True, False]  # from the original


def test_a_translated_quiz_with_a_missing_option_names_file_and_line(session, tmp_path):
    quiz = GERMAN["basics/quiz.de.yaml"].replace("      - key: c\n        text: C (de)\n", "")
    found = problems(tmp_path, **{"basics/quiz.de.yaml": quiz})
    assert any("basics/quiz.de.yaml:" in p and "option 'c' of the quiz is missing" in p for p in found), found
    assert session.query(Course).count() == 0  # nothing written


def test_a_translated_quiz_with_an_extra_option_or_question_is_refused(session, tmp_path):
    extra_option = GERMAN["basics/quiz.de.yaml"].replace("        text: C (de)\n", "        text: C (de)\n      - key: d\n        text: D\n")
    found = problems(tmp_path, **{"basics/quiz.de.yaml": extra_option})
    assert any("basics/quiz.de.yaml:" in p and "option 'd' is not in the quiz" in p for p in found), found
    extra_question = GERMAN["basics/quiz.de.yaml"] + "  - key: q9\n    text: Neu\n    options: []\n"
    found = problems(tmp_path / "again", **{"basics/quiz.de.yaml": extra_question})
    assert any("question 'q9' is not in the quiz" in p for p in found), found


def test_line_numbers_point_at_the_wrong_key(session, tmp_path):
    quiz = GERMAN["basics/quiz.de.yaml"].replace("      - key: b\n        text: B (de)\n  - key: q2", "      - key: x\n        text: B (de)\n  - key: q2")
    found = problems(tmp_path, **{"basics/quiz.de.yaml": quiz})
    line = next(n for n, text in enumerate(quiz.splitlines(), start=1) if "key: x" in text)
    assert any(p.startswith(f"{tmp_path}/sample-course/basics/quiz.de.yaml:{line}:") for p in found), found


def test_a_lesson_translation_must_keep_the_lessons_key(session, tmp_path):
    lesson = GERMAN["basics/01-first.de.md"].replace("key: first", "key: second")
    found = problems(tmp_path, **{"basics/01-first.de.md": lesson})
    assert any("01-first.de.md:2:" in p and "not the lesson's key 'first'" in p for p in found), found


def test_a_translation_into_an_unlisted_language_is_a_problem(session, tmp_path):
    found = problems(tmp_path, **{"basics/02-second.fr.md": "---\nkey: second\ntitle: Deuxième\n---\nTexte.\n"})
    assert any("02-second.fr.md" in p and "does not list in 'languages'" in p for p in found), found


def test_languages_must_be_interface_languages_and_include_the_courses_own(session, tmp_path):
    found = problems(tmp_path, **{"course.yaml": COURSE_YAML.replace("[en, de]", "[de, pt]").format(
        slug="sample-course", title="Sample course", published="true")})
    assert any("'pt' is not one of the interface's" in p for p in found), found
    assert any("must include the course's own language 'en'" in p for p in found), found


def test_the_shipped_course_offers_module_one_in_five_languages(session):
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "courses"
    result = services.import_directory(root)
    assert result.ok, [str(p) for p in result.problems]
    course = session.query(Course).filter_by(slug="drafting-local-action-plans").one()
    assert course.languages == ["en", "de", "es", "it", "fr"]
    module = min(course.modules, key=lambda m: m.position)
    for language in ("de", "es", "it", "fr"):
        assert language in course.translations and language in module.translations
        assert all(language in lesson.translations for lesson in module.lessons), language
        assert language in module.quiz.translations
        assert all(language in q.translations for q in module.quiz.questions)
