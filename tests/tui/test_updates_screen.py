"""The updates screen by keys: search, folders, sort, detail, saved folders and export."""

from __future__ import annotations

import json

from sqlmodel import select

from sumtui.catalog.folders import save_folder
from sumtui.catalog.models import SearchFolder
from sumtui.catalog.queries import UpdateFilter
from sumtui.tui.screens.confirm import ConfirmScreen
from sumtui.tui.screens.prompt import PromptScreen
from sumtui.tui.screens.updates import UpdatesScreen
from sumtui.tui.widgets.folder_list import FolderList
from sumtui.tui.widgets.paged_table import PagedTable
from tests.tui.conftest import paste, text_of, type_text, wait_for


def rows(grid: PagedTable) -> list[tuple]:
    return [tuple(str(c) for c in grid.get_row(i).cells) for i in range(grid.row_count or 0) if grid.get_row(i)]


def loaded(grid: PagedTable, count: int | None = None):
    def check() -> bool:
        if grid.row_count is None or (count is not None and grid.row_count != count):
            return False
        return grid.row_count == 0 or grid.get_row(0) is not None

    return check


async def open_updates(app, pilot) -> tuple[UpdatesScreen, PagedTable]:
    await pilot.press("colon")
    await type_text(pilot, "updates")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, UpdatesScreen), what="the updates screen")
    screen = app.screen
    grid = screen.query_one("#grid", PagedTable)
    await wait_for(pilot, loaded(grid, 5), what="all 5 updates")
    return screen, grid


def detail_text(screen) -> str:
    return text_of(screen.query_one("#detail-text"))


async def test_search_as_you_type_narrows_the_rows(catalog_site, make_app):
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, grid = await open_updates(app, pilot)
        await pilot.press("slash")
        assert app.focused is screen.query_one("#search")
        await type_text(pilot, "server")
        await wait_for(pilot, loaded(grid, 2), what="the server rows")
        assert {r[1] for r in rows(grid)} == {"Windows Server 2019"}
        await type_text(pilot, " 4592440")
        await wait_for(pilot, loaded(grid, 1), what="one row")
        assert rows(grid)[0][0] == "KB4592440"
        assert text_of(screen.query_one("#updates-status")).startswith("1 update ·")
        assert screen.search_latencies  # measured for the benchmark
        await pilot.press("escape")
        assert app.focused is grid and isinstance(app.screen, UpdatesScreen)  # esc leaves the input first


async def test_a_builtin_folder_narrows_the_rows(catalog_site, make_app):
    app = make_app(catalog_site)
    async with app.run_test(size=(120, 36)) as pilot:
        screen, grid = await open_updates(app, pilot)
        folders = screen.query_one("#folders", FolderList)
        await wait_for(pilot, lambda: folders.option_count > 10, what="the folder list")
        folders.focus()
        await pilot.press("g", "j", "j", "j")  # All, last 30, last 90, Critical
        assert folders.highlighted_folder.name == "Critical"
        await pilot.press("enter")
        await wait_for(pilot, loaded(grid, 3), what="the critical updates")
        assert {r[3] for r in rows(grid)} == {"Critical"}
        assert "Critical" in text_of(screen.query_one("#updates-status"))


async def test_sorting_by_keys_reorders_the_rows(catalog_site, make_app):
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, grid = await open_updates(app, pilot)
        grid.focus()
        await pilot.press("s")  # next sortable column after "released": CVEs, a count: largest first
        await wait_for(pilot, lambda: screen.sort == "cves" and screen.descending and loaded(grid, 5)(),
                       what="sort by CVEs")
        counts = [int(r[5]) for r in rows(grid)]
        assert counts == sorted(counts, reverse=True) and counts[0] == 2
        await pilot.press("S")
        await wait_for(pilot, lambda: not screen.descending and loaded(grid, 5)() and int(rows(grid)[-1][5]) == 2,
                       what="ascending")
        assert [int(r[5]) for r in rows(grid)] == sorted(counts)


