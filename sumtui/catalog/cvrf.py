"""Reading a CVRF month from bytes, whichever of JSON or XML it is.

Whatever a document holds, reading it either gives a month or raises BadDocument naming the input:
one over the size limit is refused before it is parsed, and a value the parsers cannot take (a
date out of range, an object where a string belongs) is refused like malformed syntax, never let
out as a crash that would stop the other documents of a run.
"""

from __future__ import annotations

from sumtui.catalog.errors import BadDocument
from sumtui.catalog.parsed import ParsedMonth

# A real month is 1.3-3.2 MB of JSON (the XML about twice that); anything near this is not a month, and
# parsing it would take gigabytes of memory. `sumtui sync/import --max-size` changes it.
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024


def looks_like_xml(data: bytes) -> bool:
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def size_text(size: int) -> str:
    """'300 MB', '512 KB', '17 bytes': for size-limit messages."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):,.0f} MB"
    if size >= 1024:
        return f"{size / 1024:,.0f} KB"
    return f"{size} bytes"


def too_large(name: str, size: int | None, limit: int) -> BadDocument:
    """The error for a document over the limit (`size` None: it went past the limit while being read)."""
    what = f"{size_text(size)}, " if size is not None else ""
    return BadDocument(f"{name}: {what}over the {size_text(limit)} limit for a catalog document "
                       "(refused before parsing; raise it with --max-size if this is really a month)")


def parse_document(data: bytes, *, name: str, content_type: str | None = None, max_size: int | None = None) -> ParsedMonth:
    """Parse one month. `name` (a file name or a URL) prefixes every error message."""
    limit = MAX_DOCUMENT_BYTES if max_size is None else max_size
    if len(data) > limit:
        raise too_large(name, len(data), limit)
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
    except (ValueError, OverflowError, TypeError, AttributeError, KeyError) as exc:
        # A value of the right syntax but out of range or of the wrong type, which a parser did not
        # check by name (e.g. a date that overflows once its time zone is applied).
        raise BadDocument(f"{name}: cannot be read as a CVRF document ({_why(exc)})") from None


def _why(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__
