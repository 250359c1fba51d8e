"""Deployment packages in the console, by keys: the Download wizard (package → source → languages →
summary) against a loopback Microsoft Update Catalog, the download running as a job in the content lane
beside an import, with its progress on the page and in the header, cancelled and done again; a folder
as the source; a package's files with their state and why, and its updates; outside text shown as text."""

from __future__ import annotations

import asyncio
import threading

from sqlmodel import select

from sumtui.catalog.models import Update
from sumtui.catalog.runs import list_runs
from sumtui.deploy import lists
from sumtui.deploy.content.store import ContentStore
from sumtui.deploy.content.urls import UrlPolicy
from sumtui.deploy.models import PackageFile, PackageUpdate
from sumtui.deploy.package_download import CatalogSource, WantedUpdate, download_package
from sumtui.deploy.packages import create_package, list_packages, package_detail
from sumtui.timeutil import utcnow
from sumtui.tui.screens.confirm import ConfirmScreen
from sumtui.tui.screens.download_wizard import DownloadWizardScreen
from sumtui.tui.screens.import_files import ImportScreen
from sumtui.tui.screens.list_detail import ListDetailScreen
from sumtui.tui.screens.lists import ListsScreen
from sumtui.tui.screens.package_detail import PackageDetailScreen
from sumtui.tui.screens.packages import PackagesScreen
from sumtui.tui.screens.sync import SyncScreen
from sumtui.tui.widgets.paged_table import PagedTable
from tests.deploy.catalog_server import CatalogServer
from tests.deploy.mucatalog import CU_DIALOGS, CU_ROWS, CU_X64, serve
from tests.hostile_site import HOSTILE, PRODUCT, SHOWN, build_site
from tests.tui.conftest import (
    WIN10,
    grid_loaded,
    grid_rows,
    open_page,
    paste,
    text_of,
    type_text,
    wait_for,
)
from tests.tui.test_hostile_text import assert_safe


def packages(site) -> dict:
    with site.session() as session:
        return {p.name: p for p in list_packages(session)}


def runs(site) -> int:
    with site.session() as session:
        return len(list_runs(session))


def header_job(app) -> str:
    return text_of(app.screen.query_one("#header-job"))


async def wizard_to_summary(app, pilot, *, package: str, kbs: str, catalog_url: str) -> DownloadWizardScreen:
    """d, then every step of the wizard by keys, up to its summary."""
    await pilot.press("d")
    await wait_for(pilot, lambda: isinstance(app.screen, DownloadWizardScreen), what="the wizard")
    wizard = app.screen
    await type_text(pilot, package)
    await pilot.press("tab", "tab")  # past the list picker to the KBs
    await type_text(pilot, kbs)
    await pilot.press("enter")  # step 2: the source, the catalog by default
    await pilot.press("tab", "ctrl+u")
    await paste(pilot, catalog_url)
    await pilot.press("tab")
    await paste(pilot, catalog_url)  # catalog files come from the loopback server, as from a mirror
    await pilot.press("ctrl+n", "ctrl+n")  # step 3 (the site's languages), step 4
    await wait_for(pilot, lambda: wizard.request is not None, what="the summary")
    return wizard


async def test_download_wizard_runs_beside_an_import_cancels_and_completes(catalog_site, make_app, tmp_path):
    from tests.tui.conftest import write_months

    months = write_months(tmp_path / "again")
    gate = threading.Event()
    with CatalogServer() as server:
        serve(server, "4592440", CU_ROWS, CU_DIALOGS)
        server.hold(CU_X64.path, gate)  # the file is on its way until the test lets it through
        app = make_app(catalog_site)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            screen = await open_page(app, pilot, "packages", PackagesScreen)
            grid = screen.query_one("#grid", PagedTable)
            await wait_for(pilot, lambda: "No deployment package yet" in text_of(screen.query_one("#packages-status")))
            wizard = await wizard_to_summary(app, pilot, package="December", kbs="KB4592440", catalog_url=server.url)
            summary = text_of(wizard.query_one("#wizard-summary"))
            assert "Package:    December (new: created when the download starts)" in summary
            assert "Updates:    KB4592440" in summary and "Languages:  English" in summary
            assert f"files from the mirror {server.url}" in summary
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, PackagesScreen), what="the wizard closed")

            panel = screen.query_one("#download-panel")
            await wait_for(pilot, lambda: panel.display and "downloading 0/1 files" in header_job(app),
                           what="the download in flight")
            assert "Downloading 0/1 files" in text_of(panel.query_one(".download-title"))
            assert "Package December: 0 of 1 files" in text_of(panel.query_one(".download-counts"))
            await wait_for(pilot, lambda: grid_rows(grid) and grid_rows(grid)[0][5] == "○ incomplete",
                           what="the new package, incomplete")

            # A catalog import runs beside the download: another lane.
            imports = runs(catalog_site)
            await open_page(app, pilot, "sync", SyncScreen)
            await pilot.press("i")
            await wait_for(pilot, lambda: isinstance(app.screen, ImportScreen), what="the import form")
            await paste(pilot, " ".join(str(m) for m in months))
            await pilot.press("enter")
            await wait_for(pilot, lambda: runs(catalog_site) == imports + 1 and app.job is None, what="the import done")
            assert [job.kind for job in app.jobs] == ["download"]  # still on its way

            screen = await open_page(app, pilot, "packages", PackagesScreen)
            await pilot.press("c")
            gate.set()
            await wait_for(pilot, lambda: not app.jobs, what="the download's end")
            await wait_for(pilot, lambda: any(n.message.startswith("Download cancelled: package 'December'")
                                              for n in app._notifications), what="the notice")
            assert packages(catalog_site)["December"].updates == 2  # made by the wizard's first run, kept

            server.clear(CU_X64.path)
            wizard = await wizard_to_summary(app, pilot, package="december", kbs="KB4592440", catalog_url=server.url)
            await wait_for(pilot, lambda: "Package:    December\n" in text_of(wizard.query_one("#wizard-summary")),
                           what="the existing package named as it is spelled")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: not app.jobs and packages(catalog_site)["December"].complete,
                           what="the package complete")
            grid = screen.query_one("#grid", PagedTable)
            await wait_for(pilot, lambda: grid_rows(grid) and grid_rows(grid)[0][5] == "✔ complete", what="its row")
            assert grid_rows(grid)[0][:4] == ("December", "2", "1", "1")  # two products share one file
            assert any(n.message.startswith("Download ok: package 'December': 2 of 2 update(s) complete")
                       for n in app._notifications)
    store = ContentStore(catalog_site.content_dir)
    assert [sha1 for sha1, _ in store.stored()] == [CU_X64.sha1]


