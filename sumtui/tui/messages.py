"""Typed messages that workers post back to the UI thread.

Workers never touch widgets: they post one of these and a handler on the UI thread applies it.
Domain types are only imported for type checking, so importing this module stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from sumtui.catalog.folders import Folder
    from sumtui.catalog.models import SyncError, SyncRun
    from sumtui.catalog.queries import UpdateDetail
    from sumtui.catalog.sync import SyncProgress
    from sumtui.checklist import Stage
    from sumtui.prereqs import PrereqReport
    from sumtui.tui.state import SiteInfo


class JobProgressed(Message):
    """A sync or import reported progress. Only the latest report matters, so queued ones coalesce."""

    def __init__(self, kind: str, progress: SyncProgress) -> None:
        super().__init__()
        self.kind = kind
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, JobProgressed) and message.kind == self.kind


class JobFinished(Message):
    """A sync or import ended: ok, partial, failed or cancelled (`run_id` is None if no run was recorded)."""

    def __init__(self, kind: str, *, status: str, run_id: int | None = None, message: str | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.status = status
        self.run_id = run_id
        self.message = message


class WorkFailed(Message):
    """A worker raised: `what` names the work, `error` is one line for a notification."""

    def __init__(self, what: str, error: str) -> None:
        super().__init__()
        self.what = what
        self.error = error


class SiteInfoLoaded(Message):
    def __init__(self, info: SiteInfo) -> None:
        super().__init__()
        self.info = info


class ChecklistLoaded(Message):
    def __init__(self, stages: list[Stage], counts: dict[str, int]) -> None:
        super().__init__()
        self.stages = stages
        self.counts = counts


class PrereqsChecked(Message):
    def __init__(self, report: PrereqReport) -> None:
        super().__init__()
        self.report = report


class SettingsLoaded(Message):
    """Current settings of a group (`key`) and what its form offers, ready to open the form."""

    def __init__(self, key: str, settings: Any, choices: dict[str, list] | None = None) -> None:
        super().__init__()
        self.key = key
        self.settings = settings
        self.choices = choices or {}


class SettingsSaved(Message):
    def __init__(self, key: str, title: str) -> None:
        super().__init__()
        self.key = key
        self.title = title


class RunsLoaded(Message):
    def __init__(self, runs: list[SyncRun], error_counts: dict[int, int]) -> None:
        super().__init__()
        self.runs = runs
        self.error_counts = error_counts


class RunErrorsLoaded(Message):
    def __init__(self, run_id: int, errors: list[SyncError]) -> None:
        super().__init__()
        self.run_id = run_id
        self.errors = errors


class FoldersLoaded(Message):
    def __init__(self, folders: list[Folder], families: list[str], products: list[str]) -> None:
        super().__init__()
        self.folders = folders
        self.families = families
        self.products = products


class FolderChanged(Message):
    """A saved folder was created (`folder_key` set) or deleted; `text` is for the notification."""

    def __init__(self, text: str, folder_key: str | None = None) -> None:
        super().__init__()
        self.text = text
        self.folder_key = folder_key


class UpdateDetailLoaded(Message):
    def __init__(self, update_id: int, detail: UpdateDetail | None, advisories: dict[str, list[dict]]) -> None:
        super().__init__()
        self.update_id = update_id
        self.detail = detail
        self.advisories = advisories


class ExportWritten(Message):
    def __init__(self, path: str, count: int) -> None:
        super().__init__()
        self.path = path
        self.count = count
