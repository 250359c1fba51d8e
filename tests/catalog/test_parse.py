"""Parsing CVRF months (JSON and XML) through `parse_document` into what the store consumes.

Covers DESIGN.md §2's reading of a month: one update fact per (KB, product) from vendor fixes whose
description is a KB number; severity per product (the highest Severity threat) with its impact;
subtype, restart, URL, FixedBuild and Supercedence (split on `,` and `;`, "KB" prefix dropped);
vendor fixes without a KB kept as advisories on the CVE; products and their families; and the
figures of the real documents in ../shared/realdata/msrc/ (checked against the independent reading
in ../shared/checks/lib/oracle.py). The same small months go through both parsers: the XML form is
written from the JSON one by tests/catalog/xmldoc.py.
"""

from __future__ import annotations

import json

import pytest

from sumtui.catalog.cvrf import parse_document
from sumtui.catalog.parsed import kb_number, split_kbs
from tests.catalog.xmldoc import to_xml
from tests.cvrf_builder import Fix, Vuln, month_doc

W1809 = "Windows 10 Version 1809 for x64-based Systems"
WS2019 = "Windows Server 2019"
PRODUCTS = {"11569": W1809, "11571": WS2019, "11573": "Microsoft Office 2019 for 32-bit editions"}


def _month() -> dict:
    doc = month_doc(2020, 12, PRODUCTS, [
        Vuln("CVE-2020-17095", [
            Fix("4592440", ["11569", "11571"], subtype="Security Update", supersedes="4586793; KB4580390,4577668",
                fixed_build="10.0.17763.1637", restart="Yes"),
        ], severity="Critical", impact="Remote Code Execution", title="Hyper-V Remote Code Execution Vulnerability",
            advisories=[("Release Notes", ["11573"]), ("Click to Run", ["11573"])]),
        Vuln("CVE-2020-17096", [Fix("4592440", ["11569"], supersedes="4586793")],
             severity="Important", impact="Elevation of Privilege"),
    ])
    # Severity differs by product inside one CVE (Critical on the server, Moderate on the client),
    # and a product may carry several Severity threats: the highest one counts.
    first = doc["Vulnerability"][0]
    first["Threats"] = [
        {"Description": {"Value": "Remote Code Execution"}, "ProductID": ["11569", "11571"], "Type": 0},
        {"Description": {"Value": "Moderate"}, "ProductID": ["11569"], "Type": 3},
        {"Description": {"Value": "Critical"}, "ProductID": ["11571"], "Type": 3},
        {"Description": {"Value": "Low"}, "ProductID": ["11571"], "Type": 3},
        {"Description": {"Value": "Publicly Disclosed:No;Exploited:No"}, "Type": 1},
    ]
    # A "Known Issue" remediation (type 5) names a KB article too: it is not a vendor fix, not an update.
    first["Remediations"].append({"Description": {"Value": "4592999"}, "ProductID": ["11569"], "Type": 5})
    return doc


@pytest.fixture(params=["json", "xml"])
def form(request):
    return request.param


def _parse(doc: dict, form: str, name: str = "month"):
    data = json.dumps(doc).encode() if form == "json" else to_xml(doc)
    return parse_document(data, name=f"{name}.{form}")


def test_one_fact_per_kb_product_and_cve(form):
    month = _parse(_month(), form)
    assert month.id == "2020-Dec"
    assert month.title == "2020-Dec Security Updates"
    assert month.initial_release.isoformat() == "2020-12-10T08:00:00+00:00"
    # KB4592440 on two products under CVE-17095 and on one under CVE-17096: three facts, two updates.
    assert sorted((f.kb, f.product_id, f.cve) for f in month.facts) == [
        ("4592440", "11569", "CVE-2020-17095"),
        ("4592440", "11569", "CVE-2020-17096"),
        ("4592440", "11571", "CVE-2020-17095"),
    ]
    assert month.update_keys == {("4592440", "11569"), ("4592440", "11571")}


def test_severity_is_the_highest_threat_for_that_product(form):
    facts = {(f.product_id, f.cve): f for f in _parse(_month(), form).facts}
    assert facts[("11571", "CVE-2020-17095")].severity == "Critical"  # Critical beats the Low listed after it
    assert facts[("11569", "CVE-2020-17095")].severity == "Moderate"
    assert facts[("11569", "CVE-2020-17096")].severity == "Important"
    assert facts[("11569", "CVE-2020-17095")].impact == "Remote Code Execution"
    assert facts[("11569", "CVE-2020-17096")].impact == "Elevation of Privilege"


def test_remediation_fields_and_supercedence_split(form):
    fact = next(f for f in _parse(_month(), form).facts if f.cve == "CVE-2020-17095" and f.product_id == "11569")
    assert fact.subtype == "Security Update"
    assert fact.restart == "Yes"
    assert fact.url == "https://catalog.update.microsoft.com/v7/site/Search.aspx?q=KB4592440"
    assert fact.fixed_build == "10.0.17763.1637"
    # "4586793; KB4580390,4577668": both separators, and the KB prefix dropped.
    assert fact.supersedes == ("4586793", "4580390", "4577668")


