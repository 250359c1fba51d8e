"""Site database: migrations reach head on an empty database, the engine is set up per dialect."""

from sqlalchemy import inspect, text

from sumtui.db.migrate import current_revision, script_head
from sumtui.db.migrations_head import HEAD


def test_migrations_head_constant_matches_scripts():
    assert script_head() == HEAD


def test_empty_database_upgrades_to_head(site):
    assert current_revision(site.engine) == HEAD
    tables = set(inspect(site.engine).get_table_names())
    assert {"catalog_update", "cvrf_document", "product", "sync_run", "site_setting"} <= tables


def test_schema_matches_models(site):
    """No model change without a migration: autogenerate finds nothing to do at head."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from sumtui.db.schema import metadata

    with site.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata())
    assert diff == []


def test_sqlite_connections_have_wal_and_foreign_keys(sqlite_site):
    with sqlite_site.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_reopening_a_site_keeps_its_data(tmp_path):
    from sumtui.catalog import settings as up
    from sumtui.site import open_site

    url = f"sqlite:///{tmp_path / 'keep.db'}"
    first = open_site(url)
    with first.session() as session:
        up.save(session, up.UpdatePointSettings(start_month="2020-dec"))
    first.close()
    again = open_site(url)
    with again.session() as session:
        loaded, saved = up.load(session)
    assert saved and loaded.start_month == "2020-Dec"


def test_upgrade_from_first_schema_keeps_the_catalog(tmp_path, realdata):
    """A site created before the compliance tables existed upgrades without losing its updates."""
    from sqlmodel import Session, func, select

    from sumtui.catalog.models import Update
    from sumtui.catalog.sync import import_files
    from sumtui.db.engine import make_engine
    from sumtui.db.migrate import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, revision="0001")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO product (id, name) VALUES ('10483', 'Windows Server 2012 R2')"))
        conn.execute(text(
            "INSERT INTO catalog_update (kb, product_id, product, title, classification, severity_rank,"
            " cve_count, superseded, expired, search, digest) VALUES ('4592484', '10483',"
            " 'Windows Server 2012 R2', 't', 'Security Updates', 3, 1, 0, 0, '', '')"))
    upgrade(engine)
    assert current_revision(engine) == HEAD
    with Session(engine) as session:
        row = session.exec(select(Update)).one()
        assert (row.kb, row.role) == ("4592484", "other")
    import_files(engine, [realdata / "msrc" / "2020-Dec.cvrf.json"])
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Update)).one() == 123


def test_migrations_downgrade_and_upgrade_again(tmp_path):
    from sumtui.db.engine import make_engine
    from sumtui.db.migrate import alembic_config, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'roundtrip.db'}")
    upgrade(engine)
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == HEAD
