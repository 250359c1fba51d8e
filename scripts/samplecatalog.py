"""Sample MSRC CVRF months for sumtui: the bundled demo catalog and benchmark-sized mirrors.

The documents are written in the exact JSON shape of the MSRC CVRF API (`GET cvrf/{ID}` with
`Accept: application/json`) and its index (`GET updates`), but their contents are ours: KB numbers,
CVE IDs, product names and ProductIDs follow Microsoft's public naming (real ones where known), the
rest is invented. Output is deterministic: the same arguments give the same bytes on every run.

    python scripts/samplecatalog.py --demo data/catalog            # 2024-Jul … 2024-Dec, small
    python scripts/samplecatalog.py --bench OUT_DIR --months 12    # 2025-Jan …, 1.3–3.2 MB each

The demo months deliberately carry the patterns the compliance rules (DESIGN.md §2) exist for:
supersedence chains that break, Security Only updates that nothing supersedes, Internet Explorer
products that only appear in months with an IE CVE, FixedBuild values that are not OS builds, a
.NET ProductID that drifts, servicing stack updates listed in ADV990001, a month revised after
release. `DEMO_QUIRKS` lists them; the tests check them.

Library use (the file is not in a package, load it by path): `build_month`, `dump`, `write_demo`,
`write_bench_mirror`, `index_document`, `chain_breaks`.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

API = "https://api.msrc.microsoft.com/cvrf/v3.0/"
DEMO_MONTHS = ("2024-Jul", "2024-Aug", "2024-Sep", "2024-Oct", "2024-Nov", "2024-Dec")
BENCH_START = "2025-Jan"
_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_FULL = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
         "October", "November", "December")

# --------------------------------------------------------------------------------------------
# Months


def parse_month(month_id: str) -> tuple[int, int]:
    year, abbr = month_id.split("-")
    return int(year), _ABBR.index(abbr) + 1


def ordinal(month_id: str) -> int:
    year, month = parse_month(month_id)
    return year * 12 + month - 1


def shift(month_id: str, months: int) -> str:
    year, index = divmod(ordinal(month_id) + months, 12)
    return f"{year}-{_ABBR[index]}"


def patch_tuesday(month_id: str) -> date:
    year, month = parse_month(month_id)
    first = date(year, month, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7)


def stamp(day: date) -> str:
    """MSRC publishes at midnight Pacific: 07:00Z under US daylight saving time, 08:00Z otherwise."""
    march, november = date(day.year, 3, 1), date(day.year, 11, 1)
    dst_start = march + timedelta(days=(6 - march.weekday()) % 7 + 7)
    dst_end = november + timedelta(days=(6 - november.weekday()) % 7)
    return f"{day.isoformat()}T{'07' if dst_start <= day < dst_end else '08'}:00:00Z"


# --------------------------------------------------------------------------------------------
# Products. `series` says what fixes a product: a KB series ("cu:1809"), a component on an OS
# ("ie@esu:2012r2": IE Cumulative plus the OS rollup; "ie@cu:1607": the OS cumulative update) or,
# for "@…", a vendor fix without a KB (an advisory). `build` is the OS build for Windows products,
# the framework or product version for others. Names are MSRC's, double spaces included.

_PRODUCTS = """
10729       | Windows 10 for 32-bit Systems                                 | Windows | cu:1507 | 10.0.10240 | bench
10735       | Windows 10 for x64-based Systems                              | Windows | cu:1507 | 10.0.10240 | bench
10852       | Windows 10 Version 1607 for 32-bit Systems                    | Windows | cu:1607 | 10.0.14393 | bench
10853       | Windows 10 Version 1607 for x64-based Systems                 | Windows | cu:1607 | 10.0.14393 | demo
10816       | Windows Server 2016                                           | Windows | cu:1607 | 10.0.14393 | demo
10855       | Windows Server 2016  (Server Core installation)               | Windows | cu:1607 | 10.0.14393 | bench
11568       | Windows 10 Version 1809 for 32-bit Systems                    | Windows | cu:1809 | 10.0.17763 | bench
11569       | Windows 10 Version 1809 for x64-based Systems                 | Windows | cu:1809 | 10.0.17763 | demo
11570       | Windows 10 Version 1809 for ARM64-based Systems               | Windows | cu:1809 | 10.0.17763 | bench
11571       | Windows Server 2019                                           | Windows | cu:1809 | 10.0.17763 | demo
11572       | Windows Server 2019  (Server Core installation)               | Windows | cu:1809 | 10.0.17763 | bench
11929       | Windows 10 Version 21H2 for 32-bit Systems                    | Windows | cu:win10 | 10.0.19044 | bench
11930       | Windows 10 Version 21H2 for ARM64-based Systems               | Windows | cu:win10 | 10.0.19044 | bench
11931       | Windows 10 Version 21H2 for x64-based Systems                 | Windows | cu:win10 | 10.0.19044 | bench
12097       | Windows 10 Version 22H2 for x64-based Systems                 | Windows | cu:win10 | 10.0.19045 | demo
12098       | Windows 10 Version 22H2 for ARM64-based Systems               | Windows | cu:win10 | 10.0.19045 | bench
12099       | Windows 10 Version 22H2 for 32-bit Systems                    | Windows | cu:win10 | 10.0.19045 | bench
12085       | Windows 11 Version 22H2 for ARM64-based Systems               | Windows | cu:win11 | 10.0.22621 | bench
12086       | Windows 11 Version 22H2 for x64-based Systems                 | Windows | cu:win11 | 10.0.22621 | demo
12242       | Windows 11 Version 23H2 for ARM64-based Systems               | Windows | cu:win11 | 10.0.22631 | bench
12243       | Windows 11 Version 23H2 for x64-based Systems                 | Windows | cu:win11 | 10.0.22631 | demo
12389       | Windows 11 Version 24H2 for ARM64-based Systems               | Windows | cu:24h2 | 10.0.26100 | bench
12390       | Windows 11 Version 24H2 for x64-based Systems                 | Windows | cu:24h2 | 10.0.26100 | demo
12436       | Windows Server 2025                                           | Windows | cu:24h2 | 10.0.26100 | demo
12437       | Windows Server 2025 (Server Core installation)                | Windows | cu:24h2 | 10.0.26100 | bench
11923       | Windows Server 2022                                           | Windows | cu:ws2022 | 10.0.20348 | demo
11924       | Windows Server 2022 (Server Core installation)                | Windows | cu:ws2022 | 10.0.20348 | bench
12244       | Windows Server 2022, 23H2 Edition (Server Core installation)  | Windows | cu:ws2022-23h2 | 10.0.25398 | bench
10483       | Windows Server 2012 R2                                        | ESU | esu:2012r2 | 6.3.9600 | demo
10543       | Windows Server 2012 R2 (Server Core installation)             | ESU | esu:2012r2 | 6.3.9600 | bench
10378       | Windows Server 2012                                           | ESU | esu:2012 | 6.2.9200 | demo
10379       | Windows Server 2012 (Server Core installation)                | ESU | esu:2012 | 6.2.9200 | bench
10051       | Windows Server 2008 R2 for x64-based Systems Service Pack 1   | ESU | esu:2008r2 | 6.1.7601 | demo
10049       | Windows Server 2008 R2 for x64-based Systems Service Pack 1 (Server Core installation) | ESU | esu:2008r2 | 6.1.7601 | bench
10048       | Windows 7 for x64-based Systems Service Pack 1                | ESU | esu:2008r2 | 6.1.7601 | demo
10047       | Windows 7 for 32-bit Systems Service Pack 1                   | ESU | esu:2008r2 | 6.1.7601 | bench
9312        | Windows Server 2008 for 32-bit Systems Service Pack 2         | ESU | esu:2008 | 6.0.6003 | bench
9318        | Windows Server 2008 for x64-based Systems Service Pack 2      | ESU | esu:2008 | 6.0.6003 | bench
9344        | Windows Server 2008 for x64-based Systems Service Pack 2 (Server Core installation) | ESU | esu:2008 | 6.0.6003 | bench
10287       | Windows Server 2008 for 32-bit Systems Service Pack 2 (Server Core installation) | ESU | esu:2008 | 6.0.6003 | bench
10412-10483 | Internet Explorer 11 on Windows Server 2012 R2                | Browser | ie@esu:2012r2 | 6.3.9600 | demo
10412-10378 | Internet Explorer 11 on Windows Server 2012                   | Browser | ie@esu:2012 | 6.2.9200 | demo
10412-10051 | Internet Explorer 11 on Windows Server 2008 R2 for x64-based Systems Service Pack 1 | Browser | ie@esu:2008r2 | 6.1.7601 | demo
10412-10048 | Internet Explorer 11 on Windows 7 for x64-based Systems Service Pack 1 | Browser | ie@esu:2008r2 | 6.1.7601 | demo
10412-10047 | Internet Explorer 11 on Windows 7 for 32-bit Systems Service Pack 1 | Browser | ie@esu:2008r2 | 6.1.7601 | bench
10412-10816 | Internet Explorer 11 on Windows Server 2016                   | Browser | ie@cu:1607 | 10.0.14393 | demo
10412-10735 | Internet Explorer 11 on Windows 10 for x64-based Systems      | Browser | ie@cu:1507 | 10.0.10240 | bench
10412-10853 | Internet Explorer 11 on Windows 10 Version 1607 for x64-based Systems | Browser | ie@cu:1607 | 10.0.14393 | bench
10412-10852 | Internet Explorer 11 on Windows 10 Version 1607 for 32-bit Systems | Browser | ie@cu:1607 | 10.0.14393 | bench
10412-11571 | Internet Explorer 11 on Windows Server 2019                   | Browser | ie@cu:1809 | 10.0.17763 | bench
10412-11569 | Internet Explorer 11 on Windows 10 Version 1809 for x64-based Systems | Browser | ie@cu:1809 | 10.0.17763 | bench
11655       | Microsoft Edge (Chromium-based)                               | Browser | @edge | - | demo
11954       | Microsoft .NET Framework 4.8 on Windows 10 Version 1809 for x64-based Systems | Developer Tools | net:1809 | 4.8 | demo
12418       | Microsoft .NET Framework 4.8 on Windows 10 Version 1809 for x64-based Systems | Developer Tools | net:1809 | 4.8 | demo
11955       | Microsoft .NET Framework 4.8 on Windows Server 2019           | Developer Tools | net:1809 | 4.8 | demo
11940       | Microsoft .NET Framework 4.8 on Windows Server 2016           | Developer Tools | net:1607 | 4.8 | demo
12140       | Microsoft .NET Framework 3.5 AND 4.8 on Windows 10 Version 22H2 for x64-based Systems | Developer Tools | net:win10 | 4.8 | demo
12281       | Microsoft .NET Framework 3.5 AND 4.8.1 on Windows 11 Version 23H2 for x64-based Systems | Developer Tools | net:win11 | 4.8.1 | demo
12166       | Microsoft .NET Framework 4.8.1 on Windows Server 2022         | Developer Tools | net:ws2022 | 4.8.1 | demo
11941       | Microsoft .NET Framework 4.8 on Windows Server 2012 R2        | Developer Tools | net:2012r2 | 4.8 | demo
12272       | .NET 8.0                                                      | Developer Tools | @dotnet | 8.0 | demo
12336       | Microsoft Visual Studio 2022 version 17.10                    | Developer Tools | @vs | 17.10 | demo
12159       | .NET 6.0                                                      | Developer Tools | @dotnet | 6.0 | bench
12420       | .NET 9.0                                                      | Developer Tools | @dotnet | 9.0 | bench
12177       | Microsoft Visual Studio 2022 version 17.8                     | Developer Tools | @vs | 17.8 | bench
12265       | Microsoft Visual Studio 2022 version 17.6                     | Developer Tools | @vs | 17.6 | bench
12405       | Microsoft Visual Studio 2022 version 17.11                    | Developer Tools | @vs | 17.11 | bench
11935       | Microsoft Visual Studio 2019 version 16.11 (includes 16.0 - 16.10) | Developer Tools | @vs | 16.11 | bench
11600       | Microsoft Visual Studio 2017 version 15.9 (includes 15.0 - 15.8) | Developer Tools | @vs | 15.9 | bench
11901       | Visual Studio Code                                            | Developer Tools | @devrel | - | demo
12312       | PowerShell 7.4                                                | Developer Tools | @devrel | - | bench
12170       | Azure DevOps Server 2022                                      | Developer Tools | @devrel | - | bench
12354       | Azure DevOps Server 2022.2                                    | Developer Tools | @devrel | - | bench
11762       | Microsoft 365 Apps for Enterprise for 32-bit Systems          | Microsoft Office | @c2r | - | demo
11763       | Microsoft 365 Apps for Enterprise for 64-bit Systems          | Microsoft Office | @c2r | - | demo
11573       | Microsoft Office 2019 for 32-bit editions                     | Microsoft Office | @c2r | - | demo
11574       | Microsoft Office 2019 for 64-bit editions                     | Microsoft Office | @c2r | - | demo
11952       | Microsoft Office LTSC 2021 for 64-bit editions                | Microsoft Office | @c2r | - | demo
11953       | Microsoft Office LTSC 2021 for 32-bit editions                | Microsoft Office | @c2r | - | demo
12364       | Microsoft Office LTSC 2024 for 64-bit editions                | Microsoft Office | @c2r | - | bench
12365       | Microsoft Office LTSC 2024 for 32-bit editions                | Microsoft Office | @c2r | - | bench
11575       | Microsoft Office 2019 for Mac                                 | Microsoft Office | @mac | - | demo
12002       | Microsoft Office LTSC for Mac 2021                            | Microsoft Office | @mac | - | bench
12366       | Microsoft Office LTSC for Mac 2024                            | Microsoft Office | @mac | - | bench
10753       | Microsoft Office 2016 (32-bit edition)                        | Microsoft Office | office:2016 | 16.0 | demo
10754       | Microsoft Office 2016 (64-bit edition)                        | Microsoft Office | office:2016 | 16.0 | demo
10739       | Microsoft Excel 2016 (32-bit edition)                         | Microsoft Office | excel:2016 | 16.0 | demo
10740       | Microsoft Excel 2016 (64-bit edition)                         | Microsoft Office | excel:2016 | 16.0 | demo
10765       | Microsoft Outlook 2016 (32-bit edition)                       | Microsoft Office | outlook:2016 | 16.0 | demo
10766       | Microsoft Outlook 2016 (64-bit edition)                       | Microsoft Office | outlook:2016 | 16.0 | demo
10761       | Microsoft Word 2016 (32-bit edition)                          | Microsoft Office | word:2016 | 16.0 | bench
10762       | Microsoft Word 2016 (64-bit edition)                          | Microsoft Office | word:2016 | 16.0 | bench
10741       | Microsoft PowerPoint 2016 (32-bit edition)                    | Microsoft Office | ppt:2016 | 16.0 | bench
10742       | Microsoft PowerPoint 2016 (64-bit edition)                    | Microsoft Office | ppt:2016 | 16.0 | bench
10769       | Microsoft Visio 2016 (32-bit edition)                         | Microsoft Office | visio:2016 | 16.0 | bench
10770       | Microsoft Visio 2016 (64-bit edition)                         | Microsoft Office | visio:2016 | 16.0 | bench
11605       | Microsoft Office Online Server                                | Microsoft Office | oos | 16.0 | bench
10950       | Microsoft SharePoint Enterprise Server 2016                   | Microsoft Office | sp:2016 | 16.0 | demo
11585       | Microsoft SharePoint Server 2019                              | Microsoft Office | sp:2019 | 16.0 | demo
11961       | Microsoft SharePoint Server Subscription Edition              | Microsoft Office | sp:se | 16.0 | demo
12090       | Microsoft Exchange Server 2016 Cumulative Update 23           | Exchange Server | exchange | 15.1.2507.44 | demo
12204       | Microsoft Exchange Server 2019 Cumulative Update 13           | Exchange Server | exchange | 15.2.1258.39 | demo
12297       | Microsoft Exchange Server 2019 Cumulative Update 14           | Exchange Server | exchange | 15.2.1544.14 | demo
12123       | Microsoft SQL Server 2022 for x64-based Systems (GDR)         | SQL Server | sql:2022gdr | 16.0.1121 | demo
12124       | Microsoft SQL Server 2022 for x64-based Systems (CU 13)       | SQL Server | sql:2022cu | 16.0.4131 | demo
11921       | Microsoft SQL Server 2019 for x64-based Systems (GDR)         | SQL Server | sql:2019gdr | 15.0.2116 | demo
11917       | Microsoft SQL Server 2019 for x64-based Systems (CU 27)       | SQL Server | sql:2019cu | 15.0.4382 | demo
11918       | Microsoft SQL Server 2017 for x64-based Systems (GDR)         | SQL Server | sql:2017gdr | 14.0.2056 | bench
11919       | Microsoft SQL Server 2017 for x64-based Systems (CU 31)       | SQL Server | sql:2017cu | 14.0.3471 | bench
11920       | Microsoft SQL Server 2016 for x64-based Systems Service Pack 3 (GDR) | SQL Server | sql:2016gdr | 13.0.6441 | bench
12125       | Microsoft SQL Server 2016 for x64-based Systems Service Pack 3 Azure Connect Feature Pack | SQL Server | sql:2016ac | 13.0.7037 | bench
12301       | Microsoft Configuration Manager 2303                          | System Center | configmgr | - | demo
12302       | Microsoft Configuration Manager 2309                          | System Center | configmgr | - | demo
12303       | Microsoft Configuration Manager 2403                          | System Center | configmgr | - | demo
12510       | Azure Connected Machine Agent                                 | Azure | @azure | - | demo
12511       | Azure Monitor Agent                                           | Azure | @azure | - | bench
12512       | Azure CycleCloud 8.6.2                                        | Azure | @azure | - | bench
12513       | Azure Network Watcher VM Extension for Windows                | Azure | @azure | - | bench
12514       | Azure Stack Hub                                               | Azure | @azure | - | bench
12515       | Azure Service Fabric 10.1 for Windows                         | Azure | @azure | - | bench
12516       | Azure Kubernetes Service Node on Azure Stack HCI              | Azure | @azure | - | bench
12517       | Azure Machine Learning SDK for Python                         | Azure | @azure | - | bench
12520       | Microsoft Teams for Desktop                                   | Apps | @apps | - | demo
12521       | Microsoft Outlook for Android                                 | Apps | @apps | - | bench
12522       | Windows App Client for Windows Desktop                        | Apps | @apps | - | bench
12523       | Microsoft Defender for Endpoint for Android                   | Apps | @apps | - | bench
12530       | Microsoft Dynamics 365 (on-premises) version 9.1              | Microsoft Dynamics | @dyn | - | bench
12531       | Dynamics 365 Business Central 2024 Release Wave 1             | Microsoft Dynamics | @dyn | - | bench
"""


@dataclass(frozen=True)
class Product:
    pid: str
    name: str
    family: str
    series: str
    build: str
    demo: bool  # in the small demo catalog; the bench catalog uses every product


def _newest_framework(version: str) -> str:
    """'3.5 AND 4.8' -> '4.8': the framework whose build a KB's FixedBuild reports."""
    for candidate in ("4.8.1", "4.8", "4.7", "3.5"):
        if candidate in version:
            return "4.7.2" if candidate == "4.7" else candidate
    return "2.0"


