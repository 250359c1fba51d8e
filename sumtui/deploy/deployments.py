"""Deployments: updates (or an update list) deployed to a collection on a schedule, with a template's
settings (SCCM 2007: Deploy Software Updates wizard).

A `DeploymentSpec` holds what the operator chose, as plain values (the CLI's flags, the console
wizard's pages); `resolve` checks it against the site and gives a `ResolvedDeployment` (the
collection, the catalog updates, the settings, the times as stored); `lints` (deploy.deployment_lints)
and the what-if (deploy.whatif) read that; `create_deployment` stores it and targets the collection's
members. Times: a deployment in client local time stores wall-clock times (naive) that each client
reads in its own zone; a UTC one stores UTC. No available time means as soon as possible; a deadline
makes the deployment mandatory.

Every function takes a session and keyword arguments and raises `DeploymentError` naming what is
wrong; nothing is committed here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, select
from sqlmodel import Session

from sumtui.catalog import versions
from sumtui.catalog.models import Update
from sumtui.deploy.lists import ListError, get_list, list_updates, resolve_refs
from sumtui.deploy.models import (
    Deployment,
    DeploymentEvent,
    DeploymentUpdate,
    Package,
    UpdateList,
)
from sumtui.deploy.naming import (
    check_description,
    check_free,
    check_name,
    find_named,
    name_key,
)
from sumtui.deploy.nap import flag_updates
from sumtui.deploy.packages import PackageError, get_package
from sumtui.deploy.schedule import max_run_time
from sumtui.deploy.targets import delete_rows, refresh_targets
from sumtui.deploy.template_fields import CLIENT_LOCAL
from sumtui.deploy.template_fields import UTC as UTC_BASIS
from sumtui.deploy.templates import (
    TemplateError,
    TemplateSettings,
    deadline_after,
    get_template,
    make_settings,
)
from sumtui.fleet.collections import FleetError, get_collection
from sumtui.fleet.models import Collection
from sumtui.text import escape_controls
from sumtui.timeutil import utcnow

POLICY_VERSION = "deploy.policy"  # bumped with every deployment change: the management point reloads its policy
MAX_UPDATES = 1000  # SCCM's limit per deployment: a lint above it
SUPPRESS_CHOICES = ("none", "servers", "workstations", "both")
U = Update.__table__
DU = DeploymentUpdate.__table__
NOUN = "deployment"


class DeploymentError(Exception):
    """A deployment cannot be made, found or changed; the message says why and names it."""


@dataclass
class DeploymentSpec:
    """What the operator chose. None means "the template's setting" (SCCM's default without a template)."""

    name: str
    collection: str | None = None  # None: the template's collection
    refs: Sequence[str] = ()  # 'KB4592440' or 'KB4592440@11569'
    update_ids: Sequence[int] = ()  # the console picks updates by id
    list_name: str | None = None
    template: str | None = None
    description: str | None = None
    available: datetime | None = None  # None: as soon as possible; naive: a wall-clock time
    deadline: datetime | None = None
    # No deadline given: the template's duration after the available time (SCCM's wizard proposes it).
    deadline_from_duration: bool = False
    local_time: bool | None = None  # None: the template's time basis; UTC without a template
    package: str | None = None
    override_windows: bool | None = None
    allow_restart_outside: bool | None = None
    suppress_restart: str | None = None  # none | servers | workstations | both
    nap: bool = False
    nap_effective: datetime | None = None  # None: now
    settings: dict | None = None  # template settings by name (an imported file's); the flags above win


@dataclass(frozen=True)
class DeploymentUpdateFacts:
    update_id: int
    kb: str
    product_id: str
    product: str
    title: str
    classification: str
    subtype: str | None
    restart: bool
    max_run_minutes: int
    superseded: bool
    expired: bool


@dataclass
class ResolvedDeployment:
    name: str
    description: str | None
    collection: Collection
    updates: list[DeploymentUpdateFacts]
    settings: TemplateSettings
    available: datetime | None  # naive wall clock (local) or naive UTC
    deadline: datetime | None
    local_time: bool
    list_id: int | None = None
    template_id: int | None = None
    package: Package | None = None
    nap: bool = False
    nap_effective: datetime | None = None  # aware UTC
    notes: list[str] = field(default_factory=list)

    @property
    def override_windows(self) -> bool:
        return self.settings.install_outside_windows_at_deadline

    @property
    def allow_restart_outside(self) -> bool:
        return self.settings.allow_restart_outside_windows

    def suppressed(self, *, is_server: bool | None) -> bool:
        """Whether restarts are suppressed for a client of this role (unknown role: a workstation)."""
        return self.settings.suppress_restart_servers if is_server else self.settings.suppress_restart_workstations


def _restarts(value: str | None) -> bool:
    return (value or "").strip().lower() not in ("no", "false")


def update_facts(session: Session, update_ids: Sequence[int]) -> list[DeploymentUpdateFacts]:
    ids = sorted(set(update_ids))
    out = []
    for start in range(0, len(ids), 900):
        query = select(U.c.id, U.c.kb, U.c.product_id, U.c.product, U.c.title, U.c.classification, U.c.subtype,
                       U.c.restart, U.c.superseded, U.c.expired).where(U.c.id.in_(ids[start:start + 900]))
        for r in session.execute(query):
            minutes = int(max_run_time(classification=r.classification, subtype=r.subtype).total_seconds() // 60)
            out.append(DeploymentUpdateFacts(r.id, r.kb, r.product_id, r.product, r.title, r.classification, r.subtype,
                                             _restarts(r.restart), minutes, r.superseded, r.expired))
    return sorted(out, key=lambda u: (len(u.kb), u.kb, u.product_id))


def stored_time(value: datetime | None, *, local: bool, what: str) -> datetime | None:
    """A time as a deployment stores it: a wall clock for client local time (a time with an offset is
    refused there: it names one instant, not 02:00 everywhere), naive UTC otherwise."""
    if value is None:
        return None
    if local:
        if value.tzinfo is not None:
            raise DeploymentError(f"the {what} is in client local time: give a wall-clock time without an offset "
                                  f"(e.g. {value.replace(tzinfo=None):%Y-%m-%dT%H:%M}), or deploy in UTC")
        return value.replace(microsecond=0)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0)


def _settings(spec: DeploymentSpec, base: TemplateSettings) -> TemplateSettings:
    changes: dict = dict(spec.settings or {})
    if spec.local_time is not None:
        changes["time_basis"] = CLIENT_LOCAL if spec.local_time else UTC_BASIS
    if spec.override_windows is not None:
        changes["install_outside_windows_at_deadline"] = spec.override_windows
    if spec.allow_restart_outside is not None:
        changes["allow_restart_outside_windows"] = spec.allow_restart_outside
    if spec.suppress_restart is not None:
        if spec.suppress_restart not in SUPPRESS_CHOICES:
            raise DeploymentError(f"restart suppression is one of {', '.join(SUPPRESS_CHOICES)}, not {spec.suppress_restart!r}")
        changes["suppress_restart_servers"] = spec.suppress_restart in ("servers", "both")
        changes["suppress_restart_workstations"] = spec.suppress_restart in ("workstations", "both")
    try:
        return make_settings(changes, base=base)
    except TemplateError as exc:
        raise DeploymentError(str(exc)) from None


def resolve(session: Session, *, spec: DeploymentSpec, keep: int | None = None,
            now: datetime | None = None) -> ResolvedDeployment:
    """Check a spec against the site (`keep`: the deployment being changed, whose name it may keep; `now`:
    the clock a deadline from the template's duration counts from when the updates are available at once)."""
    name = check_name(spec.name, what=NOUN, error=DeploymentError)
    other = find_named(session, Deployment, name=name)
    if other is not None and other.id != keep:
        raise DeploymentError(f"a deployment named '{escape_controls(other.name)}' already exists "
                              "(see `sumtui deployments`; delete it or choose another name)")
    description = check_description(spec.description, what=NOUN, error=DeploymentError)
    template_id, base = None, TemplateSettings(time_basis=UTC_BASIS)
    if spec.template:
        try:
            view = get_template(session, name=spec.template)
        except TemplateError as exc:
            raise DeploymentError(str(exc)) from None
        template_id, base = view.id, view.settings
    settings = _settings(spec, base)
    collection_name = spec.collection or settings.collection
    if not collection_name:
        raise DeploymentError("a deployment needs a collection (--collection NAME, or a template that names one)")
    try:
        collection = get_collection(session, collection_name)
    except FleetError as exc:
        raise DeploymentError(f"{exc} (see `sumtui collections`)") from None
    settings = settings.model_copy(update={"collection": collection.name})
    list_id, update_ids = None, list(spec.update_ids)
    try:
        if spec.list_name:
            found = get_list(session, name=spec.list_name)
            list_id = found.id
            update_ids += [u.update_id for u in list_updates(session, name=found.name)]
        if spec.refs:
            update_ids += [u.update_id for u in resolve_refs(session, refs=spec.refs)]
    except ListError as exc:
        raise DeploymentError(str(exc)) from None
    updates = update_facts(session, update_ids)
    missing = sorted(set(spec.update_ids) - {u.update_id for u in updates})
    if missing:
        raise DeploymentError(f"no catalog update with id {', '.join(map(str, missing))}")
    if not updates:
        raise DeploymentError("a deployment needs updates: --updates KB[,KB...] or --list NAME (an empty list deploys nothing)")
    package = None
    if spec.package:
        try:
            package = get_package(session, name=spec.package)
        except PackageError as exc:
            raise DeploymentError(str(exc)) from None
    local = settings.time_basis == CLIENT_LOCAL
    available = stored_time(spec.available, local=local, what="available time")
    deadline = stored_time(spec.deadline, local=local, what="deadline")
    if deadline is None and spec.deadline_from_duration:
        # As soon as possible counts from now (for client local time, UTC's wall clock: hours apart at
        # most, on a duration of hours to months).
        start = available if available is not None else stored_time(now or utcnow(), local=False, what="now")
        deadline = deadline_after(settings, start.replace(second=0))
    if available is not None and deadline is not None and deadline <= available:
        raise DeploymentError(f"the deadline ({deadline:%Y-%m-%d %H:%M}) must come after the available time "
                              f"({available:%Y-%m-%d %H:%M})")
    nap_effective = None
    if spec.nap:
        when = spec.nap_effective
        nap_effective = (when.astimezone(UTC) if when is not None and when.tzinfo else
                         when.replace(tzinfo=UTC) if when is not None else None)
    return ResolvedDeployment(name, description, collection, updates, settings, available, deadline, local,
                              list_id=list_id, template_id=template_id, package=package, nap=spec.nap,
                              nap_effective=nap_effective)


def create_deployment(
    session: Session, *, spec: DeploymentSpec | None = None, resolved: ResolvedDeployment | None = None,
    now: datetime | None = None, progress: Callable[[int, int], None] | None = None,
) -> Deployment:
    """Store a deployment and target its collection's members (policy goes out at their next poll)."""
    now = now or utcnow()
    r = resolved or resolve(session, spec=spec)
    check_free(session, Deployment, name=r.name, what=NOUN, error=DeploymentError)
    row = Deployment(
        name=r.name, name_key=name_key(r.name), description=r.description, collection_id=r.collection.id,
        list_id=r.list_id, template_id=r.template_id, package_id=r.package.id if r.package else None,
        available=r.available, deadline=r.deadline, local_time=r.local_time, settings=r.settings.stored(),
        nap=r.nap, update_count=len(r.updates), created_at=now,
    )
    session.add(row)
    session.flush()
    _store_contents(session, row, resolved=r, now=now, progress=progress)
    return row


def update_deployment(session: Session, *, name: str, resolved: ResolvedDeployment, now: datetime | None = None,
                      progress: Callable[[int, int], None] | None = None) -> Deployment:
    """Make a deployment what `resolved` says (an import): its name, times, settings and updates; the
    status follows (rows of updates no longer in it go) and clients get the change at their next poll."""
    now = now or utcnow()
    row = get_deployment(session, name=name)
    r = resolved
    check_free(session, Deployment, name=r.name, keep=row.id, what=NOUN, error=DeploymentError)
    row.name, row.name_key, row.description = r.name, name_key(r.name), r.description
    row.collection_id, row.list_id, row.template_id = r.collection.id, r.list_id, r.template_id
    row.package_id = r.package.id if r.package else None
    row.available, row.deadline, row.local_time = r.available, r.deadline, r.local_time
    row.settings, row.nap, row.update_count, row.updated_at = r.settings.stored(), r.nap, len(r.updates), now
    session.add(row)
    session.execute(delete(DU).where(DU.c.deployment_id == row.id))
    session.flush()
    _store_contents(session, row, resolved=r, now=now, progress=progress)
    return row


def _store_contents(session: Session, row: Deployment, *, resolved: ResolvedDeployment, now: datetime,
                    progress: Callable[[int, int], None] | None) -> None:
    """What a new or re-imported deployment holds: its updates, their NAP flags; then clients see a new
    policy version and the status rows follow the updates."""
    r = resolved
    _store_updates(session, row.id, r.updates)
    if r.nap:
        flag_updates(session, update_ids=[u.update_id for u in r.updates], effective=r.nap_effective or now,
                     source=f"deployment {r.name}", now=now)
    versions.bump(session, POLICY_VERSION)
    session.flush()
    refresh_targets(session, deployment_ids=[row.id], now=now, progress=progress)


def _store_updates(session: Session, deployment_id: int, updates: Sequence[DeploymentUpdateFacts]) -> None:
    rows = [dict(deployment_id=deployment_id, update_id=u.update_id, kb=u.kb, max_run_minutes=u.max_run_minutes,
                 restart=u.restart) for u in updates]
    for start in range(0, len(rows), 900):
        session.execute(insert(DU), rows[start:start + 900])


def find_deployment(session: Session, *, name: str) -> Deployment | None:
    return find_named(session, Deployment, name=name)


def get_deployment(session: Session, *, name: str) -> Deployment:
    found = find_deployment(session, name=name)
    if found is None:
        raise DeploymentError(f"no deployment named '{escape_controls(name or '')}' (see `sumtui deployments`)")
    return found


def deployment_settings(row: Deployment) -> TemplateSettings:
    """The settings a deployment was made with (a damaged row reads as SCCM's defaults)."""
    try:
        stored = json.loads(row.settings or "{}")
        values = {k: v for k, v in stored.items() if k in TemplateSettings.model_fields and k != "collection"}
        return TemplateSettings.model_validate(values)
    except (ValueError, TypeError):
        return TemplateSettings()


def deployment_update_ids(session: Session, deployment_id: int) -> list[int]:
    return list(session.execute(select(DU.c.update_id).where(DU.c.deployment_id == deployment_id)
                                .order_by(DU.c.update_id)).scalars())


def resolved_of(session: Session, row: Deployment) -> ResolvedDeployment:
    """A stored deployment in the what-if's and the lints' terms."""
    collection = session.get(Collection, row.collection_id)
    package = session.get(Package, row.package_id) if row.package_id else None
    return ResolvedDeployment(row.name, row.description, collection, update_facts(session, deployment_update_ids(session, row.id)),
                              deployment_settings(row), row.available, row.deadline, row.local_time, list_id=row.list_id,
                              template_id=row.template_id, package=package, nap=row.nap)


def delete_deployment(session: Session, *, name: str) -> Deployment:
    """Delete a deployment with its status and history; clients drop its policy at their next poll."""
    row = get_deployment(session, name=name)
    delete_rows(session, row.id)
    session.execute(delete(DeploymentEvent.__table__).where(DeploymentEvent.__table__.c.deployment_id == row.id))
    session.execute(delete(DU).where(DU.c.deployment_id == row.id))
    session.delete(row)
    versions.bump(session, POLICY_VERSION)
    session.flush()
    return row


def deployments_of_collection(session: Session, collection_id: int) -> list[str]:
    return list(session.execute(select(Deployment.name).where(Deployment.collection_id == collection_id)
                                .order_by(Deployment.name_key)).scalars())


def count_deployments(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Deployment)).scalar_one()


def list_name_of(session: Session, list_id: int | None) -> str | None:
    found = session.get(UpdateList, list_id) if list_id else None
    return found.name if found else None
