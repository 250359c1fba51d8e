"""Deployment templates: reusable deployment settings with SCCM 2007's defaults (SCCM: deployment
templates, made by the Deploy Software Updates wizard).

`TemplateSettings` holds every setting the wizard's template pages have, in their order: the
collection (optional), display and time, restart, event generation and download behaviour, plus
installing outside maintenance windows at the deadline. The settings are listed once, as plain data,
in `template_fields.SETTINGS` (label, wizard page, kind, SCCM default): the model here is built from
that table, and so are the console's form and the command line's flags.

Every function takes a session and keyword arguments, returns plain objects and raises
`TemplateError` with a message that names the template or the setting; nothing is committed here.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)
from sqlalchemy import func, select
from sqlmodel import Session

from sumtui.deploy.models import DeploymentTemplate
from sumtui.deploy.naming import (
    check_description,
    check_free,
    check_name,
    find_named,
    name_key,
)
from sumtui.deploy.template_fields import (
    BOOL,
    CHOICE,
    COLLECTION_NAME_MAX,
    DURATION_MAX,
    INT,
    SETTINGS,
    TEXT,
    SettingInfo,
)
from sumtui.deploy.toml_io import TemplateDocument
from sumtui.fleet.models import Collection
from sumtui.text import escape_controls
from sumtui.timeutil import utcnow


class TemplateError(Exception):
    """A template operation cannot be done; the message says why and names the template or setting."""


_TYPES = {BOOL: bool, INT: int, TEXT: str | None}


def _field(info: SettingInfo):
    kind = Literal[info.choices] if info.kind == CHOICE else _TYPES[info.kind]
    limits = {"max_length": COLLECTION_NAME_MAX} if info.kind == TEXT else {}
    return (kind, Field(info.default, title=info.label, json_schema_extra={"group": info.group}, **limits))


class _Settings(BaseModel):
    # strict: a TOML file's "true" (a string) or 2.5 for a whole number is an error, not a guess.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    @model_validator(mode="after")
    def _bounded_duration(self):
        limit = DURATION_MAX[self.duration_unit]
        if self.duration < 1:
            raise ValueError(f"duration must be at least 1 {self.duration_unit[:-1]}; it is {self.duration}")
        if self.duration > limit:
            raise ValueError(f"duration of {self.duration} {self.duration_unit} is longer than a year "
                             f"(at most {limit} {self.duration_unit})")
        return self

    def stored(self) -> str:
        """The JSON the table keeps: every setting but the collection (a reference of its own)."""
        return self.model_dump_json(exclude={"collection"})


# Every setting of `template_fields.SETTINGS`, in its order, with SCCM's default.
TemplateSettings = create_model("TemplateSettings", __base__=_Settings, **{s.name: _field(s) for s in SETTINGS})


def setting_infos() -> tuple[SettingInfo, ...]:
    """Every setting in the wizard's order, with its label, group, kind and SCCM default."""
    return SETTINGS


_CHOICES = {s.name: s.choices for s in SETTINGS}
_PLAIN = {"bool_type": "must be true or false", "int_type": "must be a whole number", "string_type": "must be text"}


def _messages(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(x) for x in error["loc"]) or "settings"
        if error["type"] == "extra_forbidden":
            parts.append(f"unknown setting '{escape_controls(where)}' (known: {', '.join(TemplateSettings.model_fields)})")
            continue
        message = _PLAIN.get(error["type"], error["msg"].removeprefix("Value error, "))
        if error["type"] == "literal_error" and len(error["loc"]) == 1:
            message = f"must be one of {', '.join(_CHOICES[where])}"
        if not error["loc"]:  # a rule over several settings: its message names them
            parts.append(escape_controls(message))
            continue
        shown = escape_controls(repr(error.get("input")))[:80]
        parts.append(f"{escape_controls(where)}: {escape_controls(message)} (got {shown})")
    return "; ".join(parts)


def make_settings(values: dict[str, Any] | None = None, *, base: TemplateSettings | None = None) -> TemplateSettings:
    """Settings from `values` (missing ones from `base`, else SCCM's defaults); TemplateError says
    which setting is wrong and why."""
    merged = {**(base.model_dump() if base else {}), **(values or {})}
    try:
        return TemplateSettings.model_validate(merged)
    except ValidationError as exc:
        raise TemplateError(_messages(exc)) from None


