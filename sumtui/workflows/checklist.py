"""The operator's setup checklist (DESIGN.md §1): every stage, whether it is done, and a one-line status.

Home shows this list with the next step highlighted; stages 10 to 12 (deploy, NAP evaluation, monitor)
read the deployments' maintained counts and the NAP flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlmodel import Session

from sumtui.timeutil import age, utcnow


BRIEF_WIDTH = 21  # what Home's checklist has beside the titles at 120 columns, next to the triage panel


@dataclass(frozen=True)
class Stage:
    number: int | None  # None for the Inventory Tool side track
    key: str
    title: str
    done: bool
    status: str
    available: bool
    screen: str | None  # the console screen that does this stage
    # The status in a few words (at most BRIEF_WIDTH columns), for a list too narrow for the sentence.
    brief: str = ""

    @property
    def label(self) -> str:
        return "side" if self.number is None else str(self.number)

    @property
    def short_status(self) -> str:
        return self.brief or self.status


def _ago(then: datetime | None, now: datetime) -> str:
    return f"{age(then, now)} ago"


def _prereq_stage(session: Session, now: datetime) -> Stage:
    from sumtui.workflows.prereqs import load_report

    report = load_report(session)
    if report is None:
        status = "never checked: run the checks"
        brief = "never checked"
    elif report.all_green:
        passed = sum(c.ok for c in report.checks)
        status = f"{passed} checks green, checked {_ago(report.checked_at, now)}"
        brief = f"{passed} green, {_ago(report.checked_at, now)}"
    else:
        names = ", ".join(c.title.lower() for c in report.failed)
        status = f"{len(report.failed)} failing ({names}), checked {_ago(report.checked_at, now)}"
        brief = f"{len(report.failed)} failing"
    return Stage(1, "prereqs", "Prerequisites", bool(report and report.all_green), status, True, "prereqs", brief)


def _update_point_stage(session: Session) -> Stage:
    from sumtui.catalog import settings as update_point

    s, saved = update_point.load(session)
    source = "offline files" if s.upstream == "files" else f"MSRC API at {urlsplit(s.url).netloc or s.url}"
    since = f"from {s.start_month}" if s.start_month else "last 12 months"
    products = f"{len(s.products)} products" if s.products else "all products"
    schedule = f"every {s.interval_hours} h" if s.schedule_enabled else "no schedule"
    summary = f"{source}, {since}, {products}, {schedule}"
    status = summary if saved else f"not saved yet (defaults: {summary})"
    brief = ("files" if s.upstream == "files" else "MSRC API") + (f", every {s.interval_hours} h" if s.schedule_enabled else "")
    brief = brief if saved else "defaults, not saved"
    return Stage(2, "update_point", "Software update point", saved, status, True, "update-point", brief)


def _client_agent_stage(session: Session) -> Stage:
    from sumtui.fleet import agent_settings

    s, saved = agent_settings.load(session)
    summary = (
        f"{'enabled' if s.enabled else 'disabled'}, scan every {s.scan_interval_days} d, "
        f"policy every {s.policy_polling_minutes} min"
    )
    status = summary if saved else f"not saved yet (SCCM defaults: {summary})"
    brief = (f"enabled, scan {s.scan_interval_days} d" if s.enabled else "disabled") if saved else "defaults, not saved"
    return Stage(3, "client_agent", "Software updates client agent", saved, status, True, "client-agent", brief)


def _sync_stage(session: Session, now: datetime, counts: dict[str, int]) -> Stage:
    from sumtui.catalog.runs import last_run, running_run

    good = last_run(session, successful=True)
    latest = last_run(session)
    running = running_run(session)
    held = f"{counts['documents']} months, {counts['updates']} updates"
    if good is None:
        status = "never synchronized: sync now or import files"
        brief = "never synchronized"
        if latest is not None:
            status = f"last run {latest.status} {_ago(latest.ended_at, now)}; no successful run yet"
            brief = f"{latest.status} {_ago(latest.ended_at, now)}"
    else:
        status = f"last run {good.status} {_ago(good.ended_at, now)}: {held}"
        brief = f"{good.status} {_ago(good.ended_at, now)}"
        if latest is not None and latest.id != good.id:
            status = f"last run {latest.status} {_ago(latest.ended_at, now)}; last good {_ago(good.ended_at, now)}: {held}"
            brief = f"{latest.status} {_ago(latest.ended_at, now)}"
    if running is not None:
        status = f"running since {_ago(running.started_at, now)}; " + status
        brief = f"running {age(running.started_at, now)}"
    return Stage(4, "sync", "Synchronize", good is not None, status, True, "sync", brief)


@dataclass(frozen=True)
class FleetCounts:
    """All Systems' maintained counts and how many clients came from imported inventories."""

    members: int = 0
    reported: int = 0
    compliant: int = 0
    imported: int = 0
    collection_id: int | None = None

    @property
    def unknown(self) -> int:
        return self.members - self.reported


