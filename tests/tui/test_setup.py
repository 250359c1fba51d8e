"""Home → the setup stages: prerequisites, update point and client agent settings, saved through the forms."""

from __future__ import annotations

from sumtui.catalog import settings as update_point
from sumtui.fleet import agent_settings, management_point
from sumtui.tui.screens.client_agent import ClientAgentScreen
from sumtui.tui.screens.home import HomeScreen
from sumtui.tui.screens.prereqs import PrereqsScreen
from sumtui.tui.screens.update_point import UpdatePointScreen
from sumtui.workflows.prereqs import load_report
from tests.mirror import MirrorServer
from tests.server.conftest import RunningServer
from tests.tui.conftest import text_of, type_text, wait_for


def stored_update_point(site):
    with site.session() as session:
        return update_point.load(session)


def stored_agent(site):
    with site.session() as session:
        return agent_settings.load(session)


async def open_stage(app, pilot, key: str) -> None:
    stages = app.screen.query_one("#stages")
    await wait_for(pilot, lambda: stages.option_count == 13, what="the checklist")
    stages.highlighted = stages.get_option_index(key)
    await pilot.press("enter")


async def replace_text(pilot, selector: str, text: str) -> None:
    await pilot.click(selector)
    await pilot.press("home", "ctrl+k")
    await type_text(pilot, text)


async def test_home_lists_the_stages_with_the_next_step_highlighted(console_site, make_app):
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        stages = app.screen.query_one("#stages")
        await wait_for(pilot, lambda: stages.option_count == 13, what="the checklist")
        assert stages.get_option_at_index(stages.highlighted).id == "prereqs"
        assert "next step 1 Prerequisites" in text_of(app.screen.query_one("#home-intro"))
        later = [stages.get_option_at_index(i) for i in range(13)]
        assert [o.id for o in later if o.disabled] == []  # every stage is live, deploy, NAP and monitor too
        assert "0 updates" in text_of(app.screen.query_one("#home-figures"))
        assert "never synced" in str(app.screen.query_one("#header-sync").content)


async def test_prerequisites_run_from_home_and_complete_stage_one(console_site, make_app):
    with MirrorServer() as mirror, RunningServer(console_site) as management_point_server:
        mirror.put_index([])
        with console_site.session() as session:
            update_point.save(session, update_point.UpdatePointSettings(url=mirror.url))
            management_point.save(session, management_point.ManagementPointSettings(url=management_point_server.url))
        app = make_app(console_site)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_stage(app, pilot, "prereqs")
            await wait_for(pilot, lambda: isinstance(app.screen, PrereqsScreen), what="the prerequisites")
            screen = app.screen
            await wait_for(pilot, lambda: screen.report is not None, what="the checks")
            assert "All checks green" in text_of(screen.query_one("#prereqs-summary"))
            assert "HTTP 200" in text_of(screen.query_one("#check-upstream .check-text"))
            assert "answers: sumtui" in text_of(screen.query_one("#check-management_point .check-text"))
            assert mirror.count("/updates") == 1
            await pilot.press("r")
            await wait_for(pilot, lambda: mirror.count("/updates") == 2, what="a second run")
            await pilot.press("escape")
            assert isinstance(app.screen, HomeScreen)
            stages = app.screen.query_one("#stages")
            await wait_for(pilot, lambda: "✔" in str(stages.get_option("prereqs").prompt), what="stage 1 ticked")
        with console_site.session() as session:
            assert load_report(session).all_green


async def test_update_point_form_saves_the_start_month(console_site, make_app):
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_stage(app, pilot, "update_point")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdatePointScreen), what="the form")
        await replace_text(pilot, "#start-month", "2020-dec")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: stored_update_point(console_site)[1], what="the saved settings")
        assert isinstance(app.screen, HomeScreen)
        settings, _ = stored_update_point(console_site)
        assert settings.start_month == "2020-Dec"
        stages = app.screen.query_one("#stages")
        await wait_for(pilot, lambda: stages.option_count and stages.get_option("update_point").prompt)
        stages.highlighted = stages.get_option_index("update_point")
        await wait_for(pilot, lambda: "from 2020-Dec" in text_of(app.screen.query_one("#stage-status")))


