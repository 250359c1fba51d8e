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

    from sumtui.site import schema_metadata

    with site.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), schema_metadata())
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


def test_a_postgresql_site_without_its_driver_says_what_to_install(monkeypatch):
    import builtins

    from sumtui.site import SiteError, open_site

    real_import = builtins.__import__

    def no_psycopg(name, *args, **kwargs):
        if name.split(".")[0] == "psycopg":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_psycopg)
    import pytest

    with pytest.raises(SiteError) as caught:
        open_site("postgresql://nobody@127.0.0.1:1/none")
    assert "pip install 'sumtui[postgres]'" in str(caught.value)


def _old_client(conn, client_id: int, name: str) -> None:
    """A client row as revision 0002 stored it: its key was str.upper() of its name."""
    conn.execute(text(
        "INSERT INTO client (id, name, name_key, source, installed_kbs, reported_products, tags, created_at,"
        " out_of_support, report_serial, needs_full_resend, required_count, installed_count, failed_count,"
        " critical_missing, important_missing, states) VALUES (:id, :name, :key, 'imported', '', '[]', '[]',"
        " '2026-01-01 00:00:00', 0, 0, 0, 0, 0, 0, 0, 0, '')"), {"id": client_id, "name": name, "key": name.strip().upper()})


def test_0003_compares_host_names_the_way_windows_does(tmp_path, caplog):
    from sumtui.db.engine import make_engine
    from sumtui.db.migrate import alembic_config, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'keys.db'}")
    upgrade(engine, revision="0002")
    with engine.begin() as conn:
        _old_client(conn, 1, "SRV01")
        _old_client(conn, 2, "straße")        # was "STRASSE": now its own "STRAßE"
        _old_client(conn, 3, "ＳＲＶ01")       # full width: now compares equal to SRV01, created later
        _old_client(conn, 4, "ｐｃ-7")         # full width, alone: takes "PC-7"
        _old_client(conn, 5, "ſrv09")         # long s: str.upper() already gave "SRV09"
        conn.execute(text("INSERT INTO cvrf_document (id, upstream_revision, vulnerabilities, updates)"
                          " VALUES ('2018-Nov', '2024-05-14T07:00:00', 1, 1), ('2020-Dec', '2020-12-08T08:00:00', 1, 1)"))
        conn.execute(text("INSERT INTO product (id, name) VALUES ('11569', 'Windows 10 Version 1809 for x64-based Systems')"))
        conn.execute(text(
            "INSERT INTO catalog_update (id, kb, product_id, product, title, classification, severity_rank, cve_count,"
            " superseded, expired, search, digest, role) VALUES (1, '5011570', '11569', 'w', 't', 'Security Updates',"
            " 4, 1, 0, 0, '', '', 'ssu')"))
        conn.execute(text("INSERT INTO update_source (update_id, document, cve, supersedes)"
                          " VALUES (1, '2018-Nov', 'ADV990001', ''), (1, '2020-Dec', 'CVE-2020-17095', '')"))
    with caplog.at_level("WARNING", logger="sumtui.migrations"):
        upgrade(engine)
    with engine.connect() as conn:
        keys = dict(conn.execute(text("SELECT id, name_key FROM client")).all())
        revisions = dict(conn.execute(text("SELECT id, upstream_revision FROM cvrf_document")).all())
        assert conn.execute(text("SELECT cve_revised FROM update_source")).all() == [(None,), (None,)]
    assert keys == {1: "SRV01", 2: "STRAßE", 3: "ＳＲＶ01", 4: "PC-7", 5: "SRV09"}
    assert "'ＳＲＶ01' (id 3) keeps its key" in caplog.text and "client id 1" in caplog.text
    # The document hosting ADV990001 is fetched again by the next sync (its advisory dates its KBs), and
    # the derived data, computed by the earlier rules, is redone by the next sync or import.
    assert revisions == {"2018-Nov": None, "2020-Dec": "2020-12-08T08:00:00"}
    from sqlmodel import Session

    from sumtui.catalog.versions import derived_pending

    with Session(engine) as session:
        assert derived_pending(session)

    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    with engine.connect() as conn:
        keys = dict(conn.execute(text("SELECT id, name_key FROM client")).all())
    assert keys == {1: "SRV01", 2: "STRASSE", 3: "ＳＲＶ01", 4: "ＰＣ-7", 5: "SRV09"}


def test_upgrade_hashes_a_plaintext_enrollment_key_and_keeps_the_clients(tmp_path):
    """A site from before 0004 stored its enrollment key as it is: after the upgrade only its hash is
    left, the key agents already use still works, and the clients and their tokens are untouched."""
    import json

    from sqlmodel import Session, select

    from sumtui.db.engine import make_engine
    from sumtui.db.migrate import upgrade
    from sumtui.fleet.enrollment import (
        enrollment_key_matches,
        has_enrollment_key,
        hash_token,
    )
    from sumtui.fleet.models import Client, PendingRegistration

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, revision="0003")
    key = "Xq3v-plaintext-enrollment-key-7Hc2"
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO site_setting (key, value, saved_at) VALUES ('enrollment', :v, '2026-11-30 10:00:00')"),
                     {"v": json.dumps({"key": key})})
        for cid, name in ((1, "SRV-01"), (2, "WS-0042")):
            conn.execute(text(
                "INSERT INTO client (id, name, name_key, source, installed_kbs, reported_products, tags, created_at,"
                " out_of_support, token_hash, report_serial, needs_full_resend, required_count, installed_count,"
                " failed_count, critical_missing, important_missing, states)"
                " VALUES (:id, :name, :key, 'agent', '5005030', '[]', '[]', '2026-11-01 00:00:00', 0, :token, 7, 0,"
                " 2, 1, 0, 1, 1, '')"), {"id": cid, "name": name, "key": name, "token": hash_token(f"token-{cid}")})
    upgrade(engine)
    assert current_revision(engine) == HEAD
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT value FROM site_setting WHERE key = 'enrollment'")).scalar()
    assert key not in stored
    assert json.loads(stored)["key_hash"] == hash_token(key)
    with Session(engine) as session:
        assert has_enrollment_key(session) and enrollment_key_matches(session, key)
        clients = session.exec(select(Client).order_by(Client.id)).all()
        assert [(c.name, c.report_serial, c.required_count, c.registration_reset_at) for c in clients] == [
            ("SRV-01", 7, 2, None), ("WS-0042", 7, 2, None)]
        assert clients[0].token_hash == hash_token("token-1")
        assert session.exec(select(PendingRegistration)).all() == []
    engine.dispose()
