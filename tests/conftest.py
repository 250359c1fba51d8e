"""Shared fixtures: isolated folders for every test, and sites on SQLite (always) and PostgreSQL
(when SUMTUI_TEST_PG_URL is set, each test in a schema of its own)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
PG_URL = os.environ.get("SUMTUI_TEST_PG_URL")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """No test reads or writes the real user folders or picks up the developer's SUMTUI_* settings."""
    for name in list(os.environ):
        if name.startswith("SUMTUI_") and name != "SUMTUI_TEST_PG_URL":
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                     ("XDG_STATE_HOME", ".local/state"), ("XDG_CACHE_HOME", ".cache")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    return home


def _pg_schema_url(base: str, schema: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL schema for one test, dropped afterwards; skipped without a server."""
    if not PG_URL:
        pytest.skip("SUMTUI_TEST_PG_URL is not set: no PostgreSQL leg")
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(PG_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Database URL for tests that must pass on every supported dialect."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'site.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def site(db_url, tmp_path):
    from sumtui.site import open_site

    opened = open_site(db_url, content_dir=tmp_path / "content")
    yield opened
    opened.close()


@pytest.fixture
def sqlite_site(tmp_path):
    from sumtui.site import open_site

    opened = open_site(f"sqlite:///{tmp_path / 'site.db'}", content_dir=tmp_path / "content")
    yield opened
    opened.close()


@pytest.fixture
def realdata():
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not present")
    return REALDATA


@pytest.fixture
def catalog_site(tmp_path):
    """A SQLite site holding the four-month compliance scenario catalog (tests/compliance/scenario.py)."""
    from sumtui.catalog.sync import import_files
    from sumtui.site import open_site
    from tests.compliance.scenario import write_months

    opened = open_site(f"sqlite:///{tmp_path / 'site.db'}", content_dir=tmp_path / "content")
    run = import_files(opened.engine, write_months(tmp_path / "months"))
    assert run.status == "ok", run.message
    yield opened
    opened.close()


@pytest.fixture
def view(catalog_site):
    from sumtui.compliance.view import load_view

    with catalog_site.session() as session:
        return load_view(session)
