"""What an inventory parser returns: one machine's facts as reported, before any catalog lookup.

Every parser (systeminfo, wmic qfe / Get-HotFix, the agent's JSON) fills the same `Inventory`, so the
code that turns inventories into clients never cares which tool produced them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
_HOST = re.compile(r"^[^\s\x00-\x1f\x7f\\/:*?\"<>|,;=]{1,255}$")


def is_host_name(value: str | None) -> bool:
    """A NetBIOS or DNS machine name as tools report it: no spaces, controls or path characters."""
    return bool(value) and bool(_HOST.match(value))


class InventoryError(Exception):
    """An input that is not a usable inventory. The message is one line naming the input and the problem."""

    def __init__(self, message: str) -> None:
        # Messages quote bits of the input (labels, host names): keep them on one short line whatever
        # a hostile or broken file holds.
        one_line = _BREAKS.sub(" ", message)
        super().__init__(one_line if len(one_line) <= 300 else one_line[:297] + "...")


def machine_name(found: str | None, given: str | None, *, name: str, problem: str) -> str:
    """The machine an inventory describes: its own host name when usable, else the name the operator
    gave (real captures exist without a host-name line). `problem` says what is wrong with the file's
    own, for the error when no name was given."""
    if found is not None and is_host_name(found):
        return found
    if given is not None:
        if not is_host_name(given.strip()):
            raise InventoryError(f"{name}: {given.strip()[:40]!r} is not a machine name")
        return given.strip()
    raise InventoryError(f"{name}: {problem}: give the machine's name (--name NAME)")


@dataclass
class Inventory:
    name: str                      # host name as reported (keep case; callers compare case-insensitively)
    source_format: str             # "systeminfo" | "qfe" | "get-hotfix" | "agent-json"
    domain: str | None = None      # as reported; systeminfo prints the workgroup ("WORKGROUP") here
    os_name: str | None = None     # "Microsoft Windows Server 2012 R2 Standard"
    build: str | None = None       # "6.3.9600" / "10.0.17763" (major.minor.build)
    ubr: int | None = None         # build revision when known (agent JSON), e.g. 3287
    architecture: str | None = None  # "x64" | "x86" | "arm64"
    is_server: bool | None = None  # from OS name / "OS Configuration" (localized)
    edition: str | None = None     # "Enterprise", "Standard", "LTSC", ...
    installed_kbs: list[str] = field(default_factory=list)  # digits only, unique, sorted numerically
    products: list[str] = field(default_factory=list)       # extra products reported by the agent
    agent_version: str | None = None
    collected_at: datetime | None = None   # aware UTC
    # The machine's time zone: an IANA name ("Europe/Berlin") or a fixed offset ("UTC+01:00"); None when
    # the source does not say (inventory/timezones.py reads systeminfo's display names).
    time_zone: str | None = None
    # False when the source itself shows that its KB list is cut short (a systeminfo that announces
    # 263 hotfixes and lists 245, a file truncated inside its hotfix list). Compliance must then not
    # read a missing KB as "not installed" with full confidence; `warnings` says what was seen.
    kb_list_complete: bool = True
    warnings: list[str] = field(default_factory=list)
    # True when the source says it carries only some facts (the agent's "partial" document, e.g. made
    # from a hotfix list): the facts it lacks are kept as they are and its KBs add to the client's list.
    partial: bool = False


def normalize_kbs(kbs) -> list[str]:
    """Digits only, unique, sorted numerically: the one shape every parser hands back."""
    unique = {str(int(kb)) for kb in kbs}  # int() drops leading zeros so "KB0123" and "KB123" agree
    return sorted(unique, key=int)