def _load_products() -> dict[str, Product]:
    products: dict[str, Product] = {}
    for line in _PRODUCTS.strip().splitlines():
        pid, name, family, series, build, scale = (part.strip() for part in line.split("|"))
        assert pid not in products, pid
        products[pid] = Product(pid, name, family, series, build, scale == "demo")
    # The bench months list .NET Framework on every OS as real months do: many products, one KB
    # per OS. Invented ProductIDs, stable across months.
    versions = {"esu:2008": ["2.0 Service Pack 2", "4.6.2/4.7/4.7.1/4.7.2"], "esu:2008r2": ["3.5.1", "4.8"],
                "esu:2012": ["3.5", "4.6.2/4.7/4.7.1/4.7.2", "4.8"], "esu:2012r2": ["3.5", "4.6.2/4.7/4.7.1/4.7.2"],
                "cu:1507": ["4.6.2/4.7/4.7.1/4.7.2", "3.5 AND 4.8"], "cu:1607": ["4.6.2/4.7/4.7.1/4.7.2", "3.5 AND 4.8"],
                "cu:1809": ["3.5 AND 4.7.2", "3.5 AND 4.8"],
                "cu:win10": ["3.5 AND 4.8", "3.5 AND 4.8.1"], "cu:win11": ["3.5 AND 4.8.1"],
                "cu:24h2": ["3.5 AND 4.8.1"], "cu:ws2022": ["3.5 AND 4.8", "3.5 AND 4.8.1"],
                "cu:ws2022-23h2": ["3.5 AND 4.8.1"]}
    next_id = 12600
    for host in [p for p in products.values() if p.series in versions]:
        for version in versions[host.series]:
            pid = str(next_id)
            next_id += 1
            products[pid] = Product(pid, f"Microsoft .NET Framework {version} on {host.name}", "Developer Tools",
                                    "net:" + host.series.split(":")[1], _newest_framework(version), False)
    return products


PRODUCTS = _load_products()
# Lifetimes inside the catalog: Windows Server 2025 arrives in November 2024; one .NET product
# changes its ProductID in October 2024 (same name), as MSRC's .NET ids do.
_FIRST = {"12436": "2024-Nov", "12437": "2024-Nov", "12418": "2024-Oct"}
_LAST = {"11954": "2024-Sep"}
# Windows generations, for which CVEs reach which OS: 0 = 2008/7, 1 = 2012, 2 = Windows 10 era, 3 = newest.
_GEN = {"esu:2008": 0, "esu:2008r2": 0, "esu:2012": 1, "esu:2012r2": 1, "cu:1507": 2, "cu:1607": 2, "cu:1809": 2,
        "cu:win10": 2, "cu:win11": 3, "cu:24h2": 3, "cu:ws2022": 3, "cu:ws2022-23h2": 3}
