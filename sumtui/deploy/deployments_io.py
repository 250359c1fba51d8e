"""Deployments as TOML files (like update lists and templates): export one, and import files after
seeing what they would change. An import makes the deployment exactly what the file says (its
collection, times, settings and updates); a new name creates it. The template it was made from is
recorded by name and linked again when the site has one of that name; its settings are in the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from sumtui.deploy.deployments import (
    DeploymentError,
    DeploymentSpec,
    ResolvedDeployment,
    create_deployment,
    find_deployment,
    get_deployment,
    list_name_of,
    resolve,
    resolved_of,
    update_deployment,
)
from sumtui.deploy.models import Deployment, DeploymentTemplate
from sumtui.deploy.status import iso
from sumtui.deploy.template_fields import CLIENT_LOCAL
from sumtui.deploy.template_fields import UTC as UTC_BASIS
from sumtui.deploy.templates import find_template
from sumtui.deploy.toml_io import DeploymentDocument, ListEntry

EXCLUDED = {"collection", "time_basis"}  # the document has its own keys for these


def export_deployment(session: Session, *, name: str) -> DeploymentDocument:
    row = get_deployment(session, name=name)
    r = resolved_of(session, row)
    template = session.get(DeploymentTemplate, row.template_id) if row.template_id else None
    return DeploymentDocument(
        row.name, r.collection.name, [ListEntry(u.kb, u.product_id, u.product) for u in r.updates], row.description,
        list_name_of(session, row.list_id), template.name if template else None, r.package.name if r.package else None,
        row.available, row.deadline, row.local_time, row.nap, r.settings.model_dump(exclude=EXCLUDED))


def spec_of(document: DeploymentDocument) -> DeploymentSpec:
    settings = {k: v for k, v in document.settings.items() if k not in EXCLUDED}
    settings["time_basis"] = CLIENT_LOCAL if document.local_time else UTC_BASIS
    return DeploymentSpec(
        name=document.name, collection=document.collection, refs=[e.ref for e in document.updates],
        description=document.description, available=document.available, deadline=document.deadline,
        local_time=document.local_time, package=document.package, nap=document.nap, settings=settings)


def _facts(r: ResolvedDeployment) -> dict[str, Any]:
    return {
        "description": r.description, "collection": r.collection.name,
        "available": iso(r.available, local=r.local_time) or "as soon as possible",
        "deadline": iso(r.deadline, local=r.local_time) or "none", "local_time": r.local_time,
        "package": r.package.name if r.package else None, "nap": r.nap,
        **{f"settings.{k}": v for k, v in r.settings.model_dump(exclude=EXCLUDED).items()},
    }


@dataclass
class DeploymentImportPlan:
    """What importing a document would change; nothing is changed until `apply_deployment_import`."""

    name: str
    resolved: ResolvedDeployment
    template: str | None
    deployment_id: int | None  # None: new
    old_name: str | None = None
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # what the file says, read while the session was open

    def __post_init__(self) -> None:
        # lines() is shown after the planning session closed: plain values only.
        self.facts = _facts(self.resolved)
        self.update_count = len(self.resolved.updates)

    @property
    def changed(self) -> bool:
        return self.deployment_id is None or bool(self.changes or self.added or self.removed) or self.old_name != self.name

    def lines(self) -> list[str]:
        """The diff for people, one change a line (outside text unescaped: the caller escapes it)."""
        if self.deployment_id is None:
            out = [f"deployment {self.name!r}: new, {self.update_count} update(s) to {self.facts['collection']!r}"]
            out += [f"  {k}: {v!r}" for k, v in self.facts.items() if not k.startswith("settings.")]
            return out
        if not self.changed:
            return [f"deployment {self.name!r}: no changes ({self.update_count} update(s))"]
        out = [f"deployment {self.name!r}: {len(self.changes)} setting(s) changed, {len(self.added)} update(s) added, "
               f"{len(self.removed)} removed"]
        if self.old_name != self.name:
            out.append(f"  name: {self.old_name!r} -> {self.name!r}")
        out += [f"  {k}: {before!r} -> {after!r}" for k, before, after in self.changes]
        out += [f"  - {u}" for u in self.removed] + [f"  + {u}" for u in self.added]
        return out


def _label(u) -> str:
    return f"KB{u.kb}  {u.product_id}  {u.product}"


def plan_deployment_import(session: Session, *, document: DeploymentDocument) -> DeploymentImportPlan:
    existing = find_deployment(session, name=document.name)
    resolved = resolve(session, spec=spec_of(document), keep=existing.id if existing else None)
    template = find_template(session, name=document.template) if document.template else None
    if template is not None:
        resolved.template_id = template.id
    if existing is None:
        return DeploymentImportPlan(resolved.name, resolved, document.template, None)
    before = resolved_of(session, existing)
    old, new = _facts(before), _facts(resolved)
    held = {u.update_id: u for u in before.updates}
    wanted = {u.update_id: u for u in resolved.updates}
    return DeploymentImportPlan(
        resolved.name, resolved, document.template, existing.id, old_name=existing.name,
        changes=[(k, old[k], new[k]) for k in new if old.get(k) != new[k]],
        added=[_label(u) for uid, u in wanted.items() if uid not in held],
        removed=[_label(u) for uid, u in held.items() if uid not in wanted],
    )


def apply_deployment_import(session: Session, *, plan: DeploymentImportPlan) -> Deployment:
    if plan.deployment_id is None:
        return create_deployment(session, resolved=plan.resolved)
    row = session.get(Deployment, plan.deployment_id)
    if row is None:
        raise DeploymentError(f"deployment {plan.old_name!r} was deleted meanwhile; import again")
    return update_deployment(session, name=row.name, resolved=plan.resolved)
