"""The catalogues: every string marked for translation is in every language's catalogue,
translated (no empty or fuzzy entry), with the same placeholders as the English."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from action_lms.core.i18n import DEFAULT_LANGUAGE, LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "action_lms" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
OTHERS = [code for code in LANGUAGES if code != DEFAULT_LANGUAGE]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The msgids `pybabel extract` finds in the code and templates today (babel.cfg, as `make translations-extract`)."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_ngettext:1,2", "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as fh:
        return {message.id if isinstance(message.id, str) else message.id[0] for message in read_po(fh) if message.id}


def catalogue(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=language)


def names(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def test_the_code_marks_strings_for_translation(extracted):
    assert len(extracted) > 500  # every domain's pages, e-mails and messages


@pytest.mark.parametrize("language", OTHERS)
def test_every_marked_string_is_in_the_catalogue(extracted, language):
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue(language) if m.id}
    missing = sorted(extracted - known)
    assert not missing, f"{language}: {len(missing)} strings not in the catalogue (make translations-update), e.g. {missing[:5]}"


@pytest.mark.parametrize("language", OTHERS)
def test_no_entry_is_untranslated_or_fuzzy(language):
    bad = []
    for message in catalogue(language):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy or not all(s and s.strip() for s in strings):
            bad.append(message.id if isinstance(message.id, str) else message.id[0])
    assert not bad, f"{language}: {len(bad)} untranslated or fuzzy entries, e.g. {bad[:5]}"


@pytest.mark.parametrize("language", OTHERS)
def test_translations_keep_the_placeholders(language):
    wrong = []
    for message in catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        wanted = set().union(*(names(i) for i in ids)) - {"num"}
        for text in strings:
            if not text:
                continue
            got = names(text) - {"num"}
            if got - wanted or (wanted - got and len(ids) == 1):
                wrong.append((ids[0], text))
    assert not wrong, f"{language}: placeholders differ from the English: {wrong[:5]}"


def test_no_gettext_call_hides_inside_another():
    """pybabel does not extract a `_()` written inside another translation call's arguments:
    such a string would never reach the catalogues. Compute it first."""
    import ast

    names = {"_", "_l", "ngettext", "lazy_ngettext", "gettext", "lazy_gettext"}

    def is_call(node):
        return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names

    hidden = []
    for path in (ROOT / "action_lms").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if is_call(node):
                for value in [*node.args[1:], *(k.value for k in node.keywords)]:
                    hidden += [f"{path.relative_to(ROOT)}:{inner.lineno}" for inner in ast.walk(value) if is_call(inner)]
    assert not hidden, f"translation calls inside another's arguments: {hidden}"
