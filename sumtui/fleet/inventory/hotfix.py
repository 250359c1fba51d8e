"""Installed-hotfix lists → Inventory: `wmic qfe` and PowerShell `Get-HotFix` in the shapes people save.

They carry the host name (CSName / Source / Node / PSComputerName) and the KB ids, nothing about the
OS: the client keeps its OS facts from another source (systeminfo, the agent) or stays unmapped.

Shapes read (`source_format` in brackets):
- `wmic qfe` table [qfe]: a header row of property names, columns aligned to the header's words;
- `wmic qfe list full` [qfe]: "HotFixID=KB…" key=value blocks;
- `wmic qfe get … /format:csv` [qfe] and `Get-HotFix | Export-Csv` [get-hotfix]: a CSV header naming
  HotFixID (Export-Csv may put a "#TYPE …" line first);
- `Get-HotFix` table [get-hotfix]: header, a row of dashes giving the column extents, rows;
- `Get-HotFix | Format-List` [get-hotfix]: "HotFixID    : KB…" blocks.

Property names are never translated, so these are matched in any language. Values that are not KB
ids ("File 1", "Q147222") are skipped. One file is one machine: a list naming several hosts is refused.
A file that does not end with a line break may have been cut: it is accepted with
`kb_list_complete=False`, and a KB id at the very end of the file is dropped (it may be cut short).
These lists carry no count, so a file cut exactly at a line break cannot be told from a whole one.
"""

from __future__ import annotations

import csv
import re

from sumtui.fleet.inventory.model import (
    Inventory,
    InventoryError,
    is_host_name,
    machine_name,
    normalize_kbs,
)

_KB = re.compile(r"^KB(\d{1,8})$", re.IGNORECASE)
_KB_IN_ROW = re.compile(r"(?<![\w=/?])KB(\d{3,8})\b")
_HOST_KEYS = ("csname", "source", "pscomputername", "node", "__server")
_DASHES = re.compile(r"^-+(\s+-+)*\s*$")
_LIST_LINE = re.compile(r"^(\w+)\s*:\s?(.*)$")
_KEY_VALUE = re.compile(r"^(\w+)=(.*)$")


def looks_like_hotfix_list(text: str) -> bool:
    """A header, key or CSV column named HotFixID near the top (no systeminfo or JSON has one)."""
    return "hotfixid" in text[:6000].lower()


def parse_hotfix_list(text: str, *, name: str, host: str | None = None) -> Inventory:
    """`host` names the machine when the list's own host column is missing or unusable."""
    lines = [line.rstrip("\r") for line in text.lstrip("\ufeff").split("\n")]
    content = [(i, line) for i, line in enumerate(lines) if line.strip()]
    if not content:
        raise InventoryError(f"{name}: empty file")
    first_index, first = content[0]
    if first.startswith("#TYPE") and len(content) > 1:
        first_index, first = content[1]
    if "," in first and re.search(r'(^|,)"?HotFixID"?(,|$)', first, re.IGNORECASE):
        try:
            rows = _csv_rows(lines[first_index:])
        except csv.Error as exc:
            raise InventoryError(f"{name}: malformed CSV: {exc}") from None
        fmt = "get-hotfix" if _is_powershell(first, text) else "qfe"
    elif any(_KEY_VALUE.match(line.strip()) and line.strip().lower().startswith("hotfixid=") for _, line in content):
        rows, fmt = _blocks(lines, _KEY_VALUE), "qfe"
    elif any(re.match(r"^HotFixID\s*:", line.strip(), re.IGNORECASE) for _, line in content):
        rows, fmt = _blocks(lines, _LIST_LINE), "get-hotfix"
    else:
        header_at = next((pos for pos, (_, line) in enumerate(content) if re.search(r"\bHotFixID\b", line, re.IGNORECASE)),
                         None)
        if header_at is None:
            raise InventoryError(f"{name}: no HotFixID column: not a wmic qfe or Get-HotFix output")
        header = content[header_at][1]
        below = content[header_at + 1][1] if header_at + 1 < len(content) else ""
        if _DASHES.match(below):
            rows, fmt = _table_rows(header, below, [line for _, line in content[header_at + 2:]]), "get-hotfix"
        else:
            rows, fmt = _table_rows(header, None, [line for _, line in content[header_at + 1:]]), "qfe"
    return _inventory(rows, fmt, text, name, host)


