"""Hashes and file names of update content, checked before anything touches the disk.

The catalog's digest is the base64 SHA-1 of the whole file, and Windows Update file names end in the
same SHA-1 as 40 hex digits (`windows10.0-kb4592440-x64_<sha1>.msu`); manifests may give either form.
File names come from outside (catalog pages, manifests, folders) and are later used on clients, so a
name with a path in it, a control character or a name Windows reserves is refused, not repaired.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata

from sumtui.deploy.content.errors import BadFileName, ContentError
from sumtui.text import escape_controls

_HEX40 = re.compile(r"^[0-9a-f]{40}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_NAME_SHA1 = re.compile(r"(?<![0-9a-fA-F])([0-9a-fA-F]{40})(?![0-9a-fA-F])")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_FORBIDDEN = set('<>:"/\\|?*')
MAX_NAME = 255


def kb_number(text: str) -> str:
    """'KB4022233', 'kb 4022233' or '4022233' → '4022233'; ValueError otherwise."""
    value = text.strip().upper().removeprefix("KB").strip()
    if not value.isdigit() or len(value) > 10:
        raise ValueError(f"{text!r} is not a KB number like KB4022233")
    return value


def is_sha1(text: str) -> bool:
    return bool(_HEX40.match(text))


def is_sha256(text: str) -> bool:
    return bool(_HEX64.match(text))


def _digest(text: str, *, size: int, what: str, name: str) -> str:
    value = (text or "").strip()
    lowered = value.lower()
    if len(lowered) == size * 2 and all(c in "0123456789abcdef" for c in lowered):
        return lowered
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != size:
        raise ContentError(f"{name}: {escape_controls(value)!r} is not a {what} ({size * 2} hex digits or base64 of {size} bytes)")
    return raw.hex()


def sha1_hex(text: str, *, name: str) -> str:
    """A SHA-1 given as 40 hex digits or as base64 (the catalog's digest) → 40 lowercase hex."""
    return _digest(text, size=20, what="SHA-1", name=name)


def sha256_hex(text: str, *, name: str) -> str:
    """A SHA-256 given as 64 hex digits or as base64 → 64 lowercase hex."""
    return _digest(text, size=32, what="SHA-256", name=name)


def sha1_from_name(file_name: str) -> str | None:
    """The SHA-1 a Windows Update file name ends in (40 hex digits before the extension), if any."""
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    found = _NAME_SHA1.findall(stem)
    return found[-1].lower() if found else None


def check_file_name(name: str, *, where: str) -> str:
    """`name` if it is a plain file name that is safe on every system the content goes to; otherwise
    BadFileName naming `where` it came from and what is wrong (shown escaped)."""
    shown = escape_controls(name)
    problem = None
    if not name or not name.strip():
        problem = "is empty"
    elif name in (".", ".."):
        problem = "is not a file name"
    elif "/" in name or "\\" in name:
        problem = "holds a path (a / or \\): only a file name is allowed"
    elif any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in name):
        problem = "holds control or invisible characters"
    elif any(c in _FORBIDDEN for c in name):
        problem = 'holds a character Windows forbids in file names (< > : " | ? *)'
    elif name != name.strip() or name.endswith("."):
        problem = "starts or ends with a space, or ends with a dot"
    elif name.split(".")[0].upper() in _RESERVED:
        problem = "is a device name Windows reserves"
    elif len(name.encode("utf-8")) > MAX_NAME:
        problem = f"is longer than {MAX_NAME} bytes"
    if problem:
        raise BadFileName(f"{where}: the file name {shown!r} {problem}")
    return name
