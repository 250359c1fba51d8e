"""Alembic environment: runs on the connection sumtui hands over (see sumtui/db/migrate.py)."""

from alembic import context

config = context.config
# The models' metadata is needed only to autogenerate a migration (scripts/new_migration.py hands it
# over); upgrading a site runs the scripts alone, so the db layer imports no domain models.
target_metadata = config.attributes.get("target_metadata")


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from sumtui.db.engine import make_engine

        engine = make_engine(config.get_main_option("sqlalchemy.url"))
        with engine.connect() as connection:
            _run(connection)
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("sumtui migrations run online only")
run_migrations_online()
