"""Derived roles, release months and edges on MSRC's real habits (DESIGN.md §2 rules 2 and 4), each on
months written in the real CVRF JSON shape:

- SubType spelled several ways ("Setup DU", "Safe OS DU", "Dynamic", "SetupDynamic",
  "ServicingStackUpdate"), and a KB whose one product row says "Other";
- ADV990001 ("Latest Servicing Stack Updates") edited in place inside the 2018-Nov document: its KBs
  are dated by the advisory's latest revision, also when a later fetch names a newer KB;
- out-of-band and second releases of a month ordered by their FixedBuild revision, a standalone fix
  that lists the same revision, and a row whose FixedBuild is of another Windows release;
- a .NET Framework line renamed and given a new ProductID between months.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from sumtui.catalog.derived import refresh_derived, role_of
from sumtui.catalog.ingest import ingest_document
from sumtui.catalog.models import SupersedenceEdge, Update
from sumtui.catalog.settings import UpdatePointSettings
from tests.cvrf_builder import Fix, Vuln, month_doc

W1809 = "11569"
W21H2 = "11929"
W22H2 = "12097"
W11_21H2 = "11926"
S2012R2 = "10483"
PRODUCTS = {
    W1809: "Windows 10 Version 1809 for x64-based Systems",
    W21H2: "Windows 10 Version 21H2 for x64-based Systems",
    W22H2: "Windows 10 Version 22H2 for x64-based Systems",
    W11_21H2: "Windows 11 version 21H2 for x64-based Systems",
    S2012R2: "Windows Server 2012 R2",
}


def store(site, *docs) -> None:
    for doc in docs:
        ingest_document(site.engine, json.dumps(doc).encode(), name="t", source="t", settings=UpdatePointSettings())
    with site.session() as session:
        refresh_derived(session)
        session.commit()


def roles(site) -> dict[tuple[str, str], tuple[str, date | None]]:
    with site.session() as session:
        return {(u.kb, u.product_id): (u.role, u.kb_month) for u in session.execute(select(Update)).scalars()}


def edges(site) -> set[tuple[str, str, str]]:
    with site.session() as session:
        return {(e.newer_kb, e.older_kb, e.kind) for e in session.execute(select(SupersedenceEdge)).scalars()}


def cves(prefix: str, n: int, fixes: list[Fix], **kw) -> list[Vuln]:
    return [Vuln(f"CVE-{prefix}-{i:04d}", fixes, **kw) for i in range(n)]


def history(vuln: dict, *dates: str) -> dict:
    """Give a CVE entry the RevisionHistory MSRC writes (not in date order, as real documents have it)."""
    vuln["RevisionHistory"] = [
        {"Number": f"{i + 1}.0", "Date": f"{day}T08:00:00Z", "Description": {"Value": "<p>Information published.</p>\n"}}
        for i, day in enumerate(dates)
    ]
    return vuln


def test_subtype_spellings_are_compared_normalised():
    assert {role_of(s, ssu_advisory=False) for s in ("Setup DU", "Safe OS DU", "Dynamic", "SetupDynamic",
                                                     "Setup Dynamic Update", "SafeOS Dynamic Update")} == {"dynamic"}
    assert role_of("ServicingStackUpdate", ssu_advisory=False) == role_of("Servicing Stack Update", ssu_advisory=False) == "ssu"
    assert role_of("SecurityOnly", ssu_advisory=False) == "security_only"
    assert role_of("IE Cumulative", ssu_advisory=False) == "ie_cumulative"
    # The kinds that compete for the month's cumulative update have no role of their own.
    assert role_of("Security Update", ssu_advisory=False) is None
    assert role_of("Monthly Rollup", ssu_advisory=False) is None


def test_spellings_in_stored_months(site):
    store(site, month_doc(2023, 5, PRODUCTS, [
        *cves("2023-5", 3, [Fix("5026362", [W1809], subtype="Security Update", fixed_build="10.0.17763.4377")]),
        Vuln("CVE-2023-5900", [Fix("5026873", [W1809], subtype="Setup DU")]),
        Vuln("CVE-2023-5901", [Fix("5026874", [W1809], subtype="Safe OS DU")]),
        Vuln("CVE-2023-5902", [Fix("5026875", [W1809], subtype="SetupDynamic")]),
        Vuln("CVE-2023-5903", [Fix("5026876", [W1809], subtype="ServicingStackUpdate")]),
        Vuln("CVE-2023-5904", [Fix("5026877", [S2012R2], subtype="security  only")]),
        # One product row of the SSU says "Other": the KB's other rows say what it is.
        Vuln("CVE-2023-5905", [Fix("5026878", [W21H2, W22H2], subtype="Servicing Stack Update"),
                               Fix("5026878", [W1809], subtype="Other")]),
    ]))
    got = roles(site)
    assert got[("5026362", W1809)][0] == "cumulative"
    assert {got[(kb, W1809)][0] for kb in ("5026873", "5026874", "5026875")} == {"dynamic"}
    assert got[("5026876", W1809)][0] == "ssu"
    assert got[("5026877", S2012R2)][0] == "security_only"
    assert got[("5026878", W1809)][0] == got[("5026878", W22H2)][0] == "ssu"
    # The dynamic updates are in no family: nothing supersedes them and they supersede nothing.
    assert not any({n, o} & {"5026873", "5026874", "5026875"} for n, o, _ in edges(site))


def test_a_kb_whose_rows_all_say_other_stays_other(site):
    store(site, month_doc(2023, 5, PRODUCTS, [
        *cves("2023-5", 2, [Fix("5026362", [W1809], fixed_build="10.0.17763.4377")]),
        Vuln("CVE-2023-5910", [Fix("5026990", [W1809, W22H2], subtype="Other")]),
    ]))
    assert roles(site)[("5026990", W1809)][0] == "other"


def _nov2018(kbs: list[tuple[str, list[str]]], *dates: str, current: str) -> dict:
    """The 2018-Nov document as fetched at `current`: ADV990001 names the SSUs `kbs` and has revisions `dates`."""
    advisory = Vuln("ADV990001", [Fix(kb, pids, subtype="Servicing Stack Update", restart="No") for kb, pids in kbs],
                    title="Latest Servicing Stack Updates", severity="Critical", impact="Defense in Depth")
    doc = month_doc(2018, 11, PRODUCTS, [*cves("2018-11", 2, [Fix("4467708", [W1809])]), advisory], current=current)
    history(next(v for v in doc["Vulnerability"] if v["CVE"] == "ADV990001"), *dates)
    return doc


def test_adv990001_kbs_are_dated_by_the_advisory_revision(site):
    # The 2018-Nov document, fetched in 2022: ADV990001 names 1809's newest SSU (March 2022). An older
    # SSU of 1809 came in its own month (2021-Jun).
    nov = _nov2018([("5011570", [W1809])], "2018-11-13", "2022-03-08", "2021-06-08", current="2022-03-08T08:00:00Z")
    jun = month_doc(2021, 6, PRODUCTS, [
        *cves("2021-6", 3, [Fix("5003646", [W1809], fixed_build="10.0.17763.1999")]),
        Vuln("CVE-2021-6900", [Fix("5003711", [W1809], subtype="Servicing Stack Update")]),
    ])
    store(site, nov, jun)
    got = roles(site)
    assert got[("5011570", W1809)] == ("ssu", date(2022, 3, 1))  # not 2018-Nov, the hosting document's month
    assert got[("5003711", W1809)] == ("ssu", date(2021, 6, 1))
    assert ("5011570", "5003711", "ssu") in edges(site)  # the newest SSU heads the family
    assert ("5003711", "5011570", "ssu") not in edges(site)
    with site.session() as session:
        newest = session.execute(select(Update).where(Update.kb == "5011570")).scalar_one()
    assert (newest.released.year, newest.released.month) == (2022, 3)
    assert newest.title.startswith("2022-03 ")
    assert newest.document == "2018-Nov"


def test_adv990001_revised_again_names_a_newer_kb(site):
    first = _nov2018([("5005112", [W1809])], "2018-11-13", "2021-08-10", current="2021-08-10T08:00:00Z")
    store(site, first)
    # A later fetch of the same document: the advisory now names a newer SSU and has a newer revision.
    # The KB it no longer names keeps the date it was stored with.
    again = _nov2018([("5011570", [W1809])], "2018-11-13", "2021-08-10", "2022-03-08", current="2022-03-08T08:00:00Z")
    store(site, again)
    got = roles(site)
    assert got[("5005112", W1809)] == ("ssu", date(2021, 8, 1))
    assert got[("5011570", W1809)] == ("ssu", date(2022, 3, 1))
    assert ("5011570", "5005112", "ssu") in edges(site)


def test_releases_of_one_month_are_ordered_by_fixed_build_revision(site):
    may = month_doc(2021, 5, PRODUCTS, [*cves("2021-5", 3, [Fix("5003173", [W21H2], fixed_build="10.0.19044.1052")])])
    jul = month_doc(2021, 7, PRODUCTS, [
        # The out-of-band release of the month fixes one CVE; the Patch Tuesday release fixes three.
        Vuln("CVE-2021-34527", [Fix("5004945", [W21H2], fixed_build="10.0.19044.1083")]),
        *cves("2021-7", 3, [Fix("5004237", [W21H2], fixed_build="10.0.19044.1110")]),
        # A standalone fix listed with the same build as the month's cumulative update is not one.
        Vuln("CVE-2021-7800", [Fix("5004748", [W21H2], fixed_build="10.0.19044.1110")]),
    ])
    store(site, may, jul)
    got = roles(site)
    assert got[("5004237", W21H2)][0] == got[("5004945", W21H2)][0] == "cumulative"
    assert got[("5004748", W21H2)][0] == "other"
    found = edges(site)
    assert ("5004237", "5004945", "revision") in found  # the higher revision supersedes the out-of-band one
    assert ("5004945", "5004237", "revision") not in found
    assert {("5004237", "5003173"), ("5004945", "5003173")} <= {(n, o) for n, o, _ in found}
    assert not any("5004748" in (n, o) for n, o, _ in found)


def test_a_second_release_with_as_many_cves_is_ordered_too(site):
    # A tie makes both cumulative; their revisions say which one is the later release.
    store(site, month_doc(2022, 6, PRODUCTS, [
        *cves("2022-6", 2, [Fix("5014699", [W21H2], fixed_build="10.0.19044.1766"),
                            Fix("5016139", [W21H2], fixed_build="10.0.19044.1767")]),
    ]))
    assert ("5016139", "5014699", "revision") in edges(site)


def test_a_row_whose_fixed_build_is_of_another_release_is_a_catalog_error(site):
    docs = []
    for month, (kb, revision) in enumerate([("5012599", 1645), ("5013942", 1706), ("5014699", 1766)], start=4):
        fixes = [Fix(kb, [W21H2, W22H2], fixed_build=f"10.0.19044.{revision}")]
        if month == 6:
            # Windows 11's update of the month listed for Windows 10 21H2 as well, with its own build.
            fixes.append(Fix("5014697", [W11_21H2, W21H2], fixed_build="10.0.22000.739"))
        docs.append(month_doc(2022, month, PRODUCTS, cves(f"2022-{month}", 3, fixes)))
    store(site, *docs)
    got = roles(site)
    assert got[("5014697", W21H2)][0] == "wrong_build"
    assert got[("5014697", W11_21H2)][0] == "cumulative"  # right for its own product
    # 22H2 rows with a 19044 build are enablement-package siblings: one build, no error.
    assert got[("5014699", W22H2)][0] == got[("5014699", W21H2)][0] == "cumulative"
    found = edges(site)
    assert ("5014699", "5013942", "cumulative") in found
    assert not any(n == "5014697" and o in ("5013942", "5012599") for n, o, _ in found)


def test_a_renamed_dotnet_line_keeps_one_family(site):
    old = {S2012R2: "Windows Server 2012 R2",
           "11926-10483": "Microsoft .NET Framework 4.6/4.6.1/4.6.2/4.7/4.7.1/4.7.2 on Windows Server 2012 R2"}
    new = {S2012R2: "Windows Server 2012 R2",
           "12114": "Microsoft .NET Framework 4.6.2/4.7/4.7.1/4.7.2 on Windows Server 2012 R2"}
    store(site,
          month_doc(2022, 5, old, cves("2022-5", 2, [Fix("5013631", ["11926-10483"], subtype="Monthly Rollup")])),
          # Renamed and a new ProductID; the Supercedence field names nothing.
          month_doc(2022, 8, new, cves("2022-8", 2, [Fix("5016268", ["12114"], subtype="Monthly Rollup")])))
    assert ("5016268", "5013631", "cumulative") in edges(site)
