"""Evaluation on catalogs that carry MSRC's real habits (DESIGN.md §2 rules 1–4), the general causes
behind machines that disagreed with an independent reading of years of real months (issue 9):
dynamic updates spelled several ways, ADV990001's servicing stack updates dated by its hosting
document, a renamed .NET Framework line, out-of-band releases, a FixedBuild of another Windows
release, and enablement-package siblings. Months are written in the real CVRF JSON shape."""

from __future__ import annotations

import json

import pytest

from sumtui.catalog.derived import refresh_derived
from sumtui.catalog.ingest import ingest_document
from sumtui.catalog.settings import UpdatePointSettings
from sumtui.compliance.evaluate import (
    INSTALLED,
    NOT_REQUIRED,
    REQUIRED,
    ClientProfile,
    evaluate,
)
from sumtui.compliance.view import load_view
from tests.cvrf_builder import Fix, Vuln, month_doc

W1809 = "Windows 10 Version 1809 for x64-based Systems"
W21H2 = "Windows 10 Version 21H2 for x64-based Systems"
W22H2 = "Windows 10 Version 22H2 for x64-based Systems"
W11 = "Windows 11 version 21H2 for x64-based Systems"
S2012R2 = "Windows Server 2012 R2"
NET_OLD = "Microsoft .NET Framework 4.6/4.6.1/4.6.2/4.7/4.7.1/4.7.2 on Windows Server 2012 R2"
NET_NEW = "Microsoft .NET Framework 4.6.2/4.7/4.7.1/4.7.2 on Windows Server 2012 R2"
IDS = {W1809: "11569", W21H2: "11929", W22H2: "12097", W11: "11926", S2012R2: "10483",
       NET_OLD: "11935-10483", NET_NEW: "12114"}


def products(*names: str) -> dict[str, str]:
    return {IDS[n]: n for n in names}


def cves(prefix: str, n: int, fixes: list[Fix], **kw) -> list[Vuln]:
    return [Vuln(f"CVE-{prefix}-{i:04d}", fixes, **kw) for i in range(n)]


def catalog(site, *docs):
    for doc in docs:
        ingest_document(site.engine, json.dumps(doc).encode(), name="t", source="t", settings=UpdatePointSettings())
    with site.session() as session:
        refresh_derived(session)
        session.commit()
        return load_view(session)


def states(view, profile: ClientProfile) -> dict[str, tuple[int, str]]:
    """KB → (state, reason) for one client (one row per KB in these catalogs)."""
    result = evaluate(view, profile, explain=True)
    return {view.updates[v.update_id].kb: (v.state, v.reason) for v in result.verdicts}


def required(view, profile: ClientProfile) -> set[str]:
    return {kb for kb, (state, _) in states(view, profile).items() if state == REQUIRED}


def client(os_product: str, build: str, ubr: int | None = None, *kbs: str, reported: tuple[str, ...] = ()) -> ClientProfile:
    return ClientProfile(os_product, build, ubr, frozenset(kbs), reported)


def test_setup_and_safe_os_dynamic_updates_are_never_required(sqlite_site):
    view = catalog(sqlite_site, month_doc(2023, 5, products(W1809), [
        *cves("2023-5", 3, [Fix("5026362", [IDS[W1809]], fixed_build="10.0.17763.4377")]),
        Vuln("CVE-2023-5900", [Fix("5026873", [IDS[W1809]], subtype="Setup DU"),
                               Fix("5026874", [IDS[W1809]], subtype="Safe OS DU"),
                               Fix("5026875", [IDS[W1809]], subtype="Dynamic"),
                               Fix("5026876", [IDS[W1809]], subtype="SetupDynamic")]),
    ]))
    got = states(view, client(W1809, "10.0.17763", 4377))
    for kb in ("5026873", "5026874", "5026875", "5026876"):
        assert got[kb] == (NOT_REQUIRED, f"Not required: KB{kb} is a setup dynamic update, used only by Windows setup")
    assert required(view, client(W1809, "10.0.17763", 4377)) == set()


@pytest.fixture
def ssus(sqlite_site):
    """1809's SSUs: KB5003711 in its own month (2021-Jun); KB5011570, the newest, named only by
    ADV990001 inside the 2018-Nov document as fetched in March 2022."""
    w = IDS[W1809]
    nov = month_doc(2018, 11, products(W1809), [
        *cves("2018-11", 3, [Fix("4467708", [w])]),
        Vuln("ADV990001", [Fix("5011570", [w], subtype="ServicingStackUpdate")], title="Latest Servicing Stack Updates"),
    ], current="2022-03-08T08:00:00Z")
    adv = next(v for v in nov["Vulnerability"] if v["CVE"] == "ADV990001")
    adv["RevisionHistory"] = [{"Number": f"{n}.0", "Date": d, "Description": {"Value": "<p>Updated.</p>\n"}}
                              for n, d in ((30, "2022-03-08T08:00:00Z"), (1, "2018-11-13T08:00:00Z"))]
    jun = month_doc(2021, 6, products(W1809), [
        *cves("2021-6", 3, [Fix("5003646", [w], supersedes="4467708", fixed_build="10.0.17763.1999")]),
        Vuln("CVE-2021-6900", [Fix("5003711", [w], subtype="Servicing Stack Update")]),
    ])
    jul = month_doc(2021, 7, products(W1809), cves("2021-7", 3, [Fix("5004244", [w], fixed_build="10.0.17763.2061")]))
    return catalog(sqlite_site, nov, jun, jul)


