"""The content importer: validation with file and line, all-or-nothing, idempotent
re-import, stable identities and kept progress, dry run, the CLI."""
from pathlib import Path

import pytest

from action_lms.courses import services
from action_lms.courses.models import Course, Lesson, LessonCompletion, Module, Option, Question, Quiz, QuizAttempt
from action_lms.extensions import db

from ..factories import SAMPLE_COURSE_YAML, make_course, make_user, write_course_files
from ..helpers import api_as

REPO_COURSES = Path(__file__).resolve().parents[2] / "courses"


def count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def problems_of(root):
    result = services.import_directory(root)
    assert not result.ok
    return [str(p) for p in result.problems]


def test_the_real_courses_import_cleanly(app):
    result = services.import_directory(REPO_COURSES)
    assert result.ok, [str(p) for p in result.problems]
    main = db.session.scalar(db.select(Course).where(Course.slug == "drafting-local-action-plans"))
    assert main.modules_count == 5 and main.quizzes_count == 5 and main.published
    modules = db.session.scalars(db.select(Module).where(Module.course_id == main.id).order_by(Module.position)).all()
    assert all(3 <= len(m.lessons) <= 5 for m in modules)
    assert [bool(m.prerequisites) for m in modules] == [False, False, True, True, True]
    second = db.session.scalar(db.select(Course).where(Course.slug == "tackling-anti-muslim-racism-locally"))
    assert second is not None and second.lessons_count >= 8
    # Every lesson is rendered and tagged.
    for lesson in db.session.scalars(db.select(Lesson)):
        assert lesson.body_html.startswith("<") and lesson.commitments and lesson.milestones


def test_markdown_is_rendered_and_sanitised(app, tmp_path):
    make_course(tmp_path)
    first = db.session.scalar(db.select(Lesson).where(Lesson.key == "first"))
    assert "<strong>first</strong>" in first.body_html
    assert "<script" not in first.body_html


