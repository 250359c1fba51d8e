"""A site with the four-month scenario catalog, shared by the compliance tests of a module."""

from __future__ import annotations

import pytest

from tests.compliance.scenario import write_months


@pytest.fixture
def catalog_site(tmp_path):
    from sumtui.catalog.sync import import_files
    from sumtui.site import open_site

    site = open_site(f"sqlite:///{tmp_path / 'site.db'}", content_dir=tmp_path / "content")
    run = import_files(site.engine, write_months(tmp_path / "months"))
    assert run.status == "ok", run.message
    yield site
    site.close()


@pytest.fixture
def view(catalog_site):
    from sumtui.compliance.view import load_view

    with catalog_site.session() as session:
        return load_view(session)
