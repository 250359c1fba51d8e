"""PagedTable: a keyboard-first grid that reads only the visible window from a `GridSource`.

Textual's DataTable holds every row (seconds to paint at 10k rows); our grids go to 100k+ rows, so
this widget keeps the row count as its virtual height and fetches pages of rows on demand:

- the count and each page come from thread workers; results come back as messages and are applied
  on the UI thread, tagged with a generation so that answers to an older query are dropped;
- only pages that intersect the window, the cursor's page and one page of read-ahead in the
  direction of travel are requested, at most `MAX_IN_FLIGHT` at a time (a held page-down does not
  queue fetches for pages already scrolled past), and at most `MAX_CACHED_PAGES` stay cached;
- rendering is the Line API: line 0 is a fixed header, line y > 0 is row `scroll_y + y - 1`.

Sorting is the screen's job: the table only shows the indicator (an arrow next to the label of the
column it sorts by) and posts `SortChanged`; the screen builds a source with the new order and calls
`set_source`. `s` (or a click on a header) sorts by a column, counts largest first; `S` reverses.

Cells are data: the worker that fetches a page shows control, bidi and invisible format characters
escaped (`sumtui.text`) and measures the id, number and state cells, which are never cut: their
columns widen to fit, and text columns give way first (see `column_layout`).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import partial
from typing import ClassVar, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Span, Text
from textual import events, on
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sumtui.errors import one_line
from sumtui.text import escape_controls

from .grid_source import GridColumn, GridRow, GridSource

__all__ = ["PagedTable", "GridColumn", "GridRow", "GridSource", "column_layout", "min_line_width"]

_GAP = 1  # cells between columns
TEXT_FLOOR = 6  # a text column gives way down to this many cells ("Windo…"), or its width if smaller


def _base_widths(columns: Sequence[GridColumn], content: Sequence[int] | None) -> list[int]:
    widths = [max(1, column.width) for column in columns]
    if content:
        for index, column in enumerate(columns):
            if not column.is_text and index < len(content):
                widths[index] = max(widths[index], content[index])
    return widths


def min_line_width(columns: Sequence[GridColumn], content: Sequence[int] | None = None) -> int:
    """The narrowest line the columns fit: every text column at its floor, the others whole."""
    widths = _base_widths(columns, content)
    floors = [min(width, TEXT_FLOOR) if column.is_text else width for column, width in zip(columns, widths)]
    return sum(floors) + _GAP * max(0, len(columns) - 1)


def column_layout(columns: Sequence[GridColumn], width: int, content: Sequence[int] | None = None) -> list[tuple[int, int]]:
    """(x, width) of each column for a line `width` cells wide.

    `content`: the widest loaded value of each column. Id, number and state columns get their
    width, or their widest value when wider: they are never cut. Flex columns share what is left,
    flex text columns first: each first up to its widest loaded value, the shortest needs met first
    (so a column of short product names does not take the room a column of sentences needs), then
    what remains evenly (the first ones take the remainder of the division) — a flex id column
    (a machine's name) widens only when no text column could use the room. On a short line the text columns give
    way first, the widest one cell at a time, down to `TEXT_FLOOR`; when even that does not fit,
    the table scrolls horizontally, so a narrow terminal loses columns at the right, not data.
    """
    widths = _base_widths(columns, content)
    spare = width - (sum(widths) + _GAP * max(0, len(columns) - 1))
    flex = [index for index, column in enumerate(columns) if column.flex and column.is_text]
    flex = flex or [index for index, column in enumerate(columns) if column.flex]
    if spare > 0 and flex and content:
        spare = _fill_wants(widths, flex, content, spare)
    if spare > 0 and flex:
        share, extra = divmod(spare, len(flex))
        for position, index in enumerate(flex):
            widths[index] += share + (1 if position < extra else 0)
    elif spare < 0:
        floors = {index: min(widths[index], TEXT_FLOOR) for index, column in enumerate(columns) if column.is_text}
        for _ in range(-spare):
            index = max(floors, key=lambda i: widths[i] - floors[i], default=None)
            if index is None or widths[index] <= floors[index]:
                break
            widths[index] -= 1
    spans, x = [], 0
    for cell_width in widths:
        spans.append((x, cell_width))
        x += cell_width + _GAP
    return spans


def _fill_wants(widths: list[int], flex: list[int], content: Sequence[int], spare: int) -> int:
    """Widen the flex columns in `widths` towards their widest value (max-min fair: the smallest
    need is met whole before the others share); returns the spare width left."""
    wants = {i: max(0, content[i] - widths[i]) for i in flex if i < len(content)}
    waiting = sorted((i for i in wants if wants[i] > 0), key=lambda i: wants[i])
    while waiting and spare > 0:
        share = spare // len(waiting)
        if share == 0:
            break
        index = waiting[0]
        given = min(wants[index], share)
        if given == wants[index]:
            waiting.pop(0)
        else:  # the smallest need is over an even share: every column gets the share
            for i in waiting:
                widths[i] += share
            return spare - share * len(waiting)
        widths[index] += given
        spare -= given
    return spare


def _fit(text: str, width: int, align: str) -> str:
    """Truncate with an ellipsis or pad to exactly `width` cells."""
    length = cell_len(text)
    if length > width:
        if width < 2:
            return "…"[:width]
        # rstrip so that "Windows Server …" reads "Windows Server…"; the padding restores width.
        text = set_cell_size(text, width - 1).rstrip() + "…"
        length = cell_len(text)
    pad = " " * (width - length)
    return pad + text if align == "right" else text + pad


@dataclass
class _Page:
    generation: int
    rows: list[GridRow]
    token: int  # changes whenever the page's rows are replaced, for the line cache


class _CountFetched(Message, bubble=False):
    def __init__(self, generation: int, count: int | None, error: str | None = None) -> None:
        super().__init__()
        self.generation, self.count, self.error = generation, count, error


class _PageFetched(Message, bubble=False):
    def __init__(self, generation: int, page: int, rows: list[GridRow] | None, error: str | None = None,
                 widths: tuple[int, ...] = ()) -> None:
        super().__init__()
        self.generation, self.page, self.rows, self.error = generation, page, rows, error
        self.widths = widths  # the widest cell of each column (0 for text columns that do not flex)


class PagedTable(ScrollView, can_focus=True):
    """A grid over a `GridSource` of any size; see the module docstring for how it pages."""

    MAX_CACHED_PAGES: ClassVar[int] = 10
    """Pages kept in memory (more only while more than that are on screen at once)."""
    MAX_IN_FLIGHT: ClassVar[int] = 2
    """Concurrent page fetches; a database serves them one or two at a time anyway."""

    ALLOW_SELECT = False  # a drag should not start a text selection over a grid

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="grid.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="grid.down"),
        Binding("pageup,ctrl+b", "cursor_page_up", "Page up", show=False, id="grid.page_up"),
        Binding("pagedown,ctrl+f,space", "cursor_page_down", "Page down", show=False, id="grid.page_down"),
        Binding("home,g", "cursor_first", "First row", show=False, id="grid.first"),
        Binding("end,G,shift+g", "cursor_last", "Last row", show=False, id="grid.last"),
        Binding("enter", "activate", "Open", id="grid.activate"),
        Binding("s", "sort_next", "Sort", tooltip="Sort by the next column (counts: largest first)", id="grid.sort"),
        Binding("S", "sort_reverse", "Reverse", tooltip="Reverse the order", show=False, id="grid.sort_reverse"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paged-table--header",
        "paged-table--sort-indicator",
        "paged-table--row-odd",
        "paged-table--row-even",
        "paged-table--cursor",
        "paged-table--placeholder",
        "paged-table--error",
    }

    # The cursor uses the theme's block-cursor variables (bold by default) and, with NO_COLOR,
    # is also drawn in reverse video by the code, so it never depends on colour alone.
    DEFAULT_CSS = """
    PagedTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        overflow-x: auto;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        & > .paged-table--header {
            background: $panel;
            color: $foreground;
            text-style: bold;
        }
        & > .paged-table--sort-indicator {
            color: $text-accent;
            text-style: bold;
        }
        & > .paged-table--row-odd {
        }
        & > .paged-table--row-even {
            background: $surface-lighten-1 50%;
        }
        & > .paged-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: bold;
        }
        &:focus > .paged-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .paged-table--placeholder {
            color: $foreground-muted;
            text-style: dim;
        }
        & > .paged-table--error {
            color: $text-error;
        }
    }
    """

    class CursorMoved(Message):
        """The cursor moved, or the row under it finished loading (`row` is None until then)."""

        def __init__(self, table: PagedTable, row_index: int, row: GridRow | None) -> None:
            super().__init__()
            self.table, self.row_index, self.row = table, row_index, row

        @property
        def control(self) -> PagedTable:
            return self.table

    class RowActivated(Message):
        """Enter (or a double click) on a row; sent once the row is loaded."""

        def __init__(self, table: PagedTable, row_index: int, row: GridRow) -> None:
            super().__init__()
            self.table, self.row_index, self.row = table, row_index, row

        @property
        def control(self) -> PagedTable:
            return self.table

    class SortChanged(Message):
        """The user asked for another order: rebuild the source and call `set_source`."""

        def __init__(self, table: PagedTable, key: str, descending: bool) -> None:
            super().__init__()
            self.table, self.key, self.descending = table, key, descending

        @property
        def control(self) -> PagedTable:
            return self.table

    class Loaded(Message):
        """The row count of the current query arrived (after `set_source` or `reload`)."""

        def __init__(self, table: PagedTable, row_count: int) -> None:
            super().__init__()
            self.table, self.row_count = table, row_count

        @property
        def control(self) -> PagedTable:
            return self.table

    class LoadFailed(Message):
        """Counting or fetching raised; `error` is the exception's one-line text."""

        def __init__(self, table: PagedTable, error: str) -> None:
            super().__init__()
            self.table, self.error = table, error

        @property
        def control(self) -> PagedTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[GridColumn],
        source: GridSource | None = None,
        *,
        page_size: int = 100,
        sort_key: str | None = None,
        sort_descending: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self._columns = tuple(columns)
        self._page_size = page_size
        self._sort_key = sort_key
        self._sort_descending = sort_descending
        self._content_widths: tuple[int, ...] = ()  # the widest loaded cell of each column, for column_layout
        self._min_width = min_line_width(self._columns)
        self._source = source
        self._generation = 0
        self._row_count: int | None = None  # count of the current query (None while counting)
        self._shown_count: int | None = None  # count the virtual height reflects (kept across reload)
        self._error: str | None = None
        self._pages: OrderedDict[int, _Page] = OrderedDict()  # LRU: most recently used last
        self._in_flight: set[int] = set()
        self._failed: dict[int, str] = {}
        self._page_tokens = 0
        self._cursor = 0
        self._direction = 1  # +1 reading down, -1 reading up: where the read-ahead page goes
        self._pending_activate: int | None = None
        self._last_cursor_posted: tuple[object, ...] | None = None
        self._line_cache: LRUCache[tuple[object, ...], Strip] = LRUCache(256)
        self._layouts: dict[int, list[tuple[int, int]]] = {}
        self._started = False

    # ----------------------------------------------------------------- public API

    @property
    def columns(self) -> tuple[GridColumn, ...]:
        return self._columns

    @property
    def source(self) -> GridSource | None:
        return self._source

    @property
    def page_size(self) -> int:
        return self._page_size

    @property
    def row_count(self) -> int | None:
        """Rows in the current query; None from `set_source` until the count arrives."""
        return self._row_count

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def current_row(self) -> GridRow | None:
        """The row under the cursor, or None if it is not loaded (yet)."""
        return self.get_row(self._cursor)

    @property
    def sort_key(self) -> str | None:
        return self._sort_key

    @sort_key.setter
    def sort_key(self, key: str | None) -> None:
        # Setting it from code only redraws the indicator: the caller builds the source itself.
        self._sort_key = key
        self._refresh_header()

    @property
    def sort_descending(self) -> bool:
        return self._sort_descending

    @sort_descending.setter
    def sort_descending(self, descending: bool) -> None:
        self._sort_descending = descending
        self._refresh_header()

    def get_row(self, index: int) -> GridRow | None:
        """A loaded row by position, or None if it is out of range or not loaded."""
        if self._shown_count is None or not 0 <= index < self._shown_count:
            return None
        page = self._pages.get(index // self._page_size)
        if page is None:
            return None
        offset = index % self._page_size
        return page.rows[offset] if offset < len(page.rows) else None

    def set_source(self, source: GridSource | None, *, keep_cursor: bool = False) -> None:
        """Show a new query (filter or order changed): drop every page, count and load again.

        With `keep_cursor` the cursor stays at the same position (clamped to the new count) and
        the window stays put while the count is refreshed; otherwise both go back to the top.
        """
        self._source = source
        self._start_generation()
        self._pages.clear()
        self._row_count = None
        self._error = None
        self._last_cursor_posted = None
        if not keep_cursor:
            # A new query measures its own values (the same one, refreshed, keeps its layout).
            self._set_content_widths(())
            self._cursor = 0
            self._direction = 1
            self._shown_count = None
            if self._started:
                self._set_virtual_height(None)
                self.scroll_to(0, 0, animate=False)
        self._line_cache.clear()
        self.refresh()
        self._start_count()

    def reload(self) -> None:
        """Same query, data changed: count and fetch again, keeping cursor and window.

        The rows already on screen stay visible until their fresh copies arrive, so a periodic
        reload does not flicker.
        """
        self._start_generation()
        self._start_count()

    def move_cursor(self, row: int) -> None:
        """Put the cursor on `row` (clamped) and scroll it into view."""
        self._set_cursor(row)
        self._scroll_to_cursor()
        self._dispatch()

    # ----------------------------------------------------------------- actions

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_cursor_page_down(self) -> None:
        # Like a pager: window and cursor move by a body height, so the cursor keeps its line.
        body = self._body_height()
        self._set_cursor(self._cursor + max(1, body))
        self.scroll_to(y=self.scroll_offset.y + body, animate=False)
        self._scroll_to_cursor()
        self._dispatch()

    def action_cursor_page_up(self) -> None:
        body = self._body_height()
        self._set_cursor(self._cursor - max(1, body))
        self.scroll_to(y=self.scroll_offset.y - body, animate=False)
        self._scroll_to_cursor()
        self._dispatch()

    def action_cursor_first(self) -> None:
        self.move_cursor(0)

    def action_cursor_last(self) -> None:
        if self._shown_count:
            self.move_cursor(self._shown_count - 1)

    def action_activate(self) -> None:
        if not self._shown_count:
            return
        row = self.current_row
        if row is None:
            # Not loaded yet (e.g. G then enter at once): answer when the page arrives.
            self._pending_activate = self._cursor
            self._dispatch()
        else:
            self.post_message(self.RowActivated(self, self._cursor, row))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("sort_next", "sort_reverse") and not any(c.sortable for c in self._columns):
            return False  # nothing to sort: `s` and `S` are left to the screen (e.g. "sync now")
        return True

    def action_sort_next(self) -> None:
        """`s`: sort by the next sortable column, in its first order (counts: largest first)."""
        columns = [c for c in self._columns if c.sortable]
        if not columns:
            return
        keys = [c.key for c in columns]
        at = keys.index(self._sort_key) + 1 if self._sort_key in keys else 0
        column = columns[at % len(columns)]
        self._change_sort(column.key, column.descends_first)

    def action_sort_reverse(self) -> None:
        keys = [c.key for c in self._columns if c.sortable]
        if self._sort_key in keys:
            self._change_sort(self._sort_key, not self._sort_descending)
        elif keys:
            self._change_sort(keys[0], True)

    def _change_sort(self, key: str, descending: bool) -> None:
        self._sort_key, self._sort_descending = key, descending
        self._refresh_header()
        self.post_message(self.SortChanged(self, key, descending))

    # ----------------------------------------------------------------- events

    def on_mount(self) -> None:
        # ScrollView.on_mount runs too: Textual calls the handler of every class in the MRO.
        self._started = True
        self._set_virtual_height(self._shown_count)
        self._start_count()

    def on_resize(self, event: events.Resize) -> None:
        self._layouts.clear()
        self._line_cache.clear()
        self._scroll_to_cursor()
        self._dispatch()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        event.stop()
        if offset.y == 0:
            x = offset.x + self.scroll_offset.x
            for column, (start, width) in zip(self._columns, self._layout()):
                if start <= x < start + width and column.sortable:
                    same = column.key == self._sort_key
                    self._change_sort(column.key, not self._sort_descending if same else column.descends_first)
                    break
            return
        index = self.scroll_offset.y + offset.y - 1
        if self._shown_count and index < self._shown_count:
            self.move_cursor(index)
            if event.chain >= 2:
                self.action_activate()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self._direction = 1 if new_value > old_value else -1
            self._dispatch()

    def scroll_to(self, *args, **kwargs) -> None:  # type: ignore[override]
        # Instant scrolling everywhere (scrollbar clicks included): over SSH an animation is a
        # dozen full repaints.
        kwargs["animate"] = False
        super().scroll_to(*args, **kwargs)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_cache.clear()

    # ----------------------------------------------------------------- loading

    def _start_generation(self) -> None:
        # Anything still running belongs to the old query: its answers will carry an old number
        # and be dropped. Cancelling the workers cannot stop a thread blocked in a query, but it
        # stops them counting as running work (e.g. for a "quit while busy?" prompt).
        if self._started:
            self.workers.cancel_group(self, "paged-table-pages")
            self.workers.cancel_group(self, "paged-table-count")
        self._generation += 1
        self._in_flight.clear()
        self._failed.clear()
        self._pending_activate = None

    def _start_count(self) -> None:
        if not self._started:
            return  # on_mount starts it: workers need a running app
        source, generation = self._source, self._generation
        if source is None:
            # No query yet (a screen often mounts the table first and sets the source in its
            # own on_mount): an empty grid, but no Loaded(0) that would read as "no matches".
            self._apply_count(0, announce=False)
            return
        self.run_worker(
            partial(_count_in_thread, self, source, generation),
            name="paged-table count",
            group="paged-table-count",
            thread=True,
            exit_on_error=False,
        )
        # The first window is fetched alongside the count rather than after it.
        self._dispatch()

    @on(_CountFetched)
    def _on_count_fetched(self, message: _CountFetched) -> None:
        if message.generation != self._generation:
            return
        self._apply_count(message.count or 0, error=message.error)
        if message.error is not None:
            self.post_message(self.LoadFailed(self, message.error))

    def _apply_count(self, count: int, *, error: str | None = None, announce: bool = True) -> None:
        # A periodic reload that finds the same count repaints nothing (SSH bandwidth).
        changed = count != self._shown_count or error != self._error
        self._error = error
        self._row_count = count
        self._shown_count = count
        self._set_virtual_height(count)
        self._cursor = min(self._cursor, max(0, count - 1))
        if changed:
            self._line_cache.clear()
            self.refresh()
        if error is None and announce:
            self.post_message(self.Loaded(self, count))
        self._scroll_to_cursor()
        self._post_cursor_if_changed()
        self._dispatch()

    @on(_PageFetched)
    def _on_page_fetched(self, message: _PageFetched) -> None:
        if message.generation != self._generation:
            return  # an answer to an older query
        page = message.page
        self._in_flight.discard(page)
        if message.rows is None:
            self._failed[page] = message.error or "error"
            self.refresh_lines(page * self._page_size + 1, self._page_size)
            self.post_message(self.LoadFailed(self, self._failed[page]))
        else:
            if message.widths:
                self._widen(message.widths)
            old = self._pages.get(page)
            if old is not None and old.rows == message.rows:
                # Reloaded and unchanged: mark it fresh, keep its cached lines, repaint nothing.
                old.generation = message.generation
            else:
                self._page_tokens += 1
                self._pages[page] = _Page(message.generation, message.rows, self._page_tokens)
                # Virtual line of row r is r + 1 (line 0 is the header).
                self.refresh_lines(page * self._page_size + 1, self._page_size)
            self._pages.move_to_end(page)
            self._evict()
        self._post_cursor_if_changed()
        if self._pending_activate is not None and self._pending_activate == self._cursor:
            row = self.current_row
            if row is not None:
                self._pending_activate = None
                self.post_message(self.RowActivated(self, self._cursor, row))
        self._dispatch(retry_failed=False)

    def _wanted_pages(self) -> list[int]:
        """Pages to have, most urgent first: the window, the cursor's page, then read-ahead."""
        size, count = self._page_size, self._shown_count
        body = self._body_height()
        if body <= 0 or count == 0:
            return []
        top = self.scroll_offset.y
        bottom = top + body - 1
        if count is not None:
            bottom = min(bottom, count - 1)
            top = min(top, bottom)
        wanted = list(range(top // size, bottom // size + 1))
        if count is None:
            return wanted  # before the first count, only the window
        cursor_page = self._cursor // size
        if cursor_page not in wanted:
            wanted.append(cursor_page)
        ahead = bottom // size + 1 if self._direction > 0 else top // size - 1
        if 0 <= ahead <= (count - 1) // size and ahead not in wanted:
            wanted.append(ahead)
        return wanted

    def _dispatch(self, *, retry_failed: bool = True) -> None:
        """Start fetches for wanted pages that are neither fresh, in flight nor failed."""
        if not self._started or self._source is None:
            return
        if retry_failed:
            # A user move retries pages that failed (a locked database is usually transient);
            # fetch completions do not, so a broken source cannot spin.
            self._failed.clear()
        wanted = self._wanted_pages()
        for page in wanted:
            cached = self._pages.get(page)
            if cached is not None:
                self._pages.move_to_end(page)
                if cached.generation == self._generation:
                    continue
            if page in self._in_flight or page in self._failed:
                continue
            if len(self._in_flight) >= self.MAX_IN_FLIGHT:
                break
            self._in_flight.add(page)
            size = self._page_size
            self.run_worker(
                partial(_fetch_in_thread, self, self._source, self._columns, self._generation, page, page * size, size),
                name=f"paged-table page {page}",
                group="paged-table-pages",
                thread=True,
                exit_on_error=False,
            )

    def _evict(self) -> None:
        wanted = set(self._wanted_pages())
        limit = max(self.MAX_CACHED_PAGES, len(wanted))
        for page in list(self._pages):
            if len(self._pages) <= limit:
                break
            if page not in wanted:
                del self._pages[page]

    # ----------------------------------------------------------------- cursor and scrolling

    def _body_height(self) -> int:
        return max(0, self.scrollable_content_region.height - 1)

    def _set_virtual_height(self, count: int | None) -> None:
        self.virtual_size = Size(self._min_width, (count or 0) + 1)

    def _set_cursor(self, row: int) -> None:
        count = self._shown_count or 0
        row = max(0, min(row, count - 1))
        if row != self._cursor:
            self._direction = 1 if row > self._cursor else -1
            self._pending_activate = None
            self.refresh_lines(self._cursor + 1)
            self.refresh_lines(row + 1)
            self._cursor = row
        self._post_cursor_if_changed()

    def _scroll_to_cursor(self) -> None:
        body = self._body_height()
        if body <= 0 or not self._shown_count:
            return
        top = self.scroll_offset.y
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False)
        elif self._cursor > top + body - 1:
            self.scroll_to(y=self._cursor - body + 1, animate=False)

    def _post_cursor_if_changed(self) -> None:
        if self._row_count is None:
            return  # nothing to say until the current query is counted
        row = self.current_row
        signature = (self._cursor, None if row is None else row.key, row is None)
        if signature != self._last_cursor_posted:
            self._last_cursor_posted = signature
            self.post_message(self.CursorMoved(self, self._cursor, row))

    # ----------------------------------------------------------------- rendering

    def _line_width(self) -> int:
        """The width columns are laid out for: the region's, or the narrowest line they fit (then it scrolls)."""
        return max(self.scrollable_content_region.width, self._min_width)

    def _layout(self) -> list[tuple[int, int]]:
        width = self._line_width()
        spans = self._layouts.get(width)
        if spans is None:
            spans = self._layouts[width] = column_layout(self._columns, width, self._content_widths)
        return spans

    def _widen(self, widths: tuple[int, ...]) -> None:
        current = self._content_widths or (0,) * len(widths)
        merged = tuple(map(max, widths, current))
        if merged == current:
            return
        width = self._line_width()
        spans = self._layouts.get(width)
        if (_base_widths(self._columns, merged) == _base_widths(self._columns, current)
                and (spans is None or column_layout(self._columns, width, merged) == spans)):
            # Within the columns' own widths, and no text column gets more room: the layout stands
            # (no repaint of every cached line while paging through a long list). Layouts made for other
            # widths did not know the new values: made again when a resize needs them.
            self._content_widths = merged
            self._layouts = {width: spans} if spans is not None else {}
            return
        self._set_content_widths(merged)

    def _set_content_widths(self, widths: tuple[int, ...]) -> None:
        """A value wider than its column arrived (or a new query starts): lay the columns out again."""
        if widths == self._content_widths:
            return
        self._content_widths = widths
        self._min_width = min_line_width(self._columns, widths)
        self._layouts.clear()
        self._line_cache.clear()
        if self._started:
            self._set_virtual_height(self._shown_count)
            self.refresh()

    def _refresh_header(self) -> None:
        self._line_cache.clear()
        self.refresh(Region(0, 0, self.size.width, 1))

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        line_width = max(width, self._min_width)
        base = self.rich_style
        if y == 0:
            strip = self._header_strip(line_width, base)
        else:
            strip = self._body_strip(scroll_y + y - 1, y, line_width, base)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _header_strip(self, line_width: int, base: Style) -> Strip:
        key = ("header", line_width, self._sort_key, self._sort_descending, self.has_focus)
        cached = self._line_cache.get(key)
        if cached is not None:
            return cached
        header = self.get_component_rich_style("paged-table--header")
        marker = self.get_component_rich_style("paged-table--sort-indicator", partial=True)
        segments: list[Segment] = []
        for index, (column, (_x, width)) in enumerate(zip(self._columns, self._layout())):
            if index:
                segments.append(Segment(" " * _GAP, header))
            label = escape_controls(column.label)
            if column.key == self._sort_key and width >= 2:
                # The arrow sits next to the label (before it when right-aligned, so that
                # labels of number columns stay flush with their numbers).
                arrow = "▼" if self._sort_descending else "▲"
                label = _fit(label, min(width - 2, cell_len(label)), "left")
                pad = " " * (width - 2 - cell_len(label))
                if column.align == "right":
                    parts = [(pad, header), (arrow, header + marker), (" " + label, header)]
                else:
                    parts = [(label + " ", header), (arrow, header + marker), (pad, header)]
                segments.extend(Segment(text, style) for text, style in parts if text)
            else:
                segments.append(Segment(_fit(label, width, column.align), header))
        strip = Strip(segments).adjust_cell_length(line_width, header).simplify()
        self._line_cache[key] = strip
        return strip

    def _body_strip(self, index: int, y: int, line_width: int, base: Style) -> Strip:
        count = self._shown_count
        if count is None or count == 0 or self._error is not None:
            return self._message_strip(y, count, line_width)
        if index >= count:
            return Strip.blank(line_width, base)
        page_index, offset = divmod(index, self._page_size)
        page = self._pages.get(page_index)
        is_cursor = index == self._cursor
        token = page.token if page is not None else self._failed.get(page_index)
        key = ("row", index, line_width, is_cursor, token, self.has_focus)
        cached = self._line_cache.get(key)
        if cached is not None:
            return cached
        stripe = self.get_component_rich_style("paged-table--row-odd" if index % 2 else "paged-table--row-even")
        cursor_style = self._cursor_style() if is_cursor else None
        if page is None:
            failed = self._failed.get(page_index)
            component = "paged-table--error" if failed else "paged-table--placeholder"
            style = stripe + self.get_component_rich_style(component, partial=True)
            text = f"could not load rows: {failed}" if failed else "…"
            if cursor_style is not None:
                style += cursor_style
            strip = Strip([Segment(_fit(escape_controls(text), line_width, "left"), style)], line_width)
        elif offset >= len(page.rows):
            # The source returned a short page: the data shrank since it was counted.
            strip = Strip.blank(line_width, stripe + cursor_style if cursor_style else stripe)
        else:
            strip = self._row_strip(page.rows[offset], line_width, stripe, cursor_style)
        self._line_cache[key] = strip
        return strip

    def _cursor_style(self) -> Style:
        # Not dim either: Textual draws dim as the colour half-way to the background, and on the
        # cursor's background a dim cell (a muted 0) became too faint to read.
        style = self.get_component_rich_style("paged-table--cursor") + Style(dim=False)
        if self.app.no_color:
            # Without colour the background is gone: reverse video keeps the cursor visible.
            style += Style(reverse=True, bold=True)
        return style

    def _row_strip(self, row: GridRow, line_width: int, stripe: Style, cursor: Style | None) -> Strip:
        row_style = stripe
        if row.style:
            try:
                row_style = stripe + Style.parse(row.style)
            except Exception:  # a bad style from a source must not break painting
                pass
        plain = row_style + cursor if cursor is not None else row_style
        segments: list[Segment] = []
        cells = row.cells
        for index, (column, (_x, width)) in enumerate(zip(self._columns, self._layout())):
            if index:
                segments.append(Segment(" " * _GAP, plain))
            cell = cells[index] if index < len(cells) else ""
            if isinstance(cell, Text):
                segments.extend(self._text_cell(cell, width, column.align, row_style, cursor))
            else:
                # Escaped already, by the worker that fetched the page (_shown_row).
                segments.append(Segment(_fit(str(cell), width, column.align), plain))
        return Strip(segments).adjust_cell_length(line_width, plain).simplify()

    def _text_cell(self, cell: Text, width: int, align: str, row_style: Style, cursor: Style | None) -> list[Segment]:
        text = cell.copy()
        if text.cell_len > width:
            text.truncate(max(0, width - 1))
            text.rstrip()
            text.append("…")
        text.align("right" if align == "right" else "left", width)
        segments = []
        # Text.render yields only the spans' styles: the Text's own style is applied here.
        cell_style = row_style + self.app.console.get_style(text.style) if text.style else row_style
        for segment in text.render(self.app.console, end=""):
            style = cell_style + segment.style if segment.style else cell_style
            if cursor is not None:
                style += cursor  # the cursor wins over cell colours so it stays readable
            segments.append(Segment(segment.text, style))
        return segments

    def _message_strip(self, y: int, count: int | None, line_width: int) -> Strip:
        """The one-line states: loading…, no rows, or the error that stopped the count."""
        base = self.rich_style
        if y != 1:
            return Strip.blank(line_width, base)
        if self._error is not None:
            text, component = f"could not load rows: {self._error}", "paged-table--error"
        elif count is None:
            text, component = "loading…", "paged-table--placeholder"
        else:
            text, component = "no rows", "paged-table--placeholder"
        style = self.get_component_rich_style(component)
        return Strip([Segment(_fit(" " + escape_controls(text), line_width, "left"), style)], line_width)


# The two functions below run in worker threads. They only call the source and post_message
# (which is thread-safe): everything they need is passed in, nothing of the widget is read.


def _count_in_thread(table: PagedTable, source: GridSource, generation: int) -> None:
    try:
        count = int(source.count())
    except Exception as error:  # the source's failure is shown in the grid, not raised
        table.post_message(_CountFetched(generation, None, one_line(error, with_type=True)))
        return
    table.post_message(_CountFetched(generation, count))


def _fetch_in_thread(
    table: PagedTable, source: GridSource, columns: Sequence[GridColumn], generation: int, page: int, offset: int,
    limit: int,
) -> None:
    try:
        rows = [_shown_row(row) for row in list(source.fetch(offset, limit))[:limit]]
        widths = _measure(rows, columns)
    except Exception as error:
        table.post_message(_PageFetched(generation, page, None, one_line(error, with_type=True)))
        return
    table.post_message(_PageFetched(generation, page, rows, widths=widths))


def _shown_row(row: GridRow) -> GridRow:
    """The row with its cells as they may be shown: controls, bidi and invisible characters escaped.
    Printable text (nearly every cell) is checked at C speed and passed on as it is."""
    cells = row.cells
    for cell in cells:
        if not (cell.plain if isinstance(cell, Text) else str(cell)).isprintable():
            break
    else:
        return row
    shown = tuple(_shown_text(cell) if isinstance(cell, Text) else escape_controls(str(cell)) for cell in cells)
    return GridRow(row.key, shown, row.style)


def _shown_text(text: Text) -> Text:
    """A styled cell escaped, its spans moved to where their characters went."""
    plain = text.plain
    if plain.isprintable():
        return text
    at, parts, length = [], [], 0
    for char in plain:
        at.append(length)
        part = escape_controls(char)
        parts.append(part)
        length += len(part)
    at.append(length)
    spans = [Span(at[min(span.start, len(plain))], at[min(span.end, len(plain))], span.style) for span in text.spans]
    return Text("".join(parts), style=text.style, justify=text.justify, overflow=text.overflow,
                no_wrap=text.no_wrap, end=text.end, spans=spans)


def _measure(rows: Sequence[GridRow], columns: Sequence[GridColumn]) -> tuple[int, ...]:
    """The widest cell of each column in `rows` (for text, what a flex column would like to have)."""
    widths = [0] * len(columns)
    for index, column in enumerate(columns):
        if column.is_text and not column.flex:
            continue
        widest = 0
        for row in rows:
            if index < len(row.cells):
                cell = row.cells[index]
                size = cell.cell_len if isinstance(cell, Text) else cell_len(str(cell))
                if size > widest:
                    widest = size
        widths[index] = widest
    return tuple(widths)

