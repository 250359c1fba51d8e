"""Grid rows and sources of the monitoring screens (stage 12): deployments with a progress bar per state,
one deployment's (client, update) pairs paged from the database, and its failure codes.

A progress bar reads without colour: each phase has its own glyph (█ installed, ▒ on its way, ░ pending,
✖ failed, · not required), and the counts beside it say the same in figures. The pairs' sentences are
`sumtui.deploy.status.explain`'s (through `status_pages`), the ones `deployments show` prints.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from rich.text import Span, Text
from sqlalchemy import Engine
from sqlmodel import Session

from sumtui.tui.cells import CellStyles, count_text, pct_text, short_product, styled
from sumtui.tui.widgets.grid_source import GridColumn, GridRow
from sumtui.workflows.site_marks import CATALOG, DEPLOY, FLEET, SETTINGS

# What the monitoring pages show moves with agents' state messages (deploy), compliance (inventories move
# pending pairs: fleet), the catalog (evaluation) and the policy version (a site setting).
MONITOR_AREAS = frozenset({CATALOG, FLEET, DEPLOY, SETTINGS})

BAR_WIDTH = 12

# Phases of a (client, update) pair, in the bar's order: glyph, the states in it, what the counts say.
PHASES = (
    ("installed", "█", ("installed", "pending_restart"), "✔"),
    ("moving", "▒", ("downloading", "downloaded", "waiting_window", "installing"), "…"),
    ("pending", "░", ("pending",), "○"),
    ("failed", "✖", ("failed", "download_failed"), "✖"),
    ("not_required", "·", ("not_required",), "·"),
)
# Filter keys of a deployment's clients: key → (label, states).
STATE_FILTERS = {
    "t": ("the targeted ones", ("pending", "downloading", "downloaded", "waiting_window", "installing", "installed",
                                "pending_restart", "failed", "download_failed")),
    "a": ("all", ()),
    "f": ("failed", ("failed", "download_failed")),
    "p": ("pending", ("pending",)),
    "w": ("on their way", ("downloading", "downloaded", "waiting_window", "installing")),
    "i": ("installed", ("installed", "pending_restart")),
    "n": ("not required", ("not_required",)),
}

# Most telling first: on a narrow terminal the grid scrolls sideways and the last columns wait off screen.
DEPLOYMENT_COLUMNS = (
    GridColumn("name", "Name", 12, flex=True, sortable=False, kind="id"),
    GridColumn("collection", "Collection", 10, flex=True, sortable=False, kind="text"),
    GridColumn("bar", "Progress", BAR_WIDTH, sortable=False, kind="state"),
    GridColumn("pct", "%Inst", 5, align="right", sortable=False, kind="number"),
    GridColumn("failed", "Fail.", 5, align="right", sortable=False, kind="number"),
    GridColumn("deadline", "Deadline", 12, sortable=False, kind="state"),
    GridColumn("available", "Available", 12, sortable=False, kind="state"),
    GridColumn("converged", "Converged", 10, sortable=False, kind="state"),
    GridColumn("counts", "✔ … ○ ✖", 14, sortable=False, kind="state"),
)

PAIR_COLUMNS = (
    GridColumn("client", "Client", 9, sortable=False),  # an id: widens to the longest name loaded
    GridColumn("kb", "KB", 9, sortable=False),
    # An update is a (KB, product) pair: the product tells two rows of one KB apart.
    GridColumn("product", "Product", 12, flex=True, sortable=False, kind="text"),
    GridColumn("state", "State", 15, sortable=False, kind="state"),
    GridColumn("code", "Code", 10, sortable=False, kind="state"),
    GridColumn("meaning", "Meaning", 14, sortable=False, kind="text"),  # gives way to the sentence, shown whole below
    GridColumn("reason", "Why", 16, flex=True, sortable=False),
)

CODE_COLUMNS = (
    GridColumn("code", "Code", 10, sortable=False),
    GridColumn("state", "State", 15, sortable=False, kind="state"),
    GridColumn("count", "Pairs", 7, align="right", sortable=False, kind="number"),
    GridColumn("meaning", "Meaning", 20, flex=True, sortable=False),
)

STATE_MARKS = {"installed": "✔", "pending_restart": "✔", "failed": "✖", "download_failed": "✖", "pending": "○",
               "not_required": "·"}


def state_text(state: str) -> str:
    """'✖ failed', '… installing': a state that keeps its meaning without colour."""
    return f"{STATE_MARKS.get(state, '…')} {state.replace('_', ' ')}"


def phase_counts(counts: dict[str, int]) -> list[tuple[str, str, int, str]]:
    """(phase, glyph, count, mark) in the bar's order."""
    return [(phase, glyph, sum(counts.get(s, 0) for s in states), mark) for phase, glyph, states, mark in PHASES]


def _phase_styles(styles: CellStyles) -> dict[str, str]:
    return {"installed": styles.good, "moving": styles.gap, "pending": "", "failed": styles.gap_wide,
            "not_required": styles.muted}


