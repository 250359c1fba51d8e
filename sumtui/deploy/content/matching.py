"""Which catalog rows and files an update needs: by product, architecture and the site's languages.

MSRC and the Update Catalog name products differently ("Windows Server 2012 R2 (Server Core
installation)" in MSRC is the "Windows Server 2012 R2" row of the catalog; "Microsoft Office 2013
Service Pack 1 (64-bit editions)" is "Update for Microsoft Office 2013 (KB…) 64-Bit Edition"). So a
row is matched by the words and version numbers of the MSRC product name that its title and
products show, the best-scoring rows win, and a row of another architecture never does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from sumtui.deploy.content.catalog_pages import DialogFile, SearchRow

# Site language names (the update point's setting) and the codes the catalog uses for them. A bare
# code ("en") also takes its regional forms ("en-us", "en-gb"); Chinese is never matched by "zh" alone.
LANGUAGE_CODES = {
    "english": ("en",),
    "french": ("fr",),
    "german": ("de",),
    "italian": ("it",),
    "japanese": ("ja",),
    "spanish": ("es",),
    "chinese (simplified)": ("zh-cn", "zh-hans", "zh-chs", "zh-sg"),
    "chinese (traditional)": ("zh-tw", "zh-hant", "zh-cht", "zh-hk"),
    "korean": ("ko",),
    "portuguese (brazil)": ("pt-br",),
    "russian": ("ru",),
    "dutch": ("nl",),
    "polish": ("pl",),
    "swedish": ("sv",),
}
NEUTRAL = {"", "all", "neutral", "x-none", "none"}

_ARCH_WORDS = (
    (re.compile(r"\barm64\b", re.IGNORECASE), "ARM64"),
    (re.compile(r"\bitanium\b|\bia64\b", re.IGNORECASE), "IA64"),
    (re.compile(r"\bx64\b|\b64-bit\b|\bamd64\b|\bx86_64\b", re.IGNORECASE), "AMD64"),
    (re.compile(r"\bx86\b|\b32-bit\b", re.IGNORECASE), "X86"),
)
_FILE_ARCH = {"amd64": "AMD64", "x64": "AMD64", "x86": "X86", "arm64": "ARM64", "ia64": "IA64"}
_DROP = (
    re.compile(r"\(server core installation\)", re.IGNORECASE),
    re.compile(r"\bservice pack \d+\b|\bsp\d\b", re.IGNORECASE),
    re.compile(r"\bkb\d+\b", re.IGNORECASE),
)
_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*")
_NOISE = {
    "for", "based", "systems", "system", "edition", "editions", "the", "and", "of", "on", "x64", "x86", "32", "64",
    "bit", "arm64", "itanium", "amd64", "installation", "update", "updates", "security", "cumulative", "version",
}


def architecture(text: str) -> str | None:
    """AMD64, X86, ARM64 or IA64 from a product name or a catalog title; None when it does not say."""
    for pattern, arch in _ARCH_WORDS:
        if pattern.search(text):
            return arch
    return None


def _tokens(text: str) -> set[str]:
    for pattern in _DROP:
        text = pattern.sub(" ", text)
    return {t for t in _TOKEN.findall(text.lower()) if t not in _NOISE}


def product_score(product: str, row: SearchRow) -> float:
    """How much of an MSRC product name a catalog row shows (0..1); 0 for another architecture or
    when one of the name's version numbers is missing."""
    wanted, seen = architecture(product), architecture(row.title)
    if wanted and seen and wanted != seen:
        return 0.0
    words = _tokens(product)
    if not words:
        return 0.0
    shown = _tokens(f"{row.title} {row.products}")
    # Versions decide: "Windows 8.1" is not a row of "Windows 10", "Server 2012" not one of "2012 R2".
    if any(any(c.isdigit() for c in w) and w not in shown for w in words):
        return 0.0
    return len(words & shown) / len(words)


def rows_for_products(rows: Sequence[SearchRow], products: Iterable[str], *, floor: float = 0.5) -> dict[str, list[SearchRow]]:
    """For each product name, the rows that show it best (all rows tied at the best score, which
    must reach `floor`); a product no row shows maps to an empty list."""
    matched: dict[str, list[SearchRow]] = {}
    for product in products:
        scored = [(product_score(product, row), row) for row in rows]
        best = max((score for score, _ in scored), default=0.0)
        matched[product] = [row for score, row in scored if best >= floor and score == best]
    return matched


def wanted_codes(languages: Iterable[str]) -> tuple[set[str], set[str]]:
    """(codes, lower-cased names) that a site's language names (or codes) stand for."""
    codes, names = set(), set()
    for language in languages:
        key = language.strip().lower()
        names.add(key)
        codes.update(LANGUAGE_CODES.get(key, (key,)))
    return codes, names


def language_matches(file: DialogFile, languages: Iterable[str] | None) -> bool:
    """A language-neutral file always; otherwise one of whose languages the site wants. None: all."""
    if languages is None:
        return True
    given = {c.lower() for c in file.languages} | {n.lower() for n in file.long_languages}
    if not given or given & NEUTRAL:
        return True
    codes, names = wanted_codes(languages)
    for code in (c.lower() for c in file.languages):
        if code in codes or (code.split("-")[0] in codes and not code.startswith("zh")):
            return True
    return bool({n.lower() for n in file.long_languages} & names)


def architecture_matches(file: DialogFile, wanted: str | None) -> bool:
    """A file for every architecture, or for the one wanted (None: any)."""
    if wanted is None or not file.architectures:
        return True
    given = {_FILE_ARCH.get(a.lower(), a.upper()) for a in file.architectures}
    return wanted in given or bool(given & {"ALL", "NEUTRAL"})
