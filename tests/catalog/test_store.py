"""Storing months in the catalog and merging them (DESIGN.md §2), on SQLite and on PostgreSQL.

Covers: one update per (KB, product) merged across CVEs (union of CVEs, the highest severity with the
impact that goes with it) and across months (release month = the document naming the KB for the
most CVEs, the later on a tie; revised = the newest CurrentReleaseDate); storing a month again
replaces only that month's contribution and counts new / revised updates; a month with no
vulnerabilities is refused (EmptyMonth) without touching what is stored; products' first and last
months; vulnerabilities with their advisories; the real 2020-Dec month against an independent reading.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from sumtui.catalog.ingest import EmptyMonth, ingest_document
from sumtui.catalog.models import Document, Product, Update, UpdateSource, Vulnerability
from sumtui.catalog.queries import export_updates
from sumtui.catalog.settings import UpdatePointSettings
from tests.cvrf_builder import Fix, Vuln, month_doc

W1809 = {"11569": "Windows 10 Version 1809 for x64-based Systems"}
TWO = {**W1809, "11571": "Windows Server 2019"}


def store(site, doc: dict, settings: UpdatePointSettings | None = None):
    name = doc["DocumentTracking"]["Identification"]["ID"]["Value"]
    return ingest_document(site.engine, json.dumps(doc).encode(), name=f"{name}.json", source=f"test:{name}",
                           settings=settings or UpdatePointSettings())


def updates(site) -> dict[tuple[str, str], dict]:
    with site.session() as session:
        return {(u["kb"], u["product_id"]): u for u in export_updates(session)}


def table_counts(site) -> dict[str, int]:
    with site.session() as session:
        return {model.__name__: session.execute(select(func.count()).select_from(model)).scalar_one()
                for model in (Document, Product, Update, UpdateSource, Vulnerability)}


def test_one_update_per_kb_and_product_merged_across_cves(site):
    doc = month_doc(2020, 12, TWO, [
        Vuln("CVE-2020-17095", [Fix("4592440", ["11569", "11571"])], severity="Important", impact="Remote Code Execution"),
        Vuln("CVE-2020-17096", [Fix("4592440", ["11569", "11571"])], severity="Critical", impact="Information Disclosure"),
        Vuln("CVE-2020-17097", [Fix("4592440", ["11569"])], severity="Moderate", impact="Elevation of Privilege"),
    ])
    result = store(site, doc)
    assert (result.updates, result.updates_new, result.updates_revised, result.vulnerabilities) == (2, 2, 0, 3)
    got = updates(site)
    assert set(got) == {("4592440", "11569"), ("4592440", "11571")}
    client = got[("4592440", "11569")]
    assert client["cves"] == ["CVE-2020-17095", "CVE-2020-17096", "CVE-2020-17097"]
    # The worst severity wins and its impact comes with it, even though RCE ranks above disclosure.
    assert (client["severity"], client["impact"]) == ("Critical", "Information Disclosure")
    assert got[("4592440", "11571")]["cves"] == ["CVE-2020-17095", "CVE-2020-17096"]
    assert client["title"] == "2020-12 Security Update for Windows 10 Version 1809 for x64-based Systems (KB4592440)"
    assert client["document"] == "2020-Dec" and client["released"].startswith("2020-12-10T08:00")


def test_same_update_in_two_months_merges(site):
    nov = month_doc(2020, 11, W1809, [
        Vuln("CVE-2020-1001", [Fix("4586793", ["11569"], supersedes="4580390")]),
        Vuln("CVE-2020-1002", [Fix("4586793", ["11569"])]),
    ], current="2020-12-20T08:00:00Z")  # November's document revised after December's came out
    dec = month_doc(2020, 12, W1809, [
        Vuln("CVE-2020-2001", [Fix("4586793", ["11569"], supersedes="4577668", restart="Maybe")], severity="Critical"),
    ])
    store(site, nov)
    result = store(site, dec)
    assert (result.updates_new, result.updates_revised) == (0, 1)
    u = updates(site)[("4586793", "11569")]
    assert u["cves"] == ["CVE-2020-1001", "CVE-2020-1002", "CVE-2020-2001"]
    assert u["supersedes"] == ["4577668", "4580390"]
    assert u["severity"] == "Critical"
    # November names it for two CVEs, December for one: November is its release month.
    assert u["document"] == "2020-Nov" and u["released"].startswith("2020-11-10")
    assert u["revised"].startswith("2020-12-20")  # the newest CurrentReleaseDate of the two
    assert u["restart"] == "Maybe"  # the newest month's word on a field wins


def test_release_month_is_the_later_one_on_a_tie(site):
    store(site, month_doc(2020, 12, W1809, [Vuln("CVE-2020-2001", [Fix("4586793", ["11569"])])]))
    store(site, month_doc(2020, 11, W1809, [Vuln("CVE-2020-1001", [Fix("4586793", ["11569"])])]))
    u = updates(site)[("4586793", "11569")]
    assert u["document"] == "2020-Dec" and u["released"].startswith("2020-12-10")
    assert u["title"].startswith("2020-12 ")


def test_storing_a_month_again_replaces_only_its_contribution(site):
    nov = month_doc(2020, 11, W1809, [
        Vuln("CVE-2020-1001", [Fix("4586793", ["11569"])]),
        Vuln("CVE-2020-1002", [Fix("4586793", ["11569"]), Fix("4586830", ["11569"], subtype="Servicing Stack Update")]),
    ])
    dec = month_doc(2020, 12, W1809, [Vuln("CVE-2020-2001", [Fix("4586793", ["11569"])])])
    assert store(site, nov).updates_new == 2
    store(site, dec)

    again = store(site, nov)
    assert (again.updates, again.updates_new, again.updates_revised) == (2, 0, 0)

    # November revised: one CVE dropped from KB4586793, a new KB added.
    revised_nov = month_doc(2020, 11, W1809, [
        Vuln("CVE-2020-1001", [Fix("4586793", ["11569"]), Fix("4586830", ["11569"], subtype="Servicing Stack Update")]),
        Vuln("CVE-2020-1003", [Fix("4587000", ["11569"])]),
    ])
    result = store(site, revised_nov)
    assert (result.updates_new, result.updates_revised) == (1, 2)
    got = updates(site)
    # December's CVE stays; November's CVE-1002 is gone from both updates that had it.
    assert got[("4586793", "11569")]["cves"] == ["CVE-2020-1001", "CVE-2020-2001"]
    assert got[("4586830", "11569")]["cves"] == ["CVE-2020-1001"]
    assert got[("4587000", "11569")]["cves"] == ["CVE-2020-1003"]
    with site.session() as session:
        sources = session.execute(select(UpdateSource.document, func.count()).group_by(UpdateSource.document)).all()
    assert dict(sources) == {"2020-Nov": 3, "2020-Dec": 1}


def test_a_second_identical_store_changes_no_update(site):
    doc = month_doc(2020, 12, TWO, [Vuln("CVE-2020-2001", [Fix("4592440", ["11569", "11571"])])])
    store(site, doc)
    before = updates(site)
    result = store(site, doc)
    assert (result.updates, result.updates_new, result.updates_revised) == (2, 0, 0)
    assert updates(site) == before


def test_a_month_with_no_vulnerabilities_is_refused_and_keeps_what_is_stored(site):
    doc = month_doc(2020, 12, TWO, [Vuln("CVE-2020-2001", [Fix("4592440", ["11569", "11571"])])])
    store(site, doc)
    before, counts = updates(site), table_counts(site)
    with site.session() as session:
        revision = session.get(Document, "2020-Dec").current_release
    empty = month_doc(2020, 12, TWO, [], current="2021-01-05T08:00:00Z")
    with pytest.raises(EmptyMonth, match=r"2020-Dec\.json: month 2020-Dec has no vulnerabilities"):
        store(site, empty)
    assert updates(site) == before and table_counts(site) == counts
    with site.session() as session:
        assert session.get(Document, "2020-Dec").current_release == revision


def test_products_first_and_last_months(site):
    store(site, month_doc(2020, 11, TWO, [Vuln("CVE-2020-1001", [Fix("4586793", ["11569"])])]))
    store(site, month_doc(2021, 1, W1809, [Vuln("CVE-2021-1", [Fix("4598230", ["11569"])])]))
    # Stored out of order: December lands between the two, and changes neither bound of 11569.
    store(site, month_doc(2020, 12, {"11571": "Windows Server 2019"}, [Vuln("CVE-2020-2", [Fix("4592440", ["11571"])])]))
    store(site, month_doc(2020, 10, W1809, [Vuln("CVE-2020-9", [Fix("4577668", ["11569"])])]))
    with site.session() as session:
        products = {p.id: (p.first_month, p.last_month, p.family) for p in session.exec(select(Product)).scalars()}
    assert products == {"11569": ("2020-Oct", "2021-Jan", "Windows"), "11571": ("2020-Nov", "2020-Dec", "Windows")}


def test_vulnerabilities_keep_their_advisories(site):
    doc = month_doc(2020, 12, {**W1809, "11575": "Microsoft Office 2019 for Mac"}, [
        Vuln("CVE-2020-17123", [Fix("4592440", ["11569"])], title="Microsoft Excel Remote Code Execution Vulnerability",
             advisories=[("Release Notes", ["11575"]), ("Click to Run", ["11575"])]),
    ])
    result = store(site, doc)
    assert result.updates == 1  # the advisories are not updates
    with site.session() as session:
        vuln = session.get(Vulnerability, "CVE-2020-17123")
        assert vuln.title == "Microsoft Excel Remote Code Execution Vulnerability" and vuln.document == "2020-Dec"
        advisories = json.loads(vuln.advisories)
        document = session.get(Document, "2020-Dec")
    assert [(a["description"], a["products"]) for a in advisories] == [("Release Notes", ["11575"]),
                                                                      ("Click to Run", ["11575"])]
    assert (document.vulnerabilities, document.updates, document.source) == (1, 1, "test:2020-Dec")
    assert document.current_release == datetime(2020, 12, 10, 8, tzinfo=UTC)


def test_the_product_selection_narrows_what_is_stored(site):
    doc = month_doc(2020, 12, TWO, [
        Vuln("CVE-2020-2001", [Fix("4592440", ["11569", "11571"]), Fix("4486750", ["11573"])]),
    ])
    doc["ProductTree"]["Branch"][0]["Items"].append(
        {"Items": [{"ProductID": "11573", "Value": "Microsoft Office 2019 for 32-bit editions"}], "Type": 1,
         "Name": "Microsoft Office"})
    # A product name or a family name selects; everything else in the month is left out.
    result = store(site, doc, UpdatePointSettings(products=["Windows Server 2019"]))
    assert result.updates == 1 and set(updates(site)) == {("4592440", "11571")}
    store(site, doc, UpdatePointSettings(products=["Windows"]))
    assert set(updates(site)) == {("4592440", "11569"), ("4592440", "11571")}
    # Narrowing again (MSRC content is all "Security Updates") stores nothing new from the month and,
    # like WSUS, leaves the updates already in the catalog as they were.
    before = updates(site)
    assert store(site, doc, UpdatePointSettings(classifications=["Critical Updates"])).updates == 0
    assert updates(site) == before
    with site.session() as session:
        assert session.get(Document, "2020-Dec").updates == 0


def test_a_revision_that_drops_a_kb_keeps_the_update_as_stored(site):
    from sumtui.catalog.ingest import finish_catalog_change

    settings = UpdatePointSettings()
    store(site, month_doc(2020, 10, W1809, [Vuln("CVE-2020-1001", [Fix("4577668", ["11569"])])]))
    store(site, month_doc(2020, 11, W1809, [
        Vuln("CVE-2020-2001", [Fix("4586793", ["11569"], supersedes="4577668")], severity="Critical"),
        Vuln("CVE-2020-2002", [Fix("4586800", ["11569"])]),
    ]))
    finish_catalog_change(site.engine, settings=settings)
    before = updates(site)
    assert before[("4577668", "11569")]["superseded"] is True
    # November re-released without KB4586793: its CVEs and its supersedence must not vanish
    # (store.py: "a month that drops a KB leaves the update as an earlier sync stored it").
    result = store(site, month_doc(2020, 11, W1809, [Vuln("CVE-2020-2002", [Fix("4586800", ["11569"])])]))
    assert (result.updates, result.updates_new, result.updates_revised) == (1, 0, 0)
    finish_catalog_change(site.engine, settings=settings)
    assert updates(site) == before


def test_real_month_matches_an_independent_reading(site, realdata):
    raw = (realdata / "msrc" / "2020-Dec.cvrf.json").read_bytes()
    result = ingest_document(site.engine, raw, name="2020-Dec.cvrf.json", source="realdata", settings=UpdatePointSettings())
    assert (result.updates, result.updates_new, result.vulnerabilities) == (123, 123, 59)
    # What §2 says, read straight from the document: (KB, product) → CVEs, supersedes, worst severity.
    rank = {"Low": 1, "Moderate": 2, "Important": 3, "Critical": 4}
    expected: dict[tuple[str, str], dict] = {}
    for vuln in json.loads(raw)["Vulnerability"]:
        severity: dict[str, int] = {}
        for threat in vuln.get("Threats") or []:
            if threat["Type"] == 3:
                for pid in threat.get("ProductID") or []:
                    severity[pid] = max(severity.get(pid, 0), rank.get((threat.get("Description") or {}).get("Value"), 0))
        for rem in vuln.get("Remediations") or []:
            kb = rem["Description"]["Value"].strip()
            if rem["Type"] != 2 or not kb.isdigit():
                continue
            for pid in rem["ProductID"]:
                e = expected.setdefault((kb, pid), {"cves": set(), "supersedes": set(), "severity": 0})
                e["cves"].add(vuln["CVE"])
                e["supersedes"] |= {k for k in (rem.get("Supercedence") or "").replace(";", ",").split(",") if k.strip()}
                e["severity"] = max(e["severity"], severity.get(pid, 0))
    got = updates(site)
    assert set(got) == set(expected)
    for key, e in expected.items():
        u = got[key]
        assert set(u["cves"]) == e["cves"], key
        assert set(u["supersedes"]) == e["supersedes"], key
        assert rank.get(u["severity"], 0) == e["severity"], key
    with site.session() as session:
        assert session.execute(select(func.count()).select_from(Product)).scalar_one() == 147
        assert session.execute(select(func.count()).select_from(Vulnerability)).scalar_one() == 59
