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
