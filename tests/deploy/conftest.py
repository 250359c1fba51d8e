"""Shared fixtures of the deploy tests: a loopback Update Catalog serving two KBs' pages and files."""

from __future__ import annotations

import pytest

from tests.deploy.catalog_server import CatalogServer
from tests.deploy.mucatalog import (
    CU_DIALOGS,
    CU_ROWS,
    OFFICE_DIALOG,
    OFFICE_KB,
    OFFICE_ROW,
    serve,
)


@pytest.fixture
def catalog():
    """KB4592440 (three rows, a file each) and an Office KB (one row, a file per language)."""
    with CatalogServer() as server:
        serve(server, "4592440", CU_ROWS, CU_DIALOGS)
        serve(server, OFFICE_KB, [OFFICE_ROW], [OFFICE_DIALOG])
        yield server


@pytest.fixture
def fleet_site(catalog_site):
    """The scenario catalog with three clients (tests/deploy/fleet_fixture.py); yields (site, name → id)."""
    from tests.deploy.fleet_fixture import build_fleet

    with catalog_site.session() as session:
        ids = build_fleet(session)
        session.commit()
    return catalog_site, ids
