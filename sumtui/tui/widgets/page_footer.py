"""PageFooter: the keys that work here, on one line that never overflows.

Textual's Footer lays its keys out in a grid as wide as there are keys: on an 80-column terminal a
page with many keys ran under the command palette key and showed cut words (`n Needed o▏^p
Commands`). This footer shows only the keys that fit whole. Pages choose what shows (`show=False` for
the less used keys, which `?` lists with the rest); when the keys still do not fit (a keymap giving
longer keys, a narrower terminal), the ones that give way are, in order: the command palette key,
`q Quit`, then the page's keys from the right. `: Jump` and `? Keys` always stay: `?` lists every key.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# Actions that stay whatever the width: how to go anywhere, and where every other key is listed.
KEPT = frozenset({"jump", "help"})
# The command palette key is docked at the right with a one-cell border; keys are one cell apart.
_PALETTE_BORDER = 1
_GAP = 1


def key_width(key: FooterKey) -> int:
    """Cells a compact footer key takes: its key, a space and its description."""
    return cell_len(key.key_display) + (1 + cell_len(key.description) if key.description else 0)


def fitting(keys: list[FooterKey], palette: FooterKey | None, width: int) -> tuple[list[FooterKey], bool]:
    """The keys that fit `width` cells whole, and whether the palette key fits too."""
    shown = list(keys)

    def used() -> int:
        return sum(map(key_width, shown)) + _GAP * max(0, len(shown) - 1)

    if palette is not None and used() + _GAP + key_width(palette) + _PALETTE_BORDER <= width:
        return shown, True
    for action in ("app.quit", "quit"):
        if used() <= width:
            break
        shown = [key for key in shown if key.action != action]
    while used() > width:
        droppable = [index for index, key in enumerate(shown) if key.action.removeprefix("app.") not in KEPT]
        if not droppable:
            break
        del shown[droppable[-1]]
    return shown, False


class PageFooter(Footer):
    """A compact Footer that shows only the keys that fit (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._laid_out_for = 0

    def _width(self) -> int:
        return self.size.width or self.screen.size.width or self.app.size.width

    def compose(self) -> ComposeResult:
        composed = list(super().compose())
        keys = [w for w in composed if isinstance(w, FooterKey) and not w.has_class("-command-palette")]
        palette = next((w for w in composed if w.has_class("-command-palette")), None)
        width = self._width()
        self._laid_out_for = width
        shown, with_palette = fitting(keys, palette, width)
        self.styles.grid_size_columns = max(1, len(shown))
        yield from shown
        if palette is not None and with_palette:
            yield palette

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._laid_out_for and self._bindings_ready:
            self.call_after_refresh(self.recompose)
