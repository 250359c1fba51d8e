"""What every page of the console shares: the site header on top, the keys that work here at the bottom."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from sumtui.tui.widgets.site_header import SiteHeader

if TYPE_CHECKING:
    from sumtui.tui.app import SumtuiApp


class PageScreen(Screen):
    """A full page: subclasses give `TITLE` and `compose_body`."""

    TITLE = "sumtui"

    @property
    def console(self) -> SumtuiApp:
        return cast("SumtuiApp", self.app)

    def compose(self) -> ComposeResult:
        yield SiteHeader(self.TITLE or "")
        yield from self.compose_body()
        yield Footer(compact=True)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def focus_filter(self) -> bool:
        """`/`: focus this page's filter; False when the page has none."""
        return False
