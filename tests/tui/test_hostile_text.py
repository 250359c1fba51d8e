"""Hostile text on every console screen that shows outside text: a client name, a domain, a product name
and CVE title from a catalog document, a collection, a file name quoted by a run's error, a management
point's answer and error notifications. Each screen must render the text literally (markup as the
characters it is, control and bidi characters written out as `\\x1b`, `\\u202e`) and nothing of it may
reach the terminal raw: what the compositor would send is checked, byte for byte."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from sumtui.tui.screens.client_detail import ClientDetailScreen
from sumtui.tui.screens.clients import ClientsScreen
from sumtui.tui.screens.collection_form import CollectionFormScreen
from sumtui.tui.screens.collections import CollectionsScreen
from sumtui.tui.screens.compliance import ComplianceScreen
from sumtui.tui.screens.confirm import ConfirmScreen
from sumtui.tui.screens.management_point import ManagementPointScreen
from sumtui.tui.screens.sync import SyncScreen
from sumtui.tui.screens.update_clients import UpdateClientsScreen
from sumtui.tui.screens.updates import UpdatesScreen
from sumtui.tui.screens.windows import WindowsScreen
from tests.hostile_site import (
    BAD_FILE_SHOWN,
    CLIENT_SHOWN,
    COLLECTION_SHOWN,
    CVE_TITLE_SHOWN,
    DOMAIN_SHOWN,
    HOSTILE,
    PRODUCT_SHOWN,
    RAW,
    SHOWN,
    build_site,
)
from tests.tui.conftest import grid_loaded, open_page, text_of, wait_for

WIDE, NARROW = (160, 48), (80, 24)


@pytest.fixture
def hostile_site(console_site, tmp_path):
    build_site(console_site.url, tmp_path / "hostile", hostile=True)
    return console_site


def rendered(app) -> tuple[str, str]:
    """(what the terminal would receive, the screen's text line by line) for the whole screen, toasts
    and screens underneath included, as `App._display` writes it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, color_system="truecolor",
                      legacy_windows=False, safe_box=False)
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    text = "\n".join("".join(segment.text for segment in strip) for strip in update.strips)
    return update.render_segments(console), text


def assert_safe(app, *shown: str) -> str:
    """Nothing hostile reached the terminal raw, and each `shown` text is on screen literally."""
    raw, text = rendered(app)
    for sequence in RAW:
        assert sequence not in raw, f"{sequence!r} reached the terminal"
    for expected in shown:
        assert expected in text, f"{expected!r} is not on screen"
    return text


def cells_of(grid) -> list[tuple]:
    return [tuple(str(c) for c in grid.get_row(i).cells) for i in range(grid.row_count)]


async def loaded(pilot, grid, count=None) -> None:
    await wait_for(pilot, grid_loaded(grid, count), what="the rows")
    await pilot.pause()


async def open_grid(app, pilot, page: str, screen_type, count: int):
    """(screen, its grid, the grid's rows as text) once `count` rows are in."""
    screen = await open_page(app, pilot, page, screen_type)
    grid = screen.query_one("#grid")
    await loaded(pilot, grid, count)
    return screen, grid, cells_of(grid)


@pytest.mark.parametrize("size", [WIDE, NARROW])
async def test_clients_and_client_detail(hostile_site, make_app, size):
    app = make_app(hostile_site)
    async with app.run_test(size=size) as pilot:
        screen, grid, rows = await open_grid(app, pilot, "clients", ClientsScreen, 2)
        hostile = next(i for i, row in enumerate(rows) if row[0] == CLIENT_SHOWN)
        assert rows[hostile][7] == DOMAIN_SHOWN  # the grid's cells are the escaped text
        # A client's name is never cut; at 80 columns its length pushes the domain past the right edge.
        assert_safe(app, CLIENT_SHOWN, *([DOMAIN_SHOWN[:5]] if size == WIDE else []))

        grid.move_cursor(hostile)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientDetailScreen) and app.screen.detail is not None,
                       what="the client's detail")
        await loaded(pilot, app.screen.query_one("#grid"))
        facts = text_of(app.screen.query_one("#client-facts"))
        assert CLIENT_SHOWN in facts and DOMAIN_SHOWN in facts and COLLECTION_SHOWN in facts
        await pilot.pause()
        assert_safe(app, f"sumtui › {CLIENT_SHOWN}", "KB4592440")


