"""Search folders: the built-in set (with one per product family), saving and deleting the operator's own."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from sumtui.catalog.folders import (
    FolderError,
    all_folders,
    builtin_folders,
    delete_folder,
    families,
    save_folder,
    saved_folders,
)
from sumtui.catalog.models import SearchFolder
from sumtui.catalog.queries import UpdateFilter, count_updates
from tests.cvrf_builder import Fix, Vuln, month_doc, write


@pytest.fixture
def catalog(sqlite_site, tmp_path):
    from sumtui.catalog.sync import import_files

    windows = month_doc(2020, 11, {"11568": "Windows 10 Version 1809 for x64-based Systems", "10049": "Windows Server 2012"}, [
        Vuln("CVE-2020-17087", [Fix("4586793", ["11568"], subtype="Security Update"),
                                Fix("4586845", ["10049"], subtype="Monthly Rollup"),
                                Fix("4586808", ["10049"], subtype="Security Only")], severity="Important"),
    ])
    office = month_doc(2020, 12, {"9999": "Microsoft Office 2019"},
                       [Vuln("CVE-2020-17123", [Fix("4486750", ["9999"])], severity="Critical")], family="Microsoft Office")
    paths = []
    for name, doc in (("2020-Nov.json", windows), ("2020-Dec.json", office)):
        write(tmp_path / name, doc)
        paths.append(tmp_path / name)
    assert import_files(sqlite_site.engine, paths).status == "ok"
    return sqlite_site


def test_builtin_folders_include_one_per_family_present(catalog):
    with catalog.session() as session:
        names = [f.name for f in builtin_folders(session)]
        assert families(session) == ["Microsoft Office", "Windows"]
    assert names[:9] == ["All updates", "Released in the last 30 days", "Released in the last 90 days", "Critical",
                         "Important", "Superseded", "Expired", "Security Only", "Monthly Rollups"]
    assert names[9:] == ["Microsoft Office", "Windows"]


def test_builtin_folders_narrow_the_catalog(catalog):
    with catalog.session() as session:
        by_name = {f.name: f for f in builtin_folders(session)}

        def count(name):
            return count_updates(session, filter=by_name[name].filter)

        assert count("All updates") == 4
        assert count("Critical") == 1
        assert count("Security Only") == 1
        assert count("Monthly Rollups") == 1
        assert count("Windows") == 3
        assert count("Microsoft Office") == 1


def test_a_saved_folder_keeps_its_filter(catalog):
    flt = UpdateFilter(text="server", severity="Important", superseded=False)
    with catalog.session() as session:
        row = save_folder(session, name="  Servers   to patch ", filter=flt)
    assert row.name == "Servers to patch"
    with catalog.session() as session:
        saved = saved_folders(session)
        assert [(f.name, f.filter, f.builtin, f.folder_id) for f in saved] == [("Servers to patch", flt, False, row.id)]
        assert count_updates(session, filter=saved[0].filter) == 2
        assert all_folders(session)[-1].key == f"saved:{row.id}"


@pytest.mark.parametrize("name, problem", [("", "needs a name"), ("critical", "built-in"), ("x" * 201, "at most")])
def test_bad_names_are_refused(catalog, name, problem):
    with catalog.session() as session:
        with pytest.raises(FolderError, match=problem):
            save_folder(session, name=name, filter=UpdateFilter())
        assert session.exec(select(func.count()).select_from(SearchFolder)).one() == 0


def test_a_duplicate_name_is_refused_whatever_its_case(catalog):
    with catalog.session() as session:
        save_folder(session, name="Mine", filter=UpdateFilter())
        with pytest.raises(FolderError, match="already exists"):
            save_folder(session, name="MINE", filter=UpdateFilter(kb="1"))


def test_delete_removes_only_that_folder(catalog):
    with catalog.session() as session:
        keep = save_folder(session, name="Keep", filter=UpdateFilter())
        drop = save_folder(session, name="Drop", filter=UpdateFilter())
        assert delete_folder(session, folder_id=drop.id) == "Drop"
        assert [f.name for f in saved_folders(session)] == ["Keep"]
        with pytest.raises(FolderError, match="no saved folder"):
            delete_folder(session, folder_id=drop.id)
        assert keep.id is not None
