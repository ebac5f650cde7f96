"""CSV exports: one writer for every report, with spreadsheet-formula neutralisation, and the
download headers every file answer (CSV, calendar) uses."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from flask import Response

from .validators import fold_single_line

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What a filename keeps as it is in the plain `filename="..."` parameter; the rest becomes "-".
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def _without_controls(value: str) -> str:
    """Cell text without control characters (NUL, ESC, ...) or lone surrogates; tabs and line
    breaks stay (the writer quotes them), so the content is intact."""
    return "".join(
        ch for ch in value if ch in "\t\r\n" or not (unicodedata.category(ch) == "Cc" or 0xD800 <= ord(ch) <= 0xDFFF)
    )


def csv_safe(value):
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe (CSV injection)."""
    if isinstance(value, str):
        value = _without_controls(value)  # first: "\x00=cmd" must not hide the formula
        if value.startswith(FORMULA_STARTS):
            value = "'" + value
    return value


def csv_text(rows: Iterable[Iterable]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return buffer.getvalue()


def _one_line(filename: str) -> str:
    """The name on one line, without path separators."""
    return fold_single_line(filename).replace("/", "-").replace("\\", "-")


def _ascii_part(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _UNSAFE_FILENAME.sub("-", plain).strip("-.")


def safe_filename(filename: str, default: str = "download") -> str:
    """An ASCII file name that cannot break a header or a path: one line, letters, digits,
    '.', '_' and '-', the extension kept (names are built from titles and city names, which
    are user text)."""
    stem, dot, extension = _one_line(filename).rpartition(".")
    if not dot:
        stem, extension = extension, ""
    extension = _ascii_part(extension)[:10]
    name = (_ascii_part(stem)[:140] or default) + (f".{extension}" if extension else "")
    return name


def attachment_headers(filename: str) -> dict[str, str]:
    """Headers of a private download. A name with other than plain ASCII characters also goes
    as RFC 6266 `filename*` (UTF-8, percent-encoded), so the browser can show it as it was."""
    ascii_name = safe_filename(filename)
    disposition = f'attachment; filename="{ascii_name}"'
    readable = _one_line(filename).lstrip(".-")
    if readable and not readable.isascii():
        disposition += "; filename*=UTF-8''" + quote(readable, safe="")
    return {"Content-Disposition": disposition, "Cache-Control": "private, no-store"}


def csv_response(content: str | Iterable[Iterable], filename: str) -> Response:
    """A download of CSV text (or of rows, written with `csv_text`)."""
    text = content if isinstance(content, str) else csv_text(content)
    return Response(text, mimetype="text/csv", headers=attachment_headers(filename))
