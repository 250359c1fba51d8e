"""Printing rows for scripts and people: --format table | json | csv."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

FORMATS = ("table", "json", "csv")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)


def emit(
    rows: Sequence[dict],
    *,
    fmt: str,
    columns: Sequence[tuple[str, str]],
    out: TextIO | None = None,
    title: str | None = None,
) -> None:
    """`columns` are (key, header) pairs for table and csv; json prints every key of every row."""
    out = out or sys.stdout
    if fmt == "json":
        json.dump(list(rows), out, indent=2, default=str)
        out.write("\n")
        return
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([key for key, _ in columns])
        for row in rows:
            writer.writerow([_cell(row.get(key)) for key, _ in columns])
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_edge=False, header_style="bold", pad_edge=False, box=None)
    for _, header in columns:
        table.add_column(header, overflow="ellipsis", no_wrap=True)
    for row in rows:
        table.add_row(*(_cell(row.get(key)) for key, _ in columns))
    # One row per line: pipes get wide lines rather than wrapped cells.
    width = None if out.isatty() else 200
    Console(file=out, width=width, soft_wrap=False).print(table)
