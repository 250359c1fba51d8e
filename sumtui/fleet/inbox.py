"""Components that ship inside an OS release: its in-box .NET Framework, Internet Explorer, EdgeHTML
Edge and Windows Defender.

Compliance needs this (DESIGN.md §2, rule 1): a client "has" the MSRC products for these components
without any KB or agent report naming them — "Internet Explorer 11 on Windows Server 2012 R2",
"Microsoft .NET Framework 4.7.2 on Windows 10 Version 1809 for x64-based Systems", "Microsoft Edge
(EdgeHTML-based)". The facts are per OS release (family + version), so every architecture and the
Server Core names of a release share them.

Sources, per fact:
- .NET: Microsoft Learn, ".NET Framework versions and dependencies" (the "included in" column:
  Server 2008 SP2 → 2.0 and 3.0 (with IE 7); 7 SP1/2008 R2 SP1 → 3.5.1; 8/2012 → 4.5;
  8.1/2012 R2 → 4.5.1; 10 1507 → 4.6; 1511 → 4.6.1; 1607/Server 2016 → 4.6.2; 1703 → 4.7; 1709 → 4.7.1; 1803, 1809/Server 2019 → 4.7.2; 1903 to 22H2,
  Windows 11 21H2, Server 2022 → 4.8; Windows 11 22H2 and later, Server 23H2, Server 2025 → 4.8.1).
  .NET 3.5 is an optional feature (Features on Demand) on 8/2012 and later: listed separately, since
  it is not present until someone turns it on.
- Internet Explorer: 7 SP1 and 2008 R2 SP1 ship IE 8 (IE 9-11 are separate installs); Server 2012
  ships IE 10; 8.1/2012 R2 and every Windows 10 and Server 2016-2022 ship IE 11. Windows 11 has no
  IE 11 application (MSHTML fixes come in the OS product) and neither does Server 2025; Server Core
  semi-annual releases have no IE.
- EdgeHTML Edge: Windows 10 1507 to 2004 client releases (20H2 and later ship Chromium Edge, and the
  April 2021 cumulative update removed EdgeHTML Edge from older ones); never on Server; not in the
  LTSB/LTSC editions.
- Windows Defender: ships in Windows 7 (antispyware), 8.1, 10, 11 and Server 2016 and later; not in
  Server 2008 R2, 2012 or 2012 R2 (those need System Center Endpoint Protection).
"""

from __future__ import annotations

from dataclasses import dataclass

from sumtui.fleet.osmap import product_info


@dataclass(frozen=True)
class InboxComponents:
    dotnet: tuple[str, ...] = ()           # in-box .NET Framework version(s), e.g. ("4.7.2",)
    dotnet_optional: tuple[str, ...] = ()  # shipped as an optional feature: ("3.5",)
    internet_explorer: str | None = None   # in-box IE version: "11", "10", "8"; None when there is none
    edge_html: bool = False                # Microsoft Edge (EdgeHTML-based)
    defender: bool = False                 # Windows Defender / Microsoft Defender Antivirus


_FOD35 = ("3.5",)

# (family, version) → components. Keys follow osmap's OsMatch.family / OsMatch.version.
_TABLE: dict[tuple[str, str | None], InboxComponents] = {
    ("Windows 7", "SP1"): InboxComponents(("3.5.1",), (), "8", False, True),
    ("Windows Server 2008", "SP2"): InboxComponents(("2.0", "3.0"), (), "7", False, False),
    ("Windows Server 2008 R2", "SP1"): InboxComponents(("3.5.1",), (), "8", False, False),
    ("Windows Server 2012", None): InboxComponents(("4.5",), _FOD35, "10", False, False),
    ("Windows 8.1", None): InboxComponents(("4.5.1",), _FOD35, "11", False, True),
    ("Windows Server 2012 R2", None): InboxComponents(("4.5.1",), _FOD35, "11", False, False),
    ("Windows 10", "1507"): InboxComponents(("4.6",), _FOD35, "11", True, True),
    ("Windows 10", "1511"): InboxComponents(("4.6.1",), _FOD35, "11", True, True),
    ("Windows 10", "1607"): InboxComponents(("4.6.2",), _FOD35, "11", True, True),
    ("Windows Server 2016", "1607"): InboxComponents(("4.6.2",), _FOD35, "11", False, True),
    ("Windows 10", "1703"): InboxComponents(("4.7",), _FOD35, "11", True, True),
    ("Windows 10", "1709"): InboxComponents(("4.7.1",), _FOD35, "11", True, True),
    ("Windows Server", "1709"): InboxComponents(("4.7.1",), _FOD35, None, False, True),
    ("Windows 10", "1803"): InboxComponents(("4.7.2",), _FOD35, "11", True, True),
    ("Windows Server", "1803"): InboxComponents(("4.7.2",), _FOD35, None, False, True),
    ("Windows 10", "1809"): InboxComponents(("4.7.2",), _FOD35, "11", True, True),
    ("Windows Server 2019", "1809"): InboxComponents(("4.7.2",), _FOD35, "11", False, True),
    **{("Windows 10", v): InboxComponents(("4.8",), _FOD35, "11", True, True) for v in ("1903", "1909", "2004")},
    **{("Windows 10", v): InboxComponents(("4.8",), _FOD35, "11", False, True)
       for v in ("20H2", "21H1", "21H2", "22H2")},
    **{("Windows Server", v): InboxComponents(("4.8",), _FOD35, None, False, True)
       for v in ("1903", "1909", "2004", "20H2")},
    ("Windows 11", "21H2"): InboxComponents(("4.8",), _FOD35, None, False, True),
    **{("Windows 11", v): InboxComponents(("4.8.1",), _FOD35, None, False, True)
       for v in ("22H2", "23H2", "24H2", "25H2")},
    ("Windows Server 2022", "21H2"): InboxComponents(("4.8",), _FOD35, "11", False, True),
    ("Windows Server", "23H2"): InboxComponents(("4.8.1",), _FOD35, None, False, True),
    ("Windows Server 2025", "24H2"): InboxComponents(("4.8.1",), _FOD35, None, False, True),
}

_NONE = InboxComponents()


def inbox_components(os_product: str, edition: str | None = None) -> InboxComponents:
    """What ships with the OS behind a catalog product name; nothing for a product we do not know.

    `edition` matters only for Windows 10 LTSB/LTSC, which ships without EdgeHTML Edge.
    """
    match = product_info(os_product)
    if match is None:
        return _NONE
    found = _TABLE.get((match.family, match.version), _NONE)
    if found.edge_html and edition and "LTSC" in edition:
        return InboxComponents(found.dotnet, found.dotnet_optional, found.internet_explorer, False, found.defender)
    return found
