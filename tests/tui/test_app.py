"""Global keys: jump, help, command palette, back, quit, read-only, and the colour-less terminal."""

from __future__ import annotations

from textual.command import CommandPalette

from sumtui.tui.pages import page_name
from sumtui.tui.screens.help import HelpScreen
from sumtui.tui.screens.home import HomeScreen
from sumtui.tui.screens.jump import JumpScreen
from sumtui.tui.screens.sync import SyncScreen
from sumtui.tui.screens.updates import UpdatesScreen
from tests.tui.conftest import text_of, type_text, wait_for


def test_page_names_accept_colons_case_and_aliases():
    assert page_name(":Sync") == "sync"
    assert page_name("update point") == "update-point"
    assert page_name("catalog") == "updates"
    assert page_name("nowhere") is None
    assert [page_name(n) for n in (":compliance", "client", "Collections", "management point", "mp")] == [
        "compliance", "clients", "collections", "mp", "mp"]


async def test_jump_switches_screens_and_escape_goes_back(console_site, make_app):
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("colon")
        assert isinstance(app.screen, JumpScreen)
        await type_text(pilot, ":sync")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen), what="the sync screen")
        await pilot.press("colon")
        await type_text(pilot, "catal")  # only the updates page mentions the catalog: enter takes it
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdatesScreen), what="the updates screen")
        assert len(app.screen_stack) == 2  # pages replace each other above Home
        await pilot.press("escape")  # back: the page shown before
        assert isinstance(app.screen, SyncScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("escape")  # nothing before Home: stays
        assert isinstance(app.screen, HomeScreen)


async def test_jump_names_an_unknown_screen(console_site, make_app):
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("colon")
        await type_text(pilot, "xyzzy")
        await pilot.press("enter")
        assert isinstance(app.screen, JumpScreen)
        assert "No screen called 'xyzzy'" in text_of(app.screen.query_one("#jump-error"))
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_help_lists_every_key_with_its_id(console_site, make_app):
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_page("sync")
        await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen))
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-table")
        ids = {table.get_row_at(i)[2] for i in range(table.row_count)}
        assert {"sync.start", "sync.import", "app.jump", "app.help", "app.quit", "app.back", "grid.down"} <= ids
        await pilot.press("escape")
        assert isinstance(app.screen, SyncScreen)


def test_every_console_binding_has_an_id():
    from sumtui.tui import app as app_module
    from sumtui.tui.screens import (
        client_agent,
        client_detail,
        client_filter,
        clients,
        collection_form,
        collection_picker,
        collections,
        compliance,
        confirm,
        filter,
        help,
        home,
        import_files,
        inventory_import,
        jump,
        management_point,
        prereqs,
        prompt,
        saving_form,
        sync,
        update_clients,
        updates,
        window_form,
        windows,
    )
    from sumtui.tui.widgets import folder_list, lists, triage

    modules = [app_module, client_agent, confirm, filter, help, home, import_files, jump, prereqs, prompt, sync, updates,
               folder_list, lists, triage, client_detail, client_filter, clients, collection_form, collection_picker,
               collections, compliance, inventory_import, management_point, saving_form, update_clients, window_form,
               windows]
    missing = []
    for module in modules:
        for value in vars(module).values():
            if not isinstance(value, type) or value.__module__ != module.__name__:
                continue
            for binding in vars(value).get("BINDINGS", []):
                if not getattr(binding, "id", None):
                    missing.append(f"{value.__name__}: {binding}")
    assert missing == []


async def test_the_command_palette_opens_pages(console_site, make_app):
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "go to updates")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdatesScreen), what="the updates screen")


async def test_the_command_palette_opens_the_fleet_pages(console_site, make_app):
    from sumtui.tui.screens.collections import CollectionsScreen

    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await type_text(pilot, "go to collections")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CollectionsScreen), what="the collections screen")


async def test_readonly_hides_site_changing_actions(console_site, make_app):
    app = make_app(console_site, readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_page("sync")
        await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen))
        await pilot.pause()
        shown = {b.binding.id for b in app.screen.active_bindings.values()}
        assert "sync.start" not in shown and "sync.import" not in shown
        assert not app.screen.query_one("#sync-now").display or app.screen.query_one("#sync-now").styles.display == "none"
        await pilot.press("s", "i")
        assert app.job is None and isinstance(app.screen, SyncScreen)
        assert app.start_sync() is False


async def test_quit_without_a_job_exits_at_once(console_site, make_app):
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, what="the exit")
    assert app.return_code == 0


async def test_no_color_still_marks_the_cursor(console_site, make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.no_color
        stages = app.screen.query_one("#stages")
        await wait_for(pilot, lambda: stages.option_count == 13)
        assert "▶" in str(stages.get_option("prereqs").prompt)  # the next step is marked by a glyph, not a colour


def test_progress_reports_coalesce_per_job_kind():
    from sumtui.catalog.sync import SyncProgress
    from sumtui.tui.messages import JobFinished, JobProgressed

    first = JobProgressed("sync", SyncProgress("month", 1, 12))
    later = JobProgressed("sync", SyncProgress("month", 2, 12))
    assert first.can_replace(later) and later.can_replace(first)
    assert not first.can_replace(JobProgressed("import", SyncProgress("month", 1, 3)))
    assert not first.can_replace(JobFinished("sync", status="ok"))


def test_job_headline_for_the_header():
    from sumtui.tui.state import JobState

    assert JobState("sync", phase="month", months_done=3, months_total=12).headline() == "syncing 3/12 months"
    assert JobState("import", phase="month", months_done=1, months_total=4).headline() == "importing 1/4 files"
    assert JobState("sync", phase="index").headline() == "syncing: reading the index…"
    assert JobState("sync", phase="cancelling").headline() == "cancelling the sync…"


async def test_the_palette_starts_an_import_dialog(console_site, make_app):
    from sumtui.tui.screens.import_files import ImportScreen

    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await type_text(pilot, "import files")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ImportScreen), what="the import dialog")
        assert isinstance(app.screen_stack[-2], SyncScreen)


def test_importing_the_console_leaves_sync_and_httpx_for_later():
    import subprocess
    import sys

    probe = ("import sys, sumtui.tui.app; "
             "print(sorted(m for m in ('httpx', 'sumtui.catalog.sync', 'sumtui.tui.screens.updates', 'sumtui.compliance.queries', "
             "'sumtui.tui.screens.compliance', 'sumtui.fleet.clients') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
