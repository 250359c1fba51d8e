"""Prerequisites (stage 1): database, schema, folders, upstream and management point, each with a verdict
and a fix hint (the management point's names this site, `--db …`). The checks run when the page opens and
on `r`; the report is saved for the checklist. In the demo the upstream is not checked ("skipped: offline
demo"): a first look must not open on a failure a newcomer cannot fix.
`m` opens the Management point screen (its URL, how to start it, the agent command line)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from sumtui.timeutil import age
from sumtui.tui.cells import markup, plain
from sumtui.tui.messages import PrereqsChecked, WorkFailed
from sumtui.tui.screens.base import PageScreen

MARKS = {"ok": ("✔", "check-ok"), "failed": ("✘", "check-failed"), "unavailable": ("–", "check-unavailable")}


def check_row(check) -> Horizontal:
    """`✔ Site database   verdict` with the verdict and its fix hint wrapping under themselves."""
    mark, css_class = MARKS.get(check.status, ("?", ""))
    # Verdicts quote paths, URLs and the errors of what was checked.
    text = plain(check.verdict)
    if check.fix:
        text = Content.assemble(text, "\n", markup("[i]fix:[/i] $fix", fix=check.fix))
    return Horizontal(
        Static(Content.from_markup("$mark [b]$title[/b]", mark=mark, title=check.title), classes="check-title"),
        Static(text, classes="check-text"),
        classes=f"check {css_class}", id=f"check-{check.key}",
    )


class PrereqsScreen(PageScreen):
    TITLE = "Prerequisites"
    BINDINGS = [
        Binding("r", "run_checks", "Re-run checks", id="prereqs.run"),
        Binding("m", "management_point", "Management point", id="prereqs.mp"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report = None

    def compose_body(self) -> ComposeResult:
        yield Static("Prerequisites", id="prereqs-title", classes="section-title")
        yield Static("", id="prereqs-summary")
        yield VerticalScroll(id="checks", can_focus=True)

    def on_mount(self) -> None:
        self.action_run_checks()

    def action_run_checks(self) -> None:
        self.query_one("#prereqs-summary", Static).update("checking…")
        self.set_class(True, "-checking")
        self.run_checks()

    def action_management_point(self) -> None:
        self.console.open_page("mp")

    @work(thread=True, exclusive=True, group="prereqs", exit_on_error=False)
    def run_checks(self) -> None:
        from sumtui import paths
        from sumtui.catalog import settings as update_point
        from sumtui.workflows import prereqs

        app = self.console
        try:
            with app.site.session() as session:
                settings, _ = update_point.load(session)
            report = prereqs.run_checks(
                app.site.engine,
                folders={"content": app.site.content_dir, "data": paths.data_dir()},
                url=settings.url, upstream=settings.upstream, transport=app.upstream_transport,
                mp_transport=app.mp_transport,
                # Fix hints name this site as the Management point screen does; the demo is offline.
                database=str(app.site.engine.url.database) if app.site.is_sqlite else None, offline=app.demo,
            )
            with app.site.session() as session:
                prereqs.save_report(session, report)
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(WorkFailed("running the prerequisite checks", one_line(exc)))
            return
        self.post_message(PrereqsChecked(report))

    @on(PrereqsChecked)
    async def _show(self, message: PrereqsChecked) -> None:
        self.set_class(False, "-checking")
        box = self.query_one("#checks", VerticalScroll)
        await box.remove_children()
        await box.mount_all(check_row(c) for c in message.report.checks)
        report = self.report = message.report
        failed = report.failed
        when = f"checked {age(report.checked_at, self.console.now())} ago"
        if report.all_green:
            text = f"All checks green: stage 1 is done ({when}). r runs them again."
        else:
            text = f"{len(failed)} check(s) failing: fix them and press r ({when})."
        summary = self.query_one("#prereqs-summary", Static)
        summary.update(text)
        summary.set_class(not report.all_green, "-failing")
        self.console.notify_data_changed()