def test_vendor_fixes_without_a_kb_are_advisories_not_updates(form):
    month = _parse(_month(), form)
    vuln = next(v for v in month.vulnerabilities if v.cve == "CVE-2020-17095")
    assert [(a.description, a.products) for a in vuln.advisories] == [("Release Notes", ("11573",)),
                                                                      ("Click to Run", ("11573",))]
    assert vuln.advisories[0].url == "https://example.invalid/notes"
    assert vuln.title == "Hyper-V Remote Code Execution Vulnerability"
    # Neither the advisories' product nor the Known Issue KB became an update.
    assert {f.product_id for f in month.facts} == {"11569", "11571"}
    assert "4592999" not in {f.kb for f in month.facts}


def test_products_and_families(form):
    doc = month_doc(2020, 12, {"11569": W1809}, [Vuln("CVE-2020-1", [Fix("4592440", ["11569"])])])
    doc["ProductTree"]["Branch"][0]["Items"].append(
        {"Items": [{"ProductID": "11573", "Value": "Microsoft Office 2019 for 32-bit editions"}], "Type": 1,
         "Name": "Microsoft Office"})
    # A product only in the flat list has no family; the others keep their branch's family even
    # though they are listed again (without one) in the flat list.
    doc["ProductTree"]["FullProductName"] += [
        {"ProductID": "11573", "Value": "Microsoft Office 2019 for 32-bit editions"},
        {"ProductID": "16878-16820", "Value": "cm1 openssl 1.1.1k-5 on CBL Mariner 1.0"},
    ]
    products = _parse(doc, form).products
    assert {pid: (p.name, p.family) for pid, p in products.items()} == {
        "11569": (W1809, "Windows"),
        "11573": ("Microsoft Office 2019 for 32-bit editions", "Microsoft Office"),
        "16878-16820": ("cm1 openssl 1.1.1k-5 on CBL Mariner 1.0", None),
    }


def test_xml_keeps_the_family_when_the_flat_list_comes_after_the_branch():
    xml = b"""<?xml version="1.0"?>
<cvrf:cvrfdoc xmlns:cvrf="http://www.icasi.org/CVRF/schema/cvrf/1.1" xmlns:prod="http://www.icasi.org/CVRF/schema/prod/1.1"
  xmlns:vuln="http://www.icasi.org/CVRF/schema/vuln/1.1">
  <cvrf:DocumentTitle>January 2017 Security Updates</cvrf:DocumentTitle>
  <cvrf:DocumentTracking><cvrf:Identification><cvrf:ID>2017-Jan</cvrf:ID></cvrf:Identification>
    <cvrf:InitialReleaseDate>2017-01-10T08:00:00Z</cvrf:InitialReleaseDate></cvrf:DocumentTracking>
  <prod:ProductTree>
    <prod:Branch Type="Vendor" Name="Microsoft"><prod:Branch Type="Product Family" Name="ESU">
      <prod:FullProductName ProductID="10048">Windows 7 for x64-based Systems Service Pack 1</prod:FullProductName>
    </prod:Branch></prod:Branch>
    <prod:FullProductName ProductID="10048">Windows 7 for x64-based Systems Service Pack 1</prod:FullProductName>
  </prod:ProductTree>
</cvrf:cvrfdoc>"""
    month = parse_document(xml, name="2017-Jan.xml")
    assert month.products["10048"].family == "ESU"
    assert month.vulnerabilities == [] and month.facts == []


def test_json_and_xml_give_the_same_month():
    doc = _month()
    from_json, from_xml = _parse(doc, "json"), _parse(doc, "xml")
    assert from_json.facts == from_xml.facts
    assert from_json.products == from_xml.products
    assert from_json.vulnerabilities == from_xml.vulnerabilities


def test_xml_served_with_a_json_content_type_is_still_read_as_xml():
    # An upstream that ignores the Accept header may label XML as JSON: the body decides.
    month = parse_document(to_xml(_month()), name="cvrf/2020-Dec", content_type="application/json")
    assert month.update_keys == {("4592440", "11569"), ("4592440", "11571")}


@pytest.mark.parametrize("text, expected", [
    ("4586793", ("4586793",)),
    ("4586793;4586781", ("4586793", "4586781")),
    ("KB4586793, kb4586781 ; 4586793", ("4586793", "4586781")),
    ("", ()),
    (None, ()),
    ("n/a", ()),
    ("\u00b2; 123", ("123",)),  # "²" passes str.isdigit() but not int(): not a KB
])
def test_split_kbs(text, expected):
    assert split_kbs(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("4592440", "4592440"), (" 29166583 ", "29166583"), ("Release Notes", None), ("Click to Run", None),
    ("KB4592440", None), ("", None), (None, None),
    ("\uff14\uff15\uff19\uff12\uff14\uff14\uff10", None), ("\u00b2", None),  # full-width digits, "²"
])
def test_kb_number(text, expected):
    assert kb_number(text) == expected


# --- the real documents


