"""Checkboxes and radio buttons that read on or off without colour (NO_COLOR).

Textual draws every toggle as `▐X▌` and tells on from off by colour alone: with NO_COLOR a checkbox
(and each choice of a SelectionList, such as the update point's products) showed `X` whether on or
off. `plain_toggles` makes every toggle of the process draw its value in characters instead, in the
same three cells: `[x]` / `[ ]` for a checkbox or a selection, `(•)` / `( )` for a radio button, the
mark in bold. The App applies it once, only when NO_COLOR is set, and even then an App with colours
(another one in the same process, as in tests) keeps Textual's own toggles.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.content import Content
from textual.strip import Strip
from textual.style import Style
from textual.widgets import RadioButton, SelectionList
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

_original_button = ToggleButton._button
_original_selection_line = SelectionList.render_line


def toggle_text(value: bool, *, radio: bool) -> str:
    """The three cells a toggle shows without colour."""
    if radio:
        return "(•)" if value else "( )"
    return "[x]" if value else "[ ]"


def _plain_button(self: ToggleButton) -> Content:
    if not self.app.no_color:
        return _original_button.fget(self)
    left, mark, right = toggle_text(self.value, radio=isinstance(self, RadioButton))
    bold = Style(bold=True)
    return Content.assemble(left, (mark, bold), right)


def _plain_selection_line(self: SelectionList, y: int) -> Strip:
    strip = _original_selection_line(self, y)
    if not self.app.no_color:
        return strip
    segments = list(strip)
    button = ToggleButton.BUTTON_LEFT + ToggleButton.BUTTON_INNER + ToggleButton.BUTTON_RIGHT
    if len(segments) < 4 or "".join(segment.text for segment in segments[:3]) != button:
        return strip  # a line with no selection on it
    try:
        option = self.get_option_at_index(self.scroll_offset.y + y)
    except OptionDoesNotExist:
        return strip
    mark = "x" if option.value in self._selected else " "
    # The brackets in the line's own style: the button's side style draws in its background colour.
    around = segments[3].style
    mark_style = (segments[1].style or RichStyle()) + RichStyle(bold=True)
    shown = [Segment("[", around), Segment(mark, mark_style), Segment("]", around), *segments[3:]]
    return Strip(shown, strip.cell_length)


def plain_toggles() -> None:
    """Draw every toggle's value in characters when the App has no colour (idempotent)."""
    if ToggleButton._button.fget is not _plain_button:
        ToggleButton._button = property(_plain_button)  # type: ignore[method-assign, assignment]
    if SelectionList.render_line is not _plain_selection_line:
        SelectionList.render_line = _plain_selection_line  # type: ignore[method-assign]
