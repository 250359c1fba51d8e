"""Plain values the console shares between the App and its screens: the running job and the site summary.

They are frozen dataclasses held in App reactives, so a screen or the header that watches them is
told when they change and never reads the database on the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit


@dataclass(frozen=True)
class JobState:
    """A sync or import in progress, as its latest progress report describes it."""

    kind: str  # "sync" | "import"
    phase: str = "starting"  # "starting" | "index" | "month" | "finishing" | "cancelling"
    months_done: int = 0
    months_total: int = 0
    month: str | None = None
    updates_new: int = 0
    updates_revised: int = 0
    failed: int = 0
    message: str = ""

    @property
    def verb(self) -> str:
        return "syncing" if self.kind == "sync" else "importing"

    def headline(self) -> str:
        """'syncing 3/12 months' for the header."""
        if self.phase == "cancelling":
            return f"cancelling the {self.kind}…"
        if self.phase in ("starting", "index"):
            return f"{self.verb}: reading the index…" if self.kind == "sync" else f"{self.verb}…"
        if self.phase == "finishing":
            return f"{self.verb}: updating supersedence…"
        unit = "months" if self.kind == "sync" else "files"
        return f"{self.verb} {self.months_done}/{self.months_total} {unit}"

    def counts(self) -> str:
        return f"{self.updates_new} new · {self.updates_revised} revised · {self.failed} failed"


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

    @property
    def upstream_label(self) -> str:
        if self.upstream == "files":
            return "offline files"
        return urlsplit(self.url).netloc or self.url or "no upstream"
