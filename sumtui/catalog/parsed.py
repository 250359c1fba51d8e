"""What one CVRF month says, independent of JSON or XML: the parsers produce it, the store consumes it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sumtui.timeutil import parse_iso

_KB_SPLIT = re.compile(r"[,;\s]+")
# MSRC's "Latest Servicing Stack Updates": an advisory edited in place for years inside the document
# that first published it (2018-Nov), so the KBs it names are dated by its own revision history.
SSU_ADVISORY = "ADV990001"


def split_kbs(text: str | None) -> tuple[str, ...]:
    """'4486717; KB4486744' → ('4486717', '4486744'): the KBs a Supercedence field names."""
    out: list[str] = []
    for part in _KB_SPLIT.split(text or ""):
        part = part.strip().upper().removeprefix("KB")
        if _is_kb(part) and part not in out:
            out.append(part)
    return tuple(out)


def kb_number(description: str | None) -> str | None:
    """A remediation's KB when its description is a KB number ('4592484'), else None (an advisory)."""
    text = (description or "").strip()
    return text if _is_kb(text) else None


def latest_revision(dates: Iterable[str | None]) -> datetime | None:
    """The newest of a RevisionHistory's dates (MSRC does not keep them in order); None when none parses."""
    newest = None
    for text in dates:
        try:
            when = parse_iso(text)
        except (OverflowError, ValueError):  # a year-1 date shifted out of range by its zone
            continue
        if when is not None and (newest is None or when > newest):
            newest = when
    return newest


def _is_kb(text: str) -> bool:
    # ASCII digits only: str.isdigit() also accepts "²" or "４５９", which int() and SQL casts reject.
    return text.isascii() and text.isdigit()


@dataclass(frozen=True)
class Fact:
    """One (KB, product) update as one CVE's vendor fix describes it."""

    kb: str
    product_id: str
    cve: str
    severity: str | None
    impact: str | None
    subtype: str | None
    restart: str | None
    url: str | None
    fixed_build: str | None
    supersedes: tuple[str, ...]
    cve_revised: datetime | None = None  # the CVE entry's latest RevisionHistory date in this document


@dataclass(frozen=True)
class Advisory:
    """A vendor fix without a KB ("Release Notes", "Click to Run"): kept on the CVE, not an update."""

    description: str
    url: str | None
    subtype: str | None
    products: tuple[str, ...]


SEVERITY_RANK = {"Low": 1, "Moderate": 2, "Important": 3, "Critical": 4}


class Threats:
    """One CVE's severity and impact per product, as its threats say (the worst severity wins)."""

    def __init__(self) -> None:
        self._severity: dict[str, tuple[int, str]] = {}
        self._impact: dict[str, str] = {}

    def add(self, kind: str, text: str, products: list[str]) -> None:
        for pid in products:
            if kind == "severity":
                rank = SEVERITY_RANK.get(text, 0)
                if rank >= self._severity.get(pid, (0, ""))[0]:
                    self._severity[pid] = (rank, text)
            elif kind == "impact":
                self._impact[pid] = text

    def severity(self, pid: str) -> str | None:
        return self._severity.get(pid, (0, None))[1]

    def impact(self, pid: str) -> str | None:
        return self._impact.get(pid)


@dataclass(frozen=True)
class VendorFix:
    """A vendor-fix remediation as either format spells it."""

    description: str | None
    products: list[str]
    subtype: str | None
    restart: str | None
    url: str | None
    fixed_build: str | None
    supercedence: str | None


@dataclass
class ParsedVulnerability:
    cve: str
    title: str | None
    advisories: list[Advisory] = field(default_factory=list)
    revised: datetime | None = None  # the newest date of the entry's own RevisionHistory


@dataclass
class ParsedProduct:
    id: str
    name: str
    family: str | None


@dataclass
class ParsedMonth:
    id: str
    alias: str | None
    title: str | None
    initial_release: datetime | None
    current_release: datetime | None
    products: dict[str, ParsedProduct] = field(default_factory=dict)
    vulnerabilities: list[ParsedVulnerability] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)

    @property
    def update_keys(self) -> set[tuple[str, str]]:
        return {(f.kb, f.product_id) for f in self.facts}

    def add_vendor_fix(self, vulnerability: ParsedVulnerability, threats: Threats, fix: VendorFix) -> None:
        """An update per product when the fix names a KB; an advisory on the CVE when it does not."""
        kb = kb_number(fix.description)
        if kb is None:
            if fix.description:
                vulnerability.advisories.append(Advisory(fix.description.strip(), fix.url, fix.subtype, tuple(fix.products)))
            return
        supersedes = split_kbs(fix.supercedence)
        for pid in fix.products:
            self.facts.append(Fact(
                kb=kb, product_id=pid, cve=vulnerability.cve, severity=threats.severity(pid), impact=threats.impact(pid),
                subtype=fix.subtype, restart=fix.restart, url=fix.url, fixed_build=fix.fixed_build, supersedes=supersedes,
                cve_revised=vulnerability.revised,
            ))
