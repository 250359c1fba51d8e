"""What every page of the console shares: the site header on top, the keys that work here at the bottom (as many as fit whole),
`r` re-reading what the page shows, and esc leaving a text box for the page's grid."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Input

from sumtui.tui.widgets.page_footer import PageFooter
from sumtui.tui.widgets.site_header import SiteHeader

if TYPE_CHECKING:
    from sumtui.tui.app import SumtuiApp


class PageScreen(Screen):
    """A full page: subclasses give `TITLE` and `compose_body`; what `r` re-reads is registered in
    `refreshers` (grid_screen.reload_on_data_change does it) or given by overriding `refresh_data`."""

    TITLE = "sumtui"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.refreshers: list[Callable[[], object]] = []

    @property
    def console(self) -> SumtuiApp:
        return cast("SumtuiApp", self.app)

    def compose(self) -> ComposeResult:
        yield SiteHeader(self.TITLE or "")
        yield from self.compose_body()
        yield PageFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def focus_filter(self) -> bool:
        """`/`: focus this page's filter; False when the page has none."""
        return False

    def refresh_data(self) -> bool:
        """`r`: read again what the page shows; False when it shows nothing to read."""
        for refresh in self.refreshers:
            refresh()
        return bool(self.refreshers)

    def leave_text_box(self) -> bool:
        """esc in a text box leaves the box, not the page: the focus goes to the page's main widget (its
        AUTO_FOCUS, e.g. the grid). False when no text box has the focus."""
        # Input only: the console has no multi-line box (importing TextArea would cost the first frame).
        if not isinstance(self.focused, Input):
            return False
        targets = self.query(self.AUTO_FOCUS) if self.AUTO_FOCUS else []
        target = next((w for w in targets if w.focusable and not isinstance(w, Input)), None)
        self.set_focus(target)
        return True
