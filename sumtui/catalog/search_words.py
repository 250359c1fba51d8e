"""Search words matched as words, as SQL conditions: a typed word must start a word of the text (after a
separator, or at its start), and a short number followed by another word must be that number, not part of
a longer one. So "windows 10 22h2" finds neither "cve-2024-21310" nor "2024-10 Cumulative Update" nor a
machine named WS-1010, while search as you type still finds "22h2" from "22h" and "2019" from "201" (the
last word is the one being typed). Used by the catalog search and the clients search.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ColumnElement, String, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Where a typed word may start in the search text: after a space or an opening bracket ("(kb5048685)").
# Not after "-" or ".": "10" must not find "cve-2024-21310", "2024-10 cumulative update" or "10.0.17763".
SEARCH_SEPARATORS = " ("


class fold_case(FunctionElement):
    """A text column compared without regard to case by LIKE: lower(column), except on SQLite, whose
    LIKE already ignores (ASCII) case and whose lower() is ASCII-only too — calling it only costs time
    (over 100k clients a word search took twice as long)."""

    type = String()
    inherit_cache = True


@compiles(fold_case)
def _fold_case(element, compiler, **kw):
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(fold_case, "sqlite")
def _fold_case_sqlite(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


# Up to this many digits a typed number is a version, a year or a month ("10", "2019", "22"): once another
# word follows it, it matches that number as a whole word, never the start of a longer one ("10" is not
# "1010"). Longer numbers (KBs, serial numbers) are prefixes like any word, and so is the word being typed.
SHORT_NUMBER = 4


class whole_number(ColumnElement):
    """`column` has the number `digits` as a word of its own: after one of `separators` (or at the start
    with `at_start`), not followed by another digit. Digits need no case folding; LIKE cannot say "not a
    digit", so SQLite uses GLOB and other databases a regular expression."""

    inherit_cache = True
    type = Boolean()
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement), ("digits", InternalTraversal.dp_string),
                           ("separators", InternalTraversal.dp_string), ("at_start", InternalTraversal.dp_boolean)]

    def __init__(self, column, digits: str, separators: str, at_start: bool) -> None:
        if not digits.isdigit() or not separators or not set(separators) <= set(" (-_."):
            raise ValueError("whole_number takes digits and word separators")  # both are written into the SQL
        self.column, self.digits, self.at_start = column, digits, at_start
        self.separators = "".join(sorted(separators, key=lambda ch: ch != "-"))  # "-" first: a literal in [...]


@compiles(whole_number, "sqlite")
def _whole_number_sqlite(element, compiler, **kw):
    column, digits, separators = compiler.process(element.column, **kw), element.digits, element.separators
    # One GLOB: a separator put before the text makes its start a word start, a space after it makes its
    # end a non-digit. A plain LIKE first turns most rows away at C speed. "[^0-9]": GLOB negates with ^.
    head = f"'{separators[0]}' || " if element.at_start else ""
    return (f"({column} LIKE '%{digits}%' AND ({head}{column} || ' ') GLOB '*[{separators}]{digits}[^0-9]*')")


@compiles(whole_number)
def _whole_number_regex(element, compiler, **kw):
    column = compiler.process(element.column, **kw)
    starts = (["^"] if element.at_start else []) + [f"[{element.separators}]"]
    return f"({column} ~ '({'|'.join(starts)}){element.digits}([^0-9]|$)')"


def search_terms(text: str | None) -> list[tuple[str, bool]]:
    """The words of a search, lower-cased, each with whether it is the last one (the word being typed)."""
    words = (text or "").lower().split()
    return [(word, index == len(words) - 1) for index, word in enumerate(words)]


def starts_word(column, term: str, separators: str = SEARCH_SEPARATORS, *, at_start: bool = True,
                typing: bool = False):
    """`column` (lower-cased text, or `fold_case(column)`) has a word that starts with `term` (lower case):
    after one of `separators`, or at its start (`at_start`). Words match as words, so search as you type
    still finds "22h2" from "22h"; a short number only itself unless it is the word being typed (`typing`,
    see SHORT_NUMBER). Each pattern is one more LIKE per row."""
    if term.isdigit() and len(term) <= SHORT_NUMBER and not typing:
        return whole_number(column, term, separators, at_start)
    escaped = escape_like(term)
    # The start first: a pattern anchored there fails at once when it does not match.
    patterns = ([f"{escaped}%"] if at_start else []) + [f"%{escape_like(sep)}{escaped}%" for sep in separators]
    return or_(*(column.like(pattern, escape="\\") for pattern in patterns))