def progress_bar(counts: dict[str, int], styles: CellStyles, width: int = BAR_WIDTH) -> Text:
    """A stacked bar `width` cells wide: each phase a run of its glyph, as long as its share (a phase
    with any pair gets at least one cell, so one failure among 100k still shows)."""
    phases = [(p, g, n) for p, g, n, _ in phase_counts(counts)]
    total = sum(n for _, _, n in phases)
    if not total:
        return Text("─" * width, spans=[Span(0, width, styles.muted)])
    cells = [max(1, round(width * n / total)) if n else 0 for _, _, n in phases]
    # Give or take cells from the largest runs until the bar is exactly `width` wide.
    while sum(cells) > width:
        cells[cells.index(max(cells))] -= 1
    while sum(cells) < width:
        cells[cells.index(max(cells))] += 1
    colour = _phase_styles(styles)
    text, spans, at = "", [], 0
    for (phase, glyph, _n), size in zip(phases, cells, strict=True):
        if size <= 0:
            continue
        text += glyph * size
        if colour[phase]:
            spans.append(Span(at, at + size, colour[phase]))
        at += size
    return Text(text, spans=spans)


def counts_text(counts: dict[str, int]) -> str:
    """'✔12 …3 ○4 ✖1': installed, on the way, pending, failed (not required left out: the bar shows it)."""
    return " ".join(f"{mark}{count_text(n, 6)}" for phase, _g, n, mark in phase_counts(counts) if phase != "not_required")


@dataclass(frozen=True)
class DeploymentLine:
    """A deployment as the monitoring grid shows it (read in a worker)."""

    summary: object  # sumtui.deploy.status.DeploymentSummary
    converged: object  # timedelta | None

    @property
    def name(self) -> str:
        return self.summary.name

    @property
    def installed_pct(self) -> float | None:
        s = self.summary
        relevant = s.pairs - s.counts.get("not_required", 0)
        if not relevant:
            return None
        return round(100.0 * (s.counts.get("installed", 0) + s.counts.get("pending_restart", 0)) / relevant, 1)


def short_time(value, *, local: bool, missing: str) -> str:
    """'20 Jan 02:00' (UTC), '20 Jan 02:00 L' (each client's local time); the detail line has the year."""
    if value is None:
        return missing
    return f"{value:%d %b %H:%M}" + (" L" if local else "")


def deployment_rows(lines: list[DeploymentLine], styles: CellStyles) -> list[GridRow]:
    from sumtui.deploy.status_pages import convergence_text

    rows = []
    for line in lines:
        s = line.summary
        available = short_time(s.available, local=s.local_time, missing="at once")
        deadline = short_time(s.deadline, local=s.local_time, missing="none")
        converged = convergence_text(line.converged) if line.converged is not None else "converging"
        rows.append(GridRow(key=s.name, cells=(
            s.name, s.collection, progress_bar(s.counts, styles), styles.pct(line.installed_pct),
            styles.failed(s.errors, width=5), deadline, available,
            styled(converged, styles.good) if line.converged is not None else converged, counts_text(s.counts),
        )))
    return rows


class PairsSource:
    """One deployment's (client, update) pairs, a page at a time (`sumtui.deploy.status_pages`). The query's
    `PairIndex` (its clients in order with their pair counts) is read once, by the count or the first page,
    whichever comes first (both run in workers, maybe at once: a lock keeps it to one read), and again after
    `refresh` (the page calls it when the site's data changed, then reloads the grid: the rows on screen stay
    until their fresh copies arrive)."""

    def __init__(self, engine: Engine, query, styles: CellStyles | None = None) -> None:
        self.engine = engine
        self.query = query  # status_pages.PairQuery
        self.styles = styles or CellStyles()
        self._index = None
        self._index_version = 0
        self._version = 0
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """The pairs may have changed: the next count or page reads the index again (UI thread, no wait)."""
        self._version += 1

    def _index_in(self, session: Session):
        from sumtui.deploy.status_pages import pair_index

        with self._lock:
            version = self._version
            if self._index is None or self._index_version != version:
                # An index read while `refresh` is called is tagged with the version before it: read again.
                self._index, self._index_version = pair_index(session, self.query), version
            return self._index

    def count(self) -> int:
        with Session(self.engine) as session:
            return self._index_in(session).total

    def fetch(self, offset: int, limit: int) -> list[GridRow]:
        from sumtui.deploy.install_codes import meaning
        from sumtui.deploy.status_pages import page_pairs

        with Session(self.engine) as session:
            pairs = page_pairs(session, self.query, offset=offset, limit=limit, index=self._index_in(session))
        s = self.styles
        colour = {"installed": s.good, "pending_restart": s.good, "failed": s.gap_wide, "download_failed": s.gap_wide}
        rows = []
        for p in pairs:
            code_meaning = meaning(int(p.code, 16)) if p.code else ""
            rows.append(GridRow(key=p, cells=(
                p.client, f"KB{p.kb}", short_product(p.product), styled(state_text(p.state), colour.get(p.state, "")), p.code or "",
                code_meaning, p.reason)))
        return rows


def code_rows(codes, styles: CellStyles) -> list[GridRow]:
    return [GridRow(key=(c.code, c.state), cells=(c.hex, state_text(c.state), styles.failed(c.count, width=7), c.meaning))
            for c in codes]


def pct_label(value: float | None) -> str:
    return f"{pct_text(value)}%" if value is not None else "—"
