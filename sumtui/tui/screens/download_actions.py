"""What the package pages share: `d` opens the Download wizard and starts its job in the App's content
lane, `c` cancels that job, and the pages follow the job as it lands files."""

from __future__ import annotations

from collections.abc import Callable

from sumtui.tui.widgets.download_panel import running_download


class DownloadActions:
    """`d` (the Download wizard, then the job) and `c` (cancel it) on the package pages."""

    def wizard_package(self) -> str | None:
        """The package the wizard starts with (the one under the cursor, or this page's)."""
        return None

    def check_download(self, action: str) -> bool | None:
        """check_action's part for these keys: `c` only while a download runs; none in a read-only console."""
        if action == "download":
            return not self.console.readonly
        if action == "cancel_download":
            return running_download(self.console.jobs) is not None
        return True

    def action_download(self) -> None:
        from sumtui.tui.screens.download_wizard import DownloadWizardScreen

        if self.console.readonly:
            return

        def chosen(request) -> None:
            if request is not None and self.console.start_download(request):
                self.notify(f"Downloading into {request.package!r}: the progress shows here and in the header.",
                            timeout=5)

        self.app.push_screen(DownloadWizardScreen(package=self.wizard_package(),
                                                  content_dir=str(self.console.site.content_dir)), chosen)

    def action_cancel_download(self) -> None:
        from sumtui.tui.jobs import CONTENT

        if not self.console.cancel_job(CONTENT):
            self.notify("No download is running.", timeout=3)

    def watch_downloads(self, on_files: Callable[[], object]) -> None:
        """Call `on_files` when the running download finishes a file (its rows changed), and keep the
        footer's `c` in step with whether a download runs."""
        seen: list = [None]

        def changed(jobs) -> None:
            self.refresh_bindings()
            job = running_download(jobs)
            mark = (job.months_done, job.failed) if job is not None and job.phase == "downloading" else None
            if mark is not None and mark != seen[0]:
                on_files()
            seen[0] = mark

        self.watch(self.app, "jobs", changed, init=False)