async def test_the_detail_pane_shows_cves_and_supersedence_both_ways(catalog_site, make_app):
    app = make_app(catalog_site)
    async with app.run_test(size=(120, 36)) as pilot:
        screen, grid = await open_updates(app, pilot)
        await pilot.press("slash")
        await type_text(pilot, "kb4592440 server")
        await wait_for(pilot, loaded(grid, 1))
        await pilot.press("enter")  # to the grid
        await wait_for(pilot, lambda: "CVE-2020-17095" in detail_text(screen), what="the detail")
        text = detail_text(screen)
        assert "Hyper-V Remote Code Execution Vulnerability" in text and "CVE-2020-17096" in text
        assert "Supersedes (1)" in text and "KB4586793" in text
        assert "Same KB for other products (1)" in text and "Windows 10 Version 1809" in text
        assert "Build      10.0.17763.1637" in text
        await pilot.press("slash", "ctrl+a", "ctrl+k")
        await type_text(pilot, "4586793 server")
        await wait_for(pilot, lambda: "Superseded by (1)" in detail_text(screen), what="the older update")
        assert "KB4592440" in detail_text(screen)
        assert "superseded" in detail_text(screen)


async def test_saving_the_search_as_a_folder(catalog_site, make_app):
    app = make_app(catalog_site)
    async with app.run_test(size=(120, 36)) as pilot:
        screen, grid = await open_updates(app, pilot)
        await pilot.press("slash")
        await type_text(pilot, "server")
        await wait_for(pilot, loaded(grid, 2))
        await pilot.press("enter", "n")
        assert isinstance(app.screen, PromptScreen)
        await type_text(pilot, "Servers")
        await pilot.press("enter")

        def saved():
            with catalog_site.session() as session:
                return session.exec(select(SearchFolder)).all()

        await wait_for(pilot, lambda: len(saved()) == 1, what="the folder row")
        assert UpdateFilter.from_json(saved()[0].criteria).text == "server"
        folders = screen.query_one("#folders", FolderList)
        await wait_for(pilot, lambda: any(f.name == "Servers" for f in folders.folders.values()), what="the listed folder")
        assert screen.folder.name == "Servers" and screen.text == ""
        assert grid.row_count == 2


async def test_deleting_a_saved_folder_asks_first(catalog_site, make_app):
    with catalog_site.session() as session:
        save_folder(session, name="Office only", filter=UpdateFilter(product="office"))
    app = make_app(catalog_site)
    async with app.run_test(size=(120, 36)) as pilot:
        screen, grid = await open_updates(app, pilot)
        folders = screen.query_one("#folders", FolderList)
        await wait_for(pilot, lambda: any(not f.builtin for f in folders.folders.values()))
        folders.focus()
        await pilot.press("G")
        assert folders.highlighted_folder.name == "Office only"
        await pilot.press("enter")
        await wait_for(pilot, loaded(grid, 1), what="the saved folder's rows")
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Office only" in text_of(app.screen.query_one("#confirm-question"))
        await pilot.press("n")
        with catalog_site.session() as session:
            assert len(session.exec(select(SearchFolder)).all()) == 1
        await pilot.press("delete", "y")

        def remaining():
            with catalog_site.session() as session:
                return len(session.exec(select(SearchFolder)).all())

        await wait_for(pilot, lambda: remaining() == 0, what="the folder deleted")
        await wait_for(pilot, loaded(grid, 5), what="back to all updates")


async def test_export_writes_the_current_view(catalog_site, make_app, tmp_path):
    target = tmp_path / "out" / "critical.json"
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, grid = await open_updates(app, pilot)
        await pilot.press("f")
        # words → product → family → classification → severity; open it, pick Critical (under "any")
        await pilot.press("tab", "tab", "tab", "tab", "enter", "down", "enter")
        assert app.screen.query_one("#filter-severity").value == "Critical"
        await pilot.press("ctrl+s")
        await wait_for(pilot, loaded(grid, 3), what="the filtered rows")
        grid.focus()
        await pilot.press("x")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("ctrl+a", "ctrl+k")
        await paste(pilot, str(target))
        await pilot.press("enter")
        await wait_for(pilot, target.exists, what="the export file")
    data = json.loads(target.read_text())
    assert len(data) == 3 and all(r["severity"] == "Critical" for r in data)
    assert {r["kb"] for r in data} == {"4592440", "4486750"}
    assert not (target.parent / "critical.json.part").exists()


async def test_export_refuses_an_unknown_format(catalog_site, make_app, tmp_path):
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_updates(app, pilot)
        await pilot.press("x", "ctrl+a", "ctrl+k")
        await paste(pilot, str(tmp_path / "out.txt"))
        await pilot.press("enter")
        assert isinstance(app.screen, PromptScreen)
        assert ".csv or .json" in text_of(app.screen.query_one("#prompt-error"))
        await pilot.press("escape")
    assert not (tmp_path / "out.txt").exists()