async def test_a_folder_source_and_a_wizard_that_says_what_is_missing(catalog_site, make_app, tmp_path):
    folder = tmp_path / "wsus"
    folder.mkdir()
    (folder / CU_X64.file_name).write_bytes(CU_X64.data)
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_page(app, pilot, "packages", PackagesScreen)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DownloadWizardScreen), what="the wizard")
        wizard = app.screen
        error = wizard.query_one("#wizard-error")
        await pilot.press("ctrl+n")
        assert error.display and "a package needs a name" in text_of(error)
        await type_text(pilot, "Offline")
        await pilot.press("ctrl+n", "down", "enter")  # step 2: a folder
        assert "Chosen: a folder" in text_of(wizard.query_one("#wizard-source-chosen"))
        await pilot.press("ctrl+n")
        assert "which updates? pick an update list or type KBs" in text_of(error)
        await pilot.press("escape")  # back to step 1
        await pilot.press("tab", "tab")
        await type_text(pilot, "KB4592440@11568")
        await pilot.press("ctrl+n", "ctrl+n")
        assert "not a folder: (empty)" in text_of(error)
        await pilot.press("tab")  # from the radio set, past the hidden catalog fields, to the folder
        assert wizard.focused.id == "wizard-folder"
        await paste(pilot, str(folder))
        await pilot.press("ctrl+n")
        assert "Languages choose only among the catalog's files" in text_of(wizard.query_one("#wizard-languages-note"))
        await pilot.press("ctrl+n")
        summary = text_of(wizard.query_one("#wizard-summary"))
        assert f"Source:     the folder {folder}" in summary and "KB4592440@11568" in summary
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Offline" in packages(catalog_site) and packages(catalog_site)["Offline"].complete,
                       what="the package complete")
    with catalog_site.session() as session:
        detail = package_detail(session, name="Offline")
    assert [(u["kb"], u["product_id"], u["state"]) for u in detail["updates"]] == [("4592440", "11568", "downloaded")]
    assert [(f["file_name"], f["origin"]) for f in detail["files"]] == [(CU_X64.file_name, "folder")]