_HOTPATCH = ("11923", "11924")  # Windows Server 2022 also gets hotpatch KBs between baseline months
_FAMILIES = ("Microsoft Office", "Windows", "ESU", "Exchange Server", "Developer Tools", "SQL Server",
             "System Center", "Microsoft Dynamics", "Azure", "Apps", "Browser")


def active(product: Product, month_id: str) -> bool:
    first, last = _FIRST.get(product.pid), _LAST.get(product.pid)
    return (first is None or ordinal(month_id) >= ordinal(first)) and (last is None or ordinal(month_id) <= ordinal(last))


# --------------------------------------------------------------------------------------------
# KB series: which KB fixes a product in a month, what it supersedes, its FixedBuild.


@dataclass(frozen=True)
class Series:
    subtype: str
    restart: str = "Yes"
    ships: tuple[str, ...] | None = None  # months through 2024-Dec with a new KB (None: every month)
    period: int = 1  # after 2024-Dec: a new KB every `period` months (0: never again)
    supersedes: bool = True
    office_kb: bool = False  # Office KBs are numbered apart (50026xx), as Microsoft's are


_SCHEDULED_UNTIL = "2024-Dec"
_CU = Series("Security Update")
_ROLLUP = Series("Monthly Rollup")
_SEC_ONLY = Series("Security Only", supersedes=False)
_NET = Series("Security Update", "Maybe", ("2024-Apr", "2024-Jul", "2024-Oct"), 1)
_SP = Series("Security Update", "Maybe", ("2024-Jun", "2024-Jul", "2024-Sep", "2024-Oct", "2024-Dec"), 2, office_kb=True)
_SQL = Series("Security Update", "Maybe", ("2024-Feb", "2024-Jul"), 4)
SERIES: dict[str, Series] = {
    **{f"cu:{k}": _CU for k in ("1607", "1809", "win10", "win11", "24h2", "ws2022", "ws2022-23h2")},
    **{f"mr:{k}": _ROLLUP for k in ("2012r2", "2012", "2008r2", "2008")},
    **{f"so:{k}": _SEC_ONLY for k in ("2012r2", "2012", "2008r2", "2008")},
    "hp:ws2022": Series("Security Hotpatch Update", "No"),
    "ssu:1607": Series("Servicing Stack Update", "No", ("2024-Jun", "2024-Jul", "2024-Sep", "2024-Nov"), 3),
    "ssu:win10": Series("Servicing Stack Update", "No", ("2023-Oct",), 0),
    "ssu:2012r2": Series("Servicing Stack Update", "No", ("2024-Apr", "2024-Aug", "2024-Dec"), 3),
    "ssu:2012": Series("Servicing Stack Update", "No", ("2024-Apr", "2024-Aug"), 4),
    "ssu:2008r2": Series("Servicing Stack Update", "No", ("2024-Mar", "2024-Oct"), 4),
    "ssu:2008": Series("Servicing Stack Update", "No", ("2024-Mar", "2024-Oct"), 4),
    "ie": Series("IE Cumulative", "Yes", ("2024-Mar", "2024-Jul", "2024-Sep", "2024-Nov"), 3),
    **{f"net:{k}": _NET for k in ("1607", "1809", "win10", "win11", "24h2", "ws2022", "ws2022-23h2",
                                  "2012r2", "2012", "2008r2", "2008")},
    "office:2016": Series("Security Update", "Maybe", office_kb=True),
    "excel:2016": Series("Security Update", "Maybe", ("2024-Jun", "2024-Aug", "2024-Sep", "2024-Nov", "2024-Dec"), 2, office_kb=True),
    "outlook:2016": Series("Security Update", "Maybe", ("2024-Mar", "2024-Jul", "2024-Nov"), 3, office_kb=True),
    "word:2016": Series("Security Update", "Maybe", ("2024-Sep",), 2, office_kb=True),
    "ppt:2016": Series("Security Update", "Maybe", ("2024-Aug",), 3, office_kb=True),
    "visio:2016": Series("Security Update", "Maybe", ("2024-Jun",), 3, office_kb=True),
    "oos": Series("Security Update", "Maybe", ("2024-Sep",), 2, office_kb=True),
    "sp:2016": _SP, "sp:2019": _SP, "sp:se": _SP,
    "exchange": Series("Security Update", "Yes", ("2024-Mar", "2024-Nov"), 4),
    **{f"sql:{k}": _SQL for k in ("2022gdr", "2022cu", "2019gdr", "2019cu", "2017gdr", "2017cu", "2016gdr", "2016ac")},
    "configmgr": Series("Security Update", "Maybe", ("2024-Oct",), 6, supersedes=False),
    # Append new series here, at the end: an invented KB number depends on its series' position.
    "cu:1507": _CU, "net:1507": _NET,
}
_SERIES_INDEX = {key: i for i, key in enumerate(SERIES)}
_SSU_HOSTS = {"ssu:1607": "cu:1607", "ssu:win10": "cu:win10", "ssu:2012r2": "esu:2012r2",
              "ssu:2012": "esu:2012", "ssu:2008r2": "esu:2008r2", "ssu:2008": "esu:2008"}


def _months7(kbs: str) -> dict[str, str]:
    return dict(zip((shift("2024-Jun", i) for i in range(7)), kbs.split()))


# KB numbers of 2024 as Microsoft published them (June is there for July's Supercedence). The
# Windows 10/11 and Server cumulative updates are real; some ESU and SQL numbers are plausible
# stand-ins. Anything not listed is allocated by kb() below.
REAL_KBS: dict[str, dict[str, str]] = {
    "cu:win11": _months7("5039212 5040442 5041585 5043076 5044285 5046633 5048685"),
    "cu:24h2": _months7("5039239 5040435 5041571 5043080 5044284 5046617 5048667"),
    "cu:win10": _months7("5039211 5040427 5041580 5043064 5044273 5046613 5048652"),
    "cu:ws2022": _months7("5039227 5040437 5041160 5042881 5044281 5046616 5048654"),
    "cu:ws2022-23h2": _months7("5039236 5040438 5041573 5043055 5044288 5046618 5048653"),
    "cu:1809": _months7("5039217 5040430 5041578 5043050 5044277 5046615 5048661"),
    "cu:1607": _months7("5039214 5040434 5041773 5043051 5044293 5046612 5048671"),
    "mr:2012r2": _months7("5039294 5040456 5041828 5043138 5044343 5046682 5048735"),
    "mr:2012": _months7("5039260 5040485 5041851 5043125 5044342 5046697 5048699"),
    "mr:2008r2": _months7("5039289 5040497 5041838 5043129 5044356 5046705 5048703"),
    "so:2008r2": _months7("5039266 5040498 5041823 5043087 5044321 5046687 5048686"),
    "ie": {"2024-Jul": "5040426", "2024-Sep": "5043049", "2024-Nov": "5046630"},
    "ssu:win10": {"2023-Oct": "5031539"},
    "exchange": {"2024-Mar": "5036386", "2024-Nov": "5049233"},
    "sql:2022gdr": {"2024-Jul": "5040936"}, "sql:2022cu": {"2024-Jul": "5040939"},
    "sql:2019gdr": {"2024-Jul": "5040986"}, "sql:2019cu": {"2024-Jul": "5040948"},
    "configmgr": {"2024-Oct": "29166583"},
}

# Where real Supercedence fields do not simply name the previous KB. "{prev}" is the previous KB.
SUPERSEDENCE_OVERRIDES: dict[tuple[str, str], str] = {
    # Chain breaks: October's 1809 update names September's optional preview, which MSRC never
    # lists; December's Windows 10 update names nothing at all; so does June 2025's 1607 one (bench).
    ("cu:1809", "2024-Oct"): "5043126",
    ("cu:win10", "2024-Dec"): "",
    ("cu:1607", "2025-Jun"): "",
    # Several KBs in one field, split by "," here and by ";" below.
    ("net:1809", "2024-Jul"): "{prev},5036620",
    # November's Exchange SU was re-released (v2, KB5049233): it supersedes v1 and March's SU.
    ("exchange", "2024-Nov"): "5044062;{prev}",
}
_RESERVED = ({kb for table in REAL_KBS.values() for kb in table.values()}
             | {"5043126", "5036620", "5044062"})


def ships(key: str, month_id: str) -> bool:
    series = SERIES[key]
    if key.startswith("hp:"):
        return parse_month(month_id)[1] % 3 != 1  # hotpatch months: all but Jan/Apr/Jul/Oct baselines
    if series.ships is None:
        return True
    if ordinal(month_id) <= ordinal(_SCHEDULED_UNTIL):
        return month_id in series.ships
    if series.period == 0:
        return False
    phase = zlib.crc32(key.split(":")[0].encode())  # one phase per kind: all SQL series ship together
    return (ordinal(month_id) + phase) % series.period == 0


def last_ship(key: str, month_id: str) -> str:
    """The month of the series' latest KB as of month_id (a series with no known earlier KB is taken
    to have shipped in month_id, so that a first KB still has something to supersede)."""
    for back in range(36):
        candidate = shift(month_id, -back)
        if ships(key, candidate):
            return candidate
    return month_id


def kb(key: str, month_id: str) -> str:
    """The KB series `key` shipped in `month_id` (a real one when known, else a stable invented one)."""
    real = REAL_KBS.get(key, {}).get(month_id)
    if real:
        return real
    months = ordinal(month_id) - ordinal("2024-Jul")
    if SERIES[key].office_kb:
        number = 5_002_600 + months * 18 + [k for k in SERIES if SERIES[k].office_kb].index(key)
    else:
        number = 5_040_000 + months * 1650 + 20 + 11 * _SERIES_INDEX[key]
    while str(number) in _RESERVED:
        number += 1
    return str(number)


def supercedence(key: str, month_id: str) -> str | None:
    """The Supercedence field of series `key`'s current KB in `month_id` (None: no field)."""
    if not SERIES[key].supersedes:
        return None
    shipped = last_ship(key, month_id)
    before = shift(shipped, -1)
    if key.startswith("hp:"):  # a hotpatch follows the previous hotpatch or the baseline update
        prev = kb(key, before) if ships(key, before) else kb("cu:" + key[3:], before)
    else:
        prev = kb(key, last_ship(key, before))
    override = SUPERSEDENCE_OVERRIDES.get((key, shipped))
    return prev if override is None else override.format(prev=prev)


def chain_breaks(months=DEMO_MONTHS) -> dict[str, str]:
    """{KB: its Supercedence} for the cumulative updates whose Supercedence deliberately does not
    name the previous month's KB."""
    return {kb(key, month): value.format(prev="") for (key, month), value in SUPERSEDENCE_OVERRIDES.items()
            if key.startswith("cu:") and month in months}


