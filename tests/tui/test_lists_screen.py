"""Update lists in the console, by keys: picking updates with space on the Updates and Compliance grids and
adding them to a new or an existing list, the Lists screen with each list's compliance and its drill-down
(list → update → clients), naming, renaming, adding and removing updates, deleting with a confirmation
that names what goes, and TOML export and import with the diff shown before anything changes."""

from __future__ import annotations

from sqlmodel import select

from sumtui.compliance.queries import page_update_compliance, update_set_compliance
from sumtui.deploy import lists
from sumtui.deploy.models import UpdateList, UpdateListItem
from sumtui.deploy.toml_io import ListDocument, ListEntry, dump_list
from sumtui.fleet.collections import get_collection
from sumtui.tui.screens.add_to_list import ListPickerScreen
from sumtui.tui.screens.compliance import ComplianceScreen
from sumtui.tui.screens.confirm import ConfirmScreen
from sumtui.tui.screens.list_detail import ListDetailScreen
from sumtui.tui.screens.lists import ListsScreen
from sumtui.tui.screens.name_form import NameFormScreen
from sumtui.tui.screens.prompt import PromptScreen
from sumtui.tui.screens.toml_files import ReviewScreen
from sumtui.tui.screens.update_clients import UpdateClientsScreen
from sumtui.tui.screens.updates import UpdatesScreen
from sumtui.tui.widgets.paged_table import PagedTable
from tests.tui.conftest import (
    fleet_clock,
    grid_loaded,
    grid_rows,
    open_page,
    paste,
    text_of,
    type_text,
    wait_for,
)
from tests.tui.test_hostile_text import rendered


def held(site, name):
    """(KB, product id) of a list's updates, or None when there is no such list."""
    with site.session() as session:
        if lists.find_list(session, name=name) is None:
            return None
        return [(u.kb, u.product_id) for u in lists.list_updates(session, name=name)]


def list_names(site):
    with site.session() as session:
        return [row.name for row in session.exec(select(UpdateList).order_by(UpdateList.name)).all()]


async def test_picked_updates_go_into_a_new_list_then_an_existing_one(catalog_site, make_app):
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_page(app, pilot, "updates", UpdatesScreen)
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid, 5), what="the catalog")
        first, second, third = (grid.get_row(i).key for i in range(3))
        await pilot.press("space", "space")
        assert list(grid.picked) == [first, second] and grid.cursor_row == 2
        assert "2 picked (a: add to a list" in text_of(screen.query_one("#updates-status"))
        await pilot.pause()
        _raw, shown = rendered(app)
        assert shown.count("✓ KB") == 2  # the picked rows are marked by a symbol, not by colour alone

        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ListPickerScreen), what="the list picker")
        await pilot.press("enter")  # + New list…
        await type_text(pilot, "Patch Tuesday")
        await pilot.press("enter")
        await wait_for(pilot, lambda: held(catalog_site, "Patch Tuesday") is not None, what="the new list")
        assert isinstance(app.screen, UpdatesScreen)
        await wait_for(pilot, lambda: not grid.picked, what="the picks dropped once added")
        with catalog_site.session() as session:
            ids = {u.update_id for u in lists.list_updates(session, name="Patch Tuesday")}
        assert ids == {first, second}

        # One more, from another search: the row under the cursor when nothing is picked.
        grid.move_cursor(2)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ListPickerScreen), what="the list picker")
        picker = app.screen
        await wait_for(pilot, lambda: picker.query_one("#list-picker-list").option_count == 2, what="the lists")
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: len(held(catalog_site, "Patch Tuesday")) == 3, what="the third update")
        with catalog_site.session() as session:
            assert {u.update_id for u in lists.list_updates(session, name="Patch Tuesday")} == {first, second, third}


async def test_compliance_grid_picks_go_into_a_list(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_page(app, pilot, "compliance", ComplianceScreen)
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, lambda: grid_loaded(grid)() and grid.row_count > 2, what="the compliance rows")
        wanted = [grid.get_row(i).key.update_id for i in range(2)]
        await pilot.press("space", "space", "k", "space")  # pick, pick, back up, unpick the second
        assert list(grid.picked) == [wanted[0]]
        await pilot.press("k", "space", "a")  # the second again, then into a list
        await wait_for(pilot, lambda: isinstance(app.screen, ListPickerScreen), what="the list picker")
        await pilot.press("enter")
        await type_text(pilot, "Gaps")
        await pilot.press("enter")
        await wait_for(pilot, lambda: held(fleet_site, "Gaps") is not None, what="the list")
        with fleet_site.session() as session:
            assert sorted(u.update_id for u in lists.list_updates(session, name="Gaps")) == sorted(wanted)


async def test_a_lists_compliance_and_its_drill_down(fleet_site, make_app):
    with fleet_site.session() as session:
        all_systems = get_collection(session, "All Systems").id
        top = page_update_compliance(session, collection_id=all_systems, limit=3)
        created = lists.create_list(session, name="Top three", description="most required",
                                    update_ids=[r.update_id for r in top])
        lists.create_list(session, name="Empty")
        session.commit()
        items = select(UpdateListItem.list_id, UpdateListItem.update_id)
        totals = update_set_compliance(session, collection_id=all_systems, members=items)[created.id]
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_page(app, pilot, "lists", ListsScreen)
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid, 2), what="the lists")
        rows = {r[0]: r for r in grid_rows(grid)}
        assert rows["Top three"][1:5] == ("3", f"{totals.required:,}", f"{totals.installed:,}", str(totals.failed))
        assert rows["Empty"][1] == "0"
        assert "compliance in All Systems (60 clients" in text_of(screen.query_one("#lists-status"))

        names = [r[0] for r in grid_rows(grid)]
        grid.move_cursor(names.index("Top three"))
        await wait_for(pilot, lambda: "most required" in text_of(screen.query_one("#list-detail")))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ListDetailScreen), what="the list's page")
        detail = app.screen
        updates = detail.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(updates, 3), what="the list's updates")
        assert [r[0] for r in grid_rows(updates)] == [f"KB{r.kb}" for r in top]
        assert [r[3] for r in grid_rows(updates)] == [str(r.required) for r in top]
        await wait_for(pilot, lambda: "3 updates · most required" in text_of(detail.query_one("#list-title")))

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdateClientsScreen), what="the update's clients")
        clients = app.screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(clients, top[0].required), what="the clients that need it")
        await pilot.press("escape")
        assert app.screen is detail
        await pilot.press("escape")
        assert isinstance(app.screen, ListsScreen)


