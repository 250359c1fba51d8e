"""Grid rows and sources of the deployment screens (stages 7 to 9): update lists with their compliance,
deployment templates, packages, and one package's files and updates.

The lists, templates and packages of a site are few (operators name each one): their rows are built
from what a worker read, for a `ListSource`. A package's files and updates can run to thousands, so
they are paged from the database like every large grid; the sources are called from worker threads
and open a short-lived session per call (no read transaction stays open, DESIGN.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import Session

from sumtui.tui.cells import CellStyles, count_text, size_text, styled
from sumtui.tui.widgets.grid_source import GridColumn, GridRow

LIST_COLUMNS = (
    GridColumn("name", "Name", 16, flex=True, sortable=False),
    GridColumn("updates", "Upd.", 5, align="right", sortable=False, kind="number"),
    GridColumn("required", "Req.", 7, align="right", sortable=False, kind="number"),
    GridColumn("installed", "Inst.", 7, align="right", sortable=False, kind="number"),
    GridColumn("failed", "Fail.", 6, align="right", sortable=False, kind="number"),
    GridColumn("unknown", "Unknown", 7, align="right", sortable=False, kind="number"),
    GridColumn("pct", "%OK", 5, align="right", sortable=False, kind="number"),
    GridColumn("description", "Description", 10, flex=True, sortable=False),
)

TEMPLATE_COLUMNS = (
    GridColumn("name", "Name", 16, flex=True, sortable=False),
    GridColumn("collection", "Collection", 12, sortable=False, kind="text"),
    GridColumn("deadline", "Deadline", 9, sortable=False, kind="state"),
    GridColumn("time", "Time", 5, sortable=False, kind="state"),
    GridColumn("restart", "No restart", 12, sortable=False, kind="state"),
    GridColumn("description", "Description", 10, flex=True, sortable=False),
)

PACKAGE_COLUMNS = (
    GridColumn("name", "Name", 16, flex=True, sortable=False),
    GridColumn("updates", "Upd.", 5, align="right", sortable=False, kind="number"),
    GridColumn("files", "Files", 5, align="right", sortable=False, kind="number"),
    GridColumn("downloaded", "Done", 5, align="right", sortable=False, kind="number"),
    GridColumn("size", "Size", 9, align="right", sortable=False, kind="number"),
    GridColumn("state", "State", 13, sortable=False, kind="state"),
    GridColumn("description", "Description", 10, flex=True, sortable=False),
)

PACKAGE_FILE_COLUMNS = (
    GridColumn("kb", "KB", 9, sortable=False),
    GridColumn("file", "File", 16, flex=True, sortable=False),
    GridColumn("state", "State", 13, sortable=False, kind="state"),
    GridColumn("size", "Size", 9, align="right", sortable=False, kind="number"),
    GridColumn("why", "Why", 12, flex=True, sortable=False),
)

PACKAGE_UPDATE_COLUMNS = (
    GridColumn("kb", "KB", 9, sortable=False),
    GridColumn("product", "Product", 14, flex=True, sortable=False),
    GridColumn("source", "Source", 8, sortable=False, kind="state"),
    GridColumn("state", "State", 12, sortable=False, kind="state"),
    GridColumn("files", "Files", 5, align="right", sortable=False, kind="number"),
    GridColumn("why", "Why", 12, flex=True, sortable=False),
)

# States in words with a symbol, so they keep their meaning without colour (NO_COLOR).
FILE_STATES = {"downloaded": "✔ downloaded", "missing": "○ missing", "quarantined": "✖ quarantined"}
UPDATE_STATES = {"downloaded": "✔ downloaded", "pending": "○ pending", "incomplete": "○ incomplete",
                 "failed": "✖ failed"}


def list_rows(lists, styles: CellStyles, members: int) -> list[GridRow]:
    """ListSummary values as rows; `members`: the collection's size (how loud a Required count is)."""
    rows = []
    for summary in lists:
        c = summary.compliance
        rows.append(GridRow(key=summary.name, cells=(
            summary.name, count_text(c.updates, 5), styles.required(c.required, c.updates * members),
            count_text(c.installed), styles.failed(c.failed), count_text(c.unknown), styles.pct(c.compliant_pct),
            summary.description or "",
        )))
    return rows