def _revs(values: str) -> dict[str, int]:
    return {m: int(v) for m, v in _months7(values).items()}


# Build revisions (FixedBuild = build + "." + revision); later months are extrapolated.
REVISIONS: dict[str, dict[str, int]] = {
    "10.0.10240": _revs("20680 20710 20751 20766 20796 20826 20857"),
    "10.0.14393": _revs("7070 7159 7259 7336 7428 7515 7606"),
    "10.0.17763": _revs("5936 6054 6189 6293 6414 6532 6659"),
    "10.0.19044": _revs("4529 4651 4780 4894 5011 5131 5247"),
    "10.0.19045": _revs("4529 4651 4780 4894 5011 5131 5247"),
    "10.0.22621": _revs("3737 3880 4037 4169 4317 4460 4602"),
    "10.0.22631": _revs("3737 3880 4037 4169 4317 4460 4602"),
    "10.0.26100": _revs("863 1150 1457 1742 2033 2314 2605"),
    "10.0.20348": _revs("2527 2582 2655 2700 2762 2849 2966"),
    "10.0.25398": _revs("950 1009 1085 1128 1189 1251 1308"),
    "6.3.9600": _revs("22023 22074 22134 22170 22221 22276 22318"),
    "6.2.9200": _revs("24920 24975 25031 25057 25110 25165 25222"),
    "6.1.7601": _revs("27170 27219 27262 27311 27366 27417 27467"),
    "6.0.6003": _revs("22720 22769 22825 22875 22925 22976 23016"),
}


def os_build(build: str, month_id: str, back: int = 0) -> str:
    table = REVISIONS[build]
    rev = table.get(month_id)
    if rev is None:
        months = ordinal(month_id) - ordinal("2024-Dec")
        rev = table["2024-Dec"] + 115 * months + zlib.crc32(f"{build}/{month_id}".encode()) % 9
    return f"{build}.{rev - back}"


def product_build(product: Product, month_id: str) -> str | None:
    """FixedBuild of a non-Windows KB: framework or product versions, never an OS build."""
    k = ordinal(month_id) - ordinal("2024-Jul")
    kind = product.series.split(":")[0]
    if kind == "net":
        base = {"4.8.1": ("4.8.", 9256, 7), "4.8": ("4.8.", 4739, 8), "4.7.2": ("4.7.", 4110, 6),
                "3.5": ("2.0.50727.", 8970, 2), "2.0": ("2.0.50727.", 8970, 2)}
        prefix, start, step = base.get(product.build, base["4.8"])
        return f"{prefix}{start + step * k}.0" if prefix.startswith("4") else f"{prefix}{start + step * k}"
    if kind == "exchange":
        head, _, last = product.build.rpartition(".")
        return f"{head}.{int(last) + 3 * (k - 4)}"  # the table holds November 2024's builds
    if kind == "sql":
        head, _, last = product.build.rpartition(".")
        return f"{head}.{int(last) + 10 * k}.{1 + k % 3}"
    if product.build == "16.0":  # Office 2016 MSI, SharePoint, Office Online Server
        start = {"sp:2019": 10412, "sp:se": 17328, "oos": 10416}.get(product.series, 5456)
        return f"16.0.{start + 15 * k}.{20000 + k if start > 6000 else 1000}"
    return None


# --------------------------------------------------------------------------------------------
# Vulnerabilities: the real headline CVEs of each demo month, then invented ones around them.

RCE, EOP, ID, DOS, SFB, SPOOF = ("Remote Code Execution", "Elevation of Privilege", "Information Disclosure",
                                 "Denial of Service", "Security Feature Bypass", "Spoofing")
_IMPACTS = {"RCE": RCE, "EoP": EOP, "ID": ID, "DoS": DOS, "SFB": SFB, "Spoof": SPOOF}

# (CVE, kind[:scope], component, impact, severity, flags, title override)
HEADLINES: dict[str, list[tuple]] = {
    "2024-Jul": [
        ("CVE-2024-38080", "win:hyperv", "Windows Hyper-V", EOP, "Important", "exploited"),
        ("CVE-2024-38112", "win:all", "Windows MSHTML Platform", SPOOF, "Important", "exploited ie"),
        ("CVE-2024-38074", "win:servers", "Windows Remote Desktop Licensing Service", RCE, "Critical", ""),
        ("CVE-2024-38076", "win:servers", "Windows Remote Desktop Licensing Service", RCE, "Critical", ""),
        ("CVE-2024-38077", "win:servers", "Windows Remote Desktop Licensing Service", RCE, "Critical", ""),
        ("CVE-2024-38060", "win:modern", "Windows Imaging Component", RCE, "Critical", ""),
        ("CVE-2024-3596", "win:all", "RADIUS Protocol", SPOOF, "Important", "disclosed",
         "CERT/CC: CVE-2024-3596 RADIUS Protocol Spoofing Vulnerability"),
        ("CVE-2024-35264", "dotnetcore", ".NET and Visual Studio", RCE, "Important", "disclosed"),
        ("CVE-2024-38081", "dotnet", ".NET, .NET Framework, and Visual Studio", EOP, "Important", ""),
        ("CVE-2024-38023", "sharepoint", "Microsoft SharePoint Server", RCE, "Critical", ""),
        ("CVE-2024-38021", "outlook", "Microsoft Outlook", RCE, "Important", ""),
        *[(f"CVE-2024-{n}", "sql", "SQL Server Native Client OLE DB Provider", RCE, "Important", "")
          for n in ("20701", "21303", "21308", "21317", "21331", "21332")],
        *[(f"CVE-2024-{n}", "chromium", "", "", None, "", f"Chromium: CVE-2024-{n} {t}") for n, t in (
            ("6772", "Inappropriate implementation in V8"), ("6773", "Type Confusion in V8"),
            ("6774", "Use after free in Screen Capture"), ("6775", "Use after free in Media Stream"))],
    ],
    "2024-Aug": [
        ("CVE-2024-38063", "win:all", "Windows TCP/IP", RCE, "Critical", ""),
        ("CVE-2024-38178", "win:modern", "Scripting Engine", RCE, "Important", "exploited",
         "Scripting Engine Memory Corruption Vulnerability"),
        ("CVE-2024-38193", "win:all", "Windows Ancillary Function Driver for WinSock", EOP, "Important", "exploited"),
        ("CVE-2024-38106", "win:modern", "Windows Kernel", EOP, "Important", "exploited"),
        ("CVE-2024-38107", "win:modern", "Windows Power Dependency Coordinator", EOP, "Important", "exploited"),
        ("CVE-2024-38213", "win:modern", "Windows Mark of the Web", SFB, "Moderate", "exploited"),
        ("CVE-2024-38140", "win:all", "Windows Reliable Multicast Transport Driver (RMCAST)", RCE, "Critical", ""),
        ("CVE-2024-38199", "win:all", "Windows Line Printer Daemon (LPD) Service", RCE, "Important", ""),
        ("CVE-2024-38202", "win:modern", "Windows Update Stack", EOP, "Important", "disclosed"),
        ("CVE-2024-21302", "win:modern", "Windows Secure Kernel Mode", EOP, "Important", "disclosed"),
        ("CVE-2024-38200", "office", "Microsoft Office", SPOOF, "Important", "disclosed"),
        ("CVE-2024-38189", "office", "Microsoft Project", RCE, "Important", "exploited"),
        ("CVE-2024-38170", "excel", "Microsoft Excel", RCE, "Important", ""),
        *[(f"CVE-2024-{n}", "chromium", "", "", None, "", f"Chromium: CVE-2024-{n} {t}") for n, t in (
            ("7971", "Type Confusion in V8"), ("7965", "Inappropriate implementation in V8"),
            ("7964", "Use after free in Passwords"), ("7966", "Out of bounds memory access in Skia"),
            ("7967", "Heap buffer overflow in Fonts"))],
    ],
    "2024-Sep": [
        ("CVE-2024-38014", "win:all", "Windows Installer", EOP, "Important", "exploited"),
        ("CVE-2024-38217", "win:modern", "Windows Mark of the Web", SFB, "Important", "exploited disclosed"),
        ("CVE-2024-43461", "win:all", "Windows MSHTML Platform", SPOOF, "Important", "exploited ie"),
        ("CVE-2024-38119", "win:all", "Windows Network Address Translation (NAT)", RCE, "Critical", ""),
        ("CVE-2024-38226", "office", "Microsoft Publisher", SFB, "Important", "exploited"),
        ("CVE-2024-38018", "sharepoint", "Microsoft SharePoint Server", RCE, "Critical", ""),
        ("CVE-2024-43464", "sharepoint", "Microsoft SharePoint Server", RCE, "Critical", ""),
        *[(f"CVE-2024-{n}", "chromium", "", "", None, "", f"Chromium: CVE-2024-{n} {t}") for n, t in (
            ("8362", "Use after free in WebAudio"), ("8636", "Heap buffer overflow in Skia"),
            ("8637", "Use after free in Media Router"), ("8638", "Type Confusion in V8"))],
    ],
    "2024-Oct": [
        ("CVE-2024-43572", "win:all", "Microsoft Management Console", RCE, "Important", "exploited disclosed"),
        ("CVE-2024-43573", "win:all", "Windows MSHTML Platform", SPOOF, "Moderate", "exploited disclosed"),
        ("CVE-2024-43468", "configmgr", "Microsoft Configuration Manager", RCE, "Critical", ""),
        ("CVE-2024-43582", "win:modern", "Remote Desktop Protocol Server", RCE, "Critical", ""),
        ("CVE-2024-38124", "win:all", "Windows Netlogon", EOP, "Important", ""),
        ("CVE-2024-43583", "win:modern", "Winlogon", EOP, "Important", "disclosed"),
        ("CVE-2024-6197", "win:recent", "Open Source Curl", RCE, "Important", "disclosed"),
        ("CVE-2024-43483", "dotnet", ".NET, .NET Framework, and Visual Studio", DOS, "Important", ""),
        ("CVE-2024-43484", "dotnet", ".NET, .NET Framework, and Visual Studio", DOS, "Important", ""),
        *[(f"CVE-2024-{n}", "chromium", "", "", None, "", f"Chromium: CVE-2024-{n} {t}") for n, t in (
            ("9369", "Insufficient data validation in Mojo"), ("9370", "Inappropriate implementation in V8"),
            ("9602", "Type Confusion in V8"), ("9603", "Type Confusion in V8"))],
    ],
    "2024-Nov": [
        ("CVE-2024-43451", "win:all", "NTLM Hash Disclosure", SPOOF, "Important", "exploited disclosed ie"),
        ("CVE-2024-49039", "win:modern", "Windows Task Scheduler", EOP, "Important", "exploited"),
        ("CVE-2024-49019", "win:servers", "Active Directory Certificate Services", EOP, "Important", "disclosed"),
        ("CVE-2024-43639", "win:servers", "Windows Kerberos", RCE, "Critical", ""),
        ("CVE-2024-43625", "win:hyperv", "Microsoft Windows VMSwitch", EOP, "Critical", ""),
        ("CVE-2024-49040", "exchange", "Microsoft Exchange Server", SPOOF, "Important", "disclosed"),
        ("CVE-2024-43498", "dotnetcore", ".NET and Visual Studio", RCE, "Critical", ""),
        *[(f"CVE-2024-{n}", "chromium", "", "", None, "", f"Chromium: CVE-2024-{n} {t}") for n, t in (
            ("10826", "Use after free in Family Experiences"), ("10827", "Use after free in Serial"),
            ("11110", "Inappropriate implementation in Extensions"), ("11111", "Inappropriate implementation in Autofill"))],
    ],
    "2024-Dec": [
        ("CVE-2024-49138", "win:all", "Windows Common Log File System Driver", EOP, "Important", "exploited"),
        ("CVE-2024-49112", "win:all", "Windows Lightweight Directory Access Protocol (LDAP)", RCE, "Critical", ""),
        ("CVE-2024-49118", "win:all", "Microsoft Message Queuing (MSMQ)", RCE, "Critical", ""),
        ("CVE-2024-49122", "win:all", "Microsoft Message Queuing (MSMQ)", RCE, "Critical", ""),
        ("CVE-2024-49126", "win:all", "Windows Local Security Authority Subsystem Service (LSASS)", RCE, "Critical", ""),
        *[(f"CVE-2024-{n}", "win:servers", "Windows Remote Desktop Services", RCE, "Critical", "")
          for n in ("49106", "49108", "49115", "49116")],
        ("CVE-2024-49064", "sharepoint", "Microsoft SharePoint", ID, "Important", ""),
        ("CVE-2024-49069", "excel", "Microsoft Excel", RCE, "Important", ""),
        *[(f"CVE-2024-{n}", "chromium", "", "", None, "", f"Chromium: CVE-2024-{n} {t}") for n, t in (
            ("12053", "Type Confusion in V8"), ("12381", "Heap buffer overflow in Tracing"),
            ("12382", "Use after free in Translate"), ("12692", "Type Confusion in V8"))],
    ],
}
_HEADLINE_IDS = {h[0] for hs in HEADLINES.values() for h in hs}

