"""Rows written as JSON or CSV, for scripts and spreadsheets: the CLI's `--format json|csv` and the
console's export of a view write the same files.

- JSON is the exact data (json.dumps escapes every control character): scripts read it.
- CSV is opened in spreadsheets: control, bidi and invisible format characters are shown escaped
  (`sumtui.text`), and a text cell that starts with `=`, `+`, `-` or `@` and is not a number gets a
  leading apostrophe, so the spreadsheet shows it instead of running it as a formula (CSV injection;
  OWASP's advice). A script that needs the exact text reads JSON.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from sumtui.text import escape_controls


def write_text_whole(path: Path, text: str) -> None:
    """`text` into `path` (UTF-8, LF), replaced whole: written to a temporary file beside it, then renamed,
    so a reader never sees half a file and a failure leaves the old one. Its folder must exist."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def cell_text(value: Any) -> str:
    """A value as one cell of text: '' for None, yes/no, lists joined by spaces."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def csv_cell(value: Any) -> str:
    """A value as a CSV cell: controls escaped, and text a spreadsheet would run as a formula made inert."""
    text = escape_controls(cell_text(value))
    if text and text[0] in "=+-@" and not is_number(value) and not _numeric(text):
        return "'" + text
    return text


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_json(rows: Iterable[dict], out: TextIO) -> None:
    json.dump(list(rows), out, indent=2, default=str)
    out.write("\n")


def write_csv(rows: Iterable[dict], keys: Sequence[str], out: TextIO) -> None:
    """A header of `keys`, then one line per row with those keys' values."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_cell(key) for key in keys])
    for row in rows:
        writer.writerow([csv_cell(row.get(key)) for key in keys])