async def test_the_client_filter_form_lists_a_hostile_collection(hostile_site, make_app):
    from sumtui.tui.screens.client_filter import ClientFilterScreen

    app = make_app(hostile_site)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_page(app, pilot, "clients", ClientsScreen)
        await loaded(pilot, screen.query_one("#grid"), 2)
        await wait_for(pilot, lambda: len(screen.collections) == 2, what="the collections")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientFilterScreen), what="the filter form")
        await pilot.pause()
        select = app.screen.query_one("#cf-collection")
        select.value = next(c.id for c in screen.collections if c.name != "All Systems")
        await pilot.pause()
        assert_safe(app, SHOWN[:40])  # the chosen collection, as the form shows it (wrapped after "Ring")
        select.focus()
        await pilot.press("enter")  # the list of collections
        await pilot.pause()
        assert_safe(app, SHOWN[:40])


async def test_compliance_and_its_drill_down(hostile_site, make_app):
    app = make_app(hostile_site)
    async with app.run_test(size=WIDE) as pilot:
        screen, grid, rows = await open_grid(app, pilot, "compliance", ComplianceScreen, 4)
        hostile = next(i for i, row in enumerate(rows) if row[2] == PRODUCT_SHOWN)
        grid.move_cursor(hostile)
        await wait_for(pilot, lambda: PRODUCT_SHOWN in text_of(screen.query_one("#compliance-detail")),
                       what="the update's summary")
        await wait_for(pilot, lambda: screen.collection is not None, what="the collections")
        assert_safe(app, PRODUCT_SHOWN[:30])

        await pilot.press("c")  # the collection picker names the hostile collection
        await pilot.pause()
        assert_safe(app, COLLECTION_SHOWN)
        await pilot.press("escape")

        win10 = next(i for i, row in enumerate(rows) if row[0] == "KB4592440" and row[2] != PRODUCT_SHOWN)
        grid.move_cursor(win10)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdateClientsScreen), what="the update's clients")
        clients = app.screen.query_one("#grid")
        await loaded(pilot, clients, 2)
        assert CLIENT_SHOWN in [row[0] for row in cells_of(clients)]
        assert_safe(app, CLIENT_SHOWN, DOMAIN_SHOWN[:10])


async def test_updates_grid_and_detail_pane(hostile_site, make_app):
    app = make_app(hostile_site)
    async with app.run_test(size=WIDE) as pilot:
        screen, grid, rows = await open_grid(app, pilot, "updates", UpdatesScreen, 4)
        hostile = next(i for i, row in enumerate(rows) if row[1] == PRODUCT_SHOWN and row[0] == "KB4592440")
        grid.move_cursor(hostile)
        detail = screen.query_one("#detail-text")
        await wait_for(pilot, lambda: CVE_TITLE_SHOWN in text_of(detail), what="the detail pane")
        assert PRODUCT_SHOWN in text_of(detail)
        await pilot.pause()
        assert_safe(app, SHOWN[:30])  # in the grid and the pane (which wraps at spaces)


@pytest.mark.parametrize("size", [WIDE, NARROW])
async def test_sync_history_and_a_runs_errors(hostile_site, make_app, size):
    app = make_app(hostile_site)
    async with app.run_test(size=size) as pilot:
        app.open_page("sync")
        await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen) and bool(app.screen.query("#runs")),
                       what="the sync screen")
        screen = app.screen
        runs = screen.query_one("#runs")
        await loaded(pilot, runs, 2)
        failed = next(i for i, row in enumerate(cells_of(runs)) if row[2] == "failed")
        runs.focus()
        runs.move_cursor(failed)
        errors = screen.query_one("#run-errors-text")
        await wait_for(pilot, lambda: BAD_FILE_SHOWN in text_of(errors), what="the run's errors")
        await pilot.pause()
        assert_safe(app, "failed")
        assert "\x1b" not in text_of(errors) and "\u202e" not in text_of(errors)


