"""Pilot tests for PagedTable: paging from a source, keys, mouse, messages, and the 100k-row bound.

The screen is read through the widget's Line API (`render_line`), which is exactly what the
compositor paints for it.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest
from rich.text import Text
from textual import events, on
from textual.app import App, ComposeResult

from sumtui.tui.widgets.grid_source import GridColumn, GridRow, ListSource
from sumtui.tui.widgets.paged_table import PagedTable, column_layout, min_line_width

COLUMNS = [
    GridColumn("name", "Name", 14, flex=True),
    GridColumn("domain", "Domain", 12, kind="text"),
    GridColumn("os", "OS", 16, sortable=False, kind="text"),
    GridColumn("required", "Required", 8, align="right", kind="number"),
]


def name_of(index: int, prefix: str = "host") -> str:
    return f"{prefix}{index:06d}"


class CountingSource:
    """In-memory GridSource that builds rows on demand and records what it was asked for."""

    def __init__(self, total: int, prefix: str = "host", gate: threading.Event | None = None,
                 count_gate: threading.Event | None = None, fail: bool = False) -> None:
        self.total, self.prefix = total, prefix
        self.gate, self.count_gate, self.fail = gate, count_gate, fail
        self.lock = threading.Lock()
        self.offsets: list[int] = []
        self.rows_fetched = 0
        self.counts = 0

    def count(self) -> int:
        if self.count_gate is not None:
            self.count_gate.wait(30)
        with self.lock:
            self.counts += 1
        return self.total

    def fetch(self, offset: int, limit: int) -> list[GridRow]:
        if self.gate is not None:
            self.gate.wait(30)
        if self.fail:
            raise RuntimeError("database is locked")
        rows = [
            GridRow(i, (name_of(i, self.prefix), "corp.example", "Windows 10 1809", str(i % 37)))
            for i in range(offset, min(offset + limit, self.total))
        ]
        with self.lock:
            self.offsets.append(offset)
            self.rows_fetched += len(rows)
        return rows


class SqliteSource:
    """GridSource over a SQLite table: one connection per worker thread, LIMIT/OFFSET paging."""

    def __init__(self, path: str, order: str = "name", descending: bool = False) -> None:
        self.path, self.order, self.descending = path, order, descending
        self.local = threading.local()
        self.lock = threading.Lock()
        self.rows_fetched = 0
        self.offsets: list[int] = []

    def _db(self) -> sqlite3.Connection:
        if not hasattr(self.local, "db"):
            self.local.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        return self.local.db

    def count(self) -> int:
        return self._db().execute("SELECT count(*) FROM clients").fetchone()[0]

    def fetch(self, offset: int, limit: int) -> list[GridRow]:
        direction = "DESC" if self.descending else "ASC"
        rows = self._db().execute(
            f"SELECT id, name, domain, os, required FROM clients ORDER BY {self.order} {direction}, id "
            "LIMIT ? OFFSET ?",
            (limit, offset),
        ).fetchall()
        with self.lock:
            self.offsets.append(offset)
            self.rows_fetched += len(rows)
        return [GridRow(r[0], (r[1], r[2], r[3], str(r[4]))) for r in rows]


@pytest.fixture(scope="module")
def clients_db(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("grid") / "clients.db")
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT, domain TEXT, os TEXT, required INT)")
    db.executemany(
        "INSERT INTO clients VALUES (?, ?, ?, ?, ?)",
        ((i, name_of(i), "corp.example", "Windows 10 1809", i % 37) for i in range(100_000)),
    )
    db.execute("CREATE INDEX clients_name ON clients(name)")
    db.commit()
    db.close()
    return path


class GridApp(App):
    def __init__(self, table: PagedTable) -> None:
        super().__init__()
        self.table = table
        self.messages: list[object] = []

    def compose(self) -> ComposeResult:
        yield self.table

    @on(PagedTable.CursorMoved)
    @on(PagedTable.RowActivated)
    @on(PagedTable.SortChanged)
    @on(PagedTable.Loaded)
    @on(PagedTable.LoadFailed)
    def record(self, message) -> None:
        self.messages.append(message)

    def of(self, kind: type) -> list:
        return [m for m in self.messages if isinstance(m, kind)]


async def settle(app: App, pilot) -> None:
    """Let workers finish and their messages land, as many rounds as follow-up fetches need."""
    for _ in range(20):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if all(worker.is_finished for worker in app.workers):
            await pilot.pause()
            if all(worker.is_finished for worker in app.workers):
                return
    raise AssertionError("workers did not settle")


async def wait_until(pilot, predicate, timeout: float = 5.0) -> None:
    """Poll the app (not its workers: some are blocked on purpose) until `predicate()` holds."""
    for _ in range(int(timeout / 0.01)):
        if predicate():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition not reached")


def screen(table: PagedTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


def first_cell(line: str) -> str:
    return line.split()[0] if line.strip() else ""


async def test_first_screen_shows_header_and_first_rows():
    source = CountingSource(1000)
    app = GridApp(PagedTable(COLUMNS, source, sort_key="name"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        lines = screen(app.table)
        assert lines[0].split() == ["Name", "▲", "Domain", "OS", "Required"]
        # 24 lines = header + 23 rows, in order.
        assert [first_cell(line) for line in lines[1:]] == [name_of(i) for i in range(23)]
        assert app.table.row_count == 1000
        assert [m.row_count for m in app.of(PagedTable.Loaded)] == [1000]
        assert app.table.cursor_row == 0 and app.table.current_row.key == 0
        assert app.of(PagedTable.CursorMoved)[-1].row.key == 0
        # Only the window's page and one page of read-ahead were read.
        assert sorted(source.offsets) == [0, 100] and source.counts == 1


async def test_loading_placeholder_until_counted():
    count_gate = threading.Event()
    app = GridApp(PagedTable(COLUMNS, CountingSource(50, count_gate=count_gate)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.table.row_count is None
        assert screen(app.table)[1].strip() == "loading…"
        count_gate.set()
        await settle(app, pilot)
        assert app.table.row_count == 50
        assert first_cell(screen(app.table)[1]) == name_of(0)


async def test_keys_move_cursor_and_page_down_changes_rows():
    app = GridApp(PagedTable(COLUMNS, CountingSource(1000)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.table
        await pilot.press("j", "j", "down", "k")
        assert table.cursor_row == 2
        await pilot.press("pagedown")
        await settle(app, pilot)
        # A page is the 23 body lines: cursor and window both move by it.
        assert table.cursor_row == 25
        assert first_cell(screen(table)[1]) == name_of(23)
        assert table.current_row.key == 25
        await pilot.press("space", "ctrl+f")
        await settle(app, pilot)
        assert table.cursor_row == 25 + 2 * 23
        await pilot.press("pageup", "ctrl+b")
        assert table.cursor_row == 25
        await pilot.press("pageup", "pageup")
        assert table.cursor_row == 0  # clamped at the top
        assert first_cell(screen(table)[1]) == name_of(0)
        await pilot.press("end")
        assert table.cursor_row == 999
        await pilot.press("home")
        assert table.cursor_row == 0


async def test_cursor_line_is_highlighted_and_follows_the_cursor():
    app = GridApp(PagedTable(COLUMNS, CountingSource(100)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("down")
        table = app.table
        cursor_bg = {seg.style.bgcolor for seg in table.render_line(2) if seg.text.strip()}
        other_bg = {seg.style.bgcolor for seg in table.render_line(1) if seg.text.strip()}
        assert cursor_bg and cursor_bg.isdisjoint(other_bg)
        assert all(seg.style.bold for seg in table.render_line(2) if seg.text.strip())


async def test_G_jumps_to_the_last_row_of_100k_and_g_back(clients_db):
    source = SqliteSource(clients_db)
    app = GridApp(PagedTable(COLUMNS, source))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("G")
        await settle(app, pilot)
        table = app.table
        assert table.cursor_row == 99_999
        assert table.current_row.key == 99_999
        lines = screen(table)
        assert first_cell(lines[-1]) == name_of(99_999)
        assert first_cell(lines[1]) == name_of(99_999 - 22)
        await pilot.press("g")
        await settle(app, pilot)
        assert table.cursor_row == 0 and first_cell(screen(table)[1]) == name_of(0)


async def test_100k_source_is_only_asked_for_a_few_pages(clients_db):
    """The key property: reading cost follows what was looked at, not the size of the query."""
    source = SqliteSource(clients_db)
    app = GridApp(PagedTable(COLUMNS, source, page_size=100))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for _ in range(20):
            await pilot.press("pagedown")
        await settle(app, pilot)
        await pilot.press("G")
        await settle(app, pilot)
        for _ in range(5):
            await pilot.press("pageup")
        await settle(app, pilot)
        # Rows 0..483 (pages 0-4), plus read-ahead, then the last ~140 rows (pages 998-999).
        assert source.rows_fetched <= 10 * 100
        assert len(source.offsets) == len(set(source.offsets)), "a page was fetched twice"
        assert app.table.current_row is not None


async def test_held_page_down_does_not_queue_a_fetch_per_page():
    gate = threading.Event()
    source = CountingSource(100_000, gate=gate)
    app = GridApp(PagedTable(COLUMNS, source, page_size=50))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*["pagedown"] * 40)  # 920 rows = 18 pages scrolled past while blocked
        gate.set()
        await settle(app, pilot)
        table = app.table
        assert table.cursor_row == 40 * 23
        assert first_cell(screen(table)[1]) == name_of(40 * 23)
        # Two stale fetches (in flight when the keys came) plus the window and read-ahead.
        assert len(source.offsets) <= 6


async def test_cache_is_bounded_so_far_pages_are_fetched_again():
    source = CountingSource(100_000)
    app = GridApp(PagedTable(COLUMNS, source, page_size=20))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for _ in range(15):  # 345 rows: 18 pages, more than the 10 the cache holds
            await pilot.press("pagedown")
            await settle(app, pilot)
        fetched_before = source.offsets.count(0)
        await pilot.press("g")
        await settle(app, pilot)
        assert source.offsets.count(0) == fetched_before + 1
        assert first_cell(screen(app.table)[1]) == name_of(0)


async def test_s_and_S_post_sort_changed_and_update_the_header():
    app = GridApp(PagedTable(COLUMNS, CountingSource(10)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s", "s", "S", "s", "s")
        changes = [(m.key, m.descending) for m in app.of(PagedTable.SortChanged)]
        # "os" is not sortable: the cycle skips it and wraps around; a count starts largest first.
        assert changes == [("name", False), ("domain", False), ("domain", True), ("required", True), ("name", False)]
        await pilot.press("S")
        await pilot.pause()
        assert app.table.sort_key == "name" and app.table.sort_descending
        assert screen(app.table)[0].split()[:2] == ["Name", "▼"]


async def test_sort_round_trip_through_a_new_source(clients_db):
    """As a screen does it: SortChanged -> a source in the new order -> set_source."""
    table = PagedTable(COLUMNS, SqliteSource(clients_db), sort_key="name")
    app = GridApp(table)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("j", "S")
        message = app.of(PagedTable.SortChanged)[-1]
        assert (message.key, message.descending) == ("name", True)
        table.set_source(SqliteSource(clients_db, message.key, message.descending))
        await settle(app, pilot)
        assert first_cell(screen(table)[1]) == name_of(99_999)
        assert screen(table)[0].split()[:2] == ["Name", "▼"]
        assert table.cursor_row == 0 and table.current_row.key == 99_999


async def test_enter_posts_row_activated_with_the_row_key():
    app = GridApp(PagedTable(COLUMNS, CountingSource(500)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("j", "j", "j", "enter")
        activated = app.of(PagedTable.RowActivated)
        assert [(m.row_index, m.row.key) for m in activated] == [(3, 3)]
        await pilot.press("G", "enter")  # last row not loaded yet: answered when it arrives
        await settle(app, pilot)
        assert [(m.row_index, m.row.key) for m in app.of(PagedTable.RowActivated)][-1] == (499, 499)


async def test_set_source_drops_pages_of_the_old_query():
    gate = threading.Event()
    old = CountingSource(1000, prefix="old", gate=gate)
    new = CountingSource(1000, prefix="new")
    app = GridApp(PagedTable(COLUMNS, old))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert first_cell(screen(app.table)[1]) == "…"  # old fetch still blocked
        app.table.set_source(new)
        await wait_until(pilot, lambda: first_cell(screen(app.table)[1]) == name_of(0, "new"))
        gate.set()  # the old query answers late
        await wait_until(pilot, lambda: old.offsets)
        await settle(app, pilot)
        lines = screen(app.table)
        assert old.offsets, "the old source did answer"
        assert not any("old" in line for line in lines)
        assert first_cell(lines[1]) == name_of(0, "new")
        assert app.table.current_row.cells[0] == name_of(0, "new")
        # Never shown, not even for a moment: no message carried an old row, and the new
        # source was not asked again for pages the late answers would have overwritten.
        assert not [m for m in app.of(PagedTable.CursorMoved) if m.row and "old" in m.row.cells[0]]
        assert sorted(new.offsets) == [0, 100]


async def test_set_source_keep_cursor_and_reload_keep_position():
    source = CountingSource(1000)
    app = GridApp(PagedTable(COLUMNS, source))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.table.move_cursor(40)
        await settle(app, pilot)
        source.prefix = "changed"
        app.table.reload()
        await settle(app, pilot)
        assert app.table.cursor_row == 40
        assert app.table.current_row.cells[0] == name_of(40, "changed")
        app.table.set_source(CountingSource(30), keep_cursor=True)
        await settle(app, pilot)
        assert app.table.cursor_row == 29  # clamped to the new count
        assert app.table.set_source(CountingSource(30)) is None
        await settle(app, pilot)
        assert app.table.cursor_row == 0


async def test_reload_of_unchanged_data_repaints_nothing():
    """A periodic reload over SSH must not resend the screen when nothing changed."""
    source = CountingSource(1000)
    app = GridApp(PagedTable(COLUMNS, source))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.table
        repaints: list[tuple] = []
        refresh = table.refresh
        table.refresh = lambda *regions, **kwargs: (repaints.append(regions), refresh(*regions, **kwargs))[1]
        fetched = len(source.offsets)
        table.reload()
        await settle(app, pilot)
        assert len(source.offsets) > fetched, "the window was fetched again"
        assert repaints == []
        source.prefix = "changed"
        table.reload()
        await settle(app, pilot)
        assert repaints and first_cell(screen(table)[1]) == name_of(0, "changed")


async def test_empty_source_shows_no_rows():
    app = GridApp(PagedTable(COLUMNS, ListSource([])))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert screen(app.table)[1].strip() == "no rows"
        assert app.table.row_count == 0 and app.table.current_row is None
        await pilot.press("enter", "j", "G")
        assert app.of(PagedTable.RowActivated) == []
        assert app.table.cursor_row == 0


async def test_failing_source_shows_the_error():
    app = GridApp(PagedTable(COLUMNS, CountingSource(100, fail=True)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "could not load rows: RuntimeError: database is locked" in screen(app.table)[1]
        assert app.of(PagedTable.LoadFailed)


async def test_fits_80_columns_with_ellipsis_and_right_aligned_numbers():
    class LongSource(CountingSource):
        def fetch(self, offset, limit):
            return [GridRow(i, ("a-very-long-host-name-that-cannot-fit-in-forty\ncells", "corp.example.internal",
                                Text("Windows Server 2019 Datacenter", style="red"), "7"), style="bold")
                    for i in range(offset, min(offset + limit, self.total))]

    app = GridApp(PagedTable(COLUMNS, LongSource(100)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.table
        width = table.scrollable_content_region.width
        assert width == 79  # one cell for the vertical scrollbar
        line = table.render_line(2).text
        assert len(line) == width and "\n" not in line
        # Name is the only flex column: 79 - (12 + 16 + 8 + 3 gaps) = 40 cells.
        assert line.split()[0] == "a-very-long-host-name-that-cannot-fit-i…"
        assert "corp.exampl…" in line and "Windows Server…" in line
        assert line.endswith("       7")
        assert table.render_line(0).text.rstrip().endswith("Required")
        assert not table.show_horizontal_scrollbar


async def test_mouse_click_row_header_and_wheel():
    app = GridApp(PagedTable(COLUMNS, CountingSource(1000)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.table
        await pilot.click(PagedTable, offset=(3, 6))
        assert table.cursor_row == 5
        await pilot.double_click(PagedTable, offset=(3, 6))
        assert app.of(PagedTable.RowActivated)[-1].row.key == 5
        domain_x = column_layout(COLUMNS, 79)[1][0] + 1
        await pilot.click(PagedTable, offset=(domain_x, 0))
        await pilot.click(PagedTable, offset=(domain_x, 0))
        assert [(m.key, m.descending) for m in app.of(PagedTable.SortChanged)] == [("domain", False), ("domain", True)]
        for _ in range(10):
            table.post_message(events.MouseScrollDown(table, 3, 3, 0, 1, 0, False, False, False))
        await settle(app, pilot)
        top = table.scroll_offset.y
        assert top > 0 and table.cursor_row == 5  # the wheel scrolls the window, not the cursor
        assert first_cell(screen(table)[1]) == name_of(top)


async def test_no_color_cursor_uses_reverse(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = GridApp(PagedTable(COLUMNS, CountingSource(10)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.no_color
        assert all(seg.style.reverse for seg in app.table.render_line(1) if seg.text.strip())
        assert not any(seg.style.reverse for seg in app.table.render_line(2))


def test_column_layout_gives_spare_width_to_flex_columns_only():
    columns = [GridColumn("a", "A", 10, flex=True), GridColumn("b", "B", 5), GridColumn("c", "C", 4, flex=True)]
    assert column_layout(columns, 40) == [(0, 20), (21, 5), (27, 13)]


def test_spare_width_goes_to_flex_text_columns_before_a_flex_id_column():
    # A machine's name (an id) is never cut, but a wide terminal gives its room to the OS product.
    columns = [GridColumn("name", "Name", 9, flex=True, kind="id"), GridColumn("os", "OS", 12, flex=True),
               GridColumn("n", "N", 4, align="right")]
    assert column_layout(columns, 60, (9, 0, 4)) == [(0, 9), (10, 45), (56, 4)]
    # With no flex text column, the flex id column takes the room.
    alone = [GridColumn("name", "Name", 9, flex=True, kind="id"), GridColumn("n", "N", 4, align="right")]
    assert column_layout(alone, 30) == [(0, 25), (26, 4)]


def test_spare_width_meets_the_smaller_text_need_first():
    # A client's updates: short product names and long sentences. The products get what their widest
    # name needs, the sentences the rest (evenly would cut the sentences and pad the products).
    columns = [GridColumn("kb", "KB", 9), GridColumn("product", "Product", 12, flex=True),
               GridColumn("why", "Why", 20, flex=True)]
    assert column_layout(columns, 100, (9, 22, 120)) == [(0, 9), (10, 22), (33, 67)]
    # Both needs met: what is left is shared evenly, as without measures.
    assert column_layout(columns, 100, (9, 14, 30)) == [(0, 9), (10, 37), (48, 52)]
    # Neither need can be met: an even share each (the smaller need is over it).
    assert column_layout(columns, 50, (9, 60, 120)) == [(0, 9), (10, 16), (27, 23)]
    assert column_layout(columns, 100, (9, 0, 0)) == column_layout(columns, 100)


def test_on_a_short_line_text_columns_give_way_first_and_ids_never():
    columns = [GridColumn("a", "A", 10, flex=True), GridColumn("b", "B", 5), GridColumn("c", "C", 8, kind="text"),
               GridColumn("n", "N", 4, align="right")]
    # 10 + 5 + 8 + 4 + 3 gaps = 30: two cells short at 28, taken from the widest text column.
    assert column_layout(columns, 28) == [(0, 8), (9, 5), (15, 8), (24, 4)]
    # Shorter still: both text columns down to the floor (6 cells), the id and the number whole.
    assert column_layout(columns, 20) == [(0, 6), (7, 5), (13, 6), (20, 4)]
    # Too narrow even then: nothing else shrinks (the table scrolls sideways instead).
    assert column_layout(columns, 10) == [(0, 6), (7, 5), (13, 6), (20, 4)]
    assert min_line_width(columns) == 24


def test_id_and_number_columns_widen_to_their_values_text_columns_do_not():
    columns = [GridColumn("a", "A", 10, flex=True), GridColumn("b", "B", 3, align="right"), GridColumn("c", "C", 4)]
    # The widest loaded values: 50 cells of text, "1,533" in B, "KB5034441" in C.
    assert column_layout(columns, 40, (50, 5, 9)) == [(0, 24), (25, 5), (31, 9)]
    assert column_layout(columns, 20, (50, 5, 9)) == [(0, 6), (7, 5), (13, 9)]
    assert min_line_width(columns, (50, 5, 9)) == 22


async def test_source_set_before_mount_and_none_source():
    table = PagedTable(COLUMNS)
    table.set_source(ListSource([GridRow("a", ("alpha", "", "", "1")), GridRow("b", ("beta", "", "", "2"))]))
    app = GridApp(table)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert [first_cell(line) for line in screen(table)[1:4]] == ["alpha", "beta", ""]
        assert table.row_count == 2
        table.set_source(None)
        await settle(app, pilot)
        assert table.row_count == 0 and screen(table)[1].strip() == "no rows"
        # A missing source is "no query yet", not "no matches": no Loaded for it.
        assert [m.row_count for m in app.of(PagedTable.Loaded)] == [2]


async def test_source_set_after_mount_gets_a_single_loaded():
    """The usual screen pattern: table composed without a source, set in the screen's on_mount."""

    class ScreenLike(GridApp):
        def on_mount(self) -> None:
            self.table.set_source(CountingSource(7))

    app = ScreenLike(PagedTable(COLUMNS))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert [m.row_count for m in app.of(PagedTable.Loaded)] == [7]
        assert first_cell(screen(app.table)[7]) == name_of(6)


