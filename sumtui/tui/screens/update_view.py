"""One update on a page of its own: what enter opens from a list of states (a client's detail). It shows
what the Updates screen's detail pane shows (sumtui.tui.widgets.update_detail), under a line that says
where it was opened from (the client's state for it, and why). `r` reads it again; esc goes back.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from sumtui.tui.messages import UpdateDetailLoaded, WorkFailed
from sumtui.tui.screens.base import PageScreen
from sumtui.tui.widgets.update_detail import UpdateDetailView, render_detail


def read_update_detail(session, update_id: int):
    """(detail, advisories) of one update: the catalog's detail (None when it is gone) and, per CVE, the
    advisories without a KB (release notes, Click-to-Run) that the detail lists under the CVE."""
    import json

    from sqlalchemy import select

    from sumtui.catalog.models import Vulnerability
    from sumtui.catalog.queries import update_detail

    detail = update_detail(session, update_id=update_id)
    advisories: dict[str, list[dict]] = {}
    if detail is not None and detail.cves:
        V = Vulnerability.__table__
        rows = session.execute(select(V.c.cve, V.c.advisories).where(V.c.cve.in_([c.cve for c in detail.cves])))
        advisories = {cve: items for cve, text in rows if (items := json.loads(text or "[]"))}
    return detail, advisories


class UpdateViewScreen(PageScreen):
    TITLE = "Update"
    AUTO_FOCUS = "#detail"

    def __init__(self, update_id: int, *, context: Content | str = "", title: str = "Update") -> None:
        super().__init__()
        self.update_id = update_id
        self._origin = context
        self.TITLE = title
        self.refreshers.append(self.load)

    def compose_body(self) -> ComposeResult:
        yield Static(self._origin, id="update-context", classes="row-detail")
        yield UpdateDetailView(id="detail")

    def on_mount(self) -> None:
        self.query_one("#update-context").display = bool(self._origin)
        self.load()

    @work(thread=True, exclusive=True, group="update-view", exit_on_error=False)
    def load(self) -> None:
        try:
            with self.console.site.session() as session:
                detail, advisories = read_update_detail(session, self.update_id)
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(WorkFailed("reading the update", one_line(exc)))
            return
        self.post_message(UpdateDetailLoaded(self.update_id, detail, advisories))

    @on(UpdateDetailLoaded)
    def _show(self, message: UpdateDetailLoaded) -> None:
        if message.update_id != self.update_id:
            return
        view = self.query_one("#detail", UpdateDetailView)
        if message.detail is None:
            view.show("This update is no longer in the catalog.")
        else:
            view.show(render_detail(message.detail, message.advisories))