async def test_collections_and_the_notification_of_a_deletion(hostile_site, make_app):
    app = make_app(hostile_site)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        screen, grid, rows = await open_grid(app, pilot, "collections", CollectionsScreen, 2)
        hostile = next(i for i, row in enumerate(rows) if row[0] == COLLECTION_SHOWN)
        grid.move_cursor(hostile)
        await wait_for(pilot, lambda: COLLECTION_SHOWN in text_of(screen.query_one("#collection-detail")))
        assert "About " + SHOWN in text_of(screen.query_one("#collection-detail"))
        assert_safe(app, COLLECTION_SHOWN)

        await pilot.press("e")  # the form's heading names it
        await wait_for(pilot, lambda: isinstance(app.screen, CollectionFormScreen), what="the form")
        await pilot.pause()
        assert_safe(app, "[/bold][link=https://x]Z\\x1b[31mR")  # (as Python's repr writes it)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="the collections")
        await pilot.press("w")  # its maintenance windows: the title names it
        await wait_for(pilot, lambda: isinstance(app.screen, WindowsScreen), what="the windows")
        await pilot.pause()
        assert_safe(app, f"Windows of {COLLECTION_SHOWN}")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="the collections")

        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        await pilot.pause()
        assert_safe(app, "[/bold][link=https://x]Z")  # the question names it (as Python's repr)
        await pilot.press("y")
        await wait_for(pilot, lambda: any("deleted" in n.message for n in app._notifications), what="the notification")
        await pilot.pause()
        [note] = [n.message for n in app._notifications if "deleted" in n.message]
        assert "[/bold][link=https://x]Z" in note and "\x1b" not in note and "\u202e" not in note
        await wait_for(pilot, lambda: "deleted" in rendered(app)[1], what="the toast")
        assert_safe(app, "deleted")


async def test_an_error_notification_quoting_outside_text(hostile_site, make_app):
    from sumtui.tui.messages import WorkFailed

    app = make_app(hostile_site)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        app.post_message(WorkFailed("reading " + HOSTILE, "upstream said " + HOSTILE + "\nand more"))
        await wait_for(pilot, lambda: bool(list(app._notifications)), what="the notification")
        await pilot.pause()
        [note] = list(app._notifications)
        assert note.message == f"reading {SHOWN}: upstream said {SHOWN}\nand more"
        await wait_for(pilot, lambda: "upstream said" in rendered(app)[1], what="the toast")
        assert_safe(app, "upstream said")


async def test_the_management_point_screen_shows_a_hostile_answer_as_text(hostile_site, make_app):
    import httpx

    def answer(request: httpx.Request) -> httpx.Response:
        # Something on the network answering as a management point, with a hostile site name.
        return httpx.Response(200, json={"status": "ok", "site": HOSTILE, "version": "9.9"})

    app = make_app(hostile_site, mp_transport=httpx.MockTransport(answer))
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_page(app, pilot, "mp", ManagementPointScreen)
        await wait_for(pilot, lambda: screen.status is not None, what="the probe")
        await wait_for(pilot, lambda: "reachable" in text_of(screen.query_one("#mp-status")), what="the status")
        assert f"site {SHOWN}" in text_of(screen.query_one("#mp-status"))
        await pilot.pause()
        assert_safe(app, "reachable")


async def test_home_triage_names_the_hostile_client(hostile_site, make_app):
    app = make_app(hostile_site)
    async with app.run_test(size=WIDE) as pilot:
        await wait_for(pilot, lambda: app.screen.triage is not None and app.screen.triage.has_fleet, what="the triage")
        await pilot.pause()
        lines = [line.text for _, lines in app.screen.triage.sections for line in lines]
        assert any(line.startswith("WS-[b]EVIL\u202eEXE") for line in lines)  # the data, as it is
        assert_safe(app, CLIENT_SHOWN)