def deadline_text(settings) -> str:
    """'2 weeks', '1 day': a template's time from available to deadline."""
    unit = settings.duration_unit if settings.duration != 1 else settings.duration_unit.removesuffix("s")
    return f"{settings.duration} {unit}"


def restart_text(settings) -> str:
    """Which machines a template keeps from restarting: 'servers', 'workstations', 'both' or 'none'."""
    servers, workstations = settings.suppress_restart_servers, settings.suppress_restart_workstations
    return "both" if servers and workstations else "servers" if servers else "workstations" if workstations else "none"


def template_rows(templates) -> list[GridRow]:
    return [GridRow(key=t.name, cells=(
        t.name, t.settings.collection or "—", deadline_text(t.settings),
        "UTC" if t.settings.time_basis == "utc" else "local", restart_text(t.settings), t.description or "",
    )) for t in templates]


def package_state(summary) -> str:
    """A package in words: complete when every file it needs is downloaded and verified."""
    if summary.quarantined:
        return "✖ quarantined"
    if summary.complete:
        return "✔ complete"
    if not summary.files:
        return "○ no files" if summary.updates else "○ empty"
    return "○ incomplete"


def package_rows(packages, styles: CellStyles) -> list[GridRow]:
    rows = []
    for p in packages:
        state = package_state(p)
        style = styles.good if p.complete else styles.gap_wide if p.quarantined else styles.gap if p.files else ""
        rows.append(GridRow(key=p.name, cells=(
            p.name, count_text(p.updates, 5), count_text(p.files, 5), count_text(p.downloaded, 5), size_text(p.bytes),
            styled(state, style), p.description or "",
        )))
    return rows


@dataclass(frozen=True)
class FileKey:
    """A package file row's key: what its detail line shows."""

    kb: str
    sha1: str
    file_name: str
    state: str
    reason: str | None
    origin: str
    languages: str


@dataclass(frozen=True)
class _PackageRows:
    """One package's rows of one kind, a page at a time: subclasses say which query and which cells."""

    engine: Engine
    package_id: int
    styles: CellStyles = field(default_factory=CellStyles)

    def _count(self, session: Session) -> int:
        raise NotImplementedError

    def _page(self, session: Session, offset: int, limit: int) -> list:
        raise NotImplementedError

    def _row(self, row) -> GridRow:
        raise NotImplementedError

    def count(self) -> int:
        with Session(self.engine) as session:
            return self._count(session)

    def fetch(self, offset: int, limit: int) -> list[GridRow]:
        with Session(self.engine) as session:
            rows = self._page(session, offset, limit)
        return [self._row(r) for r in rows]


class PackageFilesSource(_PackageRows):
    """One package's files, problems first, each with its state and why."""

    def _count(self, session: Session) -> int:
        from sumtui.deploy.packages import count_package_files

        return count_package_files(session, package_id=self.package_id)

    def _page(self, session: Session, offset: int, limit: int) -> list:
        from sumtui.deploy.packages import page_package_files

        return page_package_files(session, package_id=self.package_id, offset=offset, limit=limit)

    def _row(self, f) -> GridRow:
        s = self.styles
        colour = {"downloaded": s.good, "missing": s.gap, "quarantined": s.gap_wide}.get(f.state, "")
        return GridRow(key=FileKey(f.kb, f.sha1, f.file_name, f.state, f.reason, f.origin, f.languages),
                       cells=(f"KB{f.kb}", f.file_name, styled(FILE_STATES.get(f.state, f.state), colour),
                              size_text(f.size), f.reason or ""))


class PackageUpdatesSource(_PackageRows):
    """One package's updates (KB and product), each with its download state and why."""

    def _count(self, session: Session) -> int:
        from sumtui.deploy.packages import count_package_updates

        return count_package_updates(session, package_id=self.package_id)

    def _page(self, session: Session, offset: int, limit: int) -> list:
        from sumtui.deploy.packages import page_package_updates

        return page_package_updates(session, package_id=self.package_id, offset=offset, limit=limit)

    def _row(self, u) -> GridRow:
        s = self.styles
        colour = {"downloaded": s.good, "incomplete": s.gap, "failed": s.gap_wide}.get(u.state, "")
        return GridRow(key=(u.kb, u.product_id), cells=(
            f"KB{u.kb}", u.product or "every product", u.source, styled(UPDATE_STATES.get(u.state, u.state), colour),
            str(u.files), u.reason or ""))
