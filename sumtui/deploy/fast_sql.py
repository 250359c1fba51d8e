"""Statements of the state-message hot path, straight through the database driver.

The management point takes state messages in group-committed batches of a few reports each; at that
size SQLAlchemy's per-statement work (compiling, coercing every bound value) costs more than the
database itself (see db.engine.executemany, which compliance uses for the same reason). SQL here is
written with `?` placeholders and plain values; times go in as the dialect stores them (SQLite: the
naive UTC text SQLAlchemy writes; PostgreSQL: aware datetimes) and come back as aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from sumtui.db.engine import executemany

__all__ = ["executemany", "placeholders", "rows", "time_converter", "time_value"]


def placeholders(count: int) -> str:
    return ", ".join("?" * count)


def _sqlite(session: Session) -> bool:
    return session.connection().dialect.name == "sqlite"


def time_converter(session: Session):
    """A function giving a time as the dialect's driver takes it for a UTCDateTime column (the dialect
    looked up once, a time repeated converted once)."""
    sqlite = _sqlite(session)
    seen: dict[datetime, object] = {}

    def convert(value: datetime | None):
        if value is None:
            return None
        done = seen.get(value)
        if done is None:
            aware = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
            done = seen[value] = aware.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else aware
        return done

    return convert


def time_value(raw) -> datetime | None:
    """A time read back through the driver: aware UTC."""
    if raw is None:
        return None
    value = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def rows(session: Session, sql: str, params: tuple | list = ()) -> list[tuple]:
    """A SELECT through the driver (`?` placeholders), every row as a tuple."""
    connection = session.connection()
    if connection.dialect.paramstyle in ("format", "pyformat"):
        sql = sql.replace("?", "%s")
    return [tuple(r) for r in connection.exec_driver_sql(sql, tuple(params)).fetchall()]
