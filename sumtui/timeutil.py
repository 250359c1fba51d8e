"""Time helpers: every timestamp is an aware UTC datetime (SQLModel stores them as UTC on every dialect)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_iso(value: str | None) -> datetime | None:
    """An ISO 8601 timestamp from a document ('2020-12-08T08:00:00Z'; no zone means UTC) as aware UTC."""
    if not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def as_utc(value: datetime) -> datetime:
    """A naive datetime read back without its column type (a SQL expression, a raw row) is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def age(then: datetime | None, now: datetime | None = None) -> str:
    """'3 min', '5 h', '2 d': how long ago, for headers and grids."""
    if then is None:
        return "never"
    seconds = max(0, int(((now or utcnow()) - as_utc(then)).total_seconds()))
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 90 * 60:
        return f"{seconds // 60} min"
    if seconds < 36 * 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"
