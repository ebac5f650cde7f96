"""Search over the library: one normaliser for what is indexed and what is asked, and the
engine's own full-text index to answer (FTS5 on SQLite, a `tsvector` with a GIN index on
PostgreSQL, both made by migration 0008).

Both engines index `practices.search_text`, which the services write: title, city name,
summary and description, normalised by `normalise()` (compatibility decomposition, accents
and other combining marks dropped, case folded, the letters that do not decompose mapped:
ß→ss, ı→i, ø→o, ł→l, æ→ae...), words separated by single spaces. A query goes through the
same normaliser, so "GÜNDOĞDU", "Gündoğdu" and "gundogdu" are one word to the index.

Every word of a query must match (AND), as a prefix; words of six letters or more lose
their trailing vowels and "s" first (`stem`), so "islamophobie" finds "Islamophobia" and
"services" finds "service". Each word is quoted for the engine, and only letters and digits
survive normalisation, so quotes, `*`, `AND`, `NEAR` or brackets in a query are text, never
syntax. Ranking: bm25 on SQLite, ts_rank (length-normalised) on PostgreSQL; best first.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import Integer, column, func, literal_column, table
from sqlalchemy.sql.elements import ColumnClause

from ...extensions import db
from ..models import Practice
from .rules import MAX_TERMS

# Letters without a decomposition to a base letter, and the German sharp s in both cases.
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "ss",
        "ı": "i",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ħ": "h",
        "Ħ": "h",
        "ŧ": "t",
        "Ŧ": "t",
        "ŀ": "l",
        "Ŀ": "l",
        "ŋ": "n",
        "Ŋ": "n",
        "ĸ": "k",
    }
)
_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script
STEM_FROM = 6  # letters a word needs before its ending is trimmed
_ENDINGS = "aeiouys"
_MIN_STEM = 4

_FTS = table("practices_fts", column("rowid", Integer))
_FTS_TABLE: ColumnClause = literal_column("practices_fts")
_VECTOR: ColumnClause = literal_column("practices.search_vector")


def normalise(text: str | None) -> str:
    """Lower-case words without accents, separated by single spaces ("Gündoğdu" → "gundogdu")."""
    if not text:
        return ""
    folded = text.translate(_FOLD).casefold()
    decomposed = unicodedata.normalize("NFKD", folded)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_FOLD)
    return " ".join(_WORD.findall(bare))


def search_text(title: str, city_name: str, summary: str, description: str) -> str:
    """What the index holds for a practice."""
    return " ".join(part for part in (normalise(v) for v in (title, city_name, summary, description)) if part)


def stem(word: str) -> str:
    """A light, language-neutral stem: long words lose trailing vowels and "s"
    (islamophobie, islamophobia → islamophob; services → servic)."""
    if len(word) < STEM_FROM:
        return word
    trimmed = word.rstrip(_ENDINGS)
    return trimmed if len(trimmed) >= _MIN_STEM else word


def search_terms(query: str | None) -> list[str]:
    """The prefixes a query asks for: normalised, stemmed, each once, at most MAX_TERMS."""
    terms: list[str] = []
    for word in normalise(query).split():
        prefix = stem(word)
        if prefix not in terms:
            terms.append(prefix)
    return terms[:MAX_TERMS]


def _fts5_query(terms: list[str]) -> str:
    return " AND ".join('"' + t.replace('"', '""') + '"*' for t in terms)


def _tsquery_text(terms: list[str]) -> str:
    return " & ".join("'" + t.replace("\\", "").replace("'", "''") + "':*" for t in terms)


def apply_search(stmt, terms: list[str]):
    """`stmt` (a select of Practice) restricted to practices matching every term, and the
    ORDER BY clauses that put the best matches first. Without terms: unchanged, no order."""
    if not terms:
        return stmt, []
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        stmt = stmt.join(_FTS, _FTS.c.rowid == Practice.id).where(_FTS_TABLE.op("MATCH")(_fts5_query(terms)))
        return stmt, [func.bm25(_FTS_TABLE)]
    if dialect == "postgresql":
        query = func.to_tsquery(literal_column("'simple'::regconfig"), _tsquery_text(terms))
        stmt = stmt.where(_VECTOR.op("@@")(query))
        return stmt, [func.ts_rank(_VECTOR, query, 1).desc()]
    for term in terms:  # any other engine: no index, but the same answers (unranked)
        stmt = stmt.where(func.concat(" ", Practice.search_text).like(f"% {term}%"))
    return stmt, []
