"""Deployment templates in the console, by keys: the form shows every setting of template_fields with SCCM's
default, checks what is typed under each field, refuses a taken name or an unknown collection without
closing, saves typed settings; editing, deleting after a confirmation, and importing a TOML file after
reviewing its diff."""

from __future__ import annotations

from sumtui.deploy import templates
from sumtui.deploy.template_fields import SETTINGS
from sumtui.deploy.templates import TemplateSettings
from sumtui.deploy.toml_io import TemplateDocument, dump_template
from sumtui.tui.screens.confirm import ConfirmScreen
from sumtui.tui.screens.prompt import PromptScreen
from sumtui.tui.screens.template_form import TemplateFormScreen, value_text
from sumtui.tui.screens.templates import TemplatesScreen
from sumtui.tui.screens.toml_files import ReviewScreen
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


def saved(site, name):
    with site.session() as session:
        found = templates.find_template(session, name=name)
        return templates.get_template(session, name=name) if found else None


def names(site):
    with site.session() as session:
        return [t.name for t in templates.list_templates(session)]


async def focus_setting(pilot, name: str) -> None:
    """Tab through the form to a setting, as an operator does."""
    form = pilot.app.screen
    target = form.query_one(f"#setting-{name}")
    for _ in range(40):
        if form.focused is target:
            return
        await pilot.press("tab")
    raise AssertionError(f"tab never reached {name}")


async def test_the_form_has_every_setting_with_its_sccm_default_and_checks_them(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_page(app, pilot, "templates", TemplatesScreen)
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, lambda: "No deployment template yet" in text_of(screen.query_one("#templates-status")))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TemplateFormScreen), what="the form")
        form = app.screen
        for info in SETTINGS:  # one field per setting, its label SCCM's words with SCCM's default
            row = form.query_one(f"#row-{info.name}")
            label = text_of(row.query_one(".setting-label"))
            assert label == f"{info.label} (default: {value_text(info, info.default)})"
            shown = form.query_one(f"#setting-{info.name}").value
            assert shown == (str(info.default) if info.kind == "int" else info.default if info.default is not None else "")

        await type_text(pilot, "Servers")
        await focus_setting(pilot, "duration")
        await pilot.press("ctrl+u")
        await type_text(pilot, "60")  # weeks: longer than a year
        await focus_setting(pilot, "suppress_restart_servers")
        await pilot.press("space")
        assert form.query_one("#setting-suppress_restart_servers").label.plain == "on"  # in words, not colour
        await focus_setting(pilot, "collection")
        await type_text(pilot, "Nowhere")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, TemplateFormScreen)
        error = form.query_one("#error-duration")
        assert error.display and "longer than a year (at most 52 weeks)" in text_of(error)

        await focus_setting(pilot, "duration")
        await pilot.press("ctrl+u")
        await type_text(pilot, "3")
        await pilot.press("ctrl+s")  # the collection is checked against the site when saving
        await wait_for(pilot, lambda: form.query_one("#form-error").display, what="the refusal")
        assert "no collection named 'Nowhere'" in text_of(form.query_one("#form-error"))
        assert not form.query_one("#error-duration").display
        await focus_setting(pilot, "collection")
        await pilot.press("ctrl+u")
        await type_text(pilot, "servers")  # as typed: saved as the site spells it
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, TemplatesScreen), what="the form closed")
        view = saved(fleet_site, "Servers")
        assert view.settings == TemplateSettings(collection="Servers", duration=3, suppress_restart_servers=True)
        await wait_for(pilot, grid_loaded(grid, 1), what="the row")
        assert grid_rows(grid) == [("Servers", "Servers", "3 weeks", "local", "servers", "")]
        assert "deadline 3 weeks after available" in text_of(screen.query_one("#template-detail"))


async def test_edit_rename_refused_then_delete(catalog_site, make_app):
    with catalog_site.session() as session:
        templates.create_template(session, name="Workstations", description="pilot ring")
        templates.create_template(session, name="Servers")
        catalog_site_names = [t.name for t in templates.list_templates(session)]
        session.commit()
    assert catalog_site_names == ["Servers", "Workstations"]
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_page(app, pilot, "templates", TemplatesScreen)
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid, 2), what="the templates")
        await pilot.press("j", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TemplateFormScreen), what="the form")
        form = app.screen
        assert form.query_one("#template-name").value == "Workstations"
        assert form.query_one("#template-description").value == "pilot ring"
        await pilot.press("ctrl+u")
        await type_text(pilot, "SERVERS")  # taken, ignoring case
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: form.query_one("#form-error").display, what="the refusal")
        assert "a deployment template named 'Servers' already exists" in text_of(form.query_one("#form-error"))
        await pilot.press("ctrl+u")
        await type_text(pilot, "Pilot ring")
        await focus_setting(pilot, "time_basis")
        await pilot.press("enter", "down", "enter")  # open the choices, take UTC
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: names(catalog_site) == ["Pilot ring", "Servers"], what="the rename")
        assert saved(catalog_site, "Pilot ring").settings.time_basis == "utc"

        await wait_for(pilot, lambda: [r[0] for r in grid_rows(grid)] == ["Pilot ring", "Servers"])
        grid.move_cursor(1)
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        assert "Delete the deployment template 'Servers'" in text_of(app.screen.query_one("#confirm-question"))
        await pilot.press("y")
        await wait_for(pilot, lambda: names(catalog_site) == ["Pilot ring"], what="the deletion")


async def test_import_a_template_file_after_its_diff(catalog_site, make_app, tmp_path):
    path = tmp_path / "servers.toml"
    path.write_text(dump_template(TemplateDocument("Servers", "from git", {"duration": 5, "duration_unit": "days",
                                                                           "notify_users": False})), encoding="utf-8")
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_page(app, pilot, "templates", TemplatesScreen)
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), what="the path prompt")
        await paste(pilot, str(path))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), what="the diff")
        diff = text_of(app.screen.query_one("#review-text"))
        assert diff.startswith("deployment template 'Servers': new")
        assert "  duration: 5" in diff and "  notify_users: false" in diff and "  show_progress: true  (default)" in diff
        await pilot.press("y")
        await wait_for(pilot, lambda: saved(catalog_site, "Servers") is not None, what="the import")
        settings = saved(catalog_site, "Servers").settings
        assert (settings.duration, settings.duration_unit, settings.notify_users) == (5, "days", False)
