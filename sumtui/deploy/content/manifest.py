"""Air-gapped content sources: a manifest (CSV with a header, or a JSON list of objects) and a folder.

A manifest row names `kb, file_name, url, sha1` (40 hex digits, or base64 like the catalog's
digest) with optional `sha256` and `size`. Its URLs are the operator's choice (http allowed: a LAN
mirror); with a folder given, `url` may be empty and the file is taken from the folder by name.
A folder alone offers the files whose names carry a requested KB number (`…-kb4592440-…`); their
SHA-1 is the 40 hex digits Windows Update file names end in. Either way every file is verified
exactly as a download is.

A malformed manifest is refused whole (the error names the row and the column): nothing is fetched
from half a manifest.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sumtui.deploy.content.errors import ContentError, ManifestError
from sumtui.deploy.content.names import (
    check_file_name,
    kb_number,
    sha1_from_name,
    sha1_hex,
    sha256_hex,
)
from sumtui.text import escape_controls

REQUIRED = ("kb", "file_name", "url", "sha1")
OPTIONAL = ("sha256", "size")
MAX_ROWS = 100_000


@dataclass(frozen=True)
class ManifestEntry:
    kb: str
    file_name: str
    url: str | None
    sha1: str
    sha256: str | None = None
    size: int | None = None
    local: Path | None = None  # set for a folder source


def parse_manifest(data: bytes, *, name: str) -> list[ManifestEntry]:
    """The rows of a manifest file's bytes; ManifestError names `name`, the row and what is wrong."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ManifestError(f"{name}: not UTF-8 text") from None
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        rows = _json_rows(stripped, name=name)
    else:
        rows = _csv_rows(text, name=name)
    if len(rows) > MAX_ROWS:
        raise ManifestError(f"{name}: {len(rows)} rows; at most {MAX_ROWS}")
    entries = [_entry(row, where=f"{name} {label}") for label, row in rows]
    if not entries:
        raise ManifestError(f"{name}: the manifest lists no files")
    return entries


def read_manifest(path: Path) -> list[ManifestEntry]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return parse_manifest(data, name=str(path))


def _json_rows(text: str, *, name: str) -> list[tuple[str, dict]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{name}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    if not isinstance(doc, list) or not all(isinstance(item, dict) for item in doc):
        raise ManifestError(f"{name}: a JSON manifest is a list of objects with {', '.join(REQUIRED)}")
    return [(f"item {i}", item) for i, item in enumerate(doc)]


def _csv_rows(text: str, *, name: str) -> list[tuple[str, dict]]:
    reader = csv.reader(io.StringIO(text))
    try:
        lines = [row for row in reader]
    except csv.Error as exc:
        raise ManifestError(f"{name}: malformed CSV ({exc})") from None
    lines = [row for row in lines if any(cell.strip() for cell in row)]
    if not lines:
        raise ManifestError(f"{name}: the manifest is empty")
    header = [cell.strip().lower() for cell in lines[0]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ManifestError(f"{name}: the CSV header has no {', '.join(missing)} column (expected {', '.join(REQUIRED)}"
                            f"[, {', '.join(OPTIONAL)}])")
    rows = []
    for number, cells in enumerate(lines[1:], start=2):
        if len(cells) > len(header):
            raise ManifestError(f"{name} line {number}: {len(cells)} cells for {len(header)} columns")
        rows.append((f"line {number}", dict(zip(header, cells))))
    return rows


def _text(row: dict, key: str, *, where: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ManifestError(f"{where}: {key} must be text")
    return value.strip()


def _entry(row: dict, *, where: str) -> ManifestEntry:
    try:
        kb = kb_number(_text(row, "kb", where=where))
    except ValueError as exc:
        raise ManifestError(f"{where}: kb: {exc}") from None
    file_name = _text(row, "file_name", where=where)
    try:
        check_file_name(file_name, where=where)
        sha1 = sha1_hex(_text(row, "sha1", where=where), name=f"{where}: sha1")
        sha256 = sha256_hex(_text(row, "sha256", where=where), name=f"{where}: sha256") if _text(row, "sha256", where=where) else None
    except ContentError as exc:
        raise ManifestError(str(exc)) from None
    url = _text(row, "url", where=where) or None
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ManifestError(f"{where}: url {escape_controls(url)!r} is not an http:// or https:// URL")
    size_text = _text(row, "size", where=where)
    size = None
    if size_text:
        if not size_text.isdigit():
            raise ManifestError(f"{where}: size {escape_controls(size_text)!r} is not a whole number of bytes")
        size = int(size_text)
    return ManifestEntry(kb=kb, file_name=file_name, url=url, sha1=sha1, sha256=sha256, size=size)


def in_folder(entries: Sequence[ManifestEntry], folder: Path) -> list[ManifestEntry]:
    """The entries with their file taken from `folder` (by file name) instead of their URL."""
    return [ManifestEntry(e.kb, e.file_name, e.url, e.sha1, e.sha256, e.size, local=Path(folder) / e.file_name)
            for e in entries]


def _kb_pattern(kb: str) -> re.Pattern:
    return re.compile(rf"(?<![0-9a-z])kb{kb}(?![0-9])", re.IGNORECASE)


def folder_entries(folder: Path, kbs: Sequence[str]) -> tuple[list[ManifestEntry], dict[str, str]]:
    """Files of `folder` whose names carry one of `kbs`, with the SHA-1 in their names; and a reason
    for each KB that has none (or whose files cannot be verified)."""
    folder = Path(folder)
    try:
        names = sorted(p.name for p in folder.iterdir() if p.is_file())
    except OSError as exc:
        raise ContentError(f"{folder}: cannot list the folder ({exc.strerror or exc})") from None
    entries, problems = [], {}
    for kb in kbs:
        pattern = _kb_pattern(kb)
        found = [n for n in names if pattern.search(n)]
        if not found:
            problems[kb] = f"KB{kb}: no file in {folder} has KB{kb} in its name"
            continue
        unverifiable = []
        for file_name in found:
            sha1 = sha1_from_name(file_name)
            try:
                check_file_name(file_name, where=str(folder))
            except ContentError as exc:
                unverifiable.append(str(exc))
                continue
            if sha1 is None:
                unverifiable.append(f"{folder / escape_controls(file_name)}: no 40-hex SHA-1 in its name to verify it by "
                                    "(give a manifest with its sha1)")
                continue
            entries.append(ManifestEntry(kb=kb, file_name=file_name, url=None, sha1=sha1, local=folder / file_name))
        if unverifiable:
            problems[kb] = "; ".join(unverifiable)
    return entries, problems