async def test_name_fill_rename_remove_and_delete_a_list(catalog_site, make_app):
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_page(app, pilot, "lists", ListsScreen)
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, lambda: "No update list yet" in text_of(screen.query_one("#lists-status")))

        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NameFormScreen), what="the form")
        await type_text(pilot, "[b]December[/b]")  # a name is text, never markup
        await pilot.press("tab")
        await type_text(pilot, "Windows and Office")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: held(catalog_site, "[b]December[/b]") == [], what="the empty list")
        await wait_for(pilot, grid_loaded(grid, 1), what="its row")
        assert grid_rows(grid)[0][0] == "[b]December[/b]"

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ListDetailScreen), what="the list's page")
        detail = app.screen
        await wait_for(pilot, lambda: "a adds updates by KB" in text_of(detail.query_one("#list-title")))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), what="the KB prompt")
        await type_text(pilot, "KB12")
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        await type_text(pilot, "KB4592440 KB4486750 KBnope")
        await pilot.press("enter")
        assert "'KBnope' is not a KB number" in text_of(app.screen.query_one("#prompt-error"))
        await pilot.press(*["backspace"] * 7, "enter")
        # No client has any product yet: a bare KB takes every product of it.
        await wait_for(pilot, lambda: held(catalog_site, "[b]December[/b]") == [
            ("4486750", "9999"), ("4592440", "11568"), ("4592440", "11571")], what="three updates")
        updates = detail.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(updates, 3), what="the list's updates")

        await pilot.press("space", "delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        question = text_of(app.screen.query_one("#confirm-question"))
        first = grid_rows(updates)[0][0]
        assert question.startswith(f"Remove {first} (") and "from the update list '[b]December[/b]'" in question
        await pilot.press("y")
        await wait_for(pilot, lambda: len(held(catalog_site, "[b]December[/b]")) == 2, what="one removed")
        await wait_for(pilot, grid_loaded(updates, 2), what="two left")

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, NameFormScreen), what="the form")
        await pilot.press("ctrl+u")
        await type_text(pilot, "December")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: list_names(catalog_site) == ["December"], what="the rename")
        await wait_for(pilot, lambda: text_of(detail.query_one("#list-title")).startswith("December · 2 updates"))

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ListsScreen) and grid_rows(grid)[0][0] == "December")
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        assert text_of(app.screen.query_one("#confirm-question")) == (
            "Delete the update list 'December' and its 2 updates? The updates stay in the catalog.")
        await pilot.press("n")
        assert list_names(catalog_site) == ["December"]
        await pilot.press("delete", "y")
        await wait_for(pilot, lambda: list_names(catalog_site) == [], what="the deletion")
        await wait_for(pilot, grid_loaded(grid, 0), what="no rows")


async def test_export_then_import_a_changed_file_after_reviewing_the_diff(catalog_site, make_app, tmp_path):
    with catalog_site.session() as session:
        lists.create_list(session, name="Windows", refs=["KB4592440", "KB4586793"])
        session.commit()
        expected = dump_list(lists.export_list(session, name="Windows"))
    target = tmp_path / "lists" / "windows.toml"
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_page(app, pilot, "lists", ListsScreen)
        await wait_for(pilot, grid_loaded(screen.query_one("#grid", PagedTable), 1), what="the list")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), what="the path prompt")
        assert app.screen.query_one("#prompt-input").value.endswith("Windows.toml")
        await pilot.press("ctrl+u")
        await paste(pilot, str(target))
        await pilot.press("enter")
        await wait_for(pilot, target.exists, what="the file")
        assert target.read_text(encoding="utf-8") == expected

        # The reviewed file: November's update out, Office's in, a description.
        target.write_text(dump_list(ListDocument("Windows", "reviewed", [
            ListEntry("KB4592440", "11568"), ListEntry("KB4592440", "11571"), ListEntry("KB4486750")])), encoding="utf-8")
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), what="the path prompt")
        await paste(pilot, str(target))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), what="the diff")
        diff = text_of(app.screen.query_one("#review-text"))
        assert "update list 'Windows': 1 added, 2 removed, 2 unchanged" in diff
        assert "  + KB4486750" in diff and "  - KB4586793" in diff and "description: None -> 'reviewed'" in diff
        await pilot.press("n")  # declined: nothing changes
        assert held(catalog_site, "Windows") == [("4586793", "11568"), ("4586793", "11571"), ("4592440", "11568"),
                                                 ("4592440", "11571")]
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), what="the path prompt")
        await paste(pilot, str(target))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), what="the diff")
        await pilot.press("y")
        await wait_for(pilot, lambda: held(catalog_site, "Windows") == [("4486750", "9999"), ("4592440", "11568"),
                                                                       ("4592440", "11571")], what="the import")
        with catalog_site.session() as session:
            assert lists.get_list(session, name="Windows").description == "reviewed"
