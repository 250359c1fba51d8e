"""Update lists, deployment templates and deployments as TOML files, so they can live in git and be reviewed.

One file per list or template, written in a stable order (a list's updates by KB number, then product
id; a template's settings in the order SCCM's wizard shows them), so exporting the same thing twice
gives the same bytes and a diff shows only what changed (one update a line). A character that would
not print (a bidi override in a product name, a no-break space) is written as a TOML escape
(`\\u202e`), which reads back as the same character: a reviewer sees it, and a terminal never gets it
raw. Reading is strict: a file that is not UTF-8, not TOML, of another kind or with keys we do not
know is refused with a message naming the file and the key; names and text in it are data and are
checked by the list and template rules later.

A deployment's times are TOML dates: a local date-time (no offset) for client local time, an offset
date-time for UTC; no `available` means as soon as possible.

Pure: text in, documents out; no database (the lists, templates and deployments modules plan and
apply imports).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w

from sumtui.text import escape_controls

LIST_FORMAT = "sumtui-update-list/1"
TEMPLATE_FORMAT = "sumtui-deployment-template/1"
DEPLOYMENT_FORMAT = "sumtui-deployment/1"
MAX_BYTES = 16 * 1024 * 1024  # far above any real list (10,000 updates is about 1 MB)


class TomlFileError(Exception):
    """A list or template file cannot be read; the message names the file and what is wrong with it."""


@dataclass(frozen=True)
class ListEntry:
    """One `[[updates]]` entry: a KB, and the product id when the entry names one (`product` is the
    product's name, written for reviewers; reading ignores it)."""

    kb: str
    product_id: str | None = None
    product: str | None = None

    @property
    def ref(self) -> str:
        return self.kb + (f"@{self.product_id}" if self.product_id else "")


@dataclass
class ListDocument:
    name: str
    description: str | None = None
    updates: list[ListEntry] = field(default_factory=list)


@dataclass
class TemplateDocument:
    name: str
    description: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)  # checked by deploy.templates, not here


@dataclass
class DeploymentDocument:
    name: str
    collection: str
    updates: list[ListEntry] = field(default_factory=list)
    description: str | None = None
    update_list: str | None = None  # the list it was made from (for reviewers: the updates are listed)
    template: str | None = None
    package: str | None = None
    available: datetime | None = None  # naive: client local time; aware: UTC
    deadline: datetime | None = None
    local_time: bool = False
    nap: bool = False
    settings: dict[str, Any] = field(default_factory=dict)  # checked by deploy.templates


def _kb_label(kb: str) -> str:
    value = str(kb).strip().upper()
    return value if value.startswith("KB") else f"KB{value}"


def _kb_order(entry: ListEntry) -> tuple:
    digits = entry.kb.upper().removeprefix("KB")
    return (len(digits), digits, entry.product_id or "")


def _header(kind: str, command: str) -> str:
    return f"# {kind} exported by sumtui. Review it like code; apply it with `sumtui {command} import FILE`.\n"


def _visible(text: str) -> str:
    """TOML text with every unprintable character but the line breaks as an escape. tomli_w writes
    every string as a one-line basic string, where `\\uXXXX` is the character itself."""
    if all(line.isprintable() for line in text.split("\n")):
        return text
    return "".join(c if c == "\n" or c.isprintable() else (f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}")
                   for c in text)


def dump_list(document: ListDocument) -> str:
    data: dict[str, Any] = {"format": LIST_FORMAT, "name": document.name}
    if document.description:
        data["description"] = document.description
    data["updates"] = _entries(document.updates)
    return _header("Update list", "lists") + _visible(tomli_w.dumps(data))


def dump_template(document: TemplateDocument) -> str:
    data: dict[str, Any] = {"format": TEMPLATE_FORMAT, "name": document.name}
    if document.description:
        data["description"] = document.description
    # TOML has no null: a setting without a value (no collection) is left out, and reads back as its default.
    data["settings"] = {k: v for k, v in document.settings.items() if v is not None}
    return _header("Deployment template", "templates") + _visible(tomli_w.dumps(data))


def _entries(updates: list[ListEntry]) -> list[dict]:
    rows = []
    for entry in sorted(updates, key=_kb_order):
        row = {"kb": _kb_label(entry.kb)}
        if entry.product_id:
            row["product_id"] = entry.product_id
        if entry.product:
            row["product"] = entry.product
        rows.append(row)
    return rows


def dump_deployment(document: DeploymentDocument) -> str:
    data: dict[str, Any] = {"format": DEPLOYMENT_FORMAT, "name": document.name}
    if document.description:
        data["description"] = document.description
    data["collection"] = document.collection
    for key in ("update_list", "template", "package"):
        if getattr(document, key):
            data[key] = getattr(document, key)
    for key in ("available", "deadline"):
        value = getattr(document, key)
        if value is not None:
            data[key] = value if document.local_time else value.replace(tzinfo=UTC)
    data["local_time"] = document.local_time
    data["nap"] = document.nap
    data["settings"] = {k: v for k, v in document.settings.items() if v is not None}
    data["updates"] = _entries(document.updates)
    return _header("Deployment", "deployments") + _visible(tomli_w.dumps(data))