def deadline_after(settings: TemplateSettings, available: datetime) -> datetime:
    """SCCM's template duration: the deadline this long after the available time. Months are calendar
    months (the 31st becomes the month's last day); the time of day and the time zone stay."""
    count, unit = settings.duration, settings.duration_unit
    if unit == "months":
        months = available.month - 1 + count
        year, month = available.year + months // 12, months % 12 + 1
        return available.replace(year=year, month=month, day=min(available.day, calendar.monthrange(year, month)[1]))
    return available + timedelta(**{unit: count})


@dataclass(frozen=True)
class TemplateView:
    id: int
    name: str
    description: str | None
    settings: TemplateSettings

    def as_document(self) -> dict:
        """`templates show --format json`: {name, description, settings: {every setting}}."""
        return {"name": self.name, "description": self.description, "settings": self.settings.model_dump()}


def _collection(session: Session, name: str | None) -> Collection | None:
    if name is None:
        return None
    found = session.execute(select(Collection).where(func.lower(Collection.name) == name.strip().lower())).scalars().all()
    if len(found) != 1:
        raise TemplateError(f"no collection named '{escape_controls(name)}' (see `sumtui compliance --by collection`)")
    return found[0]


def _view(session: Session, row: DeploymentTemplate) -> TemplateView:
    stored = json.loads(row.settings or "{}")
    # Settings a later version stored are ignored; ones it added later take their defaults.
    values = {k: v for k, v in stored.items() if k in TemplateSettings.model_fields and k != "collection"}
    collection = session.get(Collection, row.collection_id) if row.collection_id is not None else None
    values["collection"] = collection.name if collection else None
    try:
        settings = TemplateSettings.model_validate(values)
    except ValidationError:
        settings = TemplateSettings(collection=values["collection"])  # a damaged row reads as the defaults
    return TemplateView(row.id, row.name, row.description, settings)


def find_template(session: Session, *, name: str) -> DeploymentTemplate | None:
    return find_named(session, DeploymentTemplate, name=name)


def _get(session: Session, name: str) -> DeploymentTemplate:
    found = find_template(session, name=name)
    if found is None:
        raise TemplateError(f"no deployment template named '{escape_controls(name or '')}' (see `sumtui templates`; "
                            "create one with `sumtui templates create NAME`)")
    return found


def _check_free(session: Session, name: str, *, keep: int | None = None) -> None:
    check_free(session, DeploymentTemplate, name=name, keep=keep, what="deployment template", error=TemplateError)


def get_template(session: Session, *, name: str) -> TemplateView:
    return _view(session, _get(session, name))


def list_templates(session: Session) -> list[TemplateView]:
    rows = session.execute(select(DeploymentTemplate).order_by(DeploymentTemplate.name_key)).scalars()
    return [_view(session, row) for row in rows]


def _store(session: Session, row: DeploymentTemplate, settings: TemplateSettings) -> None:
    collection = _collection(session, settings.collection)
    row.collection_id = collection.id if collection else None
    row.settings = settings.stored()
    session.add(row)
    session.flush()


def create_template(
    session: Session, *, name: str, description: str | None = None, settings: TemplateSettings | None = None,
) -> TemplateView:
    value = check_name(name, what="deployment template", error=TemplateError)
    _check_free(session, value)
    row = DeploymentTemplate(name=value, name_key=name_key(value), created_at=utcnow(),
                             description=check_description(description, what="deployment template", error=TemplateError))
    _store(session, row, settings or TemplateSettings())
    return _view(session, row)


def edit_template(
    session: Session, *, name: str, new_name: str | None = None, description: str | None = None,
    settings: TemplateSettings | None = None,
) -> TemplateView:
    """Rename, describe or change the settings of a template (None leaves each as it is; "" clears the
    description). `settings` replaces them all: `make_settings(changes, base=current)` changes some."""
    row = _get(session, name)
    if new_name is not None:
        value = check_name(new_name, what="deployment template", error=TemplateError)
        _check_free(session, value, keep=row.id)
        row.name, row.name_key = value, name_key(value)
    if description is not None:
        row.description = check_description(description, what="deployment template", error=TemplateError)
    row.updated_at = utcnow()
    _store(session, row, settings or _view(session, row).settings)
    return _view(session, row)