async def test_an_invalid_url_is_shown_and_nothing_is_saved(console_site, make_app):
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("colon")
        await type_text(pilot, "update-point")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdatePointScreen), what="the form")
        form = app.screen
        await replace_text(pilot, "#url", "ftp://mirror.example")
        await replace_text(pilot, "#start-month", "2020-Foo")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        url_error = form.query_one("#error-url")
        assert url_error.display and "must start with http:// or https://" in text_of(url_error)
        assert "not a month like 2020-Dec" in text_of(form.query_one("#error-start_month"))
        assert "2 problem(s)" in text_of(form.query_one("#form-errors"))
        await pilot.press("escape", "y")  # esc asks before throwing the changes away; y does
        assert isinstance(app.screen, HomeScreen)
        await pilot.pause(0.2)
    assert stored_update_point(console_site)[1] is False


async def test_products_are_filtered_and_chosen(catalog_site, make_app):
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_page("update-point")
        # Pushed is not composed: on a loaded machine the form's widgets arrive a frame or more later.
        await wait_for(pilot, lambda: isinstance(app.screen, UpdatePointScreen) and app.screen.query("#products"),
                       what="the form")
        form = app.screen
        products = form.query_one("#products")
        assert products.option_count == 5  # 2 families + 3 products
        form.query_one("#product-filter").focus()  # below the fold at 80×24: tab would get there too
        await type_text(pilot, "server")
        assert products.option_count == 1
        await pilot.press("enter", "space")  # to the list, tick Windows Server 2019
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: stored_update_point(catalog_site)[1], what="the saved settings")
    assert stored_update_point(catalog_site)[0].products == ["Windows Server 2019"]


async def test_client_agent_form_validates_then_saves(console_site, make_app):
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_stage(app, pilot, "client_agent")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientAgentScreen), what="the form")
        form = app.screen
        assert "default 7, 1–365" in str(form.query_one("#row-scan_interval_days .field-hint").content)
        await replace_text(pilot, "#scan-interval-days", "0")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "greater than or equal to 1" in text_of(form.query_one("#error-scan_interval_days"))
        assert stored_agent(console_site)[1] is False
        await replace_text(pilot, "#scan-interval-days", "3")
        await replace_text(pilot, "#policy-polling-minutes", "30")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: stored_agent(console_site)[1], what="the saved settings")
    settings, _ = stored_agent(console_site)
    assert (settings.scan_interval_days, settings.policy_polling_minutes, settings.reevaluation_days) == (3, 30, 7)


async def test_readonly_forms_cannot_save(console_site, make_app):
    app = make_app(console_site, readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_page("client-agent")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientAgentScreen), what="the form")
        await pilot.pause()
        assert not app.screen.query_one("#save").display or app.screen.query_one("#save").styles.display == "none"
        assert app.screen.query_one("#scan-interval-days").disabled
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert isinstance(app.screen, ClientAgentScreen)
    assert stored_agent(console_site)[1] is False


def test_the_update_point_form_does_not_depend_on_being_mounted_in_time():
    # On a loaded machine the form's mount handler ran before its product widgets were found in the DOM
    # (NoMatches: #products-chosen). The widgets are held, so the handler's work needs no DOM at all.
    form = UpdatePointScreen(update_point.UpdatePointSettings(products=["Windows Server 2019"]),
                             products=[("Windows Server 2019", "Windows"), ("Windows 10 Version 1809", "Windows")])
    form._show_chosen()
    assert str(form._chosen_label.content) == "1 selected: Windows Server 2019"
    empty = UpdatePointScreen(update_point.UpdatePointSettings(), products=[])
    empty._show_chosen()
    assert "no product trees synced yet" in str(empty._chosen_label.content)
    assert not empty._product_list.display and not empty._product_filter.display
