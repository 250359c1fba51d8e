"""What a paged grid needs from its data: columns, rows, and a source that counts and fetches.

Plain Python on purpose (no textual import) so domain-side adapters — a catalog query, a
clients query — can implement `GridSource` without depending on the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol, Sequence, runtime_checkable

if TYPE_CHECKING:  # rich is only needed for the type of a styled cell
    from rich.text import Text


@dataclass(frozen=True)
class GridColumn:
    """One column of a grid."""

    key: str
    """Sort key passed back to the screen in `SortChanged`; the screen maps it to its query."""
    label: str
    width: int
    """Width in cells: the least an id, number or state column gets (it widens to its longest
    loaded value), and what a text column would like (it gives way first on a narrow line)."""
    flex: bool = False
    """Flex columns share whatever width the other columns leave."""
    align: Literal["left", "right"] = "left"
    sortable: bool = True
    kind: Literal["id", "number", "state", "text"] | None = None
    """What the column holds. Ids, numbers and states are never cut; free text (product names,
    sentences) shrinks with an ellipsis when the line is short. None: text for a flex column, an id
    otherwise."""

    @property
    def is_text(self) -> bool:
        return self.kind == "text" if self.kind is not None else self.flex

    @property
    def descends_first(self) -> bool:
        """Sorting by this column starts with the largest values: counts (who needs most first).
        A column of right-aligned figures is counted as counts when its kind is not said."""
        return self.kind == "number" or (self.kind is None and self.align == "right")


@dataclass(frozen=True)
class GridRow:
    """One row as the source hands it over: already formatted for display."""

    key: object
    """Identifies the row (e.g. a database id); carried in CursorMoved / RowActivated."""
    cells: tuple[str | Text, ...]
    style: str | None = None
    """Optional rich style for the whole row, e.g. "bold red"."""


@runtime_checkable
class GridSource(Protocol):
    """A query the grid can page through.

    Called from worker threads, never from the UI thread, and possibly from two threads at once
    (the count and a page, or two pages): implementations must not touch widgets and must be safe
    to call from a thread other than the one that built them (for sqlite3, open a connection per
    thread). `fetch` with LIMIT/OFFSET costs O(offset) on most databases; a source may use keyset
    paging internally when that matters. One source is one query: a new filter or sort
    order is a new source, passed to `PagedTable.set_source`.
    """

    def count(self) -> int:
        """Total number of rows of the query."""
        ...

    def fetch(self, offset: int, limit: int) -> list[GridRow]:
        """Rows `offset` .. `offset + limit - 1` in the query's order (fewer at the end)."""
        ...


class ListSource:
    """A `GridSource` over rows already in memory: small grids, tests, previews."""

    def __init__(self, rows: Sequence[GridRow]) -> None:
        # A tuple so that a later change to the caller's list cannot shift rows under a page.
        self._rows = tuple(rows)

    def count(self) -> int:
        return len(self._rows)

    def fetch(self, offset: int, limit: int) -> list[GridRow]:
        return list(self._rows[offset : offset + limit])