# Windows components for invented CVEs: (component, scope, impacts).
WINDOWS_COMPONENTS = [
    ("Windows Kernel", "all", "EoP ID"), ("Win32k", "all", "EoP"), ("Windows Win32 Kernel Subsystem", "modern", "EoP"),
    ("Windows Common Log File System Driver", "all", "EoP"), ("Windows Kernel-Mode Driver", "all", "EoP ID"),
    ("Windows Hyper-V", "hyperv", "EoP DoS RCE ID"), ("Windows Remote Desktop Services", "servers", "RCE DoS"),
    ("Windows Remote Desktop Licensing Service", "servers", "RCE DoS"), ("Remote Desktop Client", "all", "RCE"),
    ("Windows Routing and Remote Access Service (RRAS)", "servers", "RCE ID"), ("Windows Telephony Server", "all", "EoP"),
    ("Microsoft Message Queuing (MSMQ)", "all", "RCE DoS ID"), ("Windows TCP/IP", "all", "RCE DoS ID"),
    ("Windows Kerberos", "all", "SFB EoP ID"), ("Windows NTLM", "all", "Spoof EoP"),
    ("Windows Lightweight Directory Access Protocol (LDAP)", "all", "RCE DoS ID"),
    ("Active Directory Domain Services", "servers", "EoP ID"), ("Windows DNS Server", "servers", "Spoof DoS ID"),
    ("DHCP Server Service", "servers", "DoS RCE ID"), ("Windows Network File System", "servers", "RCE DoS"),
    ("Windows Print Spooler", "all", "EoP"), ("Windows Installer", "all", "EoP"), ("Windows Storage", "modern", "EoP"),
    ("Windows Resilient File System (ReFS)", "recent", "EoP"), ("BitLocker", "modern", "SFB"), ("Secure Boot", "modern", "SFB"),
    ("Windows Secure Kernel Mode", "modern", "EoP"), ("Windows SmartScreen", "modern", "SFB"),
    ("Windows Mark of the Web", "modern", "SFB"), ("Windows Cryptographic Services", "all", "SFB ID"),
    ("Windows Graphics Component", "all", "EoP RCE ID"), ("Microsoft Windows Codecs Library", "modern", "ID RCE"),
    ("Windows DWM Core Library", "modern", "EoP"), ("Windows Mobile Broadband Driver", "clients10", "RCE"),
    ("Windows Wi-Fi Driver", "clients10", "RCE"), ("Windows Update Stack", "modern", "EoP"),
    ("Windows Task Scheduler", "modern", "EoP"), ("Windows File Explorer", "all", "EoP SFB"), ("Windows Themes", "all", "Spoof"),
    ("Windows Search Service", "all", "EoP"), ("Windows Ancillary Function Driver for WinSock", "all", "EoP"),
    ("Windows Network Virtualization", "recent", "RCE"), ("Windows Local Security Authority (LSA)", "all", "EoP DoS"),
    ("Windows Online Certificate Status Protocol (OCSP) Server", "servers", "DoS"),
    ("Windows Remote Access Connection Manager", "all", "ID EoP"), ("Windows Client-Side Caching", "all", "EoP"),
    ("Microsoft Streaming Service", "modern", "EoP"), ("Windows Virtual Trusted Platform Module", "recent", "DoS"),
    ("Windows Defender Application Control (WDAC)", "modern", "SFB"), ("Windows SMB", "modern", "ID DoS EoP"),
    ("Microsoft Windows Performance Data Helper Library", "all", "RCE"), ("Windows Failover Cluster", "servers", "ID"),
]
# Other kinds: title components and impacts.
COMPONENTS = {
    "office": (["Microsoft Office", "Microsoft Word", "Microsoft PowerPoint", "Microsoft Visio", "Microsoft Access",
                "Microsoft Office Graphics", "Microsoft Publisher"], "RCE RCE RCE ID SFB Spoof"),
    "excel": (["Microsoft Excel"], "RCE RCE ID"), "outlook": (["Microsoft Outlook"], "RCE Spoof"),
    "word": (["Microsoft Word"], "RCE ID"), "ppt": (["Microsoft PowerPoint"], "RCE"), "visio": (["Microsoft Visio"], "RCE"),
    "sharepoint": (["Microsoft SharePoint Server", "Microsoft SharePoint"], "RCE EoP ID Spoof"),
    "exchange": (["Microsoft Exchange Server"], "Spoof RCE"),
    "sql": (["SQL Server Native Client OLE DB Provider", "Microsoft OLE DB Driver for SQL Server", "Microsoft SQL Server"], "RCE RCE EoP"),
    "dotnet": ([".NET, .NET Framework, and Visual Studio", ".NET Framework"], "DoS RCE EoP SFB"),
    "dotnetcore": ([".NET and Visual Studio", ".NET"], "DoS RCE"),
    "devtools": (["Visual Studio", "Visual Studio Code", "PowerShell", "Azure DevOps Server"], "EoP RCE ID"),
    "azure": (["Azure Connected Machine Agent", "Azure Monitor Agent", "Azure CycleCloud", "Azure Stack Hub",
               "Azure Service Fabric for Linux"], "EoP ID RCE"),
    "apps": (["Microsoft Teams for Desktop", "Microsoft Outlook for Android", "Windows App Client"], "Spoof ID"),
    "dynamics": (["Microsoft Dynamics 365 (on-premises)", "Dynamics 365 Business Central"], "ID EoP"),
    "edge": (["Microsoft Edge (Chromium-based)"], "Spoof ID SFB"),
    "configmgr": (["Microsoft Configuration Manager"], "RCE EoP"),
}
# Which products each kind reaches, by series (KB series only when they ship that month).
_KIND_SERIES = {
    "office": ("office:2016", "@c2r", "@mac"), "excel": ("excel:2016", "oos", "@c2r", "@mac"),
    "outlook": ("outlook:2016", "@c2r"), "word": ("word:2016", "@c2r", "@mac"), "ppt": ("ppt:2016", "@c2r", "@mac"),
    "visio": ("visio:2016", "@c2r"), "sharepoint": ("sp:2016", "sp:2019", "sp:se"), "exchange": ("exchange",),
    "sql": tuple(k for k in SERIES if k.startswith("sql:")), "configmgr": ("configmgr",),
    "dotnet": (*(k for k in SERIES if k.startswith("net:")), "@dotnet", "@vs"), "dotnetcore": ("@dotnet", "@vs"),
    "devtools": ("@vs", "@devrel"), "azure": ("@azure",), "apps": ("@apps",), "dynamics": ("@dyn",),
    "edge": ("@edge",), "chromium": ("@edge",),
}
# The kind that names a KB series in months when it ships (every shipped KB is named by a CVE).
_SERIES_KIND = {"office": "office", "excel": "excel", "outlook": "outlook", "word": "word", "ppt": "ppt",
                "visio": "visio", "oos": "excel", "sp": "sharepoint", "exchange": "exchange", "sql": "sql",
                "configmgr": "configmgr", "net": "dotnet"}
CHROMIUM_BUGS = ["Type Confusion in V8", "Use after free in Dawn", "Heap buffer overflow in Skia",
                 "Inappropriate implementation in Extensions", "Out of bounds memory access in ANGLE",
                 "Insufficient data validation in Mojo", "Use after free in Blink", "Out of bounds write in V8",
                 "Use after free in Media", "Inappropriate implementation in Autofill",
                 "Insufficient policy enforcement in Downloads", "Race in Frames", "Use after free in Loader"]
ACKNOWLEDGMENTS = ["Anonymous", "Contoso Security Research", "Fabrikam Red Team", "Northwind Threat Labs",
                   "Woodgrove Bank Security Engineering", "Tailspin Toys Offensive Research", "Adventure Works Labs",
                   "Microsoft Offensive Research &amp; Security Engineering (MORSE)", "Litware Vulnerability Research"]
