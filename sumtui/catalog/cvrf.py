"""Reading a CVRF month from bytes, whichever of JSON or XML it is."""

from __future__ import annotations

from sumtui.catalog.errors import BadDocument
from sumtui.catalog.parsed import ParsedMonth


def looks_like_xml(data: bytes) -> bool:
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def parse_document(data: bytes, *, name: str, content_type: str | None = None) -> ParsedMonth:
    """Parse one month. `name` (a file name or a URL) prefixes every error message."""
    if not data:
        raise BadDocument(f"{name}: empty document")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:1024]:
        raise BadDocument(f"{name}: binary or UTF-16 data, not a UTF-8 CVRF document")
    try:
        if (content_type and "xml" in content_type) or looks_like_xml(data):
            from sumtui.catalog.cvrf_xml import parse_xml

            return parse_xml(data, name=name)
        from sumtui.catalog.cvrf_json import parse_json

        return parse_json(data, name=name)
    except RecursionError:
        # A hostile document nested thousands deep (json.loads, or the product tree walk) must be
        # refused like any bad input, not escape as a crash that leaves a sync run "running".
        raise BadDocument(f"{name}: nested too deeply to be a CVRF document") from None
