"""One line that says why something failed, for stderr, a notification or a status cell.

Database drivers wrap the real cause (`exc.orig`); the first line of it is what an operator can act on.
"""

from __future__ import annotations

LIMIT = 300


def one_line(exc: BaseException, *, limit: int = LIMIT, with_type: bool = False) -> str:
    """The first line of an exception's message (its driver cause when it has one), at most `limit`
    characters; the exception's type when it says nothing. `with_type` prefixes the type name, for
    errors whose message alone is ambiguous (a KeyError's bare key)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    first = text.splitlines()[0][:limit] if text else ""
    if not first:
        return type(exc).__name__
    return f"{type(exc).__name__}: {first}" if with_type else first


class CommandError(Exception):
    """A command failed for a reason the operator can act on: printed as one line on stderr, exit 1.
    Raised by any shell's command handler (sumtui.main turns it into the exit code)."""
