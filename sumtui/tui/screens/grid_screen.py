"""What the pages built around a paged grid (`#grid`) share.

`reload_on_data_change`: re-read the page when the site's data changes (here, or in another process: the
App's probe), unless it is being torn down; the same reload is what `r` does.
`count_status`: the grid's row count as the status line says it.
`SearchGridScreen`: a search box (`#search`) over the grid — Updates, Compliance and Clients.
`WordsFilterScreen`: a search box whose words narrow a list held in memory — Collections, a client's states.
`UpdateFilterAction`: `f` opens the update filter form — Updates and Compliance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input

from sumtui.tui.screens.base import PageScreen
from sumtui.tui.widgets.paged_table import PagedTable
from sumtui.workflows.site_marks import CATALOG, FLEET

if TYPE_CHECKING:
    from sumtui.catalog.queries import UpdateFilter

CONTEXT_DELAY = 0.1  # after the first count: long enough for the first page to be fetched and painted
# What a grid of updates, clients or their states shows: the catalog and the fleet (not runs or settings).
GRID_AREAS = frozenset({CATALOG, FLEET})


def reload_on_data_change(screen: Screen, reload: Callable[[], object], *, areas: frozenset[str] = GRID_AREAS,
                          grid: str = "#grid") -> None:
    """Call `reload` while `screen` still has its grid (a page being torn down has none left to fill):

    - whenever the App's `data_version` moves (a change made in this console), shown or not;
    - when another process changed one of the site's `areas` (the App's `site_changes`, from its probe):
      at once if the page is in front, else as soon as it comes back to the front, so pages left
      behind cost nothing while agents report;
    - on `r` (the App's refresh key: `PageScreen.refresh_data`).
    """
    stale = False

    def alive() -> bool:
        return bool(screen.query(grid))

    def changed(*_args) -> None:
        if alive():
            reload()

    def site_changed(changes) -> None:
        nonlocal stale
        if changes is None or not (changes.areas & areas) or not alive():
            return
        if screen.is_current:
            reload()
        else:
            stale = True

    def shown(current: Screen) -> None:
        nonlocal stale
        if current is screen and stale:
            stale = False
            changed()

    app = screen.app
    screen.watch(app, "data_version", changed, init=False)
    screen.watch(app, "site_changes", site_changed, init=False)
    app.screen_change_signal.subscribe(screen, shown)
    refreshers = getattr(screen, "refreshers", None)
    if refreshers is not None:
        refreshers.append(changed)


def count_status(count: int | None, noun: str) -> str:
    """'counting…' until the grid has counted, then '1,234 updates' (or '1 update')."""
    return "counting…" if count is None else f"{count:,} {noun}{'s' if count != 1 else ''}"


class SearchGridScreen(PageScreen):
    """A page whose grid is narrowed by words typed in a search box above it.

    `/` focuses the box, enter in it goes to the grid, esc goes from the box to the grid and from the
    grid back a page; a click or `s` on a column header sorts. Subclasses compose `#search` and
    `#grid`, keep `sort` and `descending`, implement `rebuild` (a new grid source for the current
    query) and name their rows in `GRID_ROWS` ("Could not read …").

    Pages that show a context around the grid (the collections, the filter form's choices) read it in
    their `load_context` worker only once the first rows are in (`start_grid` and `first_rows_in`):
    started at once, the worker would compete with the first page for the interpreter.
    """

    GRID_ROWS = "rows"
    sort: str
    descending: bool

    def __init__(self) -> None:
        super().__init__()
        self._context_pending = False

    def rebuild(self) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ the search box and the grid

    def focus_filter(self) -> bool:
        self.query_one("#search", Input).focus()
        return True

    async def action_leave(self) -> None:
        if not self.leave_text_box():
            await self.app.run_action("back")

    def clear_search(self) -> None:
        """Empty the search box without starting a search (the caller rebuilds)."""
        search = self.query_one("#search", Input)
        with search.prevent(Input.Changed):
            search.value = ""

    def sort_status(self, labels: Mapping[str, str]) -> str:
        """'by release date ▼': the grid's order as the status line says it (`labels`: sort key → words)."""
        return f"by {labels.get(self.sort, self.sort)} {'▼' if self.descending else '▲'}"

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.query_one("#grid", PagedTable).focus()

    @on(PagedTable.LoadFailed, "#grid")
    def _load_failed(self, event: PagedTable.LoadFailed) -> None:
        self.notify(f"Could not read {self.GRID_ROWS}: {event.error}", severity="error", timeout=8)

    @on(PagedTable.SortChanged, "#grid")
    def _sort_changed(self, event: PagedTable.SortChanged) -> None:
        self.sort, self.descending = event.key, event.descending
        self.rebuild()

    # ------------------------------------------------------------------ the context, after the first rows

    def load_context(self) -> None:
        """Read what the page shows around the grid: a worker in the pages that have a context."""

    def start_grid(self) -> None:
        """From `on_mount`: the grid starts counting at once, the context waits for its first rows; both
        are read again whenever the site's data changes."""
        reload_on_data_change(self, self._reload)
        self.rebuild()
        self._context_pending = True

    def _reload(self) -> None:
        self.query_one("#grid", PagedTable).reload()
        self.load_context()

    def first_rows_in(self) -> None:
        """From the page's `PagedTable.Loaded` handler: read the context once, a moment after the first count."""
        if self._context_pending:
            self._context_pending = False
            self.set_timer(CONTEXT_DELAY, self.load_context)


def has_words(words: list[str], *texts: str) -> bool:
    """Every word (lower case) is in one of the texts, case ignored."""
    haystack = " ".join(texts).lower()
    return all(word in haystack for word in words)


class WordsFilterScreen(PageScreen):
    """A page whose list (`#grid`) is narrowed in memory by the words typed in a search box above it: `/`
    focuses the box, enter in it goes to the list, esc too (PageScreen.leave_text_box). Subclasses put
    `search_box()` in their body and show their rows again in `words_changed` (`words`: lower case)."""

    SEARCH_PLACEHOLDER = "/ filter: words"

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []

    def search_box(self) -> ComposeResult:
        with Horizontal(id="search-bar"):
            yield Input(placeholder=self.SEARCH_PLACEHOLDER, id="search", compact=True)

    def focus_filter(self) -> bool:
        self.query_one("#search", Input).focus()
        return True

    def words_changed(self) -> None:
        raise NotImplementedError

    @on(Input.Changed, "#search")
    def _words_typed(self, event: Input.Changed) -> None:
        self.words = event.value.lower().split()
        self.words_changed()

    @on(Input.Submitted, "#search")
    def _words_entered(self) -> None:
        self.query_one("#grid", PagedTable).focus()


class UpdateFilterAction:
    """`f` on a page of updates (a `SearchGridScreen`): the filter form over `extra`, its choices from
    `_families` and `_products`; a new filter rebuilds the grid."""

    extra: UpdateFilter
    _families: list[str]
    _products: list[str]

    def action_filter(self) -> None:
        from sumtui.tui.screens.filter import FilterScreen

        def chosen(result: UpdateFilter | None) -> None:
            if result is not None:
                self.extra = result
                self.rebuild()

        self.app.push_screen(FilterScreen(self.extra, families=self._families, products=self._products), chosen)