def test_real_json_month(realdata):
    month = parse_document((realdata / "msrc" / "2020-Dec.cvrf.json").read_bytes(), name="2020-Dec.cvrf.json")
    assert month.id == "2020-Dec"
    assert len(month.update_keys) == 123
    assert len({kb for kb, _ in month.update_keys}) == 43
    assert len(month.products) == 147
    assert len(month.vulnerabilities) == 59
    advisories = [a.description for v in month.vulnerabilities for a in v.advisories]
    assert advisories.count("Release Notes") == 16 and advisories.count("Click to Run") == 8
    # The 1809 cumulative update: nine products, one supersedence, a known fact of that month.
    kb = {f.product_id: f for f in month.facts if f.kb == "4592440"}
    assert len(kb) == 9
    assert kb["11569"].supersedes == ("4586793",)
    assert month.products["11569"].name == W1809 and month.products["11569"].family == "Windows"
    assert {f.subtype for f in month.facts} == {"Security Update", "Monthly Rollup", "Security Only"}


def test_real_xml_month(realdata):
    month = parse_document((realdata / "msrc" / "2017-Jan.cvrf.xml").read_bytes(), name="2017-Jan.cvrf.xml")
    assert month.id == "2017-Jan"
    assert len(month.update_keys) == 39
    assert len({kb for kb, _ in month.update_keys}) == 9
    assert len(month.products) == 47
    assert len(month.vulnerabilities) == 10
    # Azure Linux "CBL-Mariner Releases" vendor fixes are advisories; "Release Notes" remediations are skipped.
    assert {a.description for v in month.vulnerabilities for a in v.advisories} == {"CBL-Mariner Releases"}
    flash = [f for f in month.facts if f.kb == "3214628"]
    assert len({f.product_id for f in flash}) == 12
    assert all(f.supersedes == ("3209498",) and f.severity == "Critical" for f in flash)
    # Windows 7 is listed in the ESU branch and again in the flat list: the family stays.
    assert month.products["10048"].family == "ESU"


def test_non_ascii_digits_are_not_kbs(sqlite_site, tmp_path):
    # They used to pass str.isdigit() and then crash the store on int() (and PostgreSQL's CAST on sort).
    from sumtui.catalog.sync import import_files
    from tests.cvrf_builder import write

    doc = month_doc(2020, 12, PRODUCTS, [Vuln("CVE-2020-1", [Fix("\uff14\uff15\uff19", ["11569"]),
                                                             Fix("4592440", ["11569"], supersedes="\u00b2;4586793")])])
    write(tmp_path / "odd.json", doc)
    run = import_files(sqlite_site.engine, [tmp_path / "odd.json"])
    assert (run.status, run.updates_new) == ("ok", 1)


def test_a_cves_revision_history_gives_its_latest_date(form):
    doc = _month()
    # MSRC does not keep revisions in date order (a 2.0 listed before the 1.0 it revises).
    doc["Vulnerability"][0]["RevisionHistory"] = [
        {"Number": "2.0", "Date": "2022-03-08T08:00:00Z", "Description": {"Value": "<p>Updated.</p>\n"}},
        {"Number": "1.0", "Date": "2020-12-08T08:00:00Z", "Description": {"Value": "<p>Information published.</p>\n"}},
        {"Number": "1.1", "Date": "2021-01-12T08:00:00", "Description": {"Value": "<p>No zone: UTC.</p>\n"}},
    ]
    month = _parse(doc, form)
    first, second = (next(v for v in month.vulnerabilities if v.cve == c) for c in ("CVE-2020-17095", "CVE-2020-17096"))
    assert first.revised.isoformat() == "2022-03-08T08:00:00+00:00"
    assert second.revised is None  # no history of its own
    assert {f.cve_revised for f in month.facts if f.cve == "CVE-2020-17095"} == {first.revised}


def test_a_malformed_revision_history_is_ignored_not_fatal():
    doc = _month()
    doc["Vulnerability"][0]["RevisionHistory"] = {"Number": "1.0", "Date": "2020-12-08T08:00:00Z"}
    doc["Vulnerability"][1]["RevisionHistory"] = [{"Date": "not a date"}, {"Date": "0001-01-01T00:00:00+01:00"}, 7]
    month = _parse(doc, "json")
    assert [v.revised for v in month.vulnerabilities] == [None, None]
    assert len(month.facts) == 3


def test_real_revision_histories(realdata):
    month = parse_document((realdata / "msrc/2020-Dec.cvrf.json").read_bytes(), name="2020-Dec.cvrf.json")
    revised = {v.cve: v.revised for v in month.vulnerabilities}
    assert revised["CVE-2020-17123"].isoformat() == "2020-12-15T08:00:00+00:00"  # 2.0 listed first
    assert revised["CVE-2020-17095"].isoformat() == "2020-12-08T08:00:00+00:00"
    xml = parse_document((realdata / "msrc/2017-Jan.cvrf.xml").read_bytes(), name="2017-Jan.cvrf.xml")
    assert all(v.revised is not None for v in xml.vulnerabilities)
    assert max(v.revised for v in xml.vulnerabilities).year >= 2024  # an old month's entries revised for years
