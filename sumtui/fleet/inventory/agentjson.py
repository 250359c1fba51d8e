"""The sumtui agent's own inventory document (JSON) → Inventory, validated strictly.

Format "sumtui-inventory/1" — one JSON object, UTF-8:

    {
      "format": "sumtui-inventory/1",          required, exactly this string
      "name": "PC044",                         required, host name (1-255 chars, no spaces or controls)
      "domain": "corp.example",                optional, string or null (workgroup machines: null)
      "os_name": "Microsoft Windows 10 Enterprise",   required, as the OS reports it (Caption)
      "build": "10.0.17763",                   required, major.minor.build
      "ubr": 3287,                             optional, integer >= 0 or null: the build revision
      "architecture": "x64",                   required, "x64" | "x86" | "arm64" (any case)
      "is_server": false,                      required, boolean
      "installed_kbs": ["KB5005030", ...],     required, list of "KB" + digits (or bare digits)
      "products": [".NET Framework 4.8"],      optional, list of strings: products beyond the OS
      "agent_version": "0.1.0",                optional, string or null
      "collected_at": "2026-11-25T10:00:00Z",  optional, ISO 8601 with a time zone, or null
      "time_zone": "Europe/Berlin",            optional, the machine's zone: an IANA name or a fixed
                                               offset like "UTC+01:00", or null
      "partial": true                          optional, true or false (default false): see below
    }

A partial document carries only the facts it has, e.g. an agent that reports a hotfix list
(`--inventory qfe.txt`) knows the installed KBs but not the OS. With `"partial": true` only `format`,
`name` and `installed_kbs` are required; `os_name`, `build`, `architecture` and `is_server` may be
left out, and every fact left out (or null) is kept as the site knows it, never erased: a partial
report cannot turn a mapped server into an unmapped one. Its `installed_kbs` add to the client's
list, as an imported hotfix list does. The facts it does carry are checked like any others.

Anything else is refused with a message naming the field: unknown keys (a new field means a new
format version, so an old server never silently drops what a newer agent reports), duplicate keys,
NaN/Infinity, wrong types, times out of range. The edition is derived from `os_name`, as for systeminfo.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from sumtui.fleet.inventory.model import (
    Inventory,
    InventoryError,
    is_host_name,
    normalize_kbs,
)
from sumtui.fleet.osmap import edition_from_os_name, normalize_architecture

# The shape of a zone name (sumtui.deploy.schedule.is_zone_name reads the same): an IANA name like
# "Europe/Berlin" or "America/Argentina/Buenos_Aires", or "UTC" with an optional offset "+01:00".
_ZONE = re.compile(r"^(?:(?:UTC|GMT)(?:[+-](?:0?\d|1[0-4]):[0-5]\d)?|[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+){0,2})$")

FORMAT = "sumtui-inventory/1"
_REQUIRED = ("format", "name", "os_name", "build", "architecture", "is_server", "installed_kbs")
_REQUIRED_PARTIAL = ("format", "name", "installed_kbs")  # a partial document's OS facts may be left out
_OPTIONAL = ("domain", "ubr", "products", "agent_version", "collected_at", "partial", "time_zone")
HOST_NAME = "a host name (1-255 characters, no spaces)"
_BUILD = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{1,6}$")
_KB = re.compile(r"^(?:KB)?0*(\d{1,8})$", re.IGNORECASE)
_MAX_LIST = 20000  # far above any real machine's KB count; bounds a hostile document's cost
_MAX_TEXT = 1024


def looks_like_agent_json(text: str) -> bool:
    # No other format we read starts with a bracket; a JSON list is read to be refused by name.
    return text.lstrip("\ufeff \t\r\n").startswith(("{", "["))


def parse_agent_json(text: str | bytes, *, name: str) -> Inventory:
    return inventory_from_document(strict_json(text, name=name), name=name)


def strict_json(text: str | bytes, *, name: str):
    """JSON without duplicate keys, NaN or Infinity; errors as one-line InventoryError naming the input."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except _Bad as exc:
        raise InventoryError(f"{name}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InventoryError(f"{name}: invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise InventoryError(f"{name}: invalid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with thousands of digits, or bytes that are not UTF-8
        raise InventoryError(f"{name}: invalid JSON: {str(exc).splitlines()[0][:80]}") from None


def inventory_from_document(doc, *, name: str) -> Inventory:
    """A decoded agent document → Inventory, every field checked (the management point decodes the
    report body once and hands its inventory object here)."""
    if not isinstance(doc, dict):
        raise InventoryError(f"{name}: expected a JSON object, got {_kind(doc)}")

    def bad(key: str, expected: str) -> InventoryError:
        return InventoryError(f"{name}: field '{key}': expected {expected}")

    if doc.get("format") != FORMAT:
        if "format" not in doc:
            raise InventoryError(f"{name}: missing field 'format' (expected \"{FORMAT}\"): not a sumtui inventory")
        raise bad("format", f'"{FORMAT}", got {json.dumps(doc["format"])[:60]}')
    partial = doc.get("partial", False)
    if type(partial) is not bool:
        raise bad("partial", "true or false")
    for key in _REQUIRED_PARTIAL if partial else _REQUIRED:
        if key not in doc:
            raise InventoryError(f"{name}: missing field '{key}'")
    unknown = sorted(set(doc) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise InventoryError(f"{name}: unknown field '{unknown[0]}' (format {FORMAT})")

    host = doc["name"]
    if not isinstance(host, str) or not is_host_name(host):
        raise bad("name", HOST_NAME)
    # A partial document may leave a fact out or send null: the site keeps what it knows.
    os_name = _text(doc, "os_name", bad, required=not partial)
    build = doc.get("build")
    if (build is not None or not partial) and (not isinstance(build, str) or not _BUILD.match(build)):
        raise bad("build", "a string like 10.0.17763")
    ubr = doc.get("ubr")
    if ubr is not None and (type(ubr) is not int or not 0 <= ubr < 2**31):
        raise bad("ubr", "a non-negative integer like 3287, or null")
    arch_value = doc.get("architecture")
    architecture = arch_value.lower() if isinstance(arch_value, str) else None
    if (arch_value is not None or not partial) and architecture not in ("x64", "x86", "arm64"):
        raise bad("architecture", '"x64", "x86" or "arm64"')
    is_server = doc.get("is_server")
    if (is_server is not None or not partial) and type(is_server) is not bool:
        raise bad("is_server", "true or false")
    kbs = _kb_list(doc["installed_kbs"], bad)
    products = doc.get("products") or []
    if not isinstance(products, list) or len(products) > _MAX_LIST:
        raise bad("products", "a list of product names")
    for index, product in enumerate(products):
        if not isinstance(product, str) or not product.strip() or len(product) > _MAX_TEXT:
            raise bad(f"products[{index}]", "a product name (non-empty string)")

    return Inventory(
        name=host,
        source_format="agent-json",
        domain=_text(doc, "domain", bad),
        os_name=os_name,
        build=build,
        ubr=ubr,
        architecture=normalize_architecture(architecture),
        is_server=is_server,
        edition=edition_from_os_name(os_name),
        installed_kbs=kbs,
        products=list(dict.fromkeys(p.strip() for p in products)),
        agent_version=_text(doc, "agent_version", bad),
        collected_at=_time(doc.get("collected_at"), bad),
        time_zone=_zone(doc.get("time_zone"), bad),
        partial=partial,
    )


class _Bad(ValueError):
    pass


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise _Bad(f"duplicate field '{key}'")
        seen[key] = value
    return seen


def _no_constant(token):
    raise _Bad(f"invalid number {token}")


def _kind(value) -> str:
    return {list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")


def _text(doc: dict, key: str, bad, *, required: bool = False) -> str | None:
    value = doc.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_TEXT:
        raise bad(key, "a non-empty string" + ("" if required else " or null"))
    return value.strip()


def _kb_list(value, bad) -> list[str]:
    if not isinstance(value, list) or len(value) > _MAX_LIST:
        raise bad("installed_kbs", 'a list of KB ids like ["KB5005030"]')
    digits = []
    for index, item in enumerate(value):
        match = _KB.match(item) if isinstance(item, str) else None
        if not match:
            raise bad(f"installed_kbs[{index}]", "a KB id like KB5005030")
        digits.append(match.group(1))
    return normalize_kbs(digits)


def _zone(value, bad) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 64 or not _ZONE.match(value.strip()):
        raise bad("time_zone", 'a time zone name like "Europe/Berlin" or "UTC+01:00", or null')
    return value.strip()


def _time(value, bad) -> datetime | None:
    if value is None:
        return None
    expected = "an ISO 8601 time with a time zone, like 2026-11-25T10:00:00Z"
    if not isinstance(value, str) or len(value) > 64:
        raise bad("collected_at", expected)
    text = value.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise bad("collected_at", expected) from None
    if parsed.tzinfo is None:
        raise bad("collected_at", expected)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is a valid ISO time, but before year 1 in UTC
        raise bad("collected_at", "a time between the years 1 and 9999 in UTC") from None