def _is_powershell(header: str, text: str) -> bool:
    low = header.lower()
    return text.lstrip("\ufeff").startswith("#TYPE") or "pscomputername" in low or '"source"' in low


def _csv_rows(lines: list[str]) -> list[dict[str, str]]:
    reader = csv.reader(line.replace("\r", "") for line in lines if line.strip())
    header = [cell.strip().lower() for cell in next(reader)]
    return [dict(zip(header, (cell.strip() for cell in row))) for row in reader]


def _blocks(lines: list[str], pattern: re.Pattern[str]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in lines:
        match = pattern.match(line.strip())
        if not line.strip():
            if current:
                rows.append(current)
                current = {}
        elif match:
            key = match.group(1).lower()
            if key in current:  # a new record without a blank line between
                rows.append(current)
                current = {}
            current[key] = match.group(2).strip()
    if current:
        rows.append(current)
    return rows


def _columns(header: str, dashes: str | None) -> list[tuple[str, int, int | None]]:
    # Get-HotFix's dash row marks each column's extent; wmic aligns values under the header words.
    spans = [m.span() for m in re.finditer(r"\S+", dashes if dashes is not None else header)]
    names = [m.group().lower() for m in re.finditer(r"\S+", header)]
    if len(names) != len(spans):
        spans = [m.span() for m in re.finditer(r"\S+", header)]
    starts = [start for start, _ in spans]
    return [(names[i], starts[i], starts[i + 1] if i + 1 < len(starts) else None) for i in range(len(names))]


def _table_rows(header: str, dashes: str | None, lines: list[str]) -> list[dict[str, str]]:
    wanted = {"hotfixid", *_HOST_KEYS}
    columns = [column for column in _columns(header, dashes) if column[0] in wanted]
    rows = []
    for line in lines:
        if "HotFixID" in line or _DASHES.match(line):
            continue  # a repeated header (PowerShell reprints it after a page of rows)
        row = {col: line[start:end].strip() for col, start, end in columns}
        if not _KB.match(row.get("hotfixid", "")):
            # Values wider than their column (CJK descriptions in a byte-padded code page) shift the
            # columns: fall back to the KB id's own shape anywhere in the row.
            found = _KB_IN_ROW.search(line)
            if found and "file" not in row.get("hotfixid", "").lower():
                row["hotfixid"] = found.group()
        rows.append(row)
    return rows


def _inventory(rows: list[dict[str, str]], fmt: str, text: str, name: str, given: str | None) -> Inventory:
    hosts: dict[str, str] = {}
    kbs: list[str] = []
    for row in rows:
        host = next((row[key] for key in _HOST_KEYS if row.get(key)), None)
        if host and not is_host_name(host):
            if not given:
                raise InventoryError(
                    f"{name}: {host[:40]!r} is not a machine name (CSName / Source column): "
                    "give the machine's name (--name NAME)")
            host = None  # the operator named the machine: an unusable host column is not needed
        if host:
            hosts.setdefault(host.casefold(), host)
        match = _KB.match(row.get("hotfixid", ""))
        if match:
            kbs.append(match.group(1))
    if len(hosts) > 1:
        shown = ", ".join(sorted(hosts.values())[:5])
        raise InventoryError(f"{name}: hotfixes of {len(hosts)} machines ({shown}): import one machine per file")
    found = next(iter(hosts.values())) if hosts else None
    host = machine_name(found, given, name=name, problem="no host name (CSName or Source column) in the hotfix list")
    inventory = Inventory(name=host, source_format=fmt)
    stripped = text.rstrip(" \t\x1a")
    if stripped and not stripped.endswith(("\n", "\r")):
        last = stripped.rsplit("\n", 1)[-1].rstrip()
        tail = re.search(r"KB(\d{1,8})$", last, re.IGNORECASE)
        if tail and tail.group(1) in kbs:
            kbs.remove(tail.group(1))  # the last KB id may have lost digits
        inventory.kb_list_complete = False
        inventory.warnings.append("the file does not end with a line break: it may have been cut")
    inventory.installed_kbs = normalize_kbs(kbs)
    return inventory
