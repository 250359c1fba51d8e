"""Home's checklist never cuts a stage's status: the sentence where the list has room for it, its few
words where it does not (beside the triage panel), and the highlighted stage's sentence under the list."""

from __future__ import annotations

from rich.cells import cell_len

from sumtui.tui.screens.home import HomeScreen
from tests.tui.conftest import fleet_clock, text_of, wait_for


def prompts(stages) -> dict[str, str]:
    return {stages.get_option_at_index(i).id: str(stages.get_option_at_index(i).prompt)
            for i in range(stages.option_count)}


def fits(stages) -> bool:
    width = stages.scrollable_content_region.width
    return all(cell_len(text) <= width and "…" not in text for text in prompts(stages).values())


async def test_statuses_fit_at_80_and_beside_the_triage_panel_and_follow_a_resize(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        home = app.screen
        assert isinstance(home, HomeScreen)
        stages = home.query_one("#stages")
        await wait_for(pilot, lambda: stages.option_count == 13, what="the checklist")
        # 80 columns: the whole list width is the checklist's; a sentence that fits is shown whole.
        assert "58 of 60 reported, 2 unknown (3%)" in prompts(stages)["scan"]
        assert fits(stages)

        await pilot.resize_terminal(120, 36)
        await wait_for(pilot, lambda: home.has_class("-wide") and prompts(stages)["scan"].rstrip().endswith("58 of 60"),
                       what="the few words beside the triage panel")
        assert fits(stages)
        # The highlighted stage keeps its place, and its whole sentence is under the list.
        stages.highlighted = stages.get_option_index("scan")
        await pilot.resize_terminal(121, 36)
        await pilot.pause()
        assert stages.highlighted == stages.get_option_index("scan")
        await wait_for(pilot, lambda: "58 of 60 reported, 2 unknown (3%)" in text_of(home.query_one("#stage-status")))

        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: "58 of 60 reported, 2 unknown" in prompts(stages)["scan"], what="the sentence again")
        assert fits(stages)
