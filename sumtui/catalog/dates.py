"""A CVRF document's own dates (DocumentTracking), read strictly: present but unreadable is an error.

`timeutil.parse_iso` forgives (a bad date reads as none), which suits optional facts. A document's
release dates say which revision it is; one that carries year 0, year 10000, or a year-1 date pushed
out of range by its time zone is not a document to store.
"""

from __future__ import annotations

from datetime import datetime

from sumtui.catalog.errors import BadDocument
from sumtui.timeutil import parse_iso


def tracking_date(text: str | None, *, name: str, where: str) -> datetime | None:
    """None when absent; the aware UTC date; BadDocument naming the input and the field otherwise."""
    if text is None or not text.strip():
        return None
    try:
        value = parse_iso(text)
    except OverflowError:
        value = None
    if value is None:
        raise BadDocument(f"{name}: {where} {text.strip()[:40]!r} is not a date in range (years 1-9999, ISO 8601)")
    return value
