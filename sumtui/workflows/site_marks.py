"""What changed in the site since a console last looked: watermarks, one set per area, read in one query.

Agents report, `sumtui sync` runs from cron and other consoles edit collections, all in other processes.
A console shows current data by reading these marks every few seconds and re-reading an area's screens
only when its marks moved, so the poll costs one cheap statement whatever the fleet's size, and a
screen's own queries (counts over 100k clients) run only after a change.

Every mark is an indexed extreme (max of a primary key or an indexed column) or an aggregate over a
small table (collections, settings, runs, pending registrations): 0.1-0.2 ms through a session on the
100k-client benchmark site (bench/bench_site_marks.py). What each area's marks catch:

- catalog: the catalog and evaluation counters (sumtui.catalog.versions, `fleet.evaluated`: bumped by
  every month stored, derivation and completed fleet evaluation) and the saved search folders;
- fleet: clients added (max id), reports (max last_report), the counts the compliance package keeps
  per collection (members, reported, compliant: clients removed, states changed), collections,
  maintenance windows, held registrations and the daily compliance snapshot;
- runs: sync and import runs (a new run, a run's status and progress, errors);
- deploy: deployments made, changed or deleted, agents' state messages (every one is kept in the
  history: its max id) and the NAP flags (states that compliance sets move with the fleet's marks);
- settings: the site settings groups (update point, client agent, management point, enrollment key).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache

from sqlalchemy import func, select
from sqlmodel import Session

from sumtui.catalog.models import SearchFolder, SyncError, SyncRun
from sumtui.compliance.models import ComplianceSnapshot
from sumtui.db.site_settings import SiteSetting
from sumtui.deploy.models import Deployment, DeploymentEvent, NapFlag
from sumtui.fleet.models import (
    Client,
    Collection,
    MaintenanceWindow,
    PendingRegistration,
)

CATALOG, FLEET, RUNS, SETTINGS, DEPLOY = "catalog", "fleet", "runs", "settings", "deploy"
AREAS = frozenset({CATALOG, FLEET, RUNS, SETTINGS, DEPLOY})
# Counters of sumtui.catalog.versions and sumtui.workflows.freshness (kept as rows of site_setting).
CATALOG_COUNTERS = ("catalog.stored", "catalog.derived", "fleet.evaluated")


@dataclass(frozen=True)
class SiteMarks:
    catalog: tuple
    fleet: tuple
    runs: tuple
    settings: tuple
    deploy: tuple = ()

    def changed_since(self, before: SiteMarks | None) -> frozenset[str]:
        """The areas whose marks moved (every area when there is nothing to compare with)."""
        if before is None:
            return AREAS
        return frozenset(f.name for f in fields(self) if getattr(self, f.name) != getattr(before, f.name))


@cache
def _marks_statement():
    """Built once: the statement's shape never changes (SQLAlchemy then reuses its compiled form too)."""
    S, F = SiteSetting.__table__, SearchFolder.__table__
    C, L, W = Client.__table__, Collection.__table__, MaintenanceWindow.__table__
    P, D = PendingRegistration.__table__, ComplianceSnapshot.__table__
    R, E = SyncRun.__table__, SyncError.__table__
    DP, DE, NF = Deployment.__table__, DeploymentEvent.__table__, NapFlag.__table__
    latest = select(func.max(R.c.id)).scalar_subquery()

    def one(*columns, where=None, table=None):
        statement = select(*columns)
        if table is not None:
            statement = statement.select_from(table)
        if where is not None:
            statement = statement.where(where)
        return statement.scalar_subquery()

    areas = {
        CATALOG: [
            one(func.max(S.c.saved_at), where=S.c.key.in_(CATALOG_COUNTERS)),
            one(func.count(), table=F), one(func.max(F.c.id)),
        ],
        FLEET: [
            one(func.max(C.c.id)), one(func.max(C.c.last_report)),
            one(func.count(), table=L), one(func.sum(L.c.members)), one(func.sum(L.c.reported)),
            one(func.sum(L.c.compliant)),
            one(func.count(), table=W), one(func.max(W.c.id)),
            one(func.count(), table=P), one(func.max(P.c.last_attempt_at)), one(func.max(P.c.decided_at)),
            one(func.max(D.c.day)),
        ],
        RUNS: [
            latest,
            one(R.c.status, where=R.c.id == latest),
            one(R.c.months_fetched + R.c.months_unchanged + R.c.months_failed, where=R.c.id == latest),
            one(func.count(), table=R, where=R.c.status == "running"),
            one(func.max(E.c.id)),
        ],
        SETTINGS: [
            one(func.max(S.c.saved_at), where=S.c.key.not_in(CATALOG_COUNTERS)),
            one(func.count(), table=S),
        ],
        DEPLOY: [
            one(func.count(), table=DP), one(func.max(DP.c.id)), one(func.max(DP.c.updated_at)),
            one(func.max(DE.c.id)), one(func.count(), table=NF), one(func.max(NF.c.flagged_at)),
        ],
    }
    order = [CATALOG, FLEET, RUNS, SETTINGS, DEPLOY]
    sizes = [len(areas[a]) for a in order]
    return select(*[column for a in order for column in areas[a]]), order, sizes


def read_marks(session: Session) -> SiteMarks:
    """The site's marks now: one statement, no row read beyond index ends and small tables."""
    statement, order, sizes = _marks_statement()
    row = tuple(session.execute(statement).one())
    values: dict[str, tuple] = {}
    at = 0
    for area, size in zip(order, sizes, strict=True):
        values[area] = row[at:at + size]
        at += size
    return SiteMarks(**values)
