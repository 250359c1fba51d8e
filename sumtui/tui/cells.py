"""How fleet and compliance figures look in a grid cell: short product names, exact counts ("1,234"),
severity and gap colours (weights only, with NO_COLOR). Plain functions over plain values, called from
grid sources in worker threads; the colours come in a `CellStyles` built from the theme on the UI thread.

Also how outside text (names, domains, titles, reasons, error messages) goes into the console's other
widgets: `plain` and `markup` make Textual `Content` in which that text is data, never markup, with
control, bidi and invisible characters shown escaped (`sumtui.text`). A str handed to `Static`,
`Label`, `Option` or `update` is parsed as markup: `[/bold]` in a client's name would crash the screen.

A coloured cell is a styled span over the whole text (`styled`), not `Text(style=...)`: the grid
renders cells with `Text.render`, which drops a base style. A cell without a colour stays a plain
string, which the grid draws faster (a page of the 100k-client grids is built in a worker and painted
on the UI thread, both under the one interpreter lock).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from rich.text import Span, Text
from textual.content import Content

from sumtui.text import escape_controls
from sumtui.timeutil import age, as_utc

SEVERITY_SHORT = {"Critical": "Crit", "Important": "Imp", "Moderate": "Mod", "Low": "Low"}
# A Required count this share of the collection's members (or more) is a gap worth shouting about.
WIDE_GAP = 0.10
PCT_LOW, PCT_OK = 80.0, 95.0

# Longest first where one is a prefix of another. They keep what tells products apart (version,
# architecture, installation kind) and drop the words every Windows product name repeats.
_SHORTER = [
    (re.compile(r"^Microsoft\s+", re.I), ""),
    (re.compile(r"\s+for\s+x64-based\s+systems", re.I), " x64"),
    (re.compile(r"\s+for\s+32-bit\s+systems", re.I), " x86"),
    (re.compile(r"\s+for\s+ARM64-based\s+systems", re.I), " ARM64"),
    (re.compile(r"\s+for\s+Itanium-based\s+systems", re.I), " IA64"),
    (re.compile(r"\s+\(Server Core installation\)", re.I), " Core"),
    (re.compile(r"\bWindows\s+Server\b"), "Server"),
    (re.compile(r"\bWindows\s+(?=\d)"), "Win "),
    (re.compile(r"\s+Version\s+"), " "),
    (re.compile(r"\.NET\s+Framework"), ".NET"),
    (re.compile(r"\s+AND\s+"), "+"),
    (re.compile(r"\s+Service\s+Pack\s+(\d+)", re.I), r" SP\1"),
    (re.compile(r"\bInternet\s+Explorer\b"), "IE"),
]


@lru_cache(maxsize=4096)  # a catalog has a few hundred product names; a page repeats them
def short_product(name: str | None) -> str:
    """'Windows 10 Version 1809 for x64-based Systems' → 'Win 10 1809 x64' (for narrow columns)."""
    if not name:
        return ""
    for pattern, replacement in _SHORTER:
        name = pattern.sub(replacement, name)
    return name.strip()


def plain(text: object) -> Content:
    """Text from outside as console content: no markup, controls escaped, line breaks kept."""
    return Content(escape_controls(str(text), keep_newlines=True))


def markup(template: str, **values: object) -> Content:
    """`Content.from_markup(template, **values)` where every value is outside text: the template is
    ours (markup), each `$value` is data (controls escaped, line breaks kept)."""
    return Content.from_markup(template, **{
        name: escape_controls(value if isinstance(value, str) else str(value), keep_newlines=True)
        for name, value in values.items()
    })


def styled(text: str, style: str) -> Text | str:
    """`text` coloured by `style` as one span; the plain string when there is no style."""
    return Text(text, spans=[Span(0, len(text), style)]) if style and text else text


def count_text(value: int | None, width: int = 7) -> str:
    """'1,234': the exact figure, always. `width` is the column's usual width; a figure wider than that
    widens its column (the grid measures number columns) instead of being shortened to '123k'."""
    if value is None:
        return ""
    return f"{value:,}"


def size_text(value: int | None) -> str:
    """Bytes as people read them: '512 B', '84.2 KiB', '1.3 GiB'; '' when unknown."""
    if value is None:
        return ""
    if value < 1024:
        return f"{value} B"
    size = value / 1024
    for unit in ("KiB", "MiB"):
        if size < 1024:
            return f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size:,.1f} GiB"


def pct_text(value: float | None) -> str:
    """'41.7', or '100' and '0' without a decimal that says nothing (the column is headed %)."""
    if value is None:
        return "—"
    return f"{value:.0f}" if value >= 99.95 or value == 0 else f"{value:.1f}"


def build_text(build: str | None, ubr: int | None) -> str:
    if not build:
        return ""
    return f"{build}.{ubr}" if ubr is not None else build


def last_report(last_inventory: datetime | None, last_scan: datetime | None) -> datetime | None:
    known = [t for t in (last_inventory, last_scan) if t is not None]
    return max(known, key=as_utc) if known else None



def age_text(when: datetime | None, now: datetime) -> str:
    return "never" if when is None else age(when, now)


@dataclass(frozen=True)
class CellStyles:
    """Rich styles from the theme, built on the UI thread and read by sources in workers."""

    critical: str = "bold red"
    important: str = "yellow"
    low: str = "dim"
    gap_wide: str = "bold red"
    gap: str = "yellow"
    good: str = "green"
    muted: str = "dim"

    @classmethod
    def from_variables(cls, variables, *, no_color: bool | None = None) -> CellStyles:
        """The theme's text colours (`App.theme_variables`: `$text-error`… made to read on the theme's
        backgrounds, see contrast.py; the raw `$warning` is 1.5:1 on a light panel); with NO_COLOR (None:
        as the environment says, the rule Textual's App reads at start) no colour at all but weights: a
        colour turned grey would make "Crit" and the counts that need attention the dimmest text on screen."""
        if no_color is None:
            no_color = "NO_COLOR" in os.environ
        if no_color:
            return cls.plain_text()
        error, warning, success = (variables[f"text-{name}"] for name in ("error", "warning", "success"))
        return cls(critical=f"bold {error}", important=warning, gap_wide=f"bold {error}", gap=warning, good=success)

    @classmethod
    def plain_text(cls) -> CellStyles:
        """Meaning without colour: what calls for attention is bold (a wide gap also underlined), the rest
        is plain; only an absent figure ("—") is dim."""
        return cls(critical="bold", important="", low="", gap_wide="bold underline", gap="bold", good="", muted="dim")

    def severity(self, severity: str | None, *, short: bool = True) -> Text | str:
        label = SEVERITY_SHORT.get(severity or "", severity or "") if short else (severity or "")
        return styled(label, {"Critical": self.critical, "Important": self.important, "Low": self.low}.get(severity or "", ""))

    # Only figures that call for attention are coloured: a plain cell paints faster, and a grid where
    # everything is coloured says nothing.
    def required(self, value: int, members: int, *, width: int = 7) -> Text | str:
        """A Required count: plain at 0, loud when a large share of the collection lacks it."""
        if value <= 0:
            return "0"
        return styled(count_text(value, width), self.gap_wide if members and value >= WIDE_GAP * members else self.gap)

    def failed(self, value: int, *, width: int = 6) -> Text | str:
        return styled(count_text(value, width), self.gap_wide) if value else "0"

    def pct(self, value: float | None) -> Text | str:
        if value is None:
            return styled("—", self.muted)
        return styled(pct_text(value), self.gap_wide if value < PCT_LOW else self.gap if value < PCT_OK else self.good)
