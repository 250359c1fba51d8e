"""The running download's progress on the package pages: which package, files and bytes, a bar, and
the key that cancels it. Hidden while no download runs. It reads nothing: it watches the App's `jobs`
reactive, which the download's worker keeps current through messages.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ProgressBar, Static

from sumtui.tui.cells import markup, plain


def running_download(jobs):
    """The download job among the running ones, or None."""
    return next((job for job in jobs if job.kind == "download"), None)


class DownloadPanel(Vertical):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="download-panel")
        # Held, not queried: the App's `jobs` may change before these are mounted.
        self._title = Static("", classes="download-title")
        self._bar = ProgressBar(show_eta=False, classes="download-bar")
        self._counts = Static("", classes="download-counts")

    def compose(self) -> ComposeResult:
        yield self._title
        yield self._bar
        yield self._counts

    def on_mount(self) -> None:
        self.watch(self.app, "jobs", self._show)

    def _show(self, jobs) -> None:
        job = running_download(jobs)
        self.display = job is not None
        if job is None:
            return
        # The package's name is the operator's text: data, not markup.
        headline = job.headline()
        self._title.update(markup("[b]$headline[/b]  (c cancels)", headline=headline[:1].upper() + headline[1:]))
        if job.phase == "downloading" and job.bytes_total:
            self._bar.update(total=job.bytes_total, progress=job.bytes_done)
        elif job.months_total:
            self._bar.update(total=job.months_total, progress=job.months_done)
        else:
            self._bar.update(total=None)
        self._counts.update(plain(job.counts()))