def fleet_counts(session: Session) -> FleetCounts:
    """Read-only (never creates All Systems): a site with no clients has no figures yet."""
    from sqlalchemy import func, select

    from sumtui.fleet.models import Client, Collection

    col = Collection.__table__.c
    row = session.execute(select(col.id, col.members, col.reported, col.compliant).where(col.kind == "builtin")).first()
    imported = session.execute(
        select(func.count()).select_from(Client.__table__).where(Client.__table__.c.source == "imported")
    ).scalar_one()
    if row is None:
        return FleetCounts(imported=imported)
    return FleetCounts(members=row.members, reported=row.reported, compliant=row.compliant, imported=imported,
                       collection_id=row.id)


def _clients(count: int) -> str:
    return f"{count:,} client{'' if count == 1 else 's'}"


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "0%"


def _scan_stage(fleet: FleetCounts) -> Stage:
    if not fleet.members:
        status = "no clients yet: start the management point (`sumtui serve`, :mp) and agents, or import inventories"
        brief = "no clients yet"
    elif not fleet.reported:
        status = f"{_clients(fleet.members)}, none reported yet: agents report at their next scan"
        brief = "none reported yet"
    else:
        status = (f"{fleet.reported:,} of {fleet.members:,} reported, {fleet.unknown:,} unknown "
                  f"({_share(fleet.unknown, fleet.members)})")
        brief = f"{fleet.reported:,} of {fleet.members:,}"
    return Stage(5, "scan", "Clients scan", fleet.reported > 0, status, True, "clients", brief)


def _itmu_stage(fleet: FleetCounts) -> Stage:
    if fleet.imported:
        status = f"{_clients(fleet.imported)} from imported inventories; import more on the Clients screen (i)"
    else:
        status = "import inventories on the Clients screen (i): systeminfo, wmic qfe, Get-HotFix or agent JSON files"
    brief = f"{fleet.imported:,} imported" if fleet.imported else "none imported"
    return Stage(None, "itmu", "Inventory Tool (ITMU)", fleet.imported > 0, status, True, "clients", brief)


def _deploy_candidates_stage(session: Session, counts: dict[str, int], fleet: FleetCounts) -> Stage:
    from sumtui.catalog.queries import UpdateFilter, count_updates

    if not counts["updates"]:
        status = "no updates yet: synchronize first"
        brief = "no updates yet"
    else:
        active = count_updates(session, filter=UpdateFilter(superseded=False, expired=False))
        status = f"{counts['updates']} updates in the catalog, {active} active; "
        brief = f"{active:,} active"
        if fleet.reported and fleet.collection_id is not None:
            # Straight from the maintained summary (compliance.queries would be a heavier import here,
            # on the path to the console's first checklist).
            from sqlalchemy import func, select

            from sumtui.compliance.models import UpdateSummary

            us = UpdateSummary.__table__.c
            needed = session.execute(select(func.count()).where(
                us.collection_id == fleet.collection_id, us.required + us.failed > 0)).scalar_one()
            status += (f"{needed} needed by a client, All Systems {_share(fleet.compliant, fleet.members)} compliant "
                       "(:compliance)")
            brief = f"{needed:,} updates needed"
        else:
            status += "compliance arrives with client scans"
    return Stage(6, "determine", "Determine what to deploy", counts["updates"] > 0, status, True, "updates", brief)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _lists_stage(session: Session) -> Stage:
    from sumtui.deploy.lists import count_lists

    count = count_lists(session)
    status = (f"{_plural(count, 'update list')} saved, each with its compliance (:lists)" if count else
              "no update list yet: pick updates with space on :updates or :compliance and press a, or n on :lists")
    return Stage(7, "lists", "Update lists", count > 0, status, True, "lists",
                 _plural(count, "list") if count else "none yet")


def _templates_stage(session: Session) -> Stage:
    from sumtui.deploy.templates import count_templates

    count = count_templates(session)
    status = (f"{_plural(count, 'deployment template')} saved (:templates)" if count else
              "no deployment template yet: n on :templates starts from SCCM's defaults")
    return Stage(8, "templates", "Deployment templates", count > 0, status, True, "templates",
                 _plural(count, "template") if count else "none yet")