FAQ = {  # our own wording, one question per impact
    RCE: ("How could an attacker exploit this vulnerability?",
          "An attacker could send a specially crafted request to an affected system, or persuade a user to open a "
          "specially crafted file, and run code in the context of the targeted service or user."),
    EOP: ("What privileges could be gained by an attacker who successfully exploited this vulnerability?",
          "An attacker who successfully exploited this vulnerability could gain SYSTEM privileges."),
    ID: ("What type of information could be disclosed by this vulnerability?",
         "Uninitialized memory of the affected process could be read by a locally authenticated attacker."),
    DOS: ("What is the impact of this vulnerability?",
          "An unauthenticated attacker could make the affected service stop responding until it is restarted."),
    SFB: ("What security feature could be bypassed?",
          "A check that normally warns the user or blocks untrusted content before it runs."),
    SPOOF: ("What is the nature of the spoofing?",
            "An attacker could make content appear to come from a trusted source."),
}
WORKAROUNDS = {
    "CVE-2024-38063": "<p>Disabling IPv6 on systems that do not need it prevents exploitation of this vulnerability.</p>\n",
    "CVE-2024-49112": "<p>Make sure domain controllers cannot reach untrusted networks, or cannot make outbound "
                      "RPC calls to them, until the update is installed.</p>\n",
}
# Our own text for the vulnerability revisions we publish (date, description).
VULN_REVISIONS = {
    "CVE-2024-49040": ("2024-11-27", "<p>The November 2024 Exchange Server Security Update was re-released as "
                                     "version 2 (KB5049233) to correct a problem with transport rules. Customers who "
                                     "installed the first version should install KB5049233.</p>\n"),
}
MONTH_REVISIONS = {"2024-Nov": date(2024, 11, 27)}

# CVSS 3.1 base vectors by impact: the severity picks the strongest (Critical) or weakest (Moderate, Low).
VECTORS = {
    RCE: ["AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
          "AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", "AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"],
    EOP: ["AV:L/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", "AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
          "AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", "AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H"],
    ID: ["AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
         "AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", "AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N"],
    DOS: ["AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H",
          "AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H"],
    SFB: ["AV:L/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", "AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
          "AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N", "AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N"],
    SPOOF: ["AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N", "AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N",
            "AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N", "AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:N/A:N"],
}


def _roundup(value: float) -> float:
    """CVSS 3.1's Roundup: the smallest one-decimal number not below value, without float noise."""
    scaled = round(value * 100_000)
    return scaled / 100_000 if scaled % 10_000 == 0 else (math.floor(scaled / 10_000) + 1) / 10


def cvss(base_vector: str, maturity: str = "U") -> tuple[float, float, str]:
    """(BaseScore, TemporalScore, Vector) by the CVSS 3.1 formulas; remediation level O, confidence C."""
    m = dict(part.split(":") for part in base_vector.split("/"))
    changed = m["S"] == "C"
    cia = {"H": 0.56, "L": 0.22, "N": 0.0}
    iss = 1 - (1 - cia[m["C"]]) * (1 - cia[m["I"]]) * (1 - cia[m["A"]])
    impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 if changed else 6.42 * iss
    pr = {"N": 0.85, "L": 0.68 if changed else 0.62, "H": 0.5 if changed else 0.27}[m["PR"]]
    exploitability = (8.22 * {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}[m["AV"]] * {"L": 0.77, "H": 0.44}[m["AC"]]
                      * pr * {"N": 0.85, "R": 0.62}[m["UI"]])
    if impact <= 0:
        base = 0.0
    else:
        base = _roundup(min((1.08 if changed else 1) * (impact + exploitability), 10))
    temporal = _roundup(base * {"U": 0.91, "P": 0.94, "F": 0.97}[maturity] * 0.95)
    return base, temporal, f"CVSS:3.1/{base_vector}/E:{maturity}/RL:O/RC:C"


# --------------------------------------------------------------------------------------------
# One month


@dataclass
class Vuln:
    cve: str
    kind: str  # "win" or a COMPONENTS key or "chromium"
    title: str
    impact: str
    severity: str | None
    tag: str
    scope: str = "all"
    flags: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Fix:
    description: str
    url: str
    supercedence: str | None
    subtype: str
    restart: str
    fixed_build: str | None
    known_issue: bool = False  # followed by a Type 5 "known issues" remediation for the same KB


@dataclass(frozen=True)
class Scale:
    windows: tuple[int, int]  # Windows CVEs per month, headlines included
    fillers: dict  # kind -> (min, max) invented CVEs per month
    known_issues: float  # share of Windows CVEs whose KBs carry Type 5 known-issue entries
    per_product_variation: bool  # drop old OS generations from some CVEs


DEMO = Scale((18, 21), {"office": (2, 4), "chromium": (4, 7), "edge": (1, 2), "devtools": (1, 1), "azure": (0, 1),
                        "apps": (0, 1)}, 0.15, True)
BENCH = Scale((78, 108), {"office": (5, 9), "excel": (1, 2), "sharepoint": (2, 4), "sql": (8, 16), "dotnet": (2, 3),
                          "dotnetcore": (1, 2), "chromium": (8, 18), "edge": (1, 3), "devtools": (2, 5),
                          "azure": (3, 7), "apps": (1, 3), "dynamics": (0, 2), "word": (1, 2), "ppt": (1, 2),
                          "visio": (1, 1), "outlook": (1, 2), "exchange": (1, 2), "configmgr": (1, 1)}, 1.0, True)


