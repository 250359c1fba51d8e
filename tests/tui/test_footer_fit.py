"""The footer at 80×24 never overflows into stray characters (Compliance once ended in `n Needed
o▏^p Commands`): every key shown is whole, `: Jump` and `? Keys` always show, and the keys each page
chose to show all fit."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from sumtui.tui.widgets.page_footer import PageFooter
from tests.tui.conftest import wait_for

# The main pages (the settings forms are dialogs with their own footer).
PAGES = ["home", "prereqs", "sync", "updates", "compliance", "lists", "templates", "packages", "deployments", "clients",
         "collections", "mp"]


def footer_line(app) -> str:
    return app.screen._compositor.render_strips()[-1].text


def shown_keys(app) -> list[str]:
    """'key description' of every key the page's bindings show (what the footer should say)."""
    footer = app.screen.query_one(PageFooter)
    return [f"{key.key_display} {key.description}".strip() for key in footer.query(FooterKey)]


def wanted_keys(app) -> list[str]:
    """'key description' of every binding in effect with show=True: what would show were there room."""
    wanted = []
    for active in app.screen.active_bindings.values():
        binding = active.binding
        if binding.show and binding.action != "command_palette":
            wanted.append(f"{app.get_key_display(binding)} {binding.description}".strip())
    return wanted


@pytest.mark.parametrize("page", PAGES)
async def test_each_pages_footer_fits_80_columns_with_no_cut_word(fleet_site, make_app, page):
    app = make_app(fleet_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_page(page)
        await wait_for(pilot, lambda: app.current_page == page and bool(app.screen.query(PageFooter))
                       and bool(app.screen.query_one(PageFooter).query(FooterKey)), what=f"the {page} page")
        await pilot.pause()
        line = footer_line(app)
        shown = shown_keys(app)
        # The footer reads exactly as its keys, one space apart: no key under another, none cut.
        # (The command palette key, when there is room for it, is drawn after a "▏" border.)
        assert line.replace("▏", " ").split() == " ".join(shown).split(), line
        assert any(key.startswith(": ") for key in shown) and any(key.startswith("? ") for key in shown), line
        # And what the page chose to show fits: the footer did not have to drop any of it (but `q Quit`,
        # the first to give way: everyone knows it, and ctrl+c quits too).
        assert [key for key in wanted_keys(app) if key not in shown and key != "q Quit"] == [], line


async def test_keys_that_do_not_fit_give_way_whole_and_help_stays(fleet_site, make_app):
    """A terminal narrower than any page was made for: the footer drops keys, never cuts one."""
    app = make_app(fleet_site)
    async with app.run_test(size=(40, 24)) as pilot:
        await pilot.pause()
        app.open_page("compliance")
        await wait_for(pilot, lambda: app.current_page == "compliance" and bool(app.screen.query(FooterKey)),
                       what="the compliance page")
        await pilot.pause()
        line, shown = footer_line(app), shown_keys(app)
        assert line.replace("▏", " ").split() == " ".join(shown).split(), line
        assert "? Keys" in shown and ": Jump" in shown and "q Quit" not in shown
