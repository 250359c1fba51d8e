"""Showing text that comes from outside (agents, inventories, catalog documents, error messages that
quote them) on a terminal: characters that would act instead of print are shown escaped.

A terminal obeys what it is sent. A client name holding ESC `[31m` recolours the screen, OSC 8 makes a
hidden link, OSC 52 can write the operator's clipboard, and a bidi override (U+202E) makes `exe.txt`
read as `txt.exe`. So every such character is shown as its Python escape (`\\x1b`, `\\u202e`, `\\t`): the
operator sees that something odd is there and what it is, and nothing reaches the terminal raw.

Escaped: the C0 controls (tab and newline included, unless the caller keeps newlines), DEL, the C1
controls, the bidi controls (U+061C, U+200E/F, U+202A-U+202E, U+2066-U+2069), the line and paragraph
separators (U+2028/9), invisible format characters that hide or smuggle text (U+180E, U+200B,
U+2060-U+2064, U+206A-U+206F, U+FEFF, U+FFF9-U+FFFB, the tag characters U+E0000-U+E007F) and lone
surrogates (a file name decoded with `surrogateescape`: no terminal encoding can write them).
Joiners (U+200C/D) are kept: scripts and emoji need them. A backslash is not doubled: `C:\\Windows`
stays readable, and JSON output is where exact data lives.

Markup is a separate matter: whoever renders with Rich or Textual passes this text as data (a
`rich.text.Text`, a Textual `Content`, a markup variable), never as markup.

No imports beyond the standard library: every layer may use this module.
"""

from __future__ import annotations

import re

__all__ = ["drop_controls", "escape_controls", "is_plain"]

_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]"
)
_UNSAFE_KEEPING_NEWLINES = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]"
)


_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    short = _SHORT.get(char)
    if short is not None:
        return short
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def is_plain(text: str) -> bool:
    """True when `text` has nothing to escape (the common case, answered at C speed)."""
    # Every character escaped here is non-printable for str.isprintable (categories Cc, Cf, Cs, Zl,
    # Zp): a printable string needs no look at all. Non-printable but harmless ones (a no-break
    # space) fall through to the regular expression, which finds nothing.
    return text.isprintable() or _UNSAFE.search(text) is None


def escape_controls(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with control, bidi and invisible format characters shown as escapes (see the module doc).

    `keep_newlines`: for multi-line panes (an error's detail, a sentence that explains a state), line
    breaks stay line breaks (CR LF counts as one); everything else is still escaped. Table cells and
    one-line labels keep the default, where a newline shows as `\\n`.
    """
    if text.isprintable():
        return text
    if keep_newlines:
        if "\r\n" in text:
            text = text.replace("\r\n", "\n")
        return _UNSAFE_KEEPING_NEWLINES.sub(_escape, text)
    return _UNSAFE.sub(_escape, text)


def drop_controls(text: str) -> str:
    """`text` without the characters `escape_controls` would escape: for a last guard that must not
    change a line's width (each of them is zero cells wide on a terminal)."""
    return text if text.isprintable() else _UNSAFE.sub("", text)
