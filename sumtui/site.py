"""Opening a site: resolve its database URL and folders, create the engine, bring the schema to head.

A site is one database (SQLite file by default, any SQLAlchemy URL with --db or SUMTUI_DB) plus a
content folder. The CLI, the console, the server and the tests all open sites through here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from sumtui import config as local_config
from sumtui.db.engine import is_sqlite, make_engine, normalize_url
from sumtui.db.migrate import upgrade
from sumtui.errors import one_line


class SiteError(Exception):
    """The site database cannot be opened or upgraded."""


@dataclass
class Site:
    url: str
    engine: Engine
    content_dir: Path
    name: str

    def session(self) -> Session:
        # Objects stay readable after commit: workers hand them to the console thread.
        return Session(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()


def resolve_url(db: str | None = None) -> str:
    """--db wins, then SUMTUI_DB, then the config file, then the default site in the data folder."""
    if db:
        return normalize_url(db)
    if os.environ.get("SUMTUI_DB"):
        return normalize_url(os.environ["SUMTUI_DB"])
    return normalize_url(local_config.load().database_url())


def site_name(url: str) -> str:
    if is_sqlite(url):
        path = Path(url.split(":///", 1)[-1])
        return path.parent.name if path.name == "site.db" else path.stem
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return f"{parsed.database}@{parsed.host or 'local'}"


def open_site(db: str | None = None, *, content_dir: Path | None = None, migrate: bool = True) -> Site:
    url = resolve_url(db)
    try:
        engine = make_engine(url)
        if migrate:
            upgrade(engine)
    except Exception as exc:  # any driver error: report it as a site problem, one line
        raise SiteError(f"cannot open the site database {_safe(url)}: {one_line(exc)}") from exc
    if content_dir is None:
        content_dir = content_dir_for(url)
    return Site(url=url, engine=engine, content_dir=content_dir, name=site_name(url))


def content_dir_for(url: str) -> Path:
    """The configured content folder, else one beside a SQLite file, else the default site's."""
    cfg = local_config.load()
    if cfg.content_dir:
        return cfg.content_path()
    database = url.split(":///", 1)[-1] if is_sqlite(url) else ""
    if database and database != ":memory:":
        return Path(database).parent / "content"
    return cfg.content_path()


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def schema_metadata():
    """Every table of a site, from every package's models: what the migrations must produce (the
    schema test and `scripts/new_migration.py` compare them)."""
    import sumtui.catalog.models  # noqa: F401
    import sumtui.compliance.models  # noqa: F401
    import sumtui.db.site_settings  # noqa: F401
    import sumtui.deploy.models  # noqa: F401
    import sumtui.fleet.models  # noqa: F401
    from sqlmodel import SQLModel

    return SQLModel.metadata