def read_file(path: Path) -> str:
    """A file's text, refused when unreadable, too large or not UTF-8 (the message names the file)."""
    shown = escape_controls(str(path))
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise TomlFileError(f"{shown}: cannot read ({escape_controls(exc.strerror or str(exc))})") from None
    if len(raw) > MAX_BYTES:
        raise TomlFileError(f"{shown}: larger than {MAX_BYTES // (1024 * 1024)} MB; not a list or template file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TomlFileError(f"{shown}: not UTF-8 text (byte {exc.start})") from None


def _parse(text: str, *, source: str, kind: str, expected: str, known: set[str]) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlFileError(f"{source}: not valid TOML ({escape_controls(str(exc))})") from None
    found = data.get("format")
    if found != expected:
        what = f"format = '{escape_controls(str(found))}'" if found is not None else "no format line"
        raise TomlFileError(f"{source}: not a sumtui {kind} file ({what}; expected format = {expected!r})")
    unknown = sorted(set(data) - known)
    if unknown:
        raise TomlFileError(f"{source}: unknown key '{escape_controls(unknown[0])}' (known: {', '.join(sorted(known))})")
    for key in ("name", "description"):
        if key in data and not isinstance(data[key], str):
            raise TomlFileError(f"{source}: {key} must be a string")
    if not data.get("name", "").strip():
        raise TomlFileError(f"{source}: the {kind} has no name")
    return data


def parse_list(text: str, *, source: str = "<text>") -> ListDocument:
    source = escape_controls(source)
    data = _parse(text, source=source, kind="update list", expected=LIST_FORMAT,
                  known={"format", "name", "description", "updates"})
    return ListDocument(data["name"], data.get("description"), _parse_entries(data.get("updates", []), source))


def _parse_entries(entries, source: str) -> list[ListEntry]:
    if not isinstance(entries, list):
        raise TomlFileError(f"{source}: updates must be an array of tables like {{ kb = 'KB4592440' }}")
    out = []
    for number, entry in enumerate(entries, 1):
        where = f"{source}: update {number}"
        if not isinstance(entry, dict):
            raise TomlFileError(f"{where}: must be a table with kb = \"KB…\"")
        extra = sorted(set(entry) - {"kb", "product_id", "product"})
        if extra:
            raise TomlFileError(f"{where}: unknown key '{escape_controls(extra[0])}' (known: kb, product_id, product)")
        for key in ("kb", "product_id", "product"):
            if key in entry and not isinstance(entry[key], str):
                raise TomlFileError(f"{where}: {key} must be a string")
        if not entry.get("kb", "").strip():
            raise TomlFileError(f"{where}: has no kb")
        out.append(ListEntry(entry["kb"].strip(), (entry.get("product_id") or "").strip() or None, entry.get("product")))
    return out


def parse_template(text: str, *, source: str = "<text>") -> TemplateDocument:
    source = escape_controls(source)
    data = _parse(text, source=source, kind="deployment template", expected=TEMPLATE_FORMAT,
                  known={"format", "name", "description", "settings"})
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise TomlFileError(f"{source}: settings must be a table ([settings])")
    return TemplateDocument(data["name"], data.get("description"), dict(settings))


def parse_deployment(text: str, *, source: str = "<text>") -> DeploymentDocument:
    source = escape_controls(source)
    data = _parse(text, source=source, kind="deployment", expected=DEPLOYMENT_FORMAT,
                  known={"format", "name", "description", "collection", "update_list", "template", "package", "available",
                         "deadline", "local_time", "nap", "settings", "updates"})
    for key in ("collection", "update_list", "template", "package"):
        if key in data and not isinstance(data[key], str):
            raise TomlFileError(f"{source}: {key} must be a string")
    if not str(data.get("collection", "")).strip():
        raise TomlFileError(f"{source}: the deployment names no collection")
    local = data.get("local_time", False)
    for key in ("local_time", "nap"):
        if key in data and not isinstance(data[key], bool):
            raise TomlFileError(f"{source}: {key} must be true or false")
    times = {}
    for key in ("available", "deadline"):
        value = data.get(key)
        if value is None:
            times[key] = None
            continue
        if not isinstance(value, datetime):
            raise TomlFileError(f"{source}: {key} must be a date and time like 2026-12-10T02:00:00 (client local time) "
                                "or 2026-12-10T02:00:00Z (UTC)")
        if local and value.tzinfo is not None:
            raise TomlFileError(f"{source}: {key}: local_time = true takes a time without an offset")
        if not local and value.tzinfo is None:
            raise TomlFileError(f"{source}: {key}: a UTC deployment's times carry an offset (2026-12-10T02:00:00Z)")
        times[key] = value
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise TomlFileError(f"{source}: settings must be a table ([settings])")
    return DeploymentDocument(
        data["name"], data["collection"].strip(), _parse_entries(data.get("updates", []), source), data.get("description"),
        data.get("update_list"), data.get("template"), data.get("package"), times["available"], times["deadline"], local,
        data.get("nap", False), dict(settings))
