"""Home's triage figures, read in a worker from the maintained summaries (`compliance.queries.triage`)
and shaped into lines: fleet compliance and its trend, the most-missing Critical and Important
updates, the servers that miss a Critical update (a line that opens them on Clients, worst first), the
least compliant clients, the clients that went silent. Each line says what enter opens.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from sumtui.tui.cells import age_text, pct_text, short_product
from sumtui.tui.compliance_sources import UpdateRef
from sumtui.tui.state import TriageLine, TriageView

SILENT_DAYS = 7
TOP = 5
SILENT_NAMES = 3
TRIAGE_VIEW = "view:servers-critical"  # the Clients view Home's `s` (or enter on its line) opens


def servers_missing_critical():
    """The Clients filter and order of the triage view: servers that miss a Critical update, worst first."""
    from sumtui.fleet.clients import ClientFilter

    return ClientFilter(role="server", missing_severity="Critical"), "critical", True


def load_triage(session: Session, *, now: datetime) -> TriageView:
    from sumtui.compliance.queries import triage
    from sumtui.fleet.clients import count_clients
    from sumtui.fleet.models import Collection

    col = Collection.__table__.c
    found = session.execute(select(col.id).where(col.kind == "builtin")).first()
    if found is None:
        return TriageView(has_fleet=False)
    t = triage(session, collection_id=found.id, silent_days=SILENT_DAYS, top=TOP, now=now)
    c = t.collection
    if c is None or not c.members:
        return TriageView(has_fleet=False, collection_id=found.id)
    headline = (f"{c.name}: {pct_text(c.compliant_pct)}% compliant · {c.reported:,} of {c.members:,} reported"
                + (f" · {c.unknown:,} unknown" if c.unknown else ""))
    points = tuple(p for _, p in t.trend if p is not None)
    if len(points) >= 2:
        trend_text = f"{points[0]:.1f}% → {points[-1]:.1f}% in {len(t.trend)} d"
    elif points:
        trend_text = "one daily snapshot so far"
    else:
        trend_text = "no snapshot yet"
    refs: dict[str, object] = {}
    missing = []
    for u in t.most_missing:
        target = f"update:{u.update_id}"
        refs[target] = UpdateRef(u.update_id, u.kb, u.product, u.title, u.severity, u.released, u.required,
                                 u.installed, u.failed)
        severity = (u.severity or "").lower()
        missing.append(TriageLine(f"KB{u.kb}  {u.required:,} need it · {short_product(u.product)}", target,
                                  "critical" if severity == "critical" else "important"))
    flt, _sort, _descending = servers_missing_critical()
    servers = count_clients(session, filter=flt)
    view = (TriageLine(f"{servers:,} server{'s miss' if servers != 1 else ' misses'} a Critical update "
                       "(s lists them)", TRIAGE_VIEW, "critical")
            if servers else TriageLine("no server misses a Critical update"))
    least = [view] + [
        TriageLine(f"{r.name}  {r.required_count:,} required"
                   + (f", {r.critical_missing} critical" if r.critical_missing else "")
                   + (f", {r.failed_count} failed" if r.failed_count else "")
                   + f" · {short_product(r.os_product)}", f"client:{r.id}", "critical" if r.critical_missing else "")
        for r in t.least_compliant
    ]
    silent = [
        TriageLine(f"{r.name}  " + ("never reported" if r.last is None else f"last report {age_text(r.last, now)} ago"),
                   f"client:{r.id}", "muted")
        for r in t.silent[:SILENT_NAMES]
    ]
    if t.silent_count > len(silent):
        silent.append(TriageLine(f"… and {t.silent_count - len(silent):,} more (:clients, f: not reported in 7 days)"))
    sections = (
        ("Most missing Critical and Important updates", tuple(missing) or (TriageLine("none: nothing Critical or Important is missing"),)),
        ("Least compliant clients",
         tuple(least) if len(least) > 1 else (view, TriageLine("none: every reported client is compliant"))),
        (f"Silent {SILENT_DAYS}+ days: {t.silent_count:,} client{'s' if t.silent_count != 1 else ''}",
         tuple(silent) or (TriageLine("none"),)),
    )
    return TriageView(True, found.id, headline, points, trend_text, sections, refs)
