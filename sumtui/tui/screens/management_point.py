"""Management point: where agents report (the URL, a setting), whether it answers (a probe of its health
endpoint), how to start it, the site enrollment key and the exact command line for a client's agent.
The key is shown only right after it is made (first visit) or rotated: the site keeps only its hash.

`p` probes again, `e` edits the URL, `R` rotates the key after a confirmation, `y` copies the agent
command (OSC 52: works through SSH in most terminals), `r` reads it all again. A read-only console neither
edits nor rotates, and never creates a key: it says whether there is one.

The page stays current by itself: it is read again when the site's settings or catalog change (here or
in another process), and the management point is probed again every TICK_SECONDS while it is shown, so
its catalog size and health are never older than that.
"""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from sumtui.tui.cells import markup, plain
from sumtui.tui.messages import FleetChanged, MpLoaded, MpProbed, WorkFailed
from sumtui.tui.screens.base import PageScreen
from sumtui.tui.screens.grid_screen import reload_on_data_change
from sumtui.workflows.site_marks import CATALOG, SETTINGS

ROWS = (("url", "URL"), ("status", "Status"), ("serve", "Start it"), ("key", "Enrollment"), ("agent", "Agent command"))


def url_check(text: str) -> str | None:
    from pydantic import ValidationError

    from sumtui.fleet.management_point import ManagementPointSettings
    from sumtui.tui.screens.settings_form import clean_message

    try:
        ManagementPointSettings(url=text)
    except ValidationError as exc:
        return clean_message(exc.errors()[0]["msg"])
    return None


