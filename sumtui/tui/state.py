"""Plain values the console shares between the App and its screens: the running job, the site summary
and the triage figures on Home.

They are frozen dataclasses held in App reactives, so a screen or the header that watches them is
told when they change and never reads the database on the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from sumtui.tui.cells import size_text


@dataclass(frozen=True)
class JobState:
    """A sync or import in progress, as its latest progress report describes it."""

    kind: str  # "sync" | "import" | "reevaluate" | "download"
    phase: str = "starting"  # "starting" | "index" | "month" | "finishing" | "cancelling" (reevaluate: "clients")
    months_done: int = 0
    months_total: int = 0
    month: str | None = None
    updates_new: int = 0
    updates_revised: int = 0
    failed: int = 0
    message: str = ""  # a download: the package's name
    bytes_done: int = 0  # a download (phase "downloading"; months_* count its files)
    bytes_total: int | None = None  # None while a file's size is unknown

    @property
    def verb(self) -> str:
        return {"sync": "syncing", "import": "importing", "reevaluate": "re-evaluating",
                "download": "downloading"}.get(self.kind, self.kind)

    @property
    def noun(self) -> str:
        return "re-evaluation" if self.kind == "reevaluate" else self.kind

    def headline(self) -> str:
        """'syncing 3/12 months' (or 're-evaluating 1,200/2,500 clients') for the header."""
        if self.phase == "cancelling":
            return f"cancelling the {self.noun}…"
        if self.kind == "reevaluate":
            if not self.months_total:
                return "re-evaluating the fleet…"
            return f"re-evaluating {self.months_done:,}/{self.months_total:,} clients"
        if self.kind == "download":
            return self._download_headline()
        if self.phase in ("starting", "index"):
            return f"{self.verb}: reading the index…" if self.kind == "sync" else f"{self.verb}…"
        if self.phase == "finishing":
            return f"{self.verb}: updating supersedence…"
        unit = "months" if self.kind == "sync" else "files"
        return f"{self.verb} {self.months_done}/{self.months_total} {unit}"

    def _download_headline(self) -> str:
        """'downloading 3/7 files, 12.3 MiB of 40.0 MiB', or the step before the files."""
        if self.phase == "resolving":
            if not self.months_total:
                return "download: finding the files…"
            return f"download: finding the files of {self.months_done}/{self.months_total} KBs"
        if self.phase != "downloading":
            return "download: finishing…" if self.phase == "done" else "download: starting…"
        total = f" of {size_text(self.bytes_total)}" if self.bytes_total else ""
        return f"downloading {self.months_done}/{self.months_total} files, {size_text(self.bytes_done)}{total}"

    def counts(self) -> str:
        if self.kind == "reevaluate":
            return "Clients: compliance states against the new catalog"
        if self.kind == "download":
            failed = f" · {self.failed} failed" if self.failed else ""
            return f"Package {self.message}: {self.months_done} of {self.months_total} files{failed}"
        return f"Updates: {self.updates_new} new · {self.updates_revised} revised · {self.failed} failed"


@dataclass(frozen=True)
class SiteInfo:
    """What the header says about the site: where it syncs from and how its last sync went."""

    name: str
    demo: bool = False
    upstream: str = "msrc"  # "msrc" | "files"
    url: str = ""
    last_kind: str | None = None  # "sync" | "import"
    last_status: str | None = None
    last_ended: datetime | None = None
    running_elsewhere: bool = False  # a run recorded as running that this console did not start
    states_stale: bool = False  # compliance states older than the catalog (workflows.catalog_changes)

    @property
    def upstream_label(self) -> str:
        if self.upstream == "files":
            return "offline files"
        return urlsplit(self.url).netloc or self.url or "no upstream"


@dataclass(frozen=True)
class TriageLine:
    """One line of Home's triage list; `target` is what enter opens ("update:12", "client:7", or None)."""

    text: str
    target: str | None = None
    style: str = ""  # "critical" | "important" | "muted" | ""


@dataclass(frozen=True)
class TriageView:
    """What Home's triage panel shows, read from the maintained summaries in a worker."""

    has_fleet: bool
    collection_id: int | None = None
    headline: str = ""
    trend: tuple[float, ...] = ()
    trend_text: str = ""
    sections: tuple[tuple[str, tuple[TriageLine, ...]], ...] = ()
    refs: dict = field(default_factory=dict, compare=False, hash=False)  # target → the row it opens