def test_the_newest_ssu_named_by_adv990001_heads_the_family(ssus):
    got = states(ssus, client(W1809, "10.0.17763", None, "5004244"))
    assert got["5011570"][0] == REQUIRED  # dated March 2022: no installed cumulative update is later
    assert got["5003711"][0] == INSTALLED  # July's cumulative update is later than June's SSU
    nothing = states(ssus, client(W1809, "10.0.17763"))
    assert nothing["5003711"] == (NOT_REQUIRED, "Not required: covered by KB5011570 (Required)")
    assert required(ssus, client(W1809, "10.0.17763", None, "5004244", "5011570")) == set()


def test_a_renamed_dotnet_line_is_still_evaluated(sqlite_site):
    view = catalog(
        sqlite_site,
        month_doc(2022, 5, products(S2012R2, NET_OLD), [
            *cves("2022-5", 2, [Fix("5013631", [IDS[NET_OLD]], subtype="Monthly Rollup")]),
            *cves("2022-5a", 3, [Fix("5014011", [IDS[S2012R2]], subtype="Monthly Rollup")]),
        ]),
        # MSRC narrowed the name as 4.6 and 4.6.1 retired, and gave the product a new id.
        month_doc(2022, 8, products(S2012R2, NET_NEW), [
            *cves("2022-8", 2, [Fix("5016268", [IDS[NET_NEW]], subtype="Monthly Rollup")]),
            *cves("2022-8a", 3, [Fix("5016681", [IDS[S2012R2]], subtype="Monthly Rollup", supersedes="5014011")]),
        ]),
    )
    # May's .NET rollup is installed: the machine has the line, so August's is Required.
    got = states(view, client(S2012R2, "6.3.9600", None, "5013631", "5016681"))
    assert got["5016268"][0] == REQUIRED
    assert got["5013631"][0] == INSTALLED
    assert NET_NEW in got["5016268"][1]  # shown by its newest name
    assert required(view, client(S2012R2, "6.3.9600", None, "5016268", "5016681")) == set()
    # Reported by the agent as the version it runs: 4.6.2 is in the 4.6–4.7.2 line.
    assert "5016268" in required(view, client(S2012R2, "6.3.9600", None, "5016681",
                                              reported=(".NET Framework 4.6.2",)))
    # ".NET Framework 4.8" is another line: it does not make the 4.6–4.7.2 line present.
    assert "5016268" not in required(view, client(S2012R2, "6.3.9600", None, "5016681",
                                                  reported=(".NET Framework 4.8",)))


@pytest.fixture
def oob(sqlite_site):
    """21H2: June (1052), July's out-of-band release (1083, one CVE) and July's Patch Tuesday (1110)."""
    w = IDS[W21H2]
    return catalog(
        sqlite_site,
        month_doc(2021, 6, products(W21H2), cves("2021-6", 3, [Fix("5003637", [w], fixed_build="10.0.19044.1052")])),
        month_doc(2021, 7, products(W21H2), [
            Vuln("CVE-2021-34527", [Fix("5004945", [w], fixed_build="10.0.19044.1083")]),
            *cves("2021-7", 3, [Fix("5004237", [w], supersedes="5003637", fixed_build="10.0.19044.1110")]),
        ]),
    )


def test_an_out_of_band_release_is_superseded_by_a_later_revision(oob):
    assert required(oob, client(W21H2, "10.0.19044", 1110)) == set()
    assert required(oob, client(W21H2, "10.0.19044", None, "5004237")) == set()
    at_oob = states(oob, client(W21H2, "10.0.19044", 1083))
    assert at_oob["5004945"][0] == INSTALLED
    assert at_oob["5004237"][0] == REQUIRED
    assert at_oob["5003637"][0] == INSTALLED
    behind = states(oob, client(W21H2, "10.0.19044", 1052))
    assert behind["5004945"] == (NOT_REQUIRED, "Not required: covered by KB5004237 (Required)")


def test_enablement_package_siblings_share_their_revisions(sqlite_site):
    # MSRC lists 22H2 rows with the 21H2 build number of the same release: 19044 and 19045 are one build.
    view = catalog(sqlite_site, month_doc(2022, 6, products(W22H2), cves("2022-6", 3, [
        Fix("5014699", [IDS[W22H2]], fixed_build="10.0.19044.1766")])))
    got = states(view, client(W22H2, "10.0.19045", 1766))
    assert got["5014699"] == (INSTALLED, "Installed: build 10.0.19045.1766 is at or past KB5014699's fixed build 10.0.19044.1766")


def test_a_cumulative_row_of_another_release_is_not_applicable(sqlite_site):
    docs = []
    for month, (kb, revision) in enumerate([("5012599", 1645), ("5013942", 1706), ("5014699", 1766)], start=4):
        fixes = [Fix(kb, [IDS[W21H2]], fixed_build=f"10.0.19044.{revision}")]
        if month == 6:
            fixes.append(Fix("5014697", [IDS[W11], IDS[W21H2]], fixed_build="10.0.22000.739"))
        docs.append(month_doc(2022, month, products(W21H2, W11), cves(f"2022-{month}", 3, fixes)))
    view = catalog(sqlite_site, *docs)
    patched = states(view, client(W21H2, "10.0.19044", 1766))
    assert patched["5014697"] == (NOT_REQUIRED, (
        f"Not applicable: the catalog lists KB5014697 for {W21H2} (build 19044) with fixed build 10.0.22000.739, "
        "a build of another Windows release: a catalog error"))
    assert required(view, client(W21H2, "10.0.19044", 1766)) == set()
    assert required(view, client(W21H2, "10.0.19044", 1645)) == {"5014699"}
    # On Windows 11, where it belongs, the same KB is an ordinary cumulative update.
    assert states(view, client(W11, "10.0.22000", 100))["5014697"][0] == REQUIRED
