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
    from sumtui.compliance.queries import ClientUpdateState
    from sumtui.deploy.lists import ListSummary
    from sumtui.deploy.package_download import PackageProgress
    from sumtui.deploy.packages import PackageSummary
    from sumtui.deploy.templates import TemplateView
    from sumtui.fleet.management_point import ManagementPointSettings, MpStatus
    from sumtui.tui.fleet_sources import ClientDetail, CollectionRow, WindowRow
    from sumtui.tui.state import SiteInfo, TriageView
    from sumtui.workflows.checklist import Stage
    from sumtui.workflows.intake import InventoryResult
    from sumtui.workflows.prereqs import PrereqReport


class JobProgressed(Message):
    """A sync or import reported progress. Only the latest report matters, so queued ones coalesce."""

    def __init__(self, kind: str, progress: SyncProgress) -> None:
        super().__init__()
        self.kind = kind
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, JobProgressed) and message.kind == self.kind


class JobFinished(Message):
    """A sync, import or re-evaluation ended: ok, partial, failed, cancelled, or skipped (nothing to do).
    `run_id` is None if no run was recorded; `changed` says the catalog changed (the fleet needs re-evaluating)."""

    def __init__(self, kind: str, *, status: str, run_id: int | None = None, message: str | None = None,
                 changed: bool = False) -> None:
        super().__init__()
        self.kind = kind
        self.status = status
        self.run_id = run_id
        self.message = message
        self.changed = changed


class FleetProgressed(Message):
    """The fleet re-evaluation finished a batch: `done` of `total` clients. Queued ones coalesce."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FleetProgressed)


class WorkFailed(Message):
    """A worker raised: `what` names the work, `error` is one line for a notification."""

    def __init__(self, what: str, error: str) -> None:
        super().__init__()
        self.what = what
        self.error = error

    @classmethod
    def from_exception(cls, what: str, exc: BaseException,
                       expected: type[BaseException] | tuple[type[BaseException], ...] = ()) -> WorkFailed:
        """The failure of `what`: an `expected` error (the domain's own, e.g. a FleetError, written for the
        operator) in its own words, anything else in one line (`one_line`)."""
        from sumtui.errors import one_line

        return cls(what, str(exc) if isinstance(exc, expected) else one_line(exc))


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


class TriageLoaded(Message):
    def __init__(self, triage: TriageView) -> None:
        super().__init__()
        self.triage = triage


class CollectionsLoaded(Message):
    def __init__(self, collections: list[CollectionRow]) -> None:
        super().__init__()
        self.collections = collections


class FleetChanged(Message):
    """A collection, its members or its windows changed: `text` for the notification, `select` the row to show."""

    def __init__(self, text: str, select: int | None = None) -> None:
        super().__init__()
        self.text = text
        self.select = select


class ClientDetailLoaded(Message):
    def __init__(self, client_id: int, detail: ClientDetail | None, states: list[ClientUpdateState]) -> None:
        super().__init__()
        self.client_id = client_id
        self.detail = detail
        self.states = states


class WindowsLoaded(Message):
    def __init__(self, collection_id: int, windows: list[WindowRow]) -> None:
        super().__init__()
        self.collection_id = collection_id
        self.windows = windows


class FormSaved(Message):
    """A form's save worker succeeded: `result` is what the form dismisses with."""

    def __init__(self, result: Any) -> None:
        super().__init__()
        self.result = result


class FormRejected(Message):
    """A form's save worker was refused (e.g. a FleetError): one line shown in the form."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class InventoryFileImported(Message):
    """One inventory file was parsed and stored (or refused): the `index`-th of `total`."""

    def __init__(self, index: int, total: int, result: InventoryResult) -> None:
        super().__init__()
        self.index = index
        self.total = total
        self.result = result


class InventoryImportDone(Message):
    def __init__(self, imported: int, failed: int, cancelled: bool) -> None:
        super().__init__()
        self.imported = imported
        self.failed = failed
        self.cancelled = cancelled


class MpLoaded(Message):
    """The management point setting and the enrollment key: `key` only when it was just made (it is never
    shown again), `has_key` whether the site has one."""

    def __init__(self, settings: ManagementPointSettings, key: str | None, database: str | None, has_key: bool = False) -> None:
        super().__init__()
        self.settings = settings
        self.key = key
        self.database = database
        self.has_key = has_key or key is not None


class MpProbed(Message):
    def __init__(self, status: MpStatus) -> None:
        super().__init__()
        self.status = status


class CatalogChoicesLoaded(Message):
    """Product families and product names, for the filter form's choices."""

    def __init__(self, families: list[str], products: list[str]) -> None:
        super().__init__()
        self.families = families
        self.products = products


# --- update lists, deployment templates, packages and downloads (stages 7 to 9) ----------------------


class DownloadProgressed(Message):
    """A download into a package reported progress. Only the latest report matters: queued ones coalesce."""

    def __init__(self, progress: PackageProgress) -> None:
        super().__init__()
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DownloadProgressed)


class ListsLoaded(Message):
    """Every update list with its compliance in the collection `collection_id` (None: the site has no
    clients yet, so no collection to count in)."""

    def __init__(self, lists: list[ListSummary], collection_id: int | None) -> None:
        super().__init__()
        self.lists = lists
        self.collection_id = collection_id


class ListNamesLoaded(Message):
    """(name, number of updates) of every update list, for a picker."""

    def __init__(self, names: list[tuple[str, int]]) -> None:
        super().__init__()
        self.names = names


class TemplatesLoaded(Message):
    """Every deployment template, and the collection names a template may name."""

    def __init__(self, templates: list[TemplateView], collections: list[str]) -> None:
        super().__init__()
        self.templates = templates
        self.collections = collections


class PackagesLoaded(Message):
    def __init__(self, packages: list[PackageSummary]) -> None:
        super().__init__()
        self.packages = packages


class DeployChanged(Message):
    """A list, template or package was created, changed or deleted: `text` for the notification, `select`
    the name of the row to put the cursor on."""

    def __init__(self, text: str, select: str | None = None) -> None:
        super().__init__()
        self.text = text
        self.select = select


class AddedToList(Message):
    """Updates picked on the Updates or Compliance screen went into a list: `text` for the notification."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class TomlImportPlanned(Message):
    """A list or template file was read and planned: its diff (`lines`, outside text unescaped) and
    whether importing it would change anything. Nothing is changed until the operator says yes."""

    def __init__(self, path: str, lines: list[str], changed: bool) -> None:
        super().__init__()
        self.path = path
        self.lines = lines
        self.changed = changed


class WizardChoicesLoaded(Message):
    """What the download wizard offers: the lists (name, updates), the packages and the site's languages."""

    def __init__(self, lists: list[tuple[str, int]], packages: list[str], languages: list[str]) -> None:
        super().__init__()
        self.lists = lists
        self.packages = packages
        self.languages = languages


class PackageLoaded(Message):
    """One package's summary, for its page's headline (None: it was deleted meanwhile)."""

    def __init__(self, package: PackageSummary | None) -> None:
        super().__init__()
        self.package = package


class ListLoaded(Message):
    """One update list's name, description and size, for its page's headline (name None: it was deleted)."""

    def __init__(self, list_id: int, name: str | None, description: str | None = None, updates: int = 0) -> None:
        super().__init__()
        self.list_id = list_id
        self.name = name
        self.description = description
        self.updates = updates