def delete_template(session: Session, *, name: str) -> TemplateView:
    row = _get(session, name)
    view = _view(session, row)
    session.delete(row)
    session.flush()
    return view


def count_templates(session: Session) -> int:
    return session.execute(select(func.count()).select_from(DeploymentTemplate)).scalar_one()


# --- TOML export and import -------------------------------------------------------------------


def export_template(session: Session, *, name: str) -> TemplateDocument:
    view = get_template(session, name=name)
    return TemplateDocument(view.name, view.description, view.settings.model_dump())


def _shown(value: Any) -> str:
    """A setting's value as the TOML file spells it (true, "utc", 3); none for no collection."""
    return "none" if value is None else json.dumps(value, ensure_ascii=False)


@dataclass
class TemplateImportPlan:
    """What importing a document would change; nothing is changed until `apply_template_import`."""

    name: str
    description: str | None
    settings: TemplateSettings
    template_id: int | None  # None: the template is new
    old_name: str | None = None
    old_description: str | None = None
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)  # (setting, before, after)

    @property
    def changed(self) -> bool:
        return (self.template_id is None or bool(self.changes) or self.old_name != self.name
                or self.old_description != self.description)

    def lines(self) -> list[str]:
        """The diff for people, one change a line (outside text unescaped: the caller escapes it)."""
        if self.template_id is None:
            out = [f"deployment template {self.name!r}: new"]
            if self.description:
                out.append(f"  description: {self.description!r}")
            defaults = TemplateSettings()
            out += [f"  {k}: {_shown(v)}" + ("" if v != getattr(defaults, k) else "  (default)")
                    for k, v in self.settings.model_dump().items()]
            return out
        if not self.changed:
            return [f"deployment template {self.name!r}: no changes"]
        out = [f"deployment template {self.name!r}: {len(self.changes)} setting(s) changed"]
        if self.old_name != self.name:
            out.append(f"  name: {self.old_name!r} -> {self.name!r}")
        if self.old_description != self.description:
            out.append(f"  description: {self.old_description!r} -> {self.description!r}")
        out += [f"  {k}: {_shown(before)} -> {_shown(after)}" for k, before, after in self.changes]
        return out


def plan_template_import(session: Session, *, document: TemplateDocument) -> TemplateImportPlan:
    """Check a document and say what importing it would do: the template becomes exactly what the file
    says (settings it leaves out take SCCM's defaults). TemplateError names the first problem."""
    name = check_name(document.name, what="deployment template", error=TemplateError)
    description = check_description(document.description, what="deployment template", error=TemplateError)
    settings = make_settings(document.settings)
    collection = _collection(session, settings.collection)
    if collection is not None:
        settings = settings.model_copy(update={"collection": collection.name})  # as the site spells it
    existing = find_template(session, name=name)
    if existing is None:
        return TemplateImportPlan(name, description, settings, None)
    before = _view(session, existing)
    old, new = before.settings.model_dump(), settings.model_dump()
    changes = [(k, old[k], new[k]) for k in new if old[k] != new[k]]
    return TemplateImportPlan(name, description, settings, existing.id, before.name, before.description, changes)


def apply_template_import(session: Session, *, plan: TemplateImportPlan) -> TemplateView:
    if plan.template_id is None:
        return create_template(session, name=plan.name, description=plan.description, settings=plan.settings)
    row = session.get(DeploymentTemplate, plan.template_id)
    if row is None:
        raise TemplateError(f"deployment template '{escape_controls(plan.old_name or plan.name)}' was deleted meanwhile; import again")
    _check_free(session, plan.name, keep=row.id)
    row.name, row.name_key, row.description, row.updated_at = plan.name, name_key(plan.name), plan.description, utcnow()
    _store(session, row, plan.settings)
    return _view(session, row)