async def test_a_package_shows_each_file_and_update_with_its_state_and_why(catalog_site, make_app):
    with CatalogServer() as server:
        serve(server, "4592440", CU_ROWS, CU_DIALOGS)
        server.put_file(CU_X64.path, b"tampered" * 100)  # the x64 file's bytes do not match its digest
        def setup():
            # Windows 10 x64 (its file tampered with on the server) and a KB the catalog does not have.
            with catalog_site.session() as session:
                create_package(session, name="Mixed")
                session.commit()
                return download_package(
                    session, store=ContentStore(catalog_site.content_dir), name="Mixed", backoff=0,
                    wanted=[WantedUpdate("4592440", "11568", WIN10), WantedUpdate("1234567")],
                    source=CatalogSource(catalog_url=server.url), policy=UrlPolicy(content_url=server.url))

        result = await asyncio.to_thread(setup)  # the download runs its own event loop: not in the test's
        assert not result.ok
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_page(app, pilot, "packages", PackagesScreen)
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid, 1), what="the package")
        assert grid_rows(grid)[0][5] == "✖ quarantined"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PackageDetailScreen), what="the package's page")
        detail = app.screen
        files = detail.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(files, 1), what="its file")
        [row] = grid_rows(files)
        assert row[:3] == ("KB4592440", CU_X64.file_name, "✖ quarantined") and row[4].startswith("hash mismatch: ")
        await wait_for(pilot, lambda: "quarantined: hash mismatch" in text_of(detail.query_one("#package-row")))
        assert f"SHA-1 {CU_X64.sha1}" in text_of(detail.query_one("#package-row"))
        assert "1 file · problems first · u: its updates" in text_of(detail.query_one("#package-view"))

        await pilot.press("u")
        updates = detail.query_one("#updates-grid", PagedTable)
        await wait_for(pilot, grid_loaded(updates, 2), what="its updates")
        rows = grid_rows(updates)
        assert [r[:5] for r in rows] == [("KB1234567", "every product", "catalog", "✖ failed", "0"),
                                         ("KB4592440", WIN10, "catalog", "○ incomplete", "1")]
        assert "the catalog has no update for it" in rows[0][5] and "hash mismatch" in rows[1][5]
        assert updates.has_focus
        await pilot.press("u")
        assert files.display and not updates.display


async def test_delete_a_package_names_what_goes_and_what_stays(catalog_site, make_app):
    with catalog_site.session() as session:
        create_package(session, name="Old", description="last year")
        session.commit()
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_page(app, pilot, "packages", PackagesScreen)
        await wait_for(pilot, grid_loaded(screen.query_one("#grid", PagedTable), 1), what="the package")
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        assert text_of(app.screen.query_one("#confirm-question")) == (
            "Delete the package 'Old' (0 update(s), 0 file(s), 0 B)? Its files stay in the content store until "
            "`sumtui content cleanup`; other packages keep theirs.")
        await pilot.press("y")
        await wait_for(pilot, lambda: packages(catalog_site) == {}, what="the deletion")


async def test_a_read_only_console_lists_packages_only(catalog_site, make_app):
    with catalog_site.session() as session:
        create_package(session, name="Kept")
        session.commit()
    app = make_app(catalog_site, readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_page(app, pilot, "packages", PackagesScreen)
        await wait_for(pilot, grid_loaded(screen.query_one("#grid", PagedTable), 1), what="the package")
        await pilot.press("d", "n", "delete")
        assert app.screen is screen and set(packages(catalog_site)) == {"Kept"}
        keys = {b.binding.action for b in screen.active_bindings.values()}
        assert not keys & {"download", "new", "delete"}


async def test_outside_text_in_a_list_and_a_package_is_shown_as_text(console_site, make_app, tmp_path):
    """A hostile product name (the catalog's text) in a list's confirmation, and a hostile reason (a server's
    words) in a package's files: literal, control characters written out, nothing raw to the terminal."""
    build_site(console_site.url, tmp_path / "hostile", hostile=True)
    with console_site.session() as session:
        hostile = session.exec(select(Update).where(Update.product == PRODUCT, Update.kb == "4592440")).one()
        lists.create_list(session, name="Odd", update_ids=[hostile.id])
        package = create_package(session, name="Odd files")
        row = PackageUpdate(package_id=package.id, kb="4592440", product_id="77777", product=PRODUCT,
                            state="incomplete", reason="1 of 1 file(s) not downloaded", updated_at=utcnow())
        session.add(row)
        session.flush()
        session.add(PackageFile(package_id=package.id, package_update_id=row.id, kb="4592440", file_name="a.msu",
                                sha1="a" * 40, state="missing", reason="HTTP 500 " + HOSTILE, updated_at=utcnow()))
        session.commit()
    app = make_app(console_site)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_page(app, pilot, "lists", ListsScreen)
        await wait_for(pilot, grid_loaded(screen.query_one("#grid", PagedTable), 1), what="the list")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ListDetailScreen), what="the list's page")
        await wait_for(pilot, grid_loaded(app.screen.query_one("#grid", PagedTable), 1), what="its update")
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        await pilot.pause()
        assert_safe(app, ("Remove KB4592440 (Hostile " + SHOWN)[:60])  # the rest wraps onto the next line

        await pilot.press("n")
        screen = await open_page(app, pilot, "packages", PackagesScreen)
        await wait_for(pilot, grid_loaded(screen.query_one("#grid", PagedTable), 1), what="the package")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PackageDetailScreen), what="the package's page")
        detail = app.screen
        await wait_for(pilot, grid_loaded(detail.query_one("#grid", PagedTable), 1), what="its file")
        await wait_for(pilot, lambda: "HTTP 500" in text_of(detail.query_one("#package-row")), what="the row's detail")
        await pilot.pause()
        assert_safe(app, "○ missing: HTTP 500 " + SHOWN)
        await pilot.press("u")
        await wait_for(pilot, grid_loaded(detail.query_one("#updates-grid", PagedTable), 1), what="its update")
        await pilot.pause()
        assert_safe(app, "Hostile " + SHOWN[:40])
