"""The last guard between the console and the terminal: no control, bidi or invisible format character
(`sumtui.text`) in any painted line reaches the terminal raw.

Outside text is escaped where it is shown (`sumtui.tui.cells.plain`, the grid's workers), so that the
operator sees `\\x1b` or `\\u202e`. This filter catches what a screen forgot or what Textual copied
through (an Input's value, say): such characters are dropped. Each of them is zero cells wide for the
layout already done, so dropping them moves nothing.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from sumtui.text import drop_controls


class ControlFilter(LineFilter):
    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        # Painted text is nearly always printable: one C-level check per segment, nothing built.
        if all(segment.control or segment.text.isprintable() for segment in segments):
            return segments
        return [segment if segment.control else Segment(drop_controls(segment.text), segment.style)
                for segment in segments]
