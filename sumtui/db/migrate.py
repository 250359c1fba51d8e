"""Schema migrations: upgrade a site database to the newest schema without losing anything.

Opening a site checks the stored revision first (one cheap query) and runs Alembic only when the
schema is behind, so starting the console stays fast.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect, text

from sumtui.db.migrations_head import HEAD

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        # ConfigParser interpolates "%": escape it (PostgreSQL URLs carry %3D in their options).
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def script_head() -> str | None:
    """The head revision according to the migration scripts themselves."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, *, revision: str = "head") -> None:
    if revision == "head" and current_revision(engine) == HEAD:
        return  # the common case: no Alembic import at all (start-up time)
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