def test_every_binding_has_an_id():
    assert all(binding.id for binding in PagedTable.BINDINGS)


async def test_a_cell_text_style_is_painted():
    """A cell given as Text("Critical", style="bold red") keeps its colour (Text.render drops it)."""
    from rich.text import Text
    from textual.app import App

    from sumtui.tui.widgets.grid_source import GridColumn, GridRow, ListSource
    from sumtui.tui.widgets.paged_table import PagedTable

    class One(App):
        def compose(self):
            rows = [GridRow(1, ("Low",)), GridRow(2, (Text("Critical", style="bold red"),))]
            yield PagedTable([GridColumn("sev", "Severity", 10)], ListSource(rows))

    app = One()
    async with app.run_test(size=(40, 6)) as pilot:
        table = app.query_one(PagedTable)
        for _ in range(50):
            await pilot.pause(0.02)
            if table.row_count:
                break
        await pilot.pause(0.05)
        strip = table.render_line(2)  # the second row: the cursor (on the first) would win over colours
        styles = [seg.style for seg in strip if "Critical" in seg.text]
        assert styles and styles[0].bold and styles[0].color is not None and styles[0].color.name == "red"


async def test_a_number_wider_than_its_column_widens_it_and_text_gives_way():
    """Sync history showed `153` for 1533 at 80×24: a number, id or state is never cut."""
    columns = [GridColumn("name", "Name", 30, flex=True), GridColumn("kb", "KB", 9), GridColumn("status", "Status", 6,
               kind="state"), *(GridColumn(f"n{i}", f"N{i}", 3, align="right") for i in range(8))]
    rows = [GridRow(1, ("a-long-client-name-that-is-free-text-and-may-give-way", "KB5034441", "interrupted",
                        *(str(1533 + i) for i in range(8))))]
    app = GridApp(PagedTable(columns, ListSource(rows)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        line = app.table.render_line(1).text
        assert line.split()[1:] == ["KB5034441", "interrupted", *(str(1533 + i) for i in range(8))]
        assert line.split()[0].endswith("…")  # the name gave the width the numbers needed
        assert not app.table.show_horizontal_scrollbar
        # At 160 columns the name has room again: the extra width goes to the text column.
        await pilot.resize_terminal(160, 48)
        await settle(app, pilot)
        assert app.table.render_line(1).text.split()[0] == "a-long-client-name-that-is-free-text-and-may-give-way"


async def test_cells_are_shown_with_control_and_bidi_characters_escaped():
    hostile = "[/bold]\x1b[31mred\x1b]8;;http://x\x07\u202etxt"
    shown = "[/bold]\\x1b[31mred\\x1b]8;;http://x\\x07\\u202etxt"
    # (Rich's Text drops a BEL itself: the styled cell holds the other sequences.)
    styled_cell = Text.assemble(("sev", "bold red"), " ", ("\x1b[31mred\u202etxt", "green"))
    rows = [GridRow(1, (hostile, styled_cell, "", "1"))]
    app = GridApp(PagedTable(COLUMNS, ListSource(rows)))
    async with app.run_test(size=(200, 10)) as pilot:
        await settle(app, pilot)
        row = app.table.get_row(0)
        assert row.cells[0] == shown
        assert row.cells[1].plain == "sev \\x1b[31mred\\u202etxt"
        # The styles moved with their characters: "sev" red, the whole escaped text green.
        styles = {(span.start, span.end, str(span.style)) for span in row.cells[1].spans}
        assert styles == {(0, 3, "bold red"), (4, len(row.cells[1].plain), "green")}
        line = app.table.render_line(1).text
        assert line.startswith(shown) and "\x1b" not in line and "\u202e" not in line


async def test_a_longer_sentence_on_a_later_page_gets_the_room_and_same_widths_keep_the_layout():
    columns = [GridColumn("kb", "KB", 9), GridColumn("product", "Product", 8, flex=True),
               GridColumn("why", "Why", 10, flex=True)]
    # The first page's sentences are short; page 3 holds one of 40 cells.
    rows = [GridRow(i, (f"KB{i:07d}", "Win 10", "a sentence of 40 cells, said in full ok." if i == 250 else "short"))
            for i in range(300)]
    table = PagedTable(columns, ListSource(rows), page_size=100)
    app = GridApp(table)
    async with app.run_test(size=(100, 10)) as pilot:
        await settle(app, pilot)
        width = table.scrollable_content_region.width
        first = table._layout()
        assert first == column_layout(columns, width, (9, 6, 5))  # what the first page measured
        await pilot.press("G")  # the last page: the longest sentence is now loaded
        await settle(app, pilot)
        longest = table._layout()
        assert longest == column_layout(columns, width, (9, 6, 40)) != first
        assert longest[2][1] >= 40 and longest[1][1] < first[1][1]  # the sentence gets the room, whole
        # Values no longer than the layout gives them keep it, and the painted lines with it.
        cached = len(table._line_cache)
        assert cached
        table._widen((9, 6, 12))
        assert table._layout() is longest and len(table._line_cache) == cached
