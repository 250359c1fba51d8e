"""Printing rows for scripts and people: --format table | json | csv.

- json and csv are written by `sumtui.export` (json: the exact data; csv: controls escaped, formulas
  made inert for spreadsheets).
- table is for people: cells are data, never Rich markup, with control characters escaped. Each column
  has a kind. Identifiers, numbers, states and times are never shrunk, wrapped or cut, in a terminal
  or a pipe; free text (titles, products, sentences) takes the width that is left and wraps within
  it. In a pipe nothing wraps: one row per line, every cell whole.
"""

from __future__ import annotations

import io
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from sumtui.export import cell_text, is_number, write_csv, write_json
from sumtui.text import escape_controls

FORMATS = ("table", "json", "csv")

# Column kinds.
ID, NUMBER, STATE, TIME, TEXT = "id", "number", "state", "time", "text"
KINDS = (ID, NUMBER, STATE, TIME, TEXT)
MIN_TEXT = 10  # a free-text column narrower than this reads as a column of fragments
GAP, TIGHT_GAP = 2, 1  # spaces between columns; one when two would push a line past the terminal


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = TEXT


ColumnSpec = tuple[str, str] | tuple[str, str, str] | Column


def _column(spec: ColumnSpec, rows: Sequence[dict]) -> Column:
    if isinstance(spec, Column):
        column = spec
    elif len(spec) == 3:
        column = Column(*spec)
    else:
        # No kind given: numbers when every value is one, free text otherwise.
        key, header = spec
        values = [row.get(key) for row in rows if row.get(key) is not None]
        column = Column(key, header, NUMBER if values and all(is_number(v) for v in values) else TEXT)
    if column.kind not in KINDS:
        raise ValueError(f"column {column.key!r}: unknown kind {column.kind!r}")
    return column


def emit(
    rows: Sequence[dict],
    *,
    fmt: str,
    columns: Sequence[ColumnSpec],
    out: TextIO | None = None,
    title: str | None = None,
    width: int | None = None,
) -> None:
    """`columns` are (key, header[, kind]) for table and csv; json prints every key of every row.

    `width`: the terminal's width for the table (default: measured when `out` is a terminal; a pipe
    has none, and gets every row on one line).
    """
    out = out or sys.stdout
    if fmt == "json":
        write_json(rows, out)
        return
    if fmt == "csv":
        write_csv(rows, [_column(c, rows).key for c in columns], out)
        return
    _table(rows, [_column(c, rows) for c in columns], out=out, title=title, width=width)


def print_error(message: object) -> None:
    """`sumtui: <message>` on stderr, on one line: what it quotes (a file name, an upstream's words, a
    client's name) is shown with its control and bidi characters escaped, like any outside text."""
    print(f"sumtui: {escape_controls(str(message))}", file=sys.stderr)


def _terminal_width(out: TextIO) -> int | None:
    try:
        if not out.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return shutil.get_terminal_size().columns


def column_widths(columns: Sequence[Column], natural: Sequence[int], width: int | None) -> tuple[list[int], int]:
    """(widths, gap) for a table `width` cells wide (None: as wide as it needs).

    Every column but free text gets its natural width. Free-text columns share what is left, the
    narrow ones whole and the wide ones an equal part each, but no less than MIN_TEXT (or their
    natural width when smaller): when even that does not fit, the line is longer than the terminal
    rather than anything being cut.
    """
    widths = list(natural)
    text = [i for i, column in enumerate(columns) if column.kind == TEXT]
    if width is None or not text:
        return widths, GAP
    for gap in (GAP, TIGHT_GAP):
        fixed = sum(w for i, w in enumerate(natural) if i not in text) + gap * (len(columns) - 1)
        room = width - fixed
        floors = {i: min(natural[i], MIN_TEXT) for i in text}
        if room >= sum(natural[i] for i in text):
            return widths, gap  # everything fits as it is
        if room >= sum(floors.values()) or gap == TIGHT_GAP:
            break
    remaining, left = max(room, 0), len(text)
    for i in sorted(text, key=lambda i: natural[i]):
        share = remaining // left
        widths[i] = min(natural[i], max(share, floors[i]))
        remaining -= widths[i]
        left -= 1
    return widths, gap


def _table(rows: Sequence[dict], columns: list[Column], *, out: TextIO, title: str | None, width: int | None) -> None:
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    cells = [[escape_controls(cell_text(row.get(c.key))) for c in columns] for row in rows]
    natural = [max([cell_len(c.header)] + [cell_len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    terminal = width if width is not None else _terminal_width(out)
    widths, gap = column_widths(columns, natural, terminal)
    total = max(1, sum(widths) + gap * max(0, len(columns) - 1))
    table = Table(title=Text(escape_controls(title)) if title else None, show_edge=False, header_style="bold",
                  pad_edge=False, box=None, padding=(0, gap, 0, 0), expand=False)
    for column, column_width in zip(columns, widths):
        fixed = column.kind != TEXT
        table.add_column(Text(column.header), width=column_width, no_wrap=fixed, overflow="fold",
                         justify="right" if column.kind == NUMBER else "left")
    for row in cells:
        # Text, not str: Rich would read "[/bold]" in a client's name as markup.
        table.add_row(*(Text(value) for value in row))
    if terminal is None:
        # A pipe: plain lines without the padding after the last cell.
        buffer = io.StringIO()
        Console(file=buffer, width=total, color_system=None, force_terminal=False, soft_wrap=False).print(table)
        out.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))
        return
    Console(file=out, width=total, soft_wrap=False).print(table)
