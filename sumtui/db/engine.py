"""Engine factory: the only place that knows which database dialect a site runs on.

SQLite gets WAL, foreign keys and a busy timeout on every connection; PostgreSQL takes any
SQLAlchemy URL. Nothing here runs at import time.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Keep the write-ahead log small while the console reads (DESIGN.md §5).
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 1000
SQLITE_JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024


class DriverMissing(Exception):
    """The database driver for this URL is not installed; the message says what to install."""


def normalize_url(url: str) -> str:
    """Accept a bare file path or `postgresql://` and return a full SQLAlchemy URL."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url if isinstance(engine_or_url, str) else str(engine_or_url.url)
    return url.startswith("sqlite")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    url = normalize_url(url)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(url, echo=echo, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        # The PostgreSQL driver is an extra: say which one, not just "No module named 'psycopg'".
        if exc.name and exc.name.split(".")[0] in ("psycopg", "psycopg2"):
            raise DriverMissing(
                f"a {make_url(url).get_backend_name()} site needs its driver: pip install 'sumtui[postgres]' "
                f"(with ./dev: .venv/bin/pip install -e '.[postgres]')"
            ) from None
        raise


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT_PAGES}")
    cursor.execute(f"PRAGMA journal_size_limit={SQLITE_JOURNAL_SIZE_LIMIT}")
    cursor.close()


def dialect_insert(engine_or_session, table):
    """An INSERT that supports `on_conflict_do_update/nothing` on the site's dialect."""
    bind = engine_or_session.get_bind() if hasattr(engine_or_session, "get_bind") else engine_or_session
    if bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def upsert(session, table, rows: list[dict], *, keys: list, update: list[str]) -> None:
    """Insert `rows`; a row whose `keys` (columns) are already there takes the new values of `update`."""
    statement = dialect_insert(session, table).values(rows)
    session.execute(statement.on_conflict_do_update(
        index_elements=keys, set_={name: statement.excluded[name] for name in update}))


def executemany(session, sql: str, rows: list[tuple]) -> None:
    """Run one statement (written with `?` placeholders) for many rows straight through the driver.

    For the few hot tables (compliance states) SQLAlchemy's per-row parameter processing costs more
    than the database itself; values must already be plain ints and strings.
    """
    if not rows:
        return
    connection = session.connection() if hasattr(session, "connection") else session
    if connection.dialect.paramstyle in ("format", "pyformat"):
        sql = sql.replace("?", "%s")
    connection.exec_driver_sql(sql, rows)