def test_reimport_of_unchanged_content_writes_nothing(app, tmp_path, count_queries):
    make_course(tmp_path)
    with count_queries() as q:
        result = services.import_directory(tmp_path)
    assert result.ok and result.changes == []
    writes = [s for s in q.statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


def test_changed_course_keeps_identities_and_progress(app, client, tmp_path):
    course = make_course(tmp_path)
    learner = make_user()
    api = api_as(client, learner)
    api.post("/api/v1/courses/sample-course/enrollment")
    ids = {lesson.key: lesson.id for lesson in db.session.scalars(db.select(Lesson))}
    question_ids = {q.key: q.id for q in db.session.scalars(db.select(Question))}
    option_ids = {(o.question_id, o.key): o.id for o in db.session.scalars(db.select(Option))}
    quiz_id = db.session.scalar(db.select(Quiz.id).where(Quiz.key == "basics-quiz"))
    api.post(f"/api/v1/lessons/{ids['first']}/completion")
    api.post(f"/api/v1/lessons/{ids['second']}/completion")
    answers = {str(q.id): [q.options[0].id] for q in db.session.get(Quiz, quiz_id).questions}
    assert api.post(f"/api/v1/quizzes/{quiz_id}/attempts", json={"answers": answers}).status_code == 201

    # New title, lessons reordered, the second lesson removed, a new lesson and question added.
    changed_yaml = SAMPLE_COURSE_YAML.replace("      - basics/01-first.md\n      - basics/02-second.md\n",
                                              "      - basics/03-new.md\n      - basics/01-first.md\n")
    new_lesson = "---\nkey: new\ntitle: A new lesson\nminutes: 5\ncommitments: [3]\nmilestones: [adoption]\n---\nNew.\n"
    quiz = (Path(tmp_path) / "sample-course/basics/quiz.yaml").read_text()
    quiz += "  - key: q3\n    text: Pick c.\n    type: single\n    options:\n      - key: c\n        text: C\n        correct: true\n      - key: d\n        text: D\n"
    (Path(tmp_path) / "sample-course/course.yaml").write_text(
        changed_yaml.format(slug="sample-course", title="Sample course, second edition", published="true"))
    write_course_files(tmp_path, title="Sample course, second edition",
                       overrides={"course.yaml": changed_yaml.format(slug="sample-course", title="Sample course, second edition", published="true"),
                                  "basics/03-new.md": new_lesson, "basics/quiz.yaml": quiz})
    dry = services.import_directory(tmp_path, dry_run=True)
    assert dry.ok and any("lesson 'second' removed" in c for c in dry.changes)
    assert db.session.scalar(db.select(Course.title).where(Course.id == course.id)) == "Sample course"

    result = services.import_directory(tmp_path)
    assert result.ok
    text = "\n".join(result.changes)
    assert "title changed" in text and "lesson 'new' added" in text and "lesson 'second' removed" in text
    assert "question 'q3' added" in text
    lessons = {lesson.key: lesson for lesson in db.session.scalars(db.select(Lesson))}
    assert lessons["first"].id == ids["first"] and lessons["first"].position == 2
    assert lessons["third"].id == ids["third"] and "second" not in lessons
    assert {q.key: q.id for q in db.session.scalars(db.select(Question)) if q.key in question_ids} == question_ids
    assert all(db.session.get(Option, oid) is not None for oid in option_ids.values())
    # Progress on lessons that still exist is kept; attempts survive a changed quiz.
    completed = set(db.session.scalars(db.select(LessonCompletion.lesson_id)))
    assert completed == {ids["first"]}
    assert count(QuizAttempt) == 1
    progress = api.get("/api/v1/courses/sample-course/progress").get_json()
    assert (progress["lessons_completed"], progress["lessons_total"]) == (1, 3)
    # And the second import of the new content is again a no-op.
    assert services.import_directory(tmp_path).changes == []


@pytest.mark.parametrize("overrides, expected", [
    ({"basics/01-first.md": "no front matter here\n"},
     "sample-course/basics/01-first.md:1: the lesson needs YAML front matter"),
    ({"basics/01-first.md": "---\nkey: first\ntitle: [broken\nminutes: 10\n---\nBody\n"},
     "sample-course/basics/01-first.md:4: broken front matter"),
    ({"basics/01-first.md": "---\nkey: first\ntitle: First\nminutes: 10\nmilestones: [world_peace]\n---\nBody\n"},
     "sample-course/basics/01-first.md:5: unknown milestone 'world_peace'"),
    ({"basics/01-first.md": "---\nkey: first\ntitle: First\nminutes: 10\ncommitments: [11]\n---\nBody\n"},
     "sample-course/basics/01-first.md:5: commitment 11 must be a number from 1 to 10"),
    ({"basics/01-first.md": "---\nkey: first\ntitle: First\nminutes: ten\n---\nBody\n"},
     "sample-course/basics/01-first.md:4: the lesson: 'minutes' must be a whole number"),
    ({"basics/02-second.md": "---\ntitle: Again\nminutes: 10\nkey: first\n---\nBody\n"},
     "sample-course/basics/02-second.md:4: duplicate lesson key 'first'"),
    ({"basics/02-second.md": None},
     "sample-course/course.yaml:14: lesson file 'basics/02-second.md' does not exist"),
    ({"course.yaml": SAMPLE_COURSE_YAML.replace("prerequisites: [basics]", "prerequisites: [basic]").format(
        slug="sample-course", title="T", published="true")},
     "sample-course/course.yaml:19: module 'advanced': unknown prerequisite 'basic'"),
    ({"course.yaml": SAMPLE_COURSE_YAML.replace("title: {title}", "title: {title}\nauthor: me").format(
        slug="sample-course", title="T", published="true")},
     "sample-course/course.yaml:3: unknown field 'author'"),
    ({"course.yaml": SAMPLE_COURSE_YAML.replace("modules:", "modules: [").format(
        slug="sample-course", title="T", published="true")},
     "sample-course/course.yaml:8: invalid YAML"),
    ({"basics/quiz.yaml": "key: basics-quiz\ntitle: Q\npass_mark: 50\nquestions:\n  - key: q1\n    text: Pick.\n    type: single\n"
                          "    options:\n      - key: a\n        text: A\n      - key: b\n        text: B\n"},
     "sample-course/basics/quiz.yaml:5: question 'q1' has no correct option"),
    ({"basics/quiz.yaml": "key: basics-quiz\ntitle: Q\npass_mark: 150\nquestions:\n  - key: q1\n    text: Pick.\n    type: single\n"
                          "    options:\n      - key: a\n        text: A\n        correct: true\n      - key: b\n        text: B\n        correct: true\n"},
     "sample-course/basics/quiz.yaml:3: the quiz: 'pass_mark' must be a whole number between 1 and 100"),
    ({"basics/quiz.yaml": "key: basics-quiz\ntitle: Q\npass_mark: 50\nquestions:\n  - key: q1\n    text: Pick.\n    type: essay\n"
                          "    options:\n      - key: a\n        text: A\n        correct: true\n      - key: a\n        text: B\n"},
     "sample-course/basics/quiz.yaml:7: question 'q1': type must be 'single' or 'multiple'"),
])
def test_each_kind_of_problem_is_reported_with_file_and_line(app, tmp_path, overrides, expected):
    write_course_files(tmp_path, overrides=overrides)
    found = problems_of(tmp_path)
    assert any(expected in p for p in found), found


def test_single_choice_with_two_correct_options_and_duplicate_option_keys(app, tmp_path):
    quiz = ("key: basics-quiz\ntitle: Q\npass_mark: 50\nquestions:\n  - key: q1\n    text: Pick.\n    type: single\n"
            "    options:\n      - key: a\n        text: A\n        correct: true\n      - key: a\n        text: B\n        correct: true\n")
    write_course_files(tmp_path, overrides={"basics/quiz.yaml": quiz})
    found = problems_of(tmp_path)
    assert any("quiz.yaml:5: question 'q1' is single-choice but has 2 correct options" in p for p in found), found
    assert any("quiz.yaml:12: question 'q1': duplicate option key 'a'" in p for p in found), found


def test_prerequisite_must_come_first_and_duplicate_slug(app, tmp_path):
    write_course_files(tmp_path, slug="one")
    write_course_files(tmp_path, slug="two")
    (tmp_path / "two/course.yaml").write_text((tmp_path / "two/course.yaml").read_text().replace("slug: two", "slug: one"))
    found = problems_of(tmp_path)
    assert any("two/course.yaml:1: duplicate slug 'one'" in p for p in found), found
    yaml_text = SAMPLE_COURSE_YAML.replace("prerequisites: []", "prerequisites: [advanced]", 1)
    write_course_files(tmp_path / "x", overrides={"course.yaml": yaml_text.format(slug="sample-course", title="T", published="true")})
    found = problems_of(tmp_path / "x")
    assert any("course.yaml:11: module 'basics': prerequisite 'advanced' must come before this module" in p for p in found), found


def test_every_problem_is_reported_and_nothing_is_written(app, tmp_path):
    write_course_files(tmp_path, slug="good-course")
    write_course_files(tmp_path, slug="bad-course", overrides={
        "basics/01-first.md": "no front matter\n",
        "basics/quiz.yaml": "key: basics-quiz\ntitle: Q\npass_mark: 50\nquestions: []\n"})
    found = problems_of(tmp_path)
    assert len(found) == 2
    assert count(Course) == 0 and count(Lesson) == 0


def test_cli_import_dry_run_and_failure(app, tmp_path):
    write_course_files(tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["courses", "import", str(tmp_path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would change: course 'sample-course': new course" in result.output and "nothing was written" in result.output
    assert count(Course) == 0
    result = runner.invoke(args=["courses", "import", str(tmp_path)])
    assert result.exit_code == 0 and "Imported 1 course(s)" in result.output
    result = runner.invoke(args=["courses", "import", str(tmp_path)])
    assert result.exit_code == 0 and "up to date" in result.output
    write_course_files(tmp_path, overrides={"basics/01-first.md": "---\nkey: first\n---\nBody\n"})
    result = runner.invoke(args=["courses", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert "01-first.md:2: the lesson has no 'title'" in result.output
    assert "nothing was imported" in result.output
    result = runner.invoke(args=["courses", "import", str(tmp_path / "missing")])
    assert result.exit_code != 0


def test_two_imports_at_once_never_half_apply(app, tmp_path):
    from ..conftest import run_concurrently
    write_course_files(tmp_path)

    def go(_):
        with app.app_context():
            result = services.import_directory(tmp_path)
            return [str(p) for p in result.problems]

    outcomes = run_concurrently(go, 2)
    assert all(isinstance(o, list) for o in outcomes), outcomes
    assert sum(1 for o in outcomes if not o) >= 1
    for problems in outcomes:
        assert all("run it again" in p for p in problems)
    db.session.commit()
    assert count(Course) == 1 and count(Lesson) == 3
    assert services.import_directory(tmp_path).changes == []
