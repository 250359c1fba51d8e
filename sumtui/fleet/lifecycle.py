"""End of servicing per OS release and edition: when a machine stops getting security updates.

Compliance still evaluates an OS past its end of servicing (its last cumulative update stays
Required) but flags it "out of support" (DESIGN.md §2). Dates are Microsoft's published lifecycle
dates (learn.microsoft.com/lifecycle, and the Windows release-health pages for the per-version
Windows 10/11 dates); each row's comment names its page. Paid Extended Security Updates (Windows 7,
Server 2008/2012, Windows 10 22H2) are not counted: a machine on ESU is out of support unless the
operator says otherwise.

Windows 10 and 11 feature updates end at different dates by edition: Home/Pro (and Pro Education,
Pro for Workstations) first, Enterprise/Education later, and the LTSB/LTSC releases years later
(IoT Enterprise LTSC later still for 2021 and 2024). Other releases end on one date for every
edition. An unknown edition gets the earliest, Home/Pro date: better to flag a machine that may
be out of support than to hide one that is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sumtui.fleet.osmap import product_info


@dataclass(frozen=True)
class Lifecycle:
    end_of_servicing: date           # last day updates are released (the last Patch Tuesday)
    mainstream_end: date | None = None  # for fixed-lifecycle releases with an extended phase


_D = date.fromisoformat


def _split(consumer: str, enterprise: str, **more: Lifecycle) -> dict[str, Lifecycle]:
    return {"consumer": Lifecycle(_D(consumer)), "enterprise": Lifecycle(_D(enterprise)), **more}


def _one(end: str, mainstream: str | None = None) -> dict[str, Lifecycle]:
    return {"all": Lifecycle(_D(end), _D(mainstream) if mainstream else None)}


def _fixed(mainstream: str, extended: str) -> Lifecycle:
    return Lifecycle(_D(extended), _D(mainstream))


# (family, version) as osmap names them → edition group → lifecycle.
_TABLE: dict[tuple[str, str | None], dict[str, Lifecycle]] = {
    # lifecycle/products/windows-7 and windows-server-2008(-r2), windows-81, windows-server-2012(-r2)
    ("Windows 7", "SP1"): _one("2020-01-14", "2015-01-13"),
    ("Windows Server 2008", "SP2"): _one("2020-01-14", "2015-01-13"),
    ("Windows Server 2008 R2", "SP1"): _one("2020-01-14", "2015-01-13"),
    ("Windows 8.1", None): _one("2023-01-10", "2018-01-09"),
    ("Windows Server 2012", None): _one("2023-10-10", "2018-10-09"),
    ("Windows Server 2012 R2", None): _one("2023-10-10", "2018-10-09"),
    # lifecycle/products/windows-10-home-and-pro and windows-10-enterprise-and-education;
    # LTSB 2015 / 2016 / LTSC 2019 / 2021: windows-10-2015-ltsb, -2016-ltsb, -enterprise-ltsc-2019,
    # -enterprise-ltsc-2021 and -iot-enterprise-ltsc-2021
    ("Windows 10", "1507"): _split("2017-05-09", "2017-05-09", ltsc=_fixed("2020-10-13", "2025-10-14")),
    ("Windows 10", "1511"): _split("2017-10-10", "2018-04-10"),
    ("Windows 10", "1607"): _split("2018-04-10", "2019-04-09", ltsc=_fixed("2021-10-12", "2026-10-13")),
    ("Windows 10", "1703"): _split("2018-10-09", "2019-10-08"),
    ("Windows 10", "1709"): _split("2019-04-09", "2020-10-13"),
    ("Windows 10", "1803"): _split("2019-11-12", "2021-05-11"),
    ("Windows 10", "1809"): _split("2020-11-10", "2021-05-11", ltsc=_fixed("2024-01-09", "2029-01-09")),
    ("Windows 10", "1903"): _split("2020-12-08", "2020-12-08"),
    ("Windows 10", "1909"): _split("2021-05-11", "2022-05-10"),
    ("Windows 10", "2004"): _split("2021-12-14", "2021-12-14"),
    ("Windows 10", "20H2"): _split("2022-05-10", "2023-05-09"),
    ("Windows 10", "21H1"): _split("2022-12-13", "2022-12-13"),
    ("Windows 10", "21H2"): _split("2023-06-13", "2024-06-11", ltsc=Lifecycle(_D("2027-01-12")),
                                   iot_ltsc=_fixed("2027-01-12", "2032-01-13")),
    ("Windows 10", "22H2"): _split("2025-10-14", "2025-10-14"),
    # lifecycle/products/windows-11-home-and-pro, -enterprise-and-education, -enterprise-ltsc-2024,
    # -iot-enterprise-ltsc-2024
    ("Windows 11", "21H2"): _split("2023-10-10", "2024-10-08"),
    ("Windows 11", "22H2"): _split("2024-10-08", "2025-10-14"),
    ("Windows 11", "23H2"): _split("2025-11-11", "2026-11-10"),
    ("Windows 11", "24H2"): _split("2026-10-13", "2027-10-12", ltsc=Lifecycle(_D("2029-10-09")),
                                   iot_ltsc=_fixed("2029-10-09", "2034-10-10")),
    ("Windows 11", "25H2"): _split("2027-10-12", "2028-10-10"),
    # lifecycle/products/windows-server-2016, -2019, -2022, -2025
    ("Windows Server 2016", "1607"): _one("2027-01-12", "2022-01-11"),
    ("Windows Server 2019", "1809"): _one("2029-01-09", "2024-01-09"),
    ("Windows Server 2022", "21H2"): _one("2031-10-14", "2026-10-13"),
    ("Windows Server 2025", "24H2"): _one("2034-10-10", "2029-10-09"),
    # Semi-Annual / Annual Channel servers: lifecycle/products/windows-server, "Windows Server, version …"
    ("Windows Server", "1709"): _one("2019-04-09"),
    ("Windows Server", "1803"): _one("2019-11-12"),
    ("Windows Server", "1903"): _one("2020-12-08"),
    ("Windows Server", "1909"): _one("2021-05-11"),
    ("Windows Server", "2004"): _one("2021-12-14"),
    ("Windows Server", "20H2"): _one("2022-08-09"),
    ("Windows Server", "23H2"): _one("2025-10-24"),
}

# Edition (as osmap.edition_from_os_name gives it) → edition group of the table.
_GROUP = {
    "Enterprise": "enterprise", "Education": "enterprise",
    "LTSC": "ltsc", "IoT LTSC": "iot_ltsc",
}


@lru_cache(maxsize=1024)
def lifecycle(os_product: str, edition: str | None) -> Lifecycle | None:
    """The lifecycle of a catalog product for an edition; None for a product we do not know."""
    match = product_info(os_product)
    if match is None:
        return None
    rows = _TABLE.get((match.family, match.version))
    if rows is None:
        return None
    if "all" in rows:
        return rows["all"]
    group = _GROUP.get(edition or "", "consumer")
    if group == "iot_ltsc" and group not in rows:
        group = "ltsc"  # IoT LTSC shares Enterprise LTSC's dates where it has none of its own
    if group == "ltsc" and group not in rows:
        group = "enterprise"  # no LTSC release on this version: the edition name was only a word
    return rows[group]


def end_of_servicing(os_product: str, edition: str | None) -> date | None:
    """The last day the release gets security updates (extended support end where there is one)."""
    found = lifecycle(os_product, edition)
    return found.end_of_servicing if found else None


def past_end(end: date | None, today: date | datetime) -> bool:
    """Out of support: after the end of servicing (the end date itself still gets its last updates).
    No known end (a product we do not know) is not flagged: unknown is shown as unmapped, not unsupported."""
    if isinstance(today, datetime):
        today = today.date()  # a datetime does not compare with a date
    return end is not None and today > end


def is_out_of_support(os_product: str, edition: str | None, today: date | datetime) -> bool:
    return past_end(end_of_servicing(os_product, edition), today)
