"""Machine inventories in the formats operators really have → `Inventory` objects.

    parse_inventory(data: bytes, *, name: str, host: str | None = None) -> Inventory

`data` is a whole file (or request body); `name` is what error messages call it (a file name);
`host` is the machine's name when the operator gives one (`clients import --name`).
The text encoding is detected (decode.py), then the format: the agent's JSON (agentjson.py), a
wmic qfe / Get-HotFix list (hotfix.py) or systeminfo output (systeminfo.py). Anything else, and
any input that is empty, binary, too large or cut short beyond use, raises `InventoryError` with a
one-line message naming the input and the problem.
"""

from __future__ import annotations

from sumtui.fleet.inventory.agentjson import FORMAT as AGENT_FORMAT
from sumtui.fleet.inventory.agentjson import looks_like_agent_json, parse_agent_json
from sumtui.fleet.inventory.decode import decode_text
from sumtui.fleet.inventory.hotfix import looks_like_hotfix_list, parse_hotfix_list
from sumtui.fleet.inventory.model import Inventory, InventoryError
from sumtui.fleet.inventory.systeminfo import (
    LABELS,
    looks_like_systeminfo,
    parse_systeminfo,
)

__all__ = ["AGENT_FORMAT", "MAX_BYTES", "Inventory", "InventoryError", "parse_inventory"]

# The largest real inputs are a few hundred KB (a UTF-16 qfe list of a long-lived server); anything
# far beyond that is not an inventory and is refused before decoding.
MAX_BYTES = 8 * 1024 * 1024

# Localized labels help the decoder tell code pages apart (GBK from cp949 on a short Chinese file).
_HINTS = tuple(label for labels in LABELS.values() for label in labels if not label.isascii())


def parse_inventory(data: bytes, *, name: str, host: str | None = None) -> Inventory:
    """`host` is the machine's name as the operator gives it, used when the input's own host name is
    missing or unusable (systeminfo and hotfix lists; the agent's JSON must carry its own)."""
    if not data:
        raise InventoryError(f"{name}: empty file")
    if len(data) > MAX_BYTES:
        raise InventoryError(f"{name}: {len(data)} bytes, larger than any inventory ({MAX_BYTES} bytes at most)")
    text = decode_text(data, name=name, hints=_HINTS)
    if not text.strip(" \t\r\n\ufeff\x1a"):
        raise InventoryError(f"{name}: empty file")
    if looks_like_agent_json(text):
        return parse_agent_json(text, name=name)
    if looks_like_hotfix_list(text):
        return parse_hotfix_list(text, name=name, host=host)
    if looks_like_systeminfo(text):
        return parse_systeminfo(text, name=name, host=host)
    raise InventoryError(f"{name}: not a systeminfo, wmic qfe or Get-HotFix output, nor agent JSON")
