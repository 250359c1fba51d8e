"""How fleet figures look in a cell: short product names, counts that fit, colours only where they matter."""

from __future__ import annotations

import pytest
from rich.text import Text

from sumtui.tui.cells import CellStyles, count_text, pct_text, short_product, size_text, styled


@pytest.mark.parametrize("name, short", [
    ("Windows 10 Version 1809 for x64-based Systems", "Win 10 1809 x64"),
    ("Windows Server 2012 R2 (Server Core installation)", "Server 2012 R2 Core"),
    ("Microsoft .NET Framework 3.5 AND 4.8 on Windows 10 Version 22H2 for x64-based Systems", ".NET 3.5+4.8 on Win 10 22H2 x64"),
    ("Windows 7 for 32-bit Systems Service Pack 1", "Win 7 x86 SP1"),
    ("Internet Explorer 11 on Windows Server 2012 R2", "IE 11 on Server 2012 R2"),
    ("Windows 8.1 for x64-based systems", "Win 8.1 x64"),
    (None, ""),
])
def test_short_product_names_keep_what_tells_them_apart(name, short):
    assert short_product(name) == short


def test_counts_fit_their_column():
    assert count_text(1234) == "1,234"
    assert count_text(100_000, 7) == "100,000"
    assert count_text(100_000, 6) == "100,000"  # never shortened: the grid widens the column instead
    assert count_text(None) == ""


def test_percentages_drop_decimals_that_say_nothing():
    assert (pct_text(41.66), pct_text(100.0), pct_text(0.0), pct_text(None)) == ("41.7", "100", "0", "—")


def test_only_figures_that_need_attention_are_coloured():
    styles = CellStyles()
    assert styles.required(0, 60) == "0" and styles.failed(0) == "0"
    wide, narrow = styles.required(16, 60), styles.required(3, 60)
    assert isinstance(wide, Text) and wide.spans[0].style == styles.gap_wide  # 10% or more of the collection
    assert narrow.spans[0].style == styles.gap
    assert styles.pct(70.0).spans[0].style == styles.gap_wide and styles.pct(99.0).spans[0].style == styles.good
    assert styles.severity("Critical").plain == "Crit" and styles.severity("Moderate") == "Mod"
    assert styled("x", "") == "x"


def test_outside_text_becomes_content_that_is_data_never_markup():
    from sumtui.tui.cells import markup, plain

    hostile = "[/bold][link=https://x]Z\x1b[31mR\u202eT"
    shown = "[/bold][link=https://x]Z\\x1b[31mR\\u202eT"
    assert plain(hostile).plain == shown
    assert plain("two\nlines").plain == "two\nlines"  # panes keep their line breaks
    content = markup("[b]KB$kb[/b] · $reason", kb="4592440", reason=hostile)
    assert content.plain == f"KB4592440 · {shown}"
    assert [span.style for span in content.spans] == ["b"]  # only the template's markup styles anything


def test_the_control_filter_drops_what_a_screen_forgot_to_escape():
    from rich.segment import Segment
    from rich.style import Style
    from textual.color import Color

    from sumtui.tui.widgets.control_filter import ControlFilter

    plain_line = [Segment("Name  "), Segment("WS-0009", Style(bold=True))]
    assert ControlFilter().apply(plain_line, Color(0, 0, 0)) is plain_line  # nothing built for ordinary lines
    out = ControlFilter().apply([Segment("a\x1b[31mb", Style(bold=True)), Segment("\u202ec")], Color(0, 0, 0))
    assert out == [Segment("a[31mb", Style(bold=True)), Segment("c")]


@pytest.mark.parametrize("value, text", [(None, ""), (0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"),
                                         (108032, "105.5 KiB"), (5 * 2**30, "5.0 GiB"), (3 * 2**40, "3,072.0 GiB")])
def test_sizes_read_in_binary_units(value, text):
    assert size_text(value) == text
