"""Which catalog product a machine runs: OS facts from an inventory → the MSRC CVRF product name.

MSRC names one product per (OS release, architecture) — "Windows 10 Version 1809 for x64-based
Systems", "Windows Server 2019" — and compliance matches updates to clients by that exact name, so
the table below spells every name the way `ProductTree.FullProductName` does (checked against real
documents: 2017-Jan, 2020-Dec and later months' product trees), including its oddities: the lower-case
"systems" of Windows 8.1, the lower-case "version" of Windows 11 21H2, "Installation" capitalised
for some Server semi-annual releases.

The release is told by the build number (10.0.17763 is 1809 whatever the edition or language);
workstation or server by the OS name ("Windows Server …" is never translated) or the caller's flag.
Editions do not matter: Enterprise, Education, LTSC and IoT builds take the same updates as Pro.
Server Core cannot be told from systeminfo, so servers map to the full installation's product; the
Core product names are kept as aliases so `product_info` understands them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_ARCH_WORDS = {"x86": "32-bit", "x64": "x64-based", "arm64": "ARM64-based"}


@dataclass(frozen=True)
class OsMatch:
    product: str                 # exact MSRC product name: "Windows 10 Version 1809 for x64-based Systems"
    family: str                  # "Windows 10", "Windows Server 2019", "Windows Server" (semi-annual)
    version: str | None          # feature-update or service-pack label: "1809", "24H2", "SP1"; None for 8.1/2012
    build: int                   # 17763
    is_server: bool
    architecture: str            # "x64" | "x86" | "arm64"
    aliases: tuple[str, ...] = ()  # other names MSRC used for the same product (renames, Server Core)


@dataclass(frozen=True)
class _Release:
    kernel: str                  # "10.0": the major.minor a real build of this release reports
    family: str
    version: str | None
    names: dict[str, str]        # architecture → product name
    aliases: dict[str, tuple[str, ...]]


def _win10(version: str, arm64: bool) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    archs = ("x86", "x64", "arm64") if arm64 else ("x86", "x64")
    # 1507 never had a version in its name: MSRC calls it plain "Windows 10 for x64-based Systems".
    stem = "Windows 10" if version == "1507" else f"Windows 10 Version {version}"
    return {a: f"{stem} for {_ARCH_WORDS[a]} Systems" for a in archs}, {}


def _win11(version: str) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    names = {a: f"Windows 11 Version {version} for {_ARCH_WORDS[a]} Systems" for a in ("x64", "arm64")}
    aliases: dict[str, tuple[str, ...]] = {}
    if version == "21H2":
        # Launched as "Windows 11 for x64-based Systems" (Oct 2021), renamed with a lower-case "version".
        names = {a: f"Windows 11 version 21H2 for {_ARCH_WORDS[a]} Systems" for a in ("x64", "arm64")}
        aliases = {a: (f"Windows 11 for {_ARCH_WORDS[a]} Systems",) for a in ("x64", "arm64")}
    return names, aliases


def _release(kernel, family, version, names_aliases) -> _Release:
    names, aliases = names_aliases
    return _Release(kernel, family, version, names, aliases)


_W10_VERSIONS = {
    10240: "1507", 10586: "1511", 14393: "1607", 15063: "1703", 16299: "1709", 17134: "1803",
    17763: "1809", 18362: "1903", 18363: "1909", 19041: "2004", 19042: "20H2", 19043: "21H1",
    19044: "21H2", 19045: "22H2",
}
_W11_VERSIONS = {22000: "21H2", 22621: "22H2", 22631: "23H2", 26100: "24H2", 26200: "25H2"}

_WORKSTATION: dict[int, _Release] = {
    7601: _release("6.1", "Windows 7", "SP1", ({
        "x86": "Windows 7 for 32-bit Systems Service Pack 1",
        "x64": "Windows 7 for x64-based Systems Service Pack 1"}, {})),
    9600: _release("6.3", "Windows 8.1", None, ({
        "x86": "Windows 8.1 for 32-bit systems",
        "x64": "Windows 8.1 for x64-based systems"}, {})),
    # ARM64 builds of Windows 10 exist from 1709 on; Windows 11 has no 32-bit edition.
    **{b: _release("10.0", "Windows 10", v, _win10(v, arm64=b >= 16299)) for b, v in _W10_VERSIONS.items()},
    **{b: _release("10.0", "Windows 11", v, _win11(v)) for b, v in _W11_VERSIONS.items()},
}


def _server(kernel, family, version, product, *, core_only=False, archs=("x64",)) -> _Release:
    if core_only:
        # Semi-annual / annual channel servers exist only as Server Core: the Core name is the product.
        return _Release(kernel, family, version, {a: product for a in archs}, {})
    names = {a: product for a in archs}
    return _Release(kernel, family, version, names, {a: (f"{product} (Server Core installation)",) for a in archs})


_SERVER: dict[int, _Release] = {
    6002: _Release("6.0", "Windows Server 2008", "SP2", {
        "x86": "Windows Server 2008 for 32-bit Systems Service Pack 2",
        "x64": "Windows Server 2008 for x64-based Systems Service Pack 2"}, {
        "x86": ("Windows Server 2008 for 32-bit Systems Service Pack 2 (Server Core installation)",),
        "x64": ("Windows Server 2008 for x64-based Systems Service Pack 2 (Server Core installation)",)}),
    7601: _server("6.1", "Windows Server 2008 R2", "SP1",
                  "Windows Server 2008 R2 for x64-based Systems Service Pack 1"),
    9200: _server("6.2", "Windows Server 2012", None, "Windows Server 2012"),
    9600: _server("6.3", "Windows Server 2012 R2", None, "Windows Server 2012 R2"),
    14393: _server("10.0", "Windows Server 2016", "1607", "Windows Server 2016"),
    16299: _server("10.0", "Windows Server", "1709", "Windows Server, version 1709 (Server Core Installation)",
                   core_only=True),
    17134: _server("10.0", "Windows Server", "1803", "Windows Server, version 1803 (Server Core Installation)",
                   core_only=True),
    17763: _server("10.0", "Windows Server 2019", "1809", "Windows Server 2019"),
    18362: _server("10.0", "Windows Server", "1903", "Windows Server, version 1903 (Server Core installation)",
                   core_only=True),
    18363: _server("10.0", "Windows Server", "1909", "Windows Server, version 1909 (Server Core installation)",
                   core_only=True),
    19041: _server("10.0", "Windows Server", "2004", "Windows Server, version 2004 (Server Core installation)",
                   core_only=True),
    19042: _server("10.0", "Windows Server", "20H2", "Windows Server, version 20H2 (Server Core Installation)",
                   core_only=True),
    20348: _server("10.0", "Windows Server 2022", "21H2", "Windows Server 2022"),
    25398: _server("10.0", "Windows Server", "23H2", "Windows Server 2022, 23H2 Edition (Server Core installation)",
                   core_only=True),
    26100: _server("10.0", "Windows Server 2025", "24H2", "Windows Server 2025"),
}

_BUILD = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{3,6})(?:\.(\d{1,7}))?\s*$")


def parse_build(build: str | None) -> tuple[str, int, int | None] | None:
    """("10.0", 17763, 3287) from "10.0.17763.3287"; the revision is None when absent."""
    match = _BUILD.match(build or "")
    if not match:
        return None
    major, minor, number, revision = match.groups()
    return f"{int(major)}.{int(minor)}", int(number), int(revision) if revision else None


def normalize_architecture(value: str | None) -> str | None:
    """"x64" / "x86" / "arm64" from the spellings tools use (AMD64, X64-based PC, x86, 32-bit, ARM64 …)."""
    if not value:
        return None
    low = value.strip().lower()
    if low in ("x64", "amd64", "x86_64", "64-bit", "em64t"):
        return "x64"
    if low in ("x86", "i386", "i686", "32-bit"):
        return "x86"
    if low in ("arm64", "aarch64"):
        return "arm64"
    return architecture_from_system_type(value)


_SYSTEM_TYPE = re.compile(r"\b(x64|x86|arm64|amd64)\b", re.IGNORECASE)


def architecture_from_system_type(value: str | None) -> str | None:
    """"x64" from systeminfo's "x64-based PC" (also "X86-based PC", "ARM64-based PC"; localized values
    keep these tokens). Note systeminfo reports the OS's architecture: 32-bit Windows on 64-bit
    hardware says "X86-based PC", which is what update applicability needs."""
    if not value:
        return None
    match = _SYSTEM_TYPE.search(value)
    if not match:
        return None
    token = match.group(1).lower()
    return "x64" if token == "amd64" else token


def is_server_os_name(os_name: str | None) -> bool | None:
    """Server editions keep the English "Windows Server" in every language; None without a name."""
    if not os_name:
        return None
    return bool(re.search(r"\bserver\b", os_name, re.IGNORECASE))


# Every agent report maps its OS: a fleet has few distinct (name, build, architecture) combinations.
@lru_cache(maxsize=4096)
def map_os(*, os_name: str | None, build: str | None, architecture: str | None,
           is_server: bool | None) -> OsMatch | None:
    """The catalog product of a machine, or None when the OS is not one sumtui knows (kept "unmapped").

    A workstation needs its architecture (the product name carries it); servers from 2008 R2 on are
    x64-only, so a server with an unknown architecture still maps.
    """
    parsed = parse_build(build)
    if parsed is None:
        return None
    kernel, number, _revision = parsed
    if is_server is None:
        is_server = is_server_os_name(os_name)
    if is_server is None:
        # No name and no flag: only a build that exists on one side only can be placed.
        in_ws, in_srv = number in _WORKSTATION, number in _SERVER
        if in_ws == in_srv:
            return None
        is_server = in_srv
    release = (_SERVER if is_server else _WORKSTATION).get(number)
    if release is None or release.kernel != kernel:
        return None
    arch = normalize_architecture(architecture)
    if arch is None and is_server and tuple(release.names) == ("x64",):
        arch = "x64"
    product = release.names.get(arch) if arch else None
    if product is None:
        return None
    return OsMatch(product=product, family=release.family, version=release.version, build=number,
                   is_server=is_server, architecture=arch, aliases=release.aliases.get(arch, ()))


def _all_products() -> tuple[OsMatch, ...]:
    found = []
    for is_server, table in ((False, _WORKSTATION), (True, _SERVER)):
        for number, release in table.items():
            for arch, product in release.names.items():
                found.append(OsMatch(product, release.family, release.version, number, is_server, arch,
                                     release.aliases.get(arch, ())))
    return tuple(found)


PRODUCTS: tuple[OsMatch, ...] = _all_products()


def _key(name: str) -> str:
    # MSRC's own spellings vary in case and spacing ("Windows Server 2016  (Server Core installation)").
    return " ".join(name.split()).casefold()


_BY_NAME: dict[str, OsMatch] = {}
for _match in PRODUCTS:
    for _name in (_match.product, *_match.aliases):
        _BY_NAME.setdefault(_key(_name), _match)


def product_info(product: str | None) -> OsMatch | None:
    """The OS release behind a catalog product name (its aliases and Server Core names included)."""
    if not product:
        return None
    return _BY_NAME.get(_key(product))


# Words that name an edition in OS names, most specific first. Localized names mostly keep the English
# edition ("Windows 10 Pro", "Windows 7 Ultimate N"); the others are the translations Windows uses.
_EDITIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("IoT LTSC", ("iot enterprise ltsc", "iot enterprise ltsb", "iot 企业版 ltsc")),
    ("LTSC", ("ltsc", "ltsb", "долгосрочным обслуживанием")),
    ("Datacenter", ("datacenter", "centre de données", "centro de datos")),
    ("Standard", ("standard", "estándar", "стандартная")),
    ("Essentials", ("essentials",)),
    ("Foundation", ("foundation",)),
    ("Pro Education", ("pro education", "pro 教育版", "專業教育版", "professionnel éducation")),
    ("Pro for Workstations", ("pro for workstations", "专业工作站版", "pro pour les stations de travail")),
    ("Education", ("education", "教育版", "éducation", "educación", "educação", "для образовательных")),
    ("Enterprise", ("enterprise", "企业版", "企業版", "entreprise", "empresa", "корпоративная")),
    ("Ultimate", ("ultimate", "旗舰版", "旗艦版", "intégrale", "максимальная")),
    ("Home", ("home", "家庭", "家用", "famille", "домашняя", "hogar")),
    ("Starter", ("starter", "начальная")),
    ("Pro", ("professional", "professionnel", "profesional", "profissional", "professionale", "pro",
             "专业版", "專業版", "профессиональная")),
)


@lru_cache(maxsize=4096)
def edition_from_os_name(os_name: str | None) -> str | None:
    """"Enterprise", "Pro", "LTSC", "Ultimate", "Standard" … from an OS name in any language we know.

    "Microsoft Windows 10 企业版 LTSC" → "LTSC" (the channel decides its lifecycle, not "Enterprise");
    "Microsoft Windows 7 Ultimate N" → "Ultimate" (N and KN variants are the same edition).
    """
    if not os_name:
        return None
    low = f" {' '.join(os_name.split()).casefold()} "
    for edition, words in _EDITIONS:
        for word in words:
            if word.isascii():
                if re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", low):
                    return edition
            elif word in low:
                return edition
    return None
