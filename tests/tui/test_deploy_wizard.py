"""The deployment wizard driven by keys, as an operator over SSH: every page in SCCM 2007's order, the
what-if and its lints on the summary, the typed confirmation, and the deployment in the database made by
the same domain functions as `sumtui deploy create`."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from sumtui.deploy.deployments import find_deployment
from sumtui.deploy.models import Deployment, DeploymentUpdate
from sumtui.deploy.templates import create_template, make_settings
from sumtui.tui.screens.deploy_wizard import DeployWizardScreen
from sumtui.tui.screens.home import HomeScreen
from tests.compliance.scenario import ROLLUP
from tests.tui.conftest import FLEET_NOW, burst, fleet_clock, input_done, text_of, wait_for

KB = f"KB{ROLLUP[3]}"


def typed(text: str) -> list[str]:
    return [{":": "colon", " ": "space", "-": "minus"}.get(ch, ch) for ch in text]


def deployments(site) -> dict[str, Deployment]:
    with site.session() as session:
        return {d.name: d for d in session.execute(select(Deployment)).scalars()}


def kbs_of(site, name: str) -> set[str]:
    with site.session() as session:
        row = find_deployment(session, name=name)
        return set(session.execute(select(DeploymentUpdate.kb).where(DeploymentUpdate.deployment_id == row.id)).scalars())


def add_template(site, name: str = "Servers nightly", **values) -> None:
    settings = {"collection": "Servers", "time_basis": "utc", "suppress_restart_servers": True, **values}
    with site.session() as session:
        create_template(session, name=name, settings=make_settings(settings))
        session.commit()


async def open_wizard(pilot) -> DeployWizardScreen:
    app = pilot.app
    await pilot.press("colon", *typed("deploy"), "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, DeployWizardScreen) and app.screen.choices is not None,
                   what="the wizard with its choices")
    return app.screen


async def on_page(pilot, wizard: DeployWizardScreen, page: str) -> None:
    await wait_for(pilot, lambda: wizard.page == page, what=f"the {page} page (on {wizard.page})")


def error_text(wizard: DeployWizardScreen) -> str:
    return text_of(wizard.query_one("#deploy-error"))


async def to_schedule(pilot, wizard: DeployWizardScreen, name: str, description: str) -> None:
    """From the first page to the schedule with the first template and KB, as an operator types it."""
    # Template: the first one; then the KBs, past the list picker.
    await pilot.press("enter", "down", "enter", "tab", "tab", *typed(KB), "enter")
    await on_page(pilot, wizard, "general")
    await pilot.press(*typed(name), "tab", *typed(description), "enter")
    await on_page(pilot, wizard, "collection")
    # The template named the collection: it is chosen already.
    assert wizard.query_one("#deploy-collection").value == "Servers"
    await pilot.press("ctrl+n")
    await on_page(pilot, wizard, "display")
    await pilot.press("ctrl+n", "ctrl+n", "ctrl+n", "ctrl+n")  # display, restart, events, download
    # No package holds the files: the package page comes, with the KB named.
    await on_page(pilot, wizard, "package")
    assert KB in text_of(wizard.query_one("#deploy-package-note"))
    await pilot.press("ctrl+n")
    await on_page(pilot, wizard, "schedule")


async def test_the_template_duration_sets_the_deadline_after_the_available_time(fleet_site, make_app):
    add_template(fleet_site, duration=3, duration_unit="days")
    app = make_app(fleet_site, clock=fleet_clock)
    available = FLEET_NOW + timedelta(days=1)
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(pilot)
        await to_schedule(pilot, wizard, "Quick servers", "three days")
        # Available at once: three days from now; then from the available time typed.
        await pilot.press("tab", "tab", "ctrl+t")
        await wait_for(pilot, lambda: wizard.query_one("#deploy-deadline").value
                       == f"{FLEET_NOW + timedelta(days=3):%Y-%m-%d %H:%M}", what="the deadline from now")
        await pilot.press("shift+tab", *typed(f"{available:%Y-%m-%d %H:%M}"), "ctrl+t", "ctrl+n")
        await on_page(pilot, wizard, "nap")
        await pilot.press("ctrl+n")
        await on_page(pilot, wizard, "summary")
        await wait_for(pilot, lambda: wizard.whatif_ready, what="the what-if")
        await pilot.press(*typed("Quick servers"), "enter")
        await wait_for(pilot, lambda: "Quick servers" in deployments(fleet_site), what="the deployment")
    made = deployments(fleet_site)["Quick servers"]
    assert made.deadline == (available + timedelta(days=3)).replace(tzinfo=None, second=0, microsecond=0)


async def test_a_deployment_made_page_by_page_with_a_template(fleet_site, make_app):
    add_template(fleet_site)
    app = make_app(fleet_site, clock=fleet_clock)
    deadline = (FLEET_NOW + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    available = (FLEET_NOW + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(pilot)
        await to_schedule(pilot, wizard, "March servers", "third cumulative")
        await pilot.press("tab", *typed(available), "tab", *typed(deadline), "ctrl+n")
        await on_page(pilot, wizard, "nap")
        await pilot.press("ctrl+n")
        await on_page(pilot, wizard, "summary")
        await wait_for(pilot, lambda: wizard.whatif_ready, what="the what-if")
        summary = text_of(wizard.query_one("#deploy-summary"))
        assert "collection:   Servers" in summary and "mandatory" in summary
        assert "content missing" in text_of(wizard.query_one("#deploy-lints"))
        assert wizard.query_one("#deploy-whatif").row_count > 0
        await pilot.press(*typed("March servers"), "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, DeployWizardScreen), what="the wizard closed")
        await wait_for(pilot, lambda: any("'March servers' created" in n.message for n in app._notifications),
                       what="the notification")
    made = deployments(fleet_site)["March servers"]
    assert made.description == "third cumulative"
    assert made.deadline.strftime("%Y-%m-%d %H:%M") == deadline and not made.local_time
    assert made.available.strftime("%Y-%m-%d %H:%M") == available
    settings = json.loads(made.settings)
    assert settings["suppress_restart_servers"] is True  # the template's
    assert made.template_id is not None
    assert kbs_of(fleet_site, "March servers") == {ROLLUP[3]}


async def test_each_page_says_what_is_wrong_and_back_and_next_keep_what_was_typed(fleet_site, make_app):
    from sumtui.deploy.deployments import DeploymentSpec, create_deployment

    with fleet_site.session() as session:
        create_deployment(session, spec=DeploymentSpec(name="Existing", collection="Servers", refs=[KB]))
        session.commit()
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        wizard = await open_wizard(pilot)
        await pilot.press("ctrl+n")
        assert "which updates?" in text_of(wizard.query_one("#error-list")) and wizard.page == "template"
        await pilot.press("tab", "tab", *typed("KB12x"), "ctrl+n")
        assert "KB12x" in text_of(wizard.query_one("#error-kbs")) and wizard.page == "template"
        await pilot.press("ctrl+u", *typed("KB1"), "ctrl+n")  # a KB the catalog does not have: the domain says so
        await wait_for(pilot, lambda: "KB1" in text_of(wizard.query_one("#error-kbs")), what="the unknown KB refused")
        assert wizard.page == "template"
        await pilot.press("ctrl+u", *typed(KB), "enter")
        await on_page(pilot, wizard, "general")
        await pilot.press("ctrl+n")
        assert "needs a name" in text_of(wizard.query_one("#error-name"))
        await pilot.press(*typed("existing"), "ctrl+n")
        assert "already exists" in text_of(wizard.query_one("#error-name"))
        await pilot.press("ctrl+u", *typed("Fresh"), "enter")
        await on_page(pilot, wizard, "collection")
        await pilot.press("ctrl+n")
        assert "needs a collection" in text_of(wizard.query_one("#error-collection")) and wizard.page == "collection"
        await pilot.press("enter", "down", "enter", "ctrl+n")  # the first collection: All Systems
        await on_page(pilot, wizard, "display")
        await pilot.press("tab", "tab", "ctrl+u", "0", "ctrl+n")  # past the two checkboxes to the duration
        assert "at least 1" in text_of(wizard.query_one("#error-duration")) and wizard.page == "display"
        await pilot.press("ctrl+u", "3", "ctrl+n")
        await on_page(pilot, wizard, "restart")
        # Back to the first page and forward again: everything typed is still there.
        await pilot.press("ctrl+b", "ctrl+b", "ctrl+b", "ctrl+b")
        await on_page(pilot, wizard, "template")
        assert wizard.query_one("#deploy-kbs").value == KB
        await pilot.press("ctrl+n")
        await on_page(pilot, wizard, "general")
        assert wizard.query_one("#deploy-name").value == "Fresh"
        await pilot.press("ctrl+n", "ctrl+n")
        await on_page(pilot, wizard, "display")
        assert wizard.query_one("#deploy-collection").value == "All Systems"
        assert wizard.query_one("#setting-duration").value == "3"
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n", "ctrl+n", "ctrl+n")  # restart … package
        await on_page(pilot, wizard, "schedule")
        # Client local time: a time with an offset names one instant, not 02:00 everywhere.
        await pilot.press("enter", "up", "enter")
        await wait_for(pilot, lambda: wizard.query_one("#setting-time_basis").value == "client_local",
                       what="client local time chosen")
        await pilot.press("tab", *typed("2030-01-01T02:00Z"), "ctrl+n")
        assert "without an offset" in text_of(wizard.query_one("#error-available"))
        await pilot.press("ctrl+u", *typed("tomorrow"), "ctrl+n")
        assert "not a time" in text_of(wizard.query_one("#error-available"))
        await pilot.press("ctrl+u", *typed("2030-01-02 00:00"), "tab", *typed("2030-01-01 00:00"), "ctrl+n")
        assert "must come after" in text_of(wizard.query_one("#error-deadline")) and wizard.page == "schedule"
        # esc with changes asks; "keep editing" keeps them, "throw away" closes and makes nothing.
        from sumtui.tui.screens.confirm import ConfirmScreen

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is wizard, what="back in the wizard")
        assert wizard.query_one("#deploy-name").value == "Fresh"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), what="the wizard closed")
    assert set(deployments(fleet_site)) == {"Existing"}


async def test_a_wizard_with_nothing_typed_closes_at_once(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_wizard(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), what="the wizard closed")
    assert deployments(fleet_site) == {}


async def test_a_list_deployed_from_its_page_with_a_deadline_in_the_past(fleet_site, make_app):
    from sumtui.deploy.lists import create_list
    from sumtui.tui.screens.lists import ListsScreen
    from sumtui.tui.widgets.paged_table import PagedTable
    from tests.tui.conftest import grid_loaded, open_page

    with fleet_site.session() as session:
        create_list(session, name="[b]March[/b] fixes", refs=[KB])
        session.commit()
    app = make_app(fleet_site, clock=fleet_clock)
    past = (FLEET_NOW - timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_page(app, pilot, "lists", ListsScreen)
        await wait_for(pilot, grid_loaded(screen.query_one("#grid", PagedTable), 1), what="the list")
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, DeployWizardScreen) and app.screen.choices is not None,
                       what="the wizard")
        wizard = app.screen
        assert text_of(wizard.query_one("#deploy-preset")) == "the update list '[b]March[/b] fixes'"
        assert not wizard.query_one("#row-kbs").display
        await pilot.press("ctrl+n")
        await on_page(pilot, wizard, "general")
        downs = 1 + [name for name, _ in wizard.choices.collections].index("Servers")
        await pilot.press(*typed("March list"), "enter", "enter", *["down"] * downs, "enter", "ctrl+n")
        await on_page(pilot, wizard, "display")
        assert wizard.query_one("#deploy-collection").value == "Servers"
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n", "ctrl+n", "ctrl+n")
        await on_page(pilot, wizard, "schedule")
        await pilot.press("tab", "tab", *typed(past), "ctrl+n", "ctrl+n")
        await on_page(pilot, wizard, "summary")
        assert "computing" in text_of(wizard.query_one("#deploy-whatif-status")) or wizard.whatif_ready
        await wait_for(pilot, lambda: wizard.whatif_ready, what="the what-if")
        assert "is in the past" in text_of(wizard.query_one("#deploy-lints"))
        table = wizard.query_one("#deploy-whatif")
        assert table.row_count > 0
        assert str(table.get_row_at(0)[1]) == KB
        assert text_of(wizard.query_one("#deploy-whatif-reason")).startswith("Why: ")
        await pilot.press(*typed("no"), "enter")  # neither the name nor yes
        assert "type the deployment's name" in text_of(wizard.query_one("#error-confirm"))
        await pilot.press("ctrl+u", *typed("yes"), "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, DeployWizardScreen), what="the wizard closed")
    made = deployments(fleet_site)["March list"]
    assert made.list_id is not None and made.deadline.strftime("%Y-%m-%d %H:%M") == past


async def test_picked_updates_are_deployed_from_the_updates_grid(fleet_site, make_app):
    from sumtui.tui.screens.updates import UpdatesScreen
    from sumtui.tui.widgets.paged_table import PagedTable
    from tests.tui.conftest import grid_loaded, open_page

    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_page(app, pilot, "updates", UpdatesScreen)
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid), what="the updates")
        await pilot.press("space", "down", "space", "D")
        await wait_for(pilot, lambda: isinstance(app.screen, DeployWizardScreen), what="the wizard")
        wizard = app.screen
        assert len(wizard.preset.update_ids) == 2
        assert text_of(wizard.query_one("#deploy-preset")).startswith("2 updates: KB")
        await pilot.press("ctrl+n")
        await on_page(pilot, wizard, "general")


async def test_the_compliance_grid_deploys_the_update_under_the_cursor_and_a_read_only_console_none(fleet_site, make_app):
    from sumtui.tui.screens.compliance import ComplianceScreen
    from sumtui.tui.widgets.paged_table import PagedTable
    from tests.tui.conftest import grid_loaded, open_page

    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_page(app, pilot, "compliance", ComplianceScreen)
        await wait_for(pilot, grid_loaded(screen.query_one("#grid", PagedTable)), what="the updates")
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, DeployWizardScreen), what="the wizard")
        assert len(app.screen.preset.update_ids) == 1
        assert not app.screen.query_one("#row-list").display
    app = make_app(fleet_site, clock=fleet_clock, readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("colon", *typed("deploy"), "enter")
        await wait_for(pilot, lambda: any("read-only" in n.message for n in app._notifications),
                       what="the console saying it is read-only")
        assert not any(isinstance(s, DeployWizardScreen) for s in app.screen_stack)


async def test_deploy_typed_ahead_in_one_burst_opens_the_wizard(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        before = app._typeahead.received
        # The keys after enter are for the wizard's first page, which is still reading its choices.
        await input_done(pilot, before, burst(app, "colon", *typed("deploy"), "enter", "tab", "tab", *typed(KB)))
        assert isinstance(app.screen, DeployWizardScreen)
        assert app.screen.query_one("#deploy-kbs").value == KB
