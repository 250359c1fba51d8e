"""One line saying that the fleet's compliance states are older than the catalog, and what to do.

Shown on Home and the Compliance screen while a sync or import stored months the fleet has not been
evaluated against (a run was cancelled, killed or failed before the re-evaluation, or a re-evaluation
was cancelled). Hidden otherwise. It reads nothing itself: it watches the App's `site_info` (whose
`states_stale` the App keeps current) and `jobs` (a re-evaluation running now).
"""

from __future__ import annotations

from textual.widgets import Static

STALE = ("Compliance states are older than the catalog: some clients were evaluated before the last "
         "catalog change.")
RUNNING = " Re-evaluating the fleet now…"
OFFER = " Re-evaluate now: e on the Sync screen, or ctrl+p → Re-evaluate the fleet."


class StaleStatesLine(Static):
    DEFAULT_CSS = """
    StaleStatesLine {
        height: auto;
        padding: 0 1;
        color: $text-warning;
        display: none;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)

    def on_mount(self) -> None:
        for name in ("site_info", "jobs"):
            self.watch(self.app, name, self._refresh_text, init=False)
        self._refresh_text()

    def _refresh_text(self, *_args) -> None:
        info = getattr(self.app, "site_info", None)
        stale = bool(info is not None and getattr(info, "states_stale", False))
        self.display = stale
        if not stale:
            return
        running = any(job.kind == "reevaluate" for job in getattr(self.app, "jobs", ()))
        readonly = getattr(self.app, "readonly", False)
        self.update(STALE + (RUNNING if running else "" if readonly else OFFER))
