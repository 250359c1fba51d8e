"""The one-line header on every screen: where you are, which site, its upstream, the last sync, any job.

It reads nothing itself: it watches the App's `site_info`, `jobs` and `clock` reactives, which App
workers keep current, so a dozen screens cost one query. The clock ticks every second for the age of
the last sync; a label is repainted only when its text changed (over SSH every repaint is bytes).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

from sumtui.timeutil import age
from sumtui.tui.cells import plain


class SiteHeader(Horizontal):
    """`sumtui › Updates │ demo (demo site) │ api.msrc.microsoft.com │ last sync 2 h ago, ok │ syncing 3/12 months`."""

    def __init__(self, title: str) -> None:
        super().__init__(id="site-header")
        # Held from the start: the App's reactives may change before the labels are mounted.
        self._labels = {
            # Titles name clients and collections; the site, its upstream and the last run come from settings.
            "title": Label(plain(f"sumtui › {title}"), id="header-title"),
            "site": Label("", id="header-site"),
            "upstream": Label("", id="header-upstream"),
            "sync": Label("", id="header-sync"),
            "job": Label("", id="header-job"),
        }

    def compose(self) -> ComposeResult:
        yield from self._labels.values()

    def on_mount(self) -> None:
        for name in ("site_info", "jobs", "clock"):
            self.watch(self.app, name, self._refresh_text, init=False)
        self._refresh_text()

    def _refresh_text(self, *_args) -> None:
        app = self.app
        info = getattr(app, "site_info", None)
        jobs = getattr(app, "jobs", ())
        site, upstream, sync, running = (self._labels[k] for k in ("site", "upstream", "sync", "job"))
        if info is None:
            _set(site, "")
            _set(upstream, "")
            _set(sync, "")
        else:
            _set(site, ("demo site" if info.name == "demo" else f"{info.name} (demo)") if info.demo else info.name)
            _set(upstream, info.upstream_label)
            if info.last_ended is None:
                _set(sync, "never synced")
            else:
                _set(sync, f"last {info.last_kind or 'sync'} {age(info.last_ended, app.now())} ago, {info.last_status}")
            sync.set_class(info.last_status not in (None, "ok"), "-warning")
        if jobs:
            _set(running, " · ".join(job.headline() for job in jobs))
        elif info is not None and info.running_elsewhere:
            _set(running, "a sync is running in another process")
        else:
            _set(running, "")
        running.display = bool(jobs or (info is not None and info.running_elsewhere))


def _set(label: Label, text: str) -> None:
    """Show `text` as data (it names sites and upstreams), repainting only when it changed."""
    content = plain(text)
    if str(label.content) != str(content):
        label.update(content)