def _download_stage(session: Session) -> Stage:
    from sumtui.deploy.packages import list_packages

    packages = list_packages(session)
    complete = [p for p in packages if p.complete]
    brief = f"{len(complete)} of {len(packages)} complete" if packages else "none yet"
    if not packages:
        status = "no deployment package yet: d on :packages downloads updates into one"
    elif complete:
        files = sum(p.files for p in complete)
        status = (f"{len(complete)} of {_plural(len(packages), 'package')} complete "
                  f"({_plural(files, 'file')} downloaded and verified)")
    else:
        waiting = sum(p.files - p.downloaded for p in packages)
        status = (f"{_plural(len(packages), 'package')}, none complete yet ({_plural(waiting, 'file')} not downloaded): "
                  "see :packages")
    return Stage(9, "download", "Download", bool(complete), status, True, "packages", brief)


def _deploy_stage(session: Session, now: datetime) -> Stage:
    from sqlalchemy import select

    from sumtui.deploy.models import Deployment
    from sumtui.deploy.status import when_text

    rows = session.execute(select(Deployment.name, Deployment.deadline, Deployment.local_time)).all()
    if not rows:
        return Stage(10, "deploy", "Deploy", False, "no deployment yet: :deploy starts the wizard",
                     True, "deploy", "none yet")
    # A local-time deadline is wall-clock time in each client's zone: compared as if UTC, close enough
    # to say which comes next.
    ahead = sorted((r for r in rows if r.deadline is not None and r.deadline.replace(tzinfo=None) >= now.replace(tzinfo=None)),
                   key=lambda r: r.deadline.replace(tzinfo=None))
    status = f"{_plural(len(rows), 'deployment')}"
    if ahead:
        first = ahead[0]
        status += f"; next deadline {when_text(first.deadline.replace(tzinfo=None), local=first.local_time, missing='')} ({first.name})"
    else:
        status += "; no deadline ahead"
    return Stage(10, "deploy", "Deploy", True, status + " · :deploy for a new one", True, "deploy",
                 _plural(len(rows), "deployment"))


def _nap_stage(session: Session, now: datetime) -> Stage:
    from sumtui.deploy.nap_counts import nap_counts

    flagged, effective, unhealthy = nap_counts(session, now=now)
    if not flagged:
        return Stage(11, "nap", "NAP evaluation", False,
                     "no update flagged for NAP evaluation: the wizard's NAP page or `sumtui deploy create --nap`",
                     True, "deployments", "none flagged")
    status = (f"{_plural(flagged, 'update')} flagged ({effective:,} effective); "
              f"{_plural(unhealthy, 'unhealthy client')} (`sumtui nap` lists them)")
    return Stage(11, "nap", "NAP evaluation", True, status, True, "deployments",
                 f"{unhealthy:,} unhealthy" if unhealthy else f"{flagged:,} flagged")


def _monitor_stage(session: Session) -> Stage:
    from sumtui.deploy.status import list_deployments

    summaries = list_deployments(session)
    if not summaries:
        return Stage(12, "monitor", "Monitor", False, "nothing to monitor yet: deployments show here once created",
                     True, "deployments", "nothing yet")
    converging = [s for s in summaries if s.done_pct is not None and s.done_pct < 100]
    failed = sum(s.errors for s in summaries)
    status = (f"{len(converging):,} converging, {len(summaries) - len(converging):,} done; "
              f"{_plural(failed, 'failed install')} (:deployments)")
    # Failed installs are what needs the operator: they take the few words, the full sentence has the rest.
    brief = _plural(failed, "failed install") if failed else f"{len(converging):,} converging" if converging else "all done"
    return Stage(12, "monitor", "Monitor", not converging and not failed, status, True, "deployments", brief)


def checklist(session: Session, *, now: datetime | None = None) -> list[Stage]:
    """Every stage in workflow order, side track last."""
    from sumtui.catalog.queries import catalog_counts

    now = now or utcnow()
    counts = catalog_counts(session)
    fleet = fleet_counts(session)
    return [
        _prereq_stage(session, now),
        _update_point_stage(session),
        _client_agent_stage(session),
        _sync_stage(session, now, counts),
        _scan_stage(fleet),
        _deploy_candidates_stage(session, counts, fleet),
        _lists_stage(session),
        _templates_stage(session),
        _download_stage(session),
        _deploy_stage(session, now),
        _nap_stage(session, now),
        _monitor_stage(session),
        _itmu_stage(fleet),
    ]


def next_stage(stages: list[Stage]) -> Stage | None:
    """The first stage the operator can do and has not done: the highlighted next step. Side tracks
    (the Inventory Tool) are never "next": a site with agents never needs them."""
    return next((s for s in stages if s.available and not s.done and s.number is not None), None)
