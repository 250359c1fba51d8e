"""The operator's setup checklist (DESIGN.md §1): every stage, whether it is done, and a one-line status.

Home shows this list with the next step highlighted. Stages that later work will build are listed
honestly as not yet available, so the operator sees the whole workflow from the first day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlmodel import Session

from sumtui.timeutil import age, utcnow


@dataclass(frozen=True)
class Stage:
    number: int | None  # None for the Inventory Tool side track
    key: str
    title: str
    done: bool
    status: str
    available: bool
    screen: str | None  # the console screen that does this stage

    @property
    def label(self) -> str:
        return "side" if self.number is None else str(self.number)


# (number, key, title, what it will do) for the stages no screen does yet.
_LATER = {
    "scan": (5, "Clients scan", "not yet available: clients report to the management point"),
    "lists": (7, "Update lists", "not yet available: named sets of updates"),
    "templates": (8, "Deployment templates", "not yet available: reusable deployment settings"),
    "download": (9, "Download", "not yet available: update content into a deployment package"),
    "deploy": (10, "Deploy", "not yet available: updates to a collection on a schedule"),
    "nap": (11, "NAP evaluation", "not yet available: health evaluation policy"),
    "monitor": (12, "Monitor", "not yet available: deployment status and compliance"),
    "itmu": (None, "Inventory Tool (ITMU)", "not yet available: offline scan of an inventory against the catalog"),
}


def _later(key: str) -> Stage:
    number, title, status = _LATER[key]
    return Stage(number, key, title, False, status, False, None)


def _ago(then: datetime | None, now: datetime) -> str:
    return f"{age(then, now)} ago"


def _prereq_stage(session: Session, now: datetime) -> Stage:
    from sumtui.prereqs import load_report

    report = load_report(session)
    if report is None:
        status = "never checked: run the checks"
    elif report.all_green:
        passed = sum(c.ok for c in report.checks)
        status = f"{passed} checks green, checked {_ago(report.checked_at, now)}"
    else:
        names = ", ".join(c.title.lower() for c in report.failed)
        status = f"{len(report.failed)} failing ({names}), checked {_ago(report.checked_at, now)}"
    return Stage(1, "prereqs", "Prerequisites", bool(report and report.all_green), status, True, "prereqs")


def _update_point_stage(session: Session) -> Stage:
    from sumtui.catalog import settings as update_point

    s, saved = update_point.load(session)
    source = "offline files" if s.upstream == "files" else f"MSRC API at {urlsplit(s.url).netloc or s.url}"
    since = f"from {s.start_month}" if s.start_month else "last 12 months"
    products = f"{len(s.products)} products" if s.products else "all products"
    schedule = f"every {s.interval_hours} h" if s.schedule_enabled else "no schedule"
    summary = f"{source}, {since}, {products}, {schedule}"
    status = summary if saved else f"not saved yet (defaults: {summary})"
    return Stage(2, "update_point", "Software update point", saved, status, True, "update-point")


def _client_agent_stage(session: Session) -> Stage:
    from sumtui.fleet import agent_settings

    s, saved = agent_settings.load(session)
    summary = (
        f"{'enabled' if s.enabled else 'disabled'}, scan every {s.scan_interval_days} d, "
        f"policy every {s.policy_polling_minutes} min"
    )
    status = summary if saved else f"not saved yet (SCCM defaults: {summary})"
    return Stage(3, "client_agent", "Software updates client agent", saved, status, True, "client-agent")


def _sync_stage(session: Session, now: datetime, counts: dict[str, int]) -> Stage:
    from sumtui.catalog.runs import last_run, running_run

    good = last_run(session, successful=True)
    latest = last_run(session)
    running = running_run(session)
    held = f"{counts['documents']} months, {counts['updates']} updates"
    if good is None:
        status = "never synchronized: sync now or import files"
        if latest is not None:
            status = f"last run {latest.status} {_ago(latest.ended_at, now)}; no successful run yet"
    else:
        status = f"last run {good.status} {_ago(good.ended_at, now)}: {held}"
        if latest is not None and latest.id != good.id:
            status = f"last run {latest.status} {_ago(latest.ended_at, now)}; last good {_ago(good.ended_at, now)}: {held}"
    if running is not None:
        status = f"running since {_ago(running.started_at, now)}; " + status
    return Stage(4, "sync", "Synchronize", good is not None, status, True, "sync")


def _deploy_candidates_stage(session: Session, counts: dict[str, int]) -> Stage:
    from sumtui.catalog.queries import UpdateFilter, count_updates

    if counts["updates"]:
        active = count_updates(session, filter=UpdateFilter(superseded=False, expired=False))
        status = f"{counts['updates']} updates in the catalog, {active} active; compliance arrives with client scans"
    else:
        status = "no updates yet: synchronize first"
    return Stage(6, "determine", "Determine what to deploy", counts["updates"] > 0, status, True, "updates")


def checklist(session: Session, *, now: datetime | None = None) -> list[Stage]:
    """Every stage in workflow order, side track last."""
    from sumtui.catalog.queries import catalog_counts

    now = now or utcnow()
    counts = catalog_counts(session)
    return [
        _prereq_stage(session, now),
        _update_point_stage(session),
        _client_agent_stage(session),
        _sync_stage(session, now, counts),
        _later("scan"),
        _deploy_candidates_stage(session, counts),
        *(_later(key) for key in ("lists", "templates", "download", "deploy", "nap", "monitor", "itmu")),
    ]


def next_stage(stages: list[Stage]) -> Stage | None:
    """The first stage the operator can do and has not done: the highlighted next step."""
    return next((s for s in stages if s.available and not s.done), None)
