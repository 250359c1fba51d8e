"""sumtui.text: what may reach a terminal from outside text, and how the rest is shown."""

from __future__ import annotations

import pytest

from sumtui.text import drop_controls, escape_controls, is_plain


@pytest.mark.parametrize("raw, shown", [
    ("\x1b[31mred", "\\x1b[31mred"),                      # CSI: colours the screen
    ("\x1b]8;;http://x\x07link", "\\x1b]8;;http://x\\x07link"),  # OSC 8: a hidden hyperlink
    ("\x1b]52;c;aGk=\x07", "\\x1b]52;c;aGk=\\x07"),          # OSC 52: writes the clipboard
    ("\x9b31m", "\\x9b31m"),                              # C1 CSI
    ("a\x00b\x7fc", "a\\x00b\\x7fc"),                      # NUL, DEL
    ("tab\there\nnew\rline", "tab\\there\\nnew\\rline"),
    ("exe.\u202etxt", "exe.\\u202etxt"),                   # RLO: reads as txt.exe
    ("\u2066iso\u2069 \u200e\u200f\u061c", "\\u2066iso\\u2069 \\u200e\\u200f\\u061c"),
    ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
    ("line\u2028sep", "line\\u2028sep"),
    ("smuggled\U000e0041\U000e0042", "smuggled\\U000e0041\\U000e0042"),  # tag characters
    ("surrogate\udcff", "surrogate\\udcff"),               # a byte decoded with surrogateescape
])
def test_unsafe_characters_are_written_out(raw, shown):
    assert escape_controls(raw) == shown
    assert not is_plain(raw)
    assert is_plain(drop_controls(raw))


@pytest.mark.parametrize("text", [
    "Windows 10 Version 1809 for x64-based Systems", "[/bold][link=https://x]", "C:\\Windows\\System32",
    "Größe · 日本語 · العربية", "no\u00a0break", "family 👨\u200d👩\u200d👧", "",
])
def test_ordinary_text_is_left_alone(text):
    assert escape_controls(text) == text and drop_controls(text) == text and is_plain(text)


def test_printable_text_comes_back_as_the_same_object():
    text = "Windows Server 2019 (Server Core installation)"
    assert escape_controls(text) is text and drop_controls(text) is text


def test_newlines_can_be_kept_for_multi_line_panes():
    assert escape_controls("one\r\ntwo\nthree\x1b[0m\tfour", keep_newlines=True) == "one\ntwo\nthree\\x1b[0m\\tfour"


def test_dropping_keeps_everything_else():
    assert drop_controls("a\x1b[31mb\u202ec") == "a[31mbc"
