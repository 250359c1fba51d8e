"""Catalog months in the console as the operator meets them: a mirror folder whose months have no file
extension imports as the CLI would import it, a month id that is not one is refused before anything is
fetched, and the months an update appears in are listed in date order."""

from __future__ import annotations

import json

from sqlmodel import func, select

from sumtui.catalog.models import Document, SyncRun, Update
from sumtui.tui.screens.import_files import ImportScreen
from sumtui.tui.screens.sync import SyncScreen
from sumtui.tui.screens.updates import UpdatesScreen
from sumtui.tui.widgets.paged_table import PagedTable
from tests.catalog.xmldoc import to_xml
from tests.cvrf_builder import Fix, Vuln, month_doc, write
from tests.mirror import MirrorServer
from tests.tui.conftest import (
    december,
    grid_loaded,
    november,
    open_page,
    paste,
    text_of,
    type_text,
    wait_for,
)
from tests.tui.test_reevaluation import said


def counts(site) -> tuple[int, int, int]:
    """(months stored, updates, sync runs)."""
    with site.session() as session:
        return tuple(session.exec(select(func.count()).select_from(table)).one() for table in (Document, Update, SyncRun))


async def test_a_mirror_folder_imports_its_extensionless_months(console_site, make_app, tmp_path):
    # The mirror layout: cvrf/<ID> (JSON here, XML for December: the content says which) and cvrf/<ID>.xml.
    folder = tmp_path / "mirror" / "cvrf"
    folder.mkdir(parents=True)
    write(folder / "2020-Nov", november())
    (folder / "2020-Nov.xml").write_bytes(to_xml(november()))  # the same month again: imported once
    (folder / "2020-Dec").write_bytes(to_xml(december()))
    (folder / "README").write_text("Mirror of the MSRC CVRF API, refreshed nightly.\n")
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_page(app, pilot, "sync", SyncScreen)
        await pilot.press("i")
        dialog = app.screen
        assert isinstance(dialog, ImportScreen)
        await paste(pilot, str(folder))
        assert text_of(dialog.query_one("#import-preview")) == "2 file(s): 2020-Dec, 2020-Nov"
        assert text_of(dialog.query_one("#import-error")) == ""
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.job is None and counts(console_site)[2] == 1, what="the import")
        history = screen.query_one("#runs")
        await wait_for(pilot, grid_loaded(history, 1), what="the history row")
        assert history.get_row(0).cells[1:3] == ("import", "ok")
    assert counts(console_site) == (2, 5, 1)


async def test_a_folder_with_no_months_says_so(console_site, make_app, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "README").write_text("nothing to import here\n")
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_page(app, pilot, "sync", SyncScreen)
        await pilot.press("i")
        await paste(pilot, str(folder))
        await pilot.press("enter")
        assert isinstance(app.screen, ImportScreen)
        assert "no .json or .xml files or CVRF documents in" in text_of(app.screen.query_one("#import-error"))
    assert counts(console_site) == (0, 0, 0)


async def test_the_months_box_refuses_a_month_that_is_not_one(console_site, make_app):
    from sumtui.catalog import settings as update_point

    with MirrorServer() as mirror:
        mirror.put_index(["2020-Nov", "2020-Dec"])
        mirror.put_month("2020-Dec", december())
        with console_site.session() as session:
            update_point.save(session, update_point.UpdatePointSettings(url=mirror.url))
        app = make_app(console_site)
        async with app.run_test(size=(80, 24)) as pilot:
            messages = said(app)
            await open_page(app, pilot, "sync", SyncScreen)
            await pilot.press("slash")  # the months box
            await type_text(pilot, "2025-Fbe")
            await pilot.press("enter")
            await wait_for(pilot, lambda: any("2025-Fbe" in m for m in messages), what="the refusal")
            await wait_for(pilot, lambda: app.job is None, what="the job to end")
            assert any("'2025-Fbe' is not a month document like 2020-Dec" in m for m in messages), messages
            assert mirror.requests == []  # refused before anything was asked of the upstream
        assert counts(console_site) == (0, 0, 0)


async def test_the_months_of_an_update_are_in_date_order(console_site, make_app, tmp_path):
    # KB5001330 is first named in April 2021, then again in January 2021's document for a CVE listed first:
    # the order of the CVEs (or of the ids as text, "2021-Apr" < "2021-Jan") is not the months' order.
    products = {"11569": "Windows 10 Version 1809 for x64-based Systems"}
    january = month_doc(2021, 1, products, [Vuln("CVE-2021-26000", [Fix("5001330", ["11569"])])])
    april = month_doc(2021, 4, products, [Vuln("CVE-2021-1000", [Fix("5001330", ["11569"])]),
                                          Vuln("CVE-2021-1001", [Fix("5001330", ["11569"])])])
    may = month_doc(2021, 5, products, [Vuln("CVE-2021-0500", [Fix("5001330", ["11569"])])])
    from sumtui.catalog.sync import import_files

    paths = []
    for name, doc in (("2021-May.json", may), ("2021-Jan.json", january), ("2021-Apr.json", april)):
        (tmp_path / name).write_text(json.dumps(doc))
        paths.append(tmp_path / name)
    assert import_files(console_site.engine, paths).status == "ok"
    app = make_app(console_site)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_page(app, pilot, "updates", UpdatesScreen)
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid, 1), what="the update")
        await pilot.press("enter")
        detail = screen.query_one("#detail-text")
        await wait_for(pilot, lambda: "Months" in text_of(detail), what="the detail")
        assert "Months     2021-Jan, 2021-Apr, 2021-May" in text_of(detail)
