"""Monitoring alerts for Home: what needs the operator's attention now, each in one sentence with the
page that shows more.

- the last sync or import run failed or was interrupted (a partial run is a warning);
- a deployment's error rate (failed and download-failed pairs among the pairs that need the update)
  is above a threshold;
- clients have been silent (no inventory or scan) for N days.

The thresholds are a site setting (`AlertSettings`, defaults: 10 %, 7 days); an operator who never saved
it gets the defaults. Every read is a small one: the last run, the deployments' maintained counts, an
indexed count of clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import func, or_, select
from sqlmodel import Session

from sumtui.timeutil import age, as_utc, utcnow

ALERT_SETTINGS_KEY = "monitoring.alerts"
ERROR, WARNING = "error", "warning"
# Plain-text markers: the severity reads without colour (NO_COLOR, a screen reader, a log).
MARKERS = {ERROR: "[!!]", WARNING: "[! ]"}


class AlertSettings(BaseModel):
    error_rate_pct: float = Field(default=10.0, ge=0, le=100)
    silent_days: int = Field(default=7, ge=1, le=3650)


@dataclass(frozen=True)
class Alert:
    severity: str  # ERROR or WARNING
    kind: str  # sync | deployment | silent
    text: str  # one sentence; quotes names from outside (data)
    page: str | None = None  # the console page that shows more
    target: str | None = None  # e.g. the deployment's name

    @property
    def marker(self) -> str:
        return MARKERS[self.severity]


def load_alert_settings(session: Session) -> AlertSettings:
    from sumtui.db.site_settings import load_setting

    return load_setting(session, key=ALERT_SETTINGS_KEY, model=AlertSettings)[0]


def _sync_alert(session: Session, now: datetime) -> Alert | None:
    from sumtui.catalog.runs import INTERRUPTED, last_run

    latest = last_run(session)
    if latest is None:
        return None
    when = f"{age(latest.ended_at, now)} ago" if latest.ended_at else "earlier"
    what = "sync" if latest.kind == "sync" else latest.kind
    why = f": {latest.message}" if latest.message else ""
    if latest.status in ("failed", INTERRUPTED):
        return Alert(ERROR, "sync", f"The last {what} run {latest.status} {when}{why}", "sync")
    if latest.status == "partial":
        return Alert(WARNING, "sync", f"The last {what} run was partial {when} (some months failed){why}", "sync")
    return None


def _deployment_alerts(session: Session, threshold_pct: float) -> list[Alert]:
    from sumtui.deploy.state_codes import NOT_REQUIRED, name_of
    from sumtui.deploy.status import list_deployments

    out = []
    for s in list_deployments(session):
        relevant = s.pairs - s.counts[name_of(NOT_REQUIRED)]
        if relevant <= 0 or not s.errors:
            continue
        rate = 100.0 * s.errors / relevant
        if rate > threshold_pct:
            out.append(Alert(ERROR, "deployment",
                             f"Deployment {s.name!r}: {s.errors:,} of {relevant:,} installs failed ({rate:.0f}%, "
                             f"above {threshold_pct:g}%)", "deployments", s.name))
    return out


def _silent_alert(session: Session, now: datetime, days: int) -> Alert | None:
    from sumtui.fleet.models import Client

    C = Client.__table__
    cutoff = as_utc(now) - timedelta(days=days)  # as the triage panel compares (compliance.queries.triage)
    silent = session.execute(select(func.count()).select_from(C).where(or_(
        C.c.last_report < cutoff, C.c.last_report.is_(None) & (C.c.created_at < cutoff)))).scalar_one()
    if not silent:
        return None
    return Alert(WARNING, "silent", f"{silent:,} client{'s have' if silent != 1 else ' has'} not reported an inventory "
                                    f"or scan for {days}+ days", "clients")


def alerts(session: Session, *, now: datetime | None = None, settings: AlertSettings | None = None) -> list[Alert]:
    """Every alert, errors first (in the order: sync, deployments by name, silent clients)."""
    now = now or utcnow()
    settings = settings or load_alert_settings(session)
    found = [a for a in (_sync_alert(session, now),) if a is not None]
    found += _deployment_alerts(session, settings.error_rate_pct)
    silent = _silent_alert(session, now, settings.silent_days)
    if silent is not None:
        found.append(silent)
    return sorted(found, key=lambda a: a.severity != ERROR)
