"""SelectableTable: a PagedTable whose rows are picked with `space`, so that one action (add to an
update list) takes several of them.

Picks are kept by key across queries: an operator searches, picks, searches again and picks more.
A picked row shows a ✓ in a two-cell gutter at the left of the grid (a symbol, so the mark keeps its
meaning without colour); the gutter is there only while something is picked, so the grid of an
operator who never picks is the same as before. `u` drops every pick.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from .grid_source import GridRow
from .paged_table import PagedTable, column_layout

GUTTER = 2
MARK = "✓"


class SelectableTable(PagedTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        # Space picks here; page down stays on pagedown and ctrl+f.
        Binding("space", "toggle_pick", "Pick", key_display="space", id="grid.pick"),
        Binding("u", "clear_picks", "Unpick all", show=False, id="grid.unpick"),
    ]

    class PicksChanged(Message):
        """The picked rows changed: `count` of them now."""

        def __init__(self, table: SelectableTable, count: int) -> None:
            super().__init__()
            self.table, self.count = table, count

        @property
        def control(self) -> SelectableTable:
            return self.table

    def __init__(self, *args, pick_key: Callable[[object], object] | None = None,
                 pick_label: Callable[[GridRow], str] | None = None, **kwargs) -> None:
        """`pick_key`: what a row's key is picked as (e.g. the update id inside a compliance row's key);
        `pick_label`: how a picked row is named in confirmations (default: its first cell)."""
        super().__init__(*args, **kwargs)
        self._pick_key = pick_key or (lambda key: key)
        self._pick_label = pick_label or (lambda row: str(row.cells[0]) if row.cells else str(row.key))
        self._picked: dict[object, str] = {}  # picked key -> its label, in the order picked

    # ----------------------------------------------------------------- picks

    @property
    def picked(self) -> dict[object, str]:
        """Picked keys and their labels, in the order they were picked."""
        return dict(self._picked)

    def key_of(self, row: GridRow) -> object:
        return self._pick_key(row.key)

    def label_of(self, row: GridRow) -> str:
        return self._pick_label(row)

    def clear_picks(self) -> None:
        if self._picked:
            self._picked.clear()
            self._picks_changed()

    def action_toggle_pick(self) -> None:
        row = self.current_row
        if row is None:
            return  # not loaded yet: nothing to name
        key = self.key_of(row)
        if key in self._picked:
            del self._picked[key]
        else:
            self._picked[key] = self.label_of(row)
        self._picks_changed()
        self.action_cursor_down()  # space, space, space picks the rows one under the other

    def action_clear_picks(self) -> None:
        self.clear_picks()

    def _picks_changed(self) -> None:
        # The gutter comes and goes with the first and last pick: every line is laid out again.
        self._layouts.clear()
        self._line_cache.clear()
        self.refresh()
        self.post_message(self.PicksChanged(self, len(self._picked)))

    # ----------------------------------------------------------------- the gutter

    def _layout(self) -> list[tuple[int, int]]:
        if not self._picked:
            return super()._layout()
        width = max(self.scrollable_content_region.width, self._min_width) - GUTTER
        key = (GUTTER, width)  # beside the plain layouts, cleared with them
        spans = self._layouts.get(key)  # type: ignore[call-overload]
        if spans is None:
            spans = self._layouts[key] = column_layout(self.columns, width, self._content_widths)  # type: ignore[index]
        return spans

    def _header_strip(self, line_width: int, base: Style) -> Strip:
        strip = super()._header_strip(line_width, base)
        if not self._picked:
            return strip
        return self._with_gutter(strip, " " * GUTTER, self.get_component_rich_style("paged-table--header"), line_width)

    def _body_strip(self, index: int, y: int, line_width: int, base: Style) -> Strip:
        strip = super()._body_strip(index, y, line_width, base)
        if not self._picked:
            return strip
        row = self.get_row(index)
        picked = row is not None and self.key_of(row) in self._picked
        first = next(iter(strip), None)
        style = first.style if first is not None and first.style is not None else base
        if picked:
            style += Style(bold=True)
        return self._with_gutter(strip, f"{MARK} " if picked else " " * GUTTER, style, line_width)

    @staticmethod
    def _with_gutter(strip: Strip, text: str, style: Style, line_width: int) -> Strip:
        # The strip was laid out GUTTER cells narrower and padded to the line: the gutter takes the padding.
        return Strip.join([Strip([Segment(text, style)], GUTTER), strip]).crop(0, line_width)