class MonthBuilder:
    def __init__(self, month_id: str, scale: str, seed: int) -> None:
        self.id = month_id
        self.scale = DEMO if scale == "demo" else BENCH
        self.rng = random.Random(f"samplecatalog/{seed}/{scale}/{month_id}")
        self.tuesday = patch_tuesday(month_id)
        self.k = ordinal(month_id) - ordinal("2024-Jul")  # months since the first demo month
        self.products = [p for p in PRODUCTS.values() if (scale == "bench" or p.demo) and active(p, month_id)]
        self.taken: set[str] = set(_HEADLINE_IDS)

    # --- planning

    def plan(self) -> list[Vuln]:
        rng, vulns = self.rng, []
        for h in HEADLINES.get(self.id, []):
            cve, kind, component, impact, severity, flags = h[:6]
            kind, _, scope = kind.partition(":")
            title = h[6] if len(h) > 6 else f"{component} {impact} Vulnerability"
            tag = "Microsoft Edge (Chromium-based)" if kind == "chromium" else component
            vulns.append(Vuln(cve, kind, title, impact, severity, tag, scope or "all", set(flags.split())))
        windows = [v for v in vulns if v.kind == "win"]
        for _ in range(max(0, rng.randint(*self.scale.windows) - len(windows))):
            vulns.append(self._windows_filler())
        if ships("ie", self.id) and not any("ie" in v.flags for v in vulns):
            vulns.append(self._windows_filler(ie=True))
        if not any("servers-critical" in v.flags for v in vulns):  # one per month at least, not left to chance
            for v in vulns:
                if v.kind == "win" and v.cve not in _HEADLINE_IDS and v.impact == RCE and v.scope in ("all", "modern"):
                    v.severity = "Critical"
                    v.flags.add("servers-critical")
                    break
        for kind, (low, high) in self.scale.fillers.items():
            for _ in range(rng.randint(low, high)):
                if self._kind_available(kind):
                    vulns.append(self._filler(kind))
        for key in sorted(SERIES):  # every KB series that ships this month is named by some CVE
            kind = _SERIES_KIND.get(key.split(":")[0])
            if kind and ships(key, self.id) and self._series_in_catalog(key) and not any(v.kind == kind for v in vulns):
                vulns.append(self._filler(kind))
        return vulns

    def _series_in_catalog(self, key: str) -> bool:
        return any(p.series == key for p in self.products)

    def _kind_available(self, kind: str) -> bool:
        """A kind that reaches KB products needs one of them shipping this month; advisories always can."""
        if kind == "chromium":
            return True
        wanted = _KIND_SERIES[kind]
        present = [p for p in self.products if p.series in wanted]
        if any(not s.startswith("@") for s in wanted):
            return any(not p.series.startswith("@") and ships(p.series, self.id) for p in present)
        return bool(present)

    def _new_cve(self, chromium: bool = False) -> str:
        year, _ = parse_month(self.id)
        if chromium:  # Chromium numbers its CVEs low, and Edge republishes them
            low = 5000 + 900 * (self.k % 12) if year == 2024 else 300 + 900 * (self.k % 12)
            span = 800
        elif year == 2024:
            low, span = {"2024-Jul": (38000, 110), "2024-Aug": (38113, 130), "2024-Sep": (43400, 99),
                         "2024-Oct": (43500, 120), "2024-Nov": (49000, 60), "2024-Dec": (49061, 90)}.get(self.id, (30000, 900))
        else:
            low, span = 21000 + 3800 * ((ordinal(self.id) - ordinal(f"{year}-Jan")) % 12), 1500
        while True:
            cve = f"CVE-{year}-{low + self.rng.randrange(span)}"
            if cve not in self.taken:
                self.taken.add(cve)
                return cve

    def _severity(self, impact: str) -> str:
        r = self.rng.random()
        if impact == RCE:
            return "Critical" if r < 0.28 else "Important"
        if impact in (ID, SFB, SPOOF):
            return "Moderate" if r < 0.15 else "Important"
        return "Important"

    def _flags(self) -> set[str]:
        r = self.rng.random()
        return {"exploited"} if r < 0.02 else {"disclosed"} if r < 0.05 else set()

    def _windows_filler(self, ie: bool = False) -> Vuln:
        if ie:
            component, scope, impacts = "Windows MSHTML Platform", "all", "Spoof RCE"
        else:
            component, scope, impacts = self.rng.choice(WINDOWS_COMPONENTS)
        impact = _IMPACTS[self.rng.choice(impacts.split())]
        severity = self._severity(impact)
        flags = self._flags() | ({"ie"} if ie else set())
        if severity == "Critical" and scope in ("all", "modern") and self.rng.random() < 0.3:
            flags.add("servers-critical")  # clients rate it Important: severity differs by product
        return Vuln(self._new_cve(), "win", f"{component} {impact} Vulnerability", impact, severity, component, scope, flags)

    def _filler(self, kind: str) -> Vuln:
        if kind == "chromium":
            cve = self._new_cve(chromium=True)
            return Vuln(cve, kind, f"Chromium: {cve} {self.rng.choice(CHROMIUM_BUGS)}", "", None,
                        "Microsoft Edge (Chromium-based)")
        names, impacts = COMPONENTS[kind]
        component = self.rng.choice(names)
        impact = _IMPACTS[self.rng.choice(impacts.split())]
        if kind == "edge":  # Edge's own CVEs are rated Low or Moderate
            severity = "Low" if impact == SPOOF else "Moderate"
        else:
            severity = self._severity(impact)
        return Vuln(self._new_cve(), kind, f"{component} {impact} Vulnerability", impact, severity, component,
                    flags=self._flags())

    # --- affected products and their fixes

    def affected(self, v: Vuln) -> list[Product]:
        if v.kind == "win":
            return self._windows_affected(v)
        wanted = _KIND_SERIES[v.kind]
        found = [p for p in self.products if p.series in wanted and (p.series.startswith("@") or ships(p.series, self.id))]
        if v.kind in ("azure", "apps", "dynamics", "devtools") and len(found) > 2:  # one tool, not the whole family
            found = sorted(self.rng.sample(found, self.rng.randint(1, 2)), key=found.index)
        return found

    def _windows_affected(self, v: Vuln) -> list[Product]:
        def in_scope(p: Product) -> bool:
            gen, server = _GEN[p.series], "Server" in p.name
            return {"all": True, "modern": gen >= 2, "recent": gen == 3, "servers": server,
                    "hyperv": gen >= 1 and "32-bit" not in p.name, "clients10": gen >= 2 and not server}[v.scope]

        oldest = 0
        if self.scale.per_product_variation and v.scope == "all" and not {"ie", "exploited"} & v.flags:
            r = self.rng.random()  # not every CVE reaches the oldest systems
            oldest = 2 if r < 0.1 else 1 if r < 0.3 else 0
        found = [p for p in self.products if p.series in _GEN and _GEN[p.series] >= oldest and in_scope(p)]
        if "ie" in v.flags and ships("ie", self.id):
            hosts = {p.series for p in found}
            found += [p for p in self.products if p.series.startswith("ie@") and p.series[3:] in hosts]
        return found

    def fixes(self, p: Product, v: Vuln) -> list[Fix]:
        kind, _, host = p.series.partition("@")
        if p.series.startswith("cu:"):
            out = [self._kb_fix(p.series, os_build(p.build, self.id), v)]
            if p.pid in _HOTPATCH and ships("hp:ws2022", self.id):
                out.append(self._kb_fix("hp:ws2022", os_build(p.build, self.id, back=18), v))
            return out
        if p.series.startswith("esu:"):
            line = p.series[4:]
            return [self._kb_fix("mr:" + line, os_build(p.build, self.id), v), self._kb_fix("so:" + line, None, v)]
        if kind == "ie":  # IE on an ESU OS: IE Cumulative plus the OS rollup; on Windows 10: the OS update
            if host.startswith("esu:"):
                return [self._kb_fix("ie", None, v), self._kb_fix("mr:" + host[4:], os_build(p.build, self.id), v)]
            return [self._kb_fix(host, os_build(p.build, self.id), v)]
        if p.series.startswith("@"):
            return [self._advisory(p)]
        return [self._kb_fix(p.series, product_build(p, self.id), v)]

    def _kb_fix(self, key: str, fixed_build: str | None, v: Vuln) -> Fix:
        series = SERIES[key]
        number = kb(key, last_ship(key, self.id))
        if key.split(":")[0] in ("cu", "mr", "so", "hp", "ssu", "ie", "net"):
            url = f"https://catalog.update.microsoft.com/v7/site/Search.aspx?q=KB{number}"
        elif key == "configmgr":
            url = f"https://learn.microsoft.com/mem/configmgr/hotfix/2403/{number}"
        else:
            url = f"https://www.microsoft.com/download/details.aspx?familyid={uuid.uuid5(uuid.NAMESPACE_URL, 'kb' + number)}"
        known = key.split(":")[0] in ("cu", "mr", "so") and "known-issues" in v.flags
        return Fix(number, url, supercedence(key, self.id), series.subtype, series.restart, fixed_build, known)

    def _advisory(self, p: Product) -> Fix:
        k = self.k
        if p.series == "@c2r":
            return Fix("Click to Run", "https://aka.ms/OfficeSecurityReleases", None, "Security Update", "No", None)
        if p.series == "@mac":
            return Fix("Release Notes", "https://learn.microsoft.com/officeupdates/release-notes-office-for-mac",
                       None, "Security Update", "No", None)
        if p.series == "@edge":  # FixedBuild is the Edge version, not an OS build
            return Fix("Release Notes", "https://learn.microsoft.com/deployedge/microsoft-edge-relnotes-security",
                       None, "Security Update", "No", f"{126 + k}.0.{2592 + 52 * k}.{102 - 3 * (k % 5)}")
        if p.series == "@dotnet":
            version = f"{p.build[:-2]}.0.{max(0, 7 + k - 3 * (8 - int(p.build[0])))}"
            return Fix("Release Notes", f"https://github.com/dotnet/core/releases/tag/v{version}", None,
                       "Security Update", "Maybe", version)
        if p.series == "@vs":
            return Fix("Release Notes", f"https://learn.microsoft.com/visualstudio/releasenotes/vs{p.build}",
                       None, "Security Update", "Maybe", f"{p.build}.{4 + k}")
        urls = {"@devrel": "https://code.visualstudio.com/updates",
                "@azure": "https://learn.microsoft.com/azure/release-notes",
                "@apps": "https://learn.microsoft.com/officeupdates/release-notes",
                "@dyn": "https://learn.microsoft.com/dynamics365/released-versions"}
        return Fix("Release Notes", urls[p.series], None, "Security Update", "Maybe", None)

    # --- JSON

    def vulnerability(self, v: Vuln, index: int) -> dict | None:
        products = self.affected(v)
        if not products:
            return None
        rng = self.rng
        if v.kind == "win" and rng.random() < self.scale.known_issues:
            v.flags.add("known-issues")
        pids = [p.pid for p in products]
        severity = {p.pid: ("Important" if "servers-critical" in v.flags and "Server" not in p.name else v.severity)
                    for p in products}
        threats, scores = [], []
        if v.kind == "chromium":  # MSRC gives Chromium CVEs no impact or severity of its own
            threats = [{"Description": {}, "ProductID": pids, "Type": t, "DateSpecified": False} for t in (0, 3)]
        else:
            threats += [{"Description": {"Value": v.impact}, "ProductID": [pid], "Type": 0, "DateSpecified": False} for pid in pids]
            threats += [{"Description": {"Value": severity[pid]}, "ProductID": [pid], "Type": 3, "DateSpecified": False} for pid in pids]
            vectors = sorted(VECTORS[v.impact], key=lambda vec: -cvss(vec)[0])
            vector = {"Critical": vectors[0], "Moderate": vectors[-1], "Low": vectors[-1]}.get(
                v.severity, rng.choice(vectors[1:] if len(vectors) > 2 else vectors))
            maturity = "F" if "exploited" in v.flags else "P" if "disclosed" in v.flags else "U"
            base, temporal, full = cvss(vector, maturity)
            scores = [{"BaseScore": base, "TemporalScore": temporal, "Vector": full, "ProductID": [pid]} for pid in pids]
        threats.append({"Description": {"Value": self._exploitability(v)}, "Type": 1, "DateSpecified": False})
        return {
            "Title": {"Value": v.title},
            "Notes": self._notes(v),
            "DiscoveryDateSpecified": False,
            "ReleaseDateSpecified": False,
            "CVE": v.cve,
            "ProductStatuses": [{"ProductID": pids, "Type": 3}],
            "Threats": threats,
            "CVSSScoreSets": scores,
            "Remediations": self._remediations(v, products),
            "Acknowledgments": [{"Name": [{"Value": "" if v.kind == "chromium" else rng.choice(ACKNOWLEDGMENTS)}], "URL": [""]}],
            "Ordinal": str(index),
            "RevisionHistory": self._revisions(v.cve),
        }

    def _remediations(self, v: Vuln, products: list[Product]) -> list[dict]:
        grouped: dict[Fix, list[str]] = {}
        for p in products:
            for fix in self.fixes(p, v):
                grouped.setdefault(fix, []).append(p.pid)
        out = []
        for fix, pids in grouped.items():
            entry = {"Description": {"Value": fix.description}, "URL": fix.url}
            if fix.supercedence is not None:
                entry["Supercedence"] = fix.supercedence
            entry |= {"ProductID": pids, "Type": 2, "DateSpecified": False, "AffectedFiles": [],
                      "RestartRequired": {"Value": fix.restart}, "SubType": fix.subtype}
            if fix.fixed_build:
                entry["FixedBuild"] = fix.fixed_build
            out.append(entry)
            if fix.known_issue:
                out.append({"Description": {"Value": fix.description}, "URL": f"https://support.microsoft.com/help/{fix.description}",
                            "ProductID": pids, "Type": 5, "DateSpecified": False, "AffectedFiles": []})
        if v.cve in WORKAROUNDS:  # a workaround (Type 0) names no KB and no product
            out.append({"Description": {"Value": WORKAROUNDS[v.cve]}, "Type": 0, "DateSpecified": False, "AffectedFiles": []})
        return out

    def _notes(self, v: Vuln) -> list[dict]:
        notes = [{"Title": "Description", "Type": 2, "Ordinal": "0"}]
        if v.kind == "chromium":
            notes[0]["Value"] = ("<p>Chrome assigned this CVE. Microsoft Edge (Chromium-based) is built on Chromium and "
                                 "takes the upstream fix; see the Chrome release notes for details.</p>\n")
        elif v.impact in FAQ and self.rng.random() < 0.5:
            question, answer = FAQ[v.impact]
            notes.append({"Title": "FAQ", "Type": 4, "Ordinal": "10",
                          "Value": f"<p><strong>{question}</strong></p>\n<p>{answer}</p>\n"})
        notes.append({"Title": v.tag, "Type": 7, "Ordinal": "20", "Value": v.tag})
        return notes

    def _exploitability(self, v: Vuln) -> str:
        exploited, disclosed = "exploited" in v.flags, "disclosed" in v.flags
        likely = "Exploitation Detected" if exploited else self.rng.choice(
            ["Exploitation Less Likely", "Exploitation Less Likely", "Exploitation More Likely", "Exploitation Unlikely"])
        return (f"Publicly Disclosed:{'Yes' if disclosed else 'No'};Exploited:{'Yes' if exploited else 'No'};"
                f"Latest Software Release:{likely};DOS:N/A")

    def _revisions(self, cve: str) -> list[dict]:
        out = [{"Number": "1.0", "Date": stamp(self.tuesday), "Description": {"Value": "<p>Information published.</p>\n"}}]
        if cve in VULN_REVISIONS:
            day, text = VULN_REVISIONS[cve]
            out.append({"Number": "1.1", "Date": stamp(date.fromisoformat(day)), "Description": {"Value": text}})
        return out

    def adv990001(self, index: int) -> dict:
        """The real advisory that lists the latest servicing stack update of each Windows version."""
        rems, pids = [], []
        for key, host in _SSU_HOSTS.items():
            hosts = [p.pid for p in self.products if p.series == host]
            if not hosts:
                continue
            pids += hosts
            number = kb(key, last_ship(key, self.id))
            entry = {"Description": {"Value": number}, "URL": f"https://catalog.update.microsoft.com/v7/site/Search.aspx?q=KB{number}"}
            entry["Supercedence"] = kb(key, last_ship(key, shift(last_ship(key, self.id), -1)))
            entry |= {"ProductID": hosts, "Type": 2, "DateSpecified": False, "AffectedFiles": [],
                      "RestartRequired": {"Value": "No"}, "SubType": "Servicing Stack Update"}
            rems.append(entry)
        first = ordinal("2018-Nov")
        history = [{"Number": f"{ordinal(m) - first + 1}.0", "Date": stamp(patch_tuesday(m)),
                    "Description": {"Value": f"<p>Servicing stack updates for the {_FULL[parse_month(m)[1] - 1]} "
                                             f"{parse_month(m)[0]} release are listed.</p>\n"}}
                   for m in (shift(self.id, -2), shift(self.id, -1), self.id)]
        return {
            "Title": {"Value": "Latest Servicing Stack Updates"},
            "Notes": [{"Title": "Description", "Type": 2, "Ordinal": "0",
                       "Value": "<p>This advisory lists the most recent servicing stack update (SSU) for each "
                                "version of Windows. Install the SSU before the month's updates: it updates the "
                                "component that installs them.</p>\n"},
                      {"Title": "Servicing Stack Updates", "Type": 7, "Ordinal": "20", "Value": "Servicing Stack Updates"}],
            "DiscoveryDateSpecified": False,
            "ReleaseDateSpecified": False,
            "CVE": "ADV990001",
            "ProductStatuses": [{"ProductID": pids, "Type": 3}],
            "Threats": [*({"Description": {"Value": "Defense in Depth"}, "ProductID": [pid], "Type": 0, "DateSpecified": False} for pid in pids),
                        *({"Description": {"Value": "Critical"}, "ProductID": [pid], "Type": 3, "DateSpecified": False} for pid in pids)],
            "CVSSScoreSets": [],
            "Remediations": rems,
            "Acknowledgments": [{"Name": [{"Value": ""}], "URL": [""]}],
            "Ordinal": str(index),
            "RevisionHistory": history,
        }

    def document(self) -> dict:
        vulns = self.plan()
        self.rng.shuffle(vulns)  # MSRC's order is not by CVE
        body = [self.adv990001(0)]
        for v in vulns:
            entry = self.vulnerability(v, len(body))
            if entry is not None:
                body.append(entry)
        used = {pid for entry in body for pid in entry["ProductStatuses"][0]["ProductID"]}
        products = [p for p in self.products if p.pid in used]
        year, month = parse_month(self.id)
        title = f"{_FULL[month - 1]} {year} Security Updates"
        released = stamp(self.tuesday)
        revised = MONTH_REVISIONS.get(self.id)
        if revised is None and year >= 2025 and ordinal(self.id) % 4 == 0:
            revised = self.tuesday + timedelta(days=15)  # some bench months were revised after release
        history = [{"Number": "1", "Date": released, "Description": {"Value": title}}]
        if revised:
            history.append({"Number": "2", "Date": stamp(revised), "Description": {"Value": title}})
        families = [f for f in _FAMILIES if any(p.family == f for p in products)]
        return {
            "DocumentTitle": {"Value": title},
            "DocumentType": {"Value": "Security Update"},
            "DocumentPublisher": {
                "ContactDetails": {"Value": "secure@microsoft.com"},
                "IssuingAuthority": {"Value": "Sample data in the format of the Microsoft Security Response Center (MSRC) "
                                              "CVRF API, written for sumtui's demo and tests."},
                "Type": 0,
            },
            "DocumentTracking": {
                "Identification": {"ID": {"Value": self.id}, "Alias": {"Value": self.id}},
                "Status": 2,
                "Version": "1.0",
                "RevisionHistory": history,
                "InitialReleaseDate": released,
                "CurrentReleaseDate": history[-1]["Date"],
            },
            "DocumentNotes": [
                {"Title": "Release Notes", "Audience": "Public", "Type": 1, "Ordinal": "0",
                 "Value": self._release_notes(title, families)},
                {"Title": "Legal Disclaimer", "Audience": "Public", "Type": 5, "Ordinal": "1",
                 "Value": "Sample data provided as is, without warranty of any kind. KB numbers, CVE identifiers and "
                          "product names follow Microsoft's public naming; everything else in this document is invented."},
            ],
            "ProductTree": {
                "Branch": [{"Items": [{"Items": [{"ProductID": p.pid, "Value": p.name} for p in products if p.family == f],
                                       "Type": 1, "Name": f} for f in families],
                            "Type": 0, "Name": "Microsoft"}],
                "FullProductName": [{"ProductID": p.pid, "Value": p.name} for p in sorted(products, key=lambda p: p.pid)],
            },
            "Vulnerability": body,
        }

    @staticmethod
    def _release_notes(title: str, families: list[str]) -> str:
        items = "".join(f"<li>{f}</li>\n" for f in families)
        return (f"<p>The {title.removesuffix(' Security Updates')} security release consists of security updates for "
                f"the following software:</p>\n<ul>\n{items}</ul>\n<p>Please note the following information regarding "
                "the security updates:</p>\n<ul>\n<li>Windows Server 2012, 2012 R2, 2008 R2 and Windows 7 are listed "
                "under ESU: their updates need an Extended Security Updates subscription.</li>\n<li>The latest "
                "servicing stack updates are listed in ADV990001.</li>\n<li>This is sample data written by sumtui's "
                "scripts/samplecatalog.py; it is not published by Microsoft.</li>\n</ul>\n")


