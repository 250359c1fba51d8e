"""When two catalog rows are the same thing although MSRC spells them differently: product identity
across renames and drifting ids, SubType kinds, and OS builds that are one build (DESIGN.md §2).

- Products are identified by normalized name, not ProductID: case, spacing and a leading "Microsoft "
  do not matter, and a .NET Framework product is its 4.x *line* on its OS. MSRC renames .NET products
  when a version range narrows as older versions retire ("4.6/4.6.1/4.6.2/4.7/4.7.1/4.7.2 on Windows
  Server 2012 R2" became "4.6.2/4.7/4.7.1/4.7.2 on …") and gives them new ids between months, while
  one KB a month keeps servicing the whole in-place line (4.5.x; 4.6 to 4.7.2; 4.8; 4.8.1).
- SubTypes are compared normalised: "Servicing Stack Update" and "ServicingStackUpdate" are one kind.
- Enablement-package siblings (19041 to 19045, 22621 and 22631, …) are one build: they share every
  cumulative update and its revision numbers.
"""

from __future__ import annotations

import re
from functools import lru_cache

_VERSION = re.compile(r"(?<![\d.])(\d+(?:\.\d+)*)(?![\d.])")
# The in-place .NET Framework 4.x lines, each named by its newest version: one update a month services
# every version of a line.
_DOTNET_LINES = (((4, 5), (4, 5, 2), "4.5.2"), ((4, 6), (4, 7, 2), "4.7.2"))


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def dotnet_line(version: str) -> str | None:
    """'4.6.1' → '4.7.2' (the line it belongs to); '4.8' → '4.8'; '3.5' → None (not a 4.x version)."""
    parts = _version(version)
    if parts[:1] != (4,):
        return None
    for low, high, name in _DOTNET_LINES:
        if low <= parts <= high:
            return name
    return ".".join(map(str, parts)) if len(parts) > 1 else "4.0"


def _dotnet_key(text: str) -> str | None:
    """'.net framework 3.5 and 4.8 on windows 10 …' → '.net framework 4.8 on windows 10 …'."""
    if not text.startswith(".net framework"):
        return None
    component, sep, host = text.partition(" on ")
    lines = {line for v in _VERSION.findall(component) if (line := dotnet_line(v))}
    if not lines:
        return None
    newest = max(lines, key=_version)
    return f".net framework {newest}{sep}{host}"


@lru_cache(maxsize=8192)
def product_key(name: str) -> str:
    """Normalized product identity: case, spacing, a leading "Microsoft " and a .NET line's spelling
    do not matter."""
    text = " ".join(name.split()).lower().removeprefix("microsoft ")
    return _dotnet_key(text) or text


def dotnet_versions(name: str) -> set[str]:
    """'.NET Framework 3.5 AND 4.7.2 on …' → {'3.5', '4.7.2'}; '4.6/4.6.1/4.6.2 on …' → each of them."""
    component = " ".join(name.split()).lower().partition(" on ")[0]
    return set(_VERSION.findall(component)) if ".net framework" in component else set()


@lru_cache(maxsize=1024)
def subtype_kind(subtype: str | None) -> str:
    """'Servicing Stack Update' / 'ServicingStackUpdate' → 'servicingstackupdate'; '' when absent."""
    return re.sub(r"[\W_]+", "", (subtype or "").casefold())


# Enablement packages: releases that share one servicing branch (same cumulative updates, same
# revision numbers) count as one build, named here by the branch's first build.
_SIBLINGS = {
    **{b: 18362 for b in (18362, 18363)},
    **{b: 19041 for b in (19041, 19042, 19043, 19044, 19045)},
    **{b: 22621 for b in (22621, 22631)},
    **{b: 26100 for b in (26100, 26200)},
}


@lru_cache(maxsize=4096)
def build_tuple(text: str | None) -> tuple[int, ...] | None:
    """'10.0.17763.1637' → (10, 0, 17763, 1637); None when it is not a dotted build number."""
    if not text or not re.fullmatch(r"\d+(\.\d+){2,3}", text.strip()):
        return None
    return tuple(int(p) for p in text.strip().split("."))


def build_family(build: tuple[int, ...]) -> tuple[int, int, int]:
    """(10, 0, 19045, 3930) → (10, 0, 19041): major, minor and the build its siblings share."""
    major, minor, number = build[:3]
    return major, minor, _SIBLINGS.get(number, number)
