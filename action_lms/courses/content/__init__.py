"""Course content files (see courses/README.md for the format): reading and validating them.

`load_directory(root)` parses every `<root>/<course>/course.yaml`, its lesson Markdown
files and its quiz YAML files, and returns the parsed courses together with every problem
found, each with its file and line. The values are validated by declarative schemas
(`schemas.py`); YAML keeps its lines (`lines.py`) so each schema error points at one.
Nothing here touches the database: the import service writes only when the list of
problems is empty.
"""

from .lines import LineDict, LineList, parse_yaml, split_front_matter
from .loader import (
    CourseData,
    LessonData,
    ModuleData,
    OptionData,
    Problem,
    QuestionData,
    QuizData,
    load_directory,
)

__all__ = [
    "CourseData",
    "LessonData",
    "LineDict",
    "LineList",
    "ModuleData",
    "OptionData",
    "Problem",
    "QuestionData",
    "QuizData",
    "load_directory",
    "parse_yaml",
    "split_front_matter",
]