# --------------------------------------------------------------------------------------------
# Public API


def build_month(month_id: str, scale: str = "demo", seed: int = 1) -> dict:
    """One CVRF month as the JSON API returns it (a dict). scale: "demo" (small) or "bench" (real size)."""
    if scale not in ("demo", "bench"):
        raise ValueError(f"scale must be 'demo' or 'bench', not {scale!r}")
    return MonthBuilder(month_id, scale, seed).document()


def dump(doc) -> bytes:
    """Compact UTF-8 JSON, as the API sends it."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def index_entry(doc: dict) -> dict:
    tracking = doc["DocumentTracking"]
    month_id = tracking["Identification"]["ID"]["Value"]
    return {"ID": month_id, "Alias": month_id, "DocumentTitle": doc["DocumentTitle"]["Value"], "Severity": None,
            "InitialReleaseDate": tracking["InitialReleaseDate"], "CurrentReleaseDate": tracking["CurrentReleaseDate"],
            "CvrfUrl": f"{API}cvrf/{month_id}"}


def index_document(entries: list[dict]) -> dict:
    """`GET updates`: sorted by ID as text, like the real index (so not by date)."""
    return {"@odata.context": "https://api.msrc.microsoft.com/$metadata#Updates",
            "value": sorted(entries, key=lambda e: e["ID"])}


README = """# Sample update catalog

These files are the catalog of the `sumtui demo` site: six monthly security update documents
(`2024-Jul.cvrf.json` … `2024-Dec.cvrf.json`) and `updates.json`, an index of them as `GET updates`
returns it. They are in the real format of the Microsoft Security Response Center CVRF API (JSON, as
`GET cvrf/{ID}` with `Accept: application/json` returns it), so they import like real months.

They are **sample data, not a real catalog**: KB numbers, CVE identifiers, product names and
ProductIDs follow Microsoft's public naming (many are real), but the vulnerabilities, scores and
supersedence facts are invented for the demo. Do not use them to decide what to patch.

They are generated, byte for byte, by `python scripts/samplecatalog.py --demo data/catalog`; edit
the script, not the files. The script's docstring and `DEMO_QUIRKS` list the patterns the months
carry on purpose (chain breaks, Security Only updates, IE months, a revised month, ...).
"""


def write_demo(out_dir: Path, seed: int = 1) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written, entries = [], []
    for month_id in DEMO_MONTHS:
        doc = build_month(month_id, "demo", seed)
        path = out_dir / f"{month_id}.cvrf.json"
        path.write_bytes(dump(doc))
        written.append(path)
        entries.append(index_entry(doc))
    (out_dir / "updates.json").write_bytes(dump(index_document(entries)))
    (out_dir / "README.md").write_text(README, encoding="utf-8")
    return [*written, out_dir / "updates.json", out_dir / "README.md"]


def bench_month_ids(months: int = 12) -> list[str]:
    return [shift(BENCH_START, i) for i in range(months)]


def write_bench_mirror(out_dir: Path, months: int = 12, seed: int = 1) -> list[str]:
    """Real-sized months in the API's layout: OUT/updates and OUT/cvrf/<ID>. Returns the month IDs."""
    out_dir = Path(out_dir)
    (out_dir / "cvrf").mkdir(parents=True, exist_ok=True)
    ids, entries = bench_month_ids(months), []
    for month_id in ids:
        doc = build_month(month_id, "bench", seed)
        (out_dir / "cvrf" / month_id).write_bytes(dump(doc))
        entries.append(index_entry(doc))
        del doc  # one month in memory at a time
    (out_dir / "updates").write_bytes(dump(index_document(entries)))
    return ids


# What the demo months show on purpose, for the README of the demo and for the tests.
DEMO_QUIRKS = {
    "chain break (names a KB MSRC never lists)": "KB5044277 (Windows 10 1809 / Server 2019, 2024-Oct): Supercedence 5043126",
    "chain break (empty Supercedence)": "KB5048652 (Windows 10 22H2, 2024-Dec): Supercedence \"\"",
    "Security Only never supersedes nor is superseded": "so:* series on Server 2012 R2, 2012, 2008 R2 / Windows 7",
    "IE components only in IE months": "10412-* products appear in 2024-Jul, 2024-Sep, 2024-Nov only",
    "IE on Windows Server 2016 fixed by the OS cumulative update": "10412-10816 under the 1607 KB",
    "FixedBuild that is not an OS build": ".NET (4.8.x.0), Office/SharePoint (16.0.x), SQL, Exchange, Edge versions",
    ".NET ProductID drift": "11954 until 2024-Sep, 12418 from 2024-Oct, same name",
    "servicing stack updates": "ADV990001 every month; KB5031539 (Windows 10) repeats unchanged in all six",
    "hotpatch": "Windows Server 2022 'Security Hotpatch Update' KBs in Aug, Sep, Nov, Dec",
    "shared KB, two FixedBuilds": "Windows 11 22H2 and 23H2 (10.0.22621.x / 10.0.22631.x)",
    "product arrives": "Windows Server 2025 from 2024-Nov, sharing 24H2's KB",
    "revised month": "2024-Nov re-released on 2024-11-27: Exchange SU v2 KB5049233 supersedes \"5044062;5036386\"",
    "several KBs in Supercedence": ".NET 1809 2024-Jul (',' separated), Exchange 2024-Nov (';' separated)",
    "advisories (vendor fix without KB)": "Click to Run, Release Notes (Mac Office, Edge, .NET 8.0, Visual Studio)",
    "non-Windows 8-digit KB": "Configuration Manager 29166583 (2024-Oct)",
    "severity differs by product": "'servers-critical' CVEs: Critical on servers, Important on clients",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--demo", metavar="OUT_DIR", type=Path, help="write the six demo months, updates.json and README.md")
    target.add_argument("--bench", metavar="OUT_DIR", type=Path, help="write real-sized months in the API layout")
    parser.add_argument("--months", type=int, default=12, help="bench months to write (default 12, from 2025-Jan)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.demo:
        for path in write_demo(args.demo, args.seed):
            print(f"{path}  {path.stat().st_size:,} bytes")
    else:
        for month_id in write_bench_mirror(args.bench, args.months, args.seed):
            path = args.bench / "cvrf" / month_id
            print(f"{path}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
