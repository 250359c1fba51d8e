"""What one request to the management point may cost: its body size, how long its headers and body
may take to arrive, the size of its headers, and the integers that fit the database's columns."""

from __future__ import annotations

from dataclasses import dataclass

MAX_BODY = 2 * 1024 * 1024  # a real inventory is a few KB; a full scan of a big server well under this
# Client ids and report serials are INTEGER columns (32 bits on PostgreSQL): anything larger is
# refused as bad input instead of failing in the database driver.
MAX_INT = 2**31 - 1


@dataclass(frozen=True)
class Limits:
    max_body: int = MAX_BODY
    # A client that sends its headers or its body this slowly is cut off (slowloris): agents send a
    # few KB at once; even 2 MB over a 512 kbit/s link arrives in about 35 s.
    header_timeout: float = 10.0
    body_timeout: float = 60.0
    max_header_bytes: int = 64 * 1024
