"""Names and descriptions an operator gives update lists and deployment templates.

SCCM's limits hold (name up to 50 characters, description up to 127), and names are unique ignoring
case and width: `name_key` is what two names are compared by. Names arrive from the console, the
command line and TOML files, so a name with a control, bidi or invisible format character is refused
(never stored and shown later); the message quotes it escaped.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlmodel import Session

from sumtui.deploy.models import DESCRIPTION_MAX, NAME_KEY_MAX, NAME_MAX
from sumtui.text import escape_controls


def name_key(name: str) -> str:
    """What names are compared by: "Patch Tuesday", "PATCH TUESDAY" and full-width letters are one name."""
    return unicodedata.normalize("NFKC", name.strip()).casefold()[:NAME_KEY_MAX]


def check_name(name: str | None, *, what: str, error: type[Exception]) -> str:
    """`name` as stored: trimmed, 1 to 50 characters, every character printable; else `error`."""
    value = (name or "").strip()
    if not value:
        raise error(f"a {what} needs a name")
    if not value.isprintable():
        raise error(f"{what} name '{escape_controls(value)}' holds control or invisible characters")
    if len(value) > NAME_MAX:
        raise error(f"{what} name '{escape_controls(value)}' is {len(value)} characters long; at most {NAME_MAX}")
    return value


def check_description(description: str | None, *, what: str, error: type[Exception]) -> str | None:
    """A description as stored (None when blank): at most 127 characters, line breaks allowed, no
    other control or invisible character."""
    if description is None:
        return None
    value = description.strip().replace("\r\n", "\n")
    if len(value) > DESCRIPTION_MAX:
        raise error(f"a {what} description is at most {DESCRIPTION_MAX} characters; this one is {len(value)}")
    if not value.replace("\n", " ").isprintable():
        raise error(f"{what} description '{escape_controls(value)}' holds control or invisible characters")
    return value or None


def find_named(session: Session, model, *, name: str):
    """The row of `model` (a table with `name_key`) whose name is `name`, ignoring case; None if none."""
    return session.execute(select(model).where(model.name_key == name_key(name or ""))).scalar_one_or_none()


def check_free(session: Session, model, *, name: str, keep: int | None = None, what: str, error: type[Exception]) -> None:
    """`error` when another row of `model` (not `keep`) already has this name."""
    other = find_named(session, model, name=name)
    if other is not None and other.id != keep:
        raise error(f"a {what} named '{escape_controls(other.name)}' already exists")
