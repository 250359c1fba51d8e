"""A package's files and updates a page at a time, as the console's package grids read them: a file two
products share is one row, problems come first, and every row says where it stands and why."""

from __future__ import annotations

from sumtui.deploy.package_download import WantedUpdate
from sumtui.deploy.packages import (
    count_package_files,
    count_package_updates,
    find_package,
    page_package_files,
    page_package_updates,
)
from tests.deploy.mucatalog import CU_X64, CU_X86
from tests.deploy.test_packages import PRODUCTS, add_updates, download, make, store  # noqa: F401 - store is a fixture


def test_files_and_updates_page_with_problems_first(sqlite_site, store, catalog):  # noqa: F811
    catalog.put_file(CU_X86.path, b"tampered" * 100)
    with sqlite_site.session() as session:
        add_updates(session, "4592440", PRODUCTS)
    make(sqlite_site, "December")
    wanted = [WantedUpdate("4592440", pid, name) for pid, name in sorted(PRODUCTS.items())] + [WantedUpdate("1111111")]
    result = download(sqlite_site, store, catalog, "December", wanted)
    assert not result.ok

    with sqlite_site.session() as session:
        package_id = find_package(session, name="december").id
        assert count_package_files(session, package_id=package_id) == 2  # the x64 file serves two products
        files = page_package_files(session, package_id=package_id)
        assert [(f.file_name, f.state) for f in files] == [(CU_X86.file_name, "quarantined"),
                                                           (CU_X64.file_name, "downloaded")]
        assert files[0].reason.startswith("hash mismatch: ") and files[1].reason is None
        assert (files[1].sha1, files[1].size, files[1].origin) == (CU_X64.sha1, len(CU_X64.data), "catalog")
        assert page_package_files(session, package_id=package_id, offset=1, limit=1) == files[1:]

        assert count_package_updates(session, package_id=package_id) == 4
        updates = page_package_updates(session, package_id=package_id)
        assert [(u.kb, u.product_id, u.state, u.files) for u in updates] == [
            ("1111111", "", "failed", 0), ("4592440", "11568", "incomplete", 1), ("4592440", "11569", "downloaded", 1),
            ("4592440", "11571", "downloaded", 1)]
        assert "the catalog has no update for it" in updates[0].reason
        assert "hash mismatch" in updates[1].reason and updates[1].product == PRODUCTS["11568"]
        assert page_package_updates(session, package_id=package_id, offset=3, limit=5) == updates[3:]


def test_an_empty_package_has_no_rows(sqlite_site):
    make(sqlite_site, "Empty")
    with sqlite_site.session() as session:
        package_id = find_package(session, name="Empty").id
        assert count_package_files(session, package_id=package_id) == 0
        assert page_package_files(session, package_id=package_id) == []
        assert count_package_updates(session, package_id=package_id) == 0
