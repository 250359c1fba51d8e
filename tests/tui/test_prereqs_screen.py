"""The Prerequisites screen as a newcomer meets it: the management point's fix hint names this site, and the
offline demo shows no failing check it cannot fix (the upstream on the internet is skipped, and says so)."""

from __future__ import annotations

import httpx

from sumtui.tui.screens.prereqs import PrereqsScreen
from tests.tui.conftest import open_page, text_of, wait_for


def refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


async def checked(app, pilot) -> PrereqsScreen:
    screen = await open_page(app, pilot, "prereqs", PrereqsScreen)
    await wait_for(pilot, lambda: screen.report is not None, what="the checks")
    return screen


async def test_the_demo_skips_the_upstream_and_names_the_site_in_the_fix(console_site, make_app):
    internet = httpx.MockTransport(lambda request: (_ for _ in ()).throw(AssertionError("the demo is offline")))
    app = make_app(console_site, demo=True, upstream_transport=internet, mp_transport=httpx.MockTransport(refused))
    async with app.run_test(size=(100, 36)) as pilot:
        screen = await checked(app, pilot)
        assert text_of(screen.query_one("#check-upstream .check-text")) == "skipped: offline demo"
        assert [c.key for c in screen.report.failed] == ["management_point"]  # fixable: the hint says how
        fix = text_of(screen.query_one("#check-management_point .check-text"))
        assert f"sumtui --db {console_site.engine.url.database} serve --host" in fix.replace("\n", " ")


async def test_outside_the_demo_the_upstream_is_checked(console_site, make_app):
    seen = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"value": []})

    app = make_app(console_site, upstream_transport=httpx.MockTransport(upstream),
                   mp_transport=httpx.MockTransport(refused))
    async with app.run_test(size=(100, 36)) as pilot:
        screen = await checked(app, pilot)
        assert seen == ["https://api.msrc.microsoft.com/cvrf/v3.0/updates"]
        assert "HTTP 200" in text_of(screen.query_one("#check-upstream .check-text"))
