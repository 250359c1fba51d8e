"""What an operator should know before a deployment goes out, one sentence each (SCCM's wizard warns
about some of these; none stops the deployment: the operator confirms having read them):

- expired updates (withdrawn by Microsoft) and superseded ones (a newer update covers them);
- more than 1,000 updates (SCCM's limit per deployment; clients evaluate them all at every cycle);
- no maintenance window of the collection long enough for the largest max run time (unless the
  deployment installs outside windows at the deadline): those updates would never install;
- a deadline in the past (everything installs at once);
- content missing: no file of the package (or of any package) for an update, so agents that need
  files report "download failed".
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from sumtui.catalog.models import SupersedenceEdge
from sumtui.deploy.deployment_content import content_for
from sumtui.deploy.deployments import MAX_UPDATES, ResolvedDeployment
from sumtui.fleet.collections import windows_by_collection
from sumtui.text import escape_controls

E = SupersedenceEdge.__table__
SHOWN = 5  # KBs named in one sentence before "and N more"


def _names(kbs: list[str]) -> str:
    unique = list(dict.fromkeys(f"KB{kb}" for kb in kbs))
    more = f" and {len(unique) - SHOWN} more" if len(unique) > SHOWN else ""
    return ", ".join(unique[:SHOWN]) + more


def lints(session: Session, *, resolved: ResolvedDeployment, now: datetime) -> list[str]:
    r = resolved
    out: list[str] = []
    expired = [u.kb for u in r.updates if u.expired]
    if expired:
        out.append(f"expired: {_names(expired)} {'was' if len(expired) == 1 else 'were'} withdrawn by Microsoft; "
                   "remove them from the deployment")
    superseded = [u for u in r.updates if u.superseded and not u.expired]
    if superseded:
        newer: dict[str, set[str]] = defaultdict(set)
        kbs = sorted({u.kb for u in superseded})
        for start in range(0, len(kbs), 900):
            for older, new in session.execute(select(E.c.older_kb, E.c.newer_kb).where(E.c.older_kb.in_(kbs[start:start + 900]))):
                newer[older].add(new)
        for u in superseded[:SHOWN]:
            by = ", ".join(f"KB{k}" for k in sorted(newer.get(u.kb, ()))[:3]) or "a newer update"
            out.append(f"superseded: KB{u.kb} ({escape_controls(u.product)}) is superseded by {by}; clients that have "
                       "the newer one do not need it: deploy the newer one instead")
        if len(superseded) > SHOWN:
            out.append(f"superseded: {len(superseded) - SHOWN} more superseded update(s)")
    if len(r.updates) > MAX_UPDATES:
        out.append(f"{len(r.updates):,} updates: more than {MAX_UPDATES:,} in one deployment (SCCM's limit); "
                   "split it into several deployments")
    out += _window_lints(session, r)
    out += _deadline_lints(r, now)
    out += _content_lints(session, r)
    return out


def _window_lints(session: Session, r: ResolvedDeployment) -> list[str]:
    windows = windows_by_collection(session, [r.collection.id]).get(r.collection.id, [])
    if not windows or r.override_windows:
        return []
    longest = max(w.duration_minutes for w in windows)
    too_long = [u for u in r.updates if u.max_run_minutes > longest]
    if not too_long:
        return []
    need = max(u.max_run_minutes for u in too_long)
    return [f"no maintenance window of '{escape_controls(r.collection.name)}' is long enough: {_names([u.kb for u in too_long])} "
            f"need{'s' if len(too_long) == 1 else ''} {need} min, the longest window is {longest} min; they never install "
            "unless the deployment installs outside windows at the deadline (--override-windows) or a longer window is added"]


def _deadline_lints(r: ResolvedDeployment, now: datetime) -> list[str]:
    if r.deadline is None:
        return []
    if not r.local_time:
        deadline = r.deadline.replace(tzinfo=UTC)
        if deadline <= now:
            return [f"the deadline {deadline:%Y-%m-%d %H:%M} UTC is in the past: clients install as soon as they get the policy"]
        return []
    # A wall-clock deadline passes first at UTC+14 and last at UTC-12.
    wall = r.deadline.replace(tzinfo=UTC)
    if wall + timedelta(hours=12) <= now:
        return [f"the deadline {r.deadline:%Y-%m-%d %H:%M} client local time is in the past in every time zone: "
                "clients install as soon as they get the policy"]
    if wall - timedelta(hours=14) <= now:
        return [f"the deadline {r.deadline:%Y-%m-%d %H:%M} client local time has passed already in some time zones: "
                "clients there install as soon as they get the policy"]
    return []


def _content_lints(session: Session, r: ResolvedDeployment) -> list[str]:
    package_id = r.package.id if r.package else None
    held = content_for(session, update_ids=[u.update_id for u in r.updates], package_id=package_id)
    missing = [u.kb for u in r.updates if not held.get(u.update_id)]
    if not missing:
        return []
    where = f"package '{escape_controls(r.package.name)}' holds" if r.package else "no package holds"
    return [f"content missing: {where} a downloaded file for {_names(missing)}; agents with the native installer report "
            "download failed for them (download them with `sumtui packages download`)"]
