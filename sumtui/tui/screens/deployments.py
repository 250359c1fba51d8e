"""Deployments (stage 12, monitoring): every deployment with its collection, schedule and a progress bar
per state (installed, on its way, pending, failed, not required; glyphs and counts, not colour alone),
the share installed, the failures, and how long it took to converge once done; the NAP evaluation in
the status line. Read again whenever agents report or a deployment changes (the site's marks), and on
`r`. Enter opens a deployment's clients and error codes; `n` starts the deployment wizard; `delete`
asks for a typed "yes" as `sumtui deployments delete` does; `t` sets the alerts' thresholds (error rate,
silent days). A read-only console monitors only (the thresholds form opens read-only).
"""

from __future__ import annotations

from textual import on, work
from textual.binding import Binding

from sumtui.tui.cells import CellStyles, markup, plain
from sumtui.tui.messages import DeployChanged, WorkFailed
from sumtui.tui.monitor_messages import DeploymentsLoaded
from sumtui.tui.monitor_sources import (
    DEPLOYMENT_COLUMNS,
    MONITOR_AREAS,
    DeploymentLine,
    deployment_rows,
    pct_label,
)
from sumtui.tui.screens.deployment_delete import DeleteDeploymentAction
from sumtui.tui.screens.grid_screen import reload_on_data_change
from sumtui.tui.screens.named_rows import NamedRowsScreen
from sumtui.tui.widgets.paged_table import PagedTable
EMPTY = "No deployment yet: n starts the deployment wizard (or :deploy)."


def nap_line(session, now) -> str:
    """The NAP evaluation in one line: what is flagged, how many clients are unhealthy."""
    from sumtui.deploy.nap_counts import nap_counts

    flagged, _effective, unhealthy = nap_counts(session, now=now)
    if not flagged:
        return "NAP: no update flagged"
    return (f"NAP: {flagged:,} update{'s' if flagged != 1 else ''} flagged, {unhealthy:,} unhealthy "
            f"client{'s' if unhealthy != 1 else ''} (sumtui nap)")


def read_deployments(session) -> list[DeploymentLine]:
    from sumtui.deploy.status import list_deployments
    from sumtui.deploy.status_pages import convergence

    return [DeploymentLine(s, convergence(session, deployment_id=s.id, counts=s.counts, pairs=s.pairs))
            for s in list_deployments(session)]


class DeploymentsScreen(DeleteDeploymentAction, NamedRowsScreen):
    TITLE = "Deployments"
    COLUMNS = DEPLOYMENT_COLUMNS
    STATUS_ID, DETAIL_ID = "deployments-status", "deployment-line"
    NOUN = "deployment"
    CHANGES_SITE = ("new", "delete")
    BINDINGS = [
        Binding("n", "new", "New", tooltip="New deployment (the wizard)", id="deployments.new"),
        Binding("delete,d", "delete", "Delete", key_display="del", id="deployments.delete"),
        Binding("t", "thresholds", "Thresholds", show=False, tooltip="Alert thresholds", id="deployments.thresholds"),
    ]

    def on_mount(self) -> None:
        reload_on_data_change(self, self.load, areas=MONITOR_AREAS)
        self.load()

    # ------------------------------------------------------------------ reading

    def load(self) -> None:
        self.read_deployments()

    @work(thread=True, exclusive=True, group="deployments", exit_on_error=False)
    def read_deployments(self) -> None:
        try:
            with self.console.site.session() as session:
                lines = read_deployments(session)
                nap = nap_line(session, self.console.now())
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("reading the deployments", exc))
            return
        self.post_message(DeploymentsLoaded(lines, nap))

    @on(DeploymentsLoaded)
    def _show(self, message: DeploymentsLoaded) -> None:
        rows = deployment_rows(message.lines, CellStyles.from_variables(self.app.theme_variables))
        if not message.lines:
            status = plain(f"{EMPTY} · {message.nap}")
        else:
            count = len(message.lines)
            converging = sum(1 for line in message.lines if line.converged is None)
            status = plain(f"{count} deployment{'s' if count != 1 else ''}, {converging} converging · {message.nap} · "
                           "times UTC (L: client local) · enter: clients, codes")
        self.show_rows(message.lines, rows, status)

    def detail_of(self, line: DeploymentLine):
        from sumtui.deploy.status import when_text

        s = line.summary
        counts = ", ".join(f"{name.replace('_', ' ')} {n:,}" for name, n in s.counts.items() if n) or "no clients"
        return markup("[b]$name[/b] → $collection ($members clients, $updates updates) · available $available · "
                      "deadline $deadline · installed $pct\n$counts",
                      name=s.name, collection=s.collection, members=f"{s.members:,}", updates=f"{s.updates:,}",
                      available=when_text(s.available, local=s.local_time, missing="as soon as possible"),
                      deadline=when_text(s.deadline, local=s.local_time, missing="none"),
                      pct=pct_label(line.installed_pct), counts=counts)

    # ------------------------------------------------------------------ moving on

    @on(PagedTable.RowActivated, "#grid")
    def _activated(self) -> None:
        from sumtui.tui.screens.deployment_detail import DeploymentDetailScreen

        line = self.current
        if line is not None:
            self.app.push_screen(DeploymentDetailScreen(line.summary.id, line.name))

    def open_form(self, current) -> None:
        # The deployment wizard (another page's screen): a new deployment, whatever the cursor is on.
        self.console.open_deploy_wizard()

    def action_edit(self) -> None:  # deployments are made by the wizard, not edited in place
        return

    def action_delete(self) -> None:
        line = self.current
        if line is not None:
            self.ask_delete_deployment(line.name, line.summary.updates)

    # ------------------------------------------------------------------ alert thresholds

    @work(thread=True, exclusive=True, group="alert-settings", exit_on_error=False)
    def action_thresholds(self) -> None:
        from sumtui.workflows.alerts import load_alert_settings

        try:
            with self.console.site.session() as session:
                settings = load_alert_settings(session)
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("reading the alert thresholds", exc))
            return
        self.app.call_from_thread(self._open_thresholds, settings)

    def _open_thresholds(self, settings) -> None:
        from sumtui.tui.screens.alert_settings import AlertSettingsScreen

        def closed(result) -> None:
            if result is not None and not self.console.readonly:
                self.save_thresholds(result)

        self.app.push_screen(AlertSettingsScreen(settings, readonly=self.console.readonly), closed)

    @work(thread=True, group="alert-settings-save", exit_on_error=False)
    def save_thresholds(self, settings) -> None:
        from sumtui.db.site_settings import save_setting
        from sumtui.workflows.alerts import ALERT_SETTINGS_KEY

        try:
            with self.console.site.session() as session:
                save_setting(session, key=ALERT_SETTINGS_KEY, value=settings)
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("saving the alert thresholds", exc))
            return
        self.post_message(DeployChanged(f"Alert thresholds saved: error rate above {settings.error_rate_pct:g}%, "
                                        f"silent for {settings.silent_days} days."))