class ManagementPointScreen(PageScreen):
    TITLE = "Management point"
    AUTO_FOCUS = "#mp-body"
    BINDINGS = [
        Binding("p", "probe", "Probe again", id="mp.probe"),
        Binding("e", "edit_url", "Edit URL", id="mp.edit"),
        Binding("R", "rotate", "Rotate key", key_display="R", id="mp.rotate"),
        Binding("y", "copy_agent", "Copy agent command", id="mp.copy"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.settings = None
        self.key: str | None = None
        self.database: str | None = None
        self.status = None

    def compose_body(self) -> ComposeResult:
        yield Static("Management point: the HTTP API agents register with and report to", classes="section-title")
        with VerticalScroll(id="mp-body", can_focus=True):
            for key, label in ROWS:
                with Horizontal(classes="mp-row", id=f"mp-row-{key}"):
                    yield Static(label, classes="mp-label")
                    yield Static("…", classes="mp-value", id=f"mp-{key}")
            yield Static("", id="mp-hint", classes="hint")

    def on_mount(self) -> None:
        reload_on_data_change(self, self.load, areas=frozenset({CATALOG, SETTINGS}), grid="#mp-body")
        self.watch(self.app, "tick", self._reprobe, init=False)
        self.load()

    def _reprobe(self, *_args) -> None:
        if self.is_current and self.settings is not None:
            self.probe(self.settings.url)

    def on_screen_suspend(self) -> None:
        if self not in self.app.screen_stack and self.key is not None:
            # Left (not just covered by a dialog): a key made here is not shown again, on this visit's
            # page or any later one; the next visit finds it hidden like any other key.
            self.key = None
            self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit_url", "rotate") and self.console.readonly:
            return False
        return True

    def _set(self, key: str, content) -> None:
        self.query_one(f"#mp-{key}", Static).update(content)

    # ------------------------------------------------------------------ reading

    @work(thread=True, exclusive=True, group="mp-load", exit_on_error=False)
    def load(self) -> None:
        from sumtui.fleet import enrollment, management_point

        site = self.console.site
        try:
            with site.session() as session:
                settings, _ = management_point.load(session)
                has_key = enrollment.has_enrollment_key(session)
                key = None
                if not has_key and not self.console.readonly:
                    key = enrollment.create_enrollment_key(session)  # made on first use, like `sumtui enroll-key`
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(WorkFailed("reading the management point settings", one_line(exc)))
            return
        database = str(site.engine.url.database) if site.is_sqlite else None
        self.post_message(MpLoaded(settings, key, database, has_key=has_key))

    @on(MpLoaded)
    def _loaded(self, message: MpLoaded) -> None:
        from sumtui.fleet.management_point import agent_command, serve_command

        # A key made or rotated on this screen stays shown while it is open: the site cannot show it again.
        self.settings, self.database = message.settings, message.database
        self.key = message.key or self.key
        url = message.settings.url
        # URLs, paths, keys and probe verdicts are data: `markup` variables or `plain`, never markup.
        self._set("url", markup("$url  [dim](e: edit)[/dim]", url=url) if not self.console.readonly else plain(url))
        serve = serve_command(url, database=message.database)
        where = "" if message.database else "\n[dim]with --db or SUMTUI_DB naming this site's database[/dim]"
        self._set("serve", markup(f"[b]$serve[/b]  [dim]on the site server[/dim]{where}", serve=serve))
        rotate = "" if self.console.readonly else " · R: rotate"
        if self.key is not None:
            self._set("key", markup(f"$key\n[dim]shown only now: the site keeps only a hash of it{rotate}[/dim]",
                                    key=self.key))
            self._set("agent", markup("[b]$line[/b]\n[dim]y copies it · registered agents keep "
                                      "working when the key rotates[/dim]", line=agent_command(url, self.key)))
        elif message.has_key:
            self._set("key", Content.from_markup(
                "set [dim](not shown again: the site keeps only a hash of it"
                + ("" if self.console.readonly else "; R makes a new one and shows it") + ")[/dim]"))
            self._set("agent", markup("$line\n[dim]KEY: the key given when it was made[/dim]",
                                      line=f"sumtui agent --server {url} --enroll-key KEY"))
        else:
            self._set("key", Content.from_markup(
                "[dim]none yet: a read-write console or `sumtui enroll-key` makes one[/dim]"))
            self._set("agent", plain(f"sumtui agent --server {url} --enroll-key KEY"))
        if self.status is None or self.status.url.rstrip("/") != url.rstrip("/"):  # a re-read keeps the last verdict
            self._set("status", markup("[dim]probing $url…[/dim]", url=url))
        self.query_one("#mp-hint", Static).update(
            "Agents report their inventory and scan states here; clients appear on :clients as they do. Machines "
            "without an agent: import their inventories on :clients (i).")
        self.probe(url)

    @work(thread=True, exclusive=True, group="mp-probe", exit_on_error=False)
    def probe(self, url: str) -> None:
        from sumtui.fleet.management_point import probe

        try:
            status = asyncio.run(probe(url, transport=self.console.mp_transport))
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(WorkFailed("probing the management point", one_line(exc)))
            return
        self.post_message(MpProbed(status))

    @on(MpProbed)
    def _probed(self, message: MpProbed) -> None:
        from sumtui.fleet.management_point import host_and_port

        self.status = s = message.status
        row = self.query_one("#mp-row-status")
        row.set_class(s.reachable, "-ok")
        row.set_class(not s.reachable, "-failed")
        if s.reachable:
            figures = []
            if s.catalog_updates is not None:
                figures.append(f"{s.catalog_updates:,} updates in its catalog")
            self._set("status", markup("✔ reachable: $verdict$more", verdict=s.verdict,
                                       more=f" · {', '.join(figures)}" if figures else ""))
        else:
            host, port = host_and_port(s.url)
            other = "" if self.console.readonly else ", or correct the URL (e)"
            self._set("status", markup(
                "✘ not reachable: $verdict\n[i]fix:[/i] start it with `sumtui serve --host $host --port $port`$other",
                verdict=s.verdict, host=host, port=str(port), other=other))

    # ------------------------------------------------------------------ actions

    def action_probe(self) -> None:
        if self.settings is not None:
            self._set("status", markup("[dim]probing $url…[/dim]", url=self.settings.url))
            self.probe(self.settings.url)

    def action_edit_url(self) -> None:
        if self.console.readonly or self.settings is None:
            return
        from sumtui.tui.screens.prompt import PromptScreen

        def chosen(text: str | None) -> None:
            if text:
                self.save_url(text)

        self.app.push_screen(PromptScreen(
            "Management point URL", detail="The URL agents use to reach it, e.g. http://mp.example:8530/",
            value=self.settings.url, action="Save", check=url_check), chosen)

    @work(thread=True, group="mp-change", exit_on_error=False)
    def save_url(self, text: str) -> None:
        from sumtui.fleet import management_point

        try:
            settings = management_point.ManagementPointSettings(url=text)
            with self.console.site.session() as session:
                management_point.save(session, settings)
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(WorkFailed("saving the management point URL", one_line(exc)))
            return
        self.post_message(FleetChanged(f"Management point URL set to {settings.url}."))

    def action_rotate(self) -> None:
        if self.console.readonly:
            return
        from sumtui.tui.screens.confirm import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.rotate()

        self.app.push_screen(ConfirmScreen(
            "Rotate the site enrollment key? Agents already registered keep working; new agents must use the new key "
            "(the agent command line changes, and the old key stops working at once).", yes="Rotate"), confirmed)

    @work(thread=True, group="mp-change", exit_on_error=False)
    def rotate(self) -> None:
        from sumtui.fleet.enrollment import rotate_enrollment_key

        try:
            with self.console.site.session() as session:
                key = rotate_enrollment_key(session)
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(WorkFailed("rotating the enrollment key", one_line(exc)))
            return
        self.app.call_from_thread(setattr, self, "key", key)  # shown by the reload that follows, and only here
        self.post_message(FleetChanged("Enrollment key rotated: it is shown only now; give agents the new command line."))

    @on(FleetChanged)
    def _changed(self, message: FleetChanged) -> None:
        self.notify(message.text, timeout=6)
        self.console.notify_data_changed()  # this page re-reads with every other (reload_on_data_change)

    def action_copy_agent(self) -> None:
        from sumtui.fleet.management_point import agent_command

        if self.settings is None or self.key is None:
            self.notify("The enrollment key is shown only when it is made: R makes a new one.", timeout=4)
            return
        self.app.copy_to_clipboard(agent_command(self.settings.url, self.key))
        self.notify("Agent command copied (paste it on the client).", timeout=4)
