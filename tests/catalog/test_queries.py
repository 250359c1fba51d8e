"""Catalog queries on SQLite and PostgreSQL: every `UpdateFilter` field, sorting, stable paging,
`count_updates` agreeing with the pages, `catalog_counts`, and the filter's JSON round trip.

The catalog is small but varied: two families (Windows, Microsoft Office) plus Configuration Manager
with an 8-digit KB (so a text sort of KBs would be wrong), two months of 2020 and one recent month
(for "released within N days"), an update superseded but not yet expired and one expired.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from sumtui.catalog.ingest import ingest_document
from sumtui.catalog.queries import (
    SORT_COLUMNS,
    UpdateFilter,
    catalog_counts,
    count_updates,
    page_updates,
)
from sumtui.catalog.settings import UpdatePointSettings
from sumtui.catalog.supersedence import refresh_flags
from sumtui.timeutil import utcnow
from tests.cvrf_builder import Fix, Vuln, month_doc

W1809 = "Windows 10 Version 1809 for x64-based Systems"
WS2012R2 = "Windows Server 2012 R2"
OFFICE = "Microsoft Office 2019 for 32-bit editions"
MECM = "Microsoft Endpoint Configuration Manager"


def _with_family(doc: dict, family: str, products: dict[str, str]) -> dict:
    doc["ProductTree"]["Branch"][0]["Items"].append(
        {"Items": [{"ProductID": pid, "Value": name} for pid, name in products.items()], "Type": 1, "Name": family})
    doc["ProductTree"]["FullProductName"] += [{"ProductID": pid, "Value": name} for pid, name in products.items()]
    return doc


RECENT = date.today() - timedelta(days=5)  # its month's documents are released on the 10th: within 60 days


@pytest.fixture
def catalog(site):
    windows = {"11569": W1809, "10483": WS2012R2}
    nov = month_doc(2020, 11, windows, [
        Vuln("CVE-2020-17087", [Fix("4586793", ["11569"]), Fix("4586845", ["10483"], subtype="Monthly Rollup")],
             severity="Important"),
        Vuln("CVE-2020-17088", [Fix("4586845", ["10483"], subtype="Monthly Rollup")], severity="Critical"),
    ])
    dec = _with_family(_with_family(month_doc(2020, 12, windows, [
        Vuln("CVE-2020-17095", [Fix("4592440", ["11569"], supersedes="4586793")], severity="Critical"),
        Vuln("CVE-2020-17123", [Fix("4486750", ["11573"])], severity="Moderate", title="Microsoft Excel Vulnerability"),
        Vuln("CVE-2020-17124", [Fix("29166583", ["11700"])], severity="Low"),
    ]), "Microsoft Office", {"11573": OFFICE}), "Developer Tools", {"11700": MECM})
    recent = month_doc(RECENT.year, RECENT.month, windows, [
        Vuln("CVE-2099-0001", [Fix("5000001", ["11569"], supersedes="4592440")], severity="Important"),
    ])
    for doc in (nov, dec, recent):
        ingest_document(site.engine, json.dumps(doc).encode(), name="t", source="t", settings=UpdatePointSettings())
    with site.session() as session:
        # 4586793 was superseded in 2020 (expired after 3 months); 4592440 only this month (not yet).
        refresh_flags(session, settings=UpdatePointSettings(supersedence="after", expire_after_months=3), now=utcnow())
        session.commit()
    return site


def kbs(site, **criteria) -> list[str]:
    flt = UpdateFilter(**criteria)
    with site.session() as session:
        rows = page_updates(session, filter=flt, sort="kb", descending=False, limit=1000)
        assert count_updates(session, filter=flt) == len(rows)
    return [r.kb for r in rows]


ALL = ["4486750", "4586793", "4586845", "4592440", "5000001", "29166583"]


def test_no_filter_lists_everything_in_kb_order(catalog):
    # KBs sort as numbers: the 8-digit Configuration Manager KB comes last, not between 2... and 4...
    assert kbs(catalog) == ALL


TEXT_CASES = [
    ("kb4592440", ["4592440"]),
    ("4592440", ["4592440"]),
    ("KB4592440", ["4592440"]),
    ("windows 1809", ["4586793", "4592440", "5000001"]),  # every word must match
    ("WINDOWS   Rollup", ["4586845"]),  # the subtype is part of the title
    ("cve-2020-17087", ["4586793", "4586845"]),
    ("office cve-2020-17123", ["4486750"]),
    ("windows office", []),
    ("2020-11", ["4586793", "4586845"]),  # the release month in the title
    ("%", []),  # LIKE wildcards are matched literally
    ("_", []),
]


def test_text(catalog):
    # One catalog for every case: building a site per case would cost more than the queries.
    for text, expected in TEXT_CASES:
        assert kbs(catalog, text=text) == expected, text


def test_product_by_substring_or_id(catalog):
    assert kbs(catalog, product="1809") == ["4586793", "4592440", "5000001"]
    assert kbs(catalog, product="server 2012") == ["4586845"]  # case-insensitive
    assert kbs(catalog, product="10483") == ["4586845"]  # the id is not in the name
    assert kbs(catalog, product="11700") == ["29166583"]


def test_family(catalog):
    assert kbs(catalog, family="Microsoft Office") == ["4486750"]
    assert kbs(catalog, family="windows") == ["4586793", "4586845", "4592440", "5000001"]
    assert kbs(catalog, family="Office") == []  # a family is named exactly


def test_classification(catalog):
    assert kbs(catalog, classification="Security Updates") == ALL
    assert kbs(catalog, classification="security updates") == ALL
    assert kbs(catalog, classification="Critical Updates") == []


def test_severity_one_or_several(catalog):
    # KB4586845: Important for one CVE, Critical for the other → Critical.
    assert kbs(catalog, severity="Critical") == ["4586845", "4592440"]
    assert kbs(catalog, severity="critical, Low") == ["4586845", "4592440", "29166583"]
    assert kbs(catalog, severity="Moderate,Important") == ["4486750", "4586793", "5000001"]


def test_kb_with_or_without_prefix(catalog):
    for kb in ("4592440", "KB4592440", "kb4592440", " KB 4592440 "):
        assert kbs(catalog, kb=kb) == ["4592440"], kb
    assert kbs(catalog, kb="459244") == []  # exact, not a substring


def test_cve(catalog):
    assert kbs(catalog, cve="CVE-2020-17087") == ["4586793", "4586845"]
    assert kbs(catalog, cve="cve-2020-17088") == ["4586845"]
    assert kbs(catalog, cve="CVE-2020-1708") == []


def test_superseded_and_expired(catalog):
    assert kbs(catalog, superseded=True) == ["4586793", "4592440"]
    assert kbs(catalog, superseded=False) == ["4486750", "4586845", "5000001", "29166583"]
    assert kbs(catalog, expired=True) == ["4586793"]
    assert kbs(catalog, superseded=True, expired=False) == ["4592440"]
    assert len(kbs(catalog, expired=False)) == 5


def test_released_within_days(catalog):
    assert kbs(catalog, released_within_days=60) == ["5000001"]
    assert kbs(catalog, released_within_days=365 * 100) == ALL


def test_document(catalog):
    assert kbs(catalog, document="2020-Nov") == ["4586793", "4586845"]
    assert kbs(catalog, document="2020-Dec") == ["4486750", "4592440", "29166583"]
    assert kbs(catalog, document="2019-Jan") == []


def test_filters_combine(catalog):
    assert kbs(catalog, text="windows", severity="Critical", superseded=False) == ["4586845"]
    assert kbs(catalog, family="Windows", document="2020-Dec", kb="4592440") == ["4592440"]


def test_paging_is_stable_and_agrees_with_the_count(catalog):
    # Several columns have ties (classification, severity, state): the id tiebreak keeps pages disjoint.
    with catalog.session() as session:
        for sort in [*sorted(SORT_COLUMNS), "nonsense"]:
            for descending in (False, True):
                whole = [r.id for r in page_updates(session, sort=sort, descending=descending, limit=100)]
                pages = []
                for offset in range(0, 8, 2):
                    pages += [r.id for r in page_updates(session, sort=sort, descending=descending, offset=offset, limit=2)]
                assert pages == whole, (sort, descending)
                assert len(set(whole)) == len(whole) == count_updates(session) == 6
        flt = UpdateFilter(family="Windows")
        assert count_updates(session, filter=flt) == 4
        assert len(page_updates(session, filter=flt, offset=3, limit=10)) == 1
        assert page_updates(session, filter=flt, offset=4, limit=10) == []


def test_sort_orders(catalog):
    with catalog.session() as session:
        def order(sort, descending):
            return [r.kb for r in page_updates(session, sort=sort, descending=descending)]

        assert order("kb", True) == list(reversed(ALL))
        assert order("severity", True)[:2] == ["4592440", "4586845"]  # Critical first; ties by id, newest first
        assert order("severity", False)[0] == "29166583"
        assert order("released", True)[0] == "5000001"
        assert order("cves", True)[0] == "4586845"  # the only one with two CVEs
        by_product = order("product", False)
        assert by_product[:2] == ["29166583", "4486750"] and by_product[-1] == "4586845"
        assert order("nonsense", True) == order("released", True)  # an unknown column sorts by release date
        assert order("state", True)[:2] == ["4592440", "4586793"]  # superseded first


def test_catalog_counts(catalog):
    with catalog.session() as session:
        assert catalog_counts(session) == {"updates": 6, "superseded": 2, "expired": 1, "documents": 3, "products": 4}


def test_catalog_counts_of_an_empty_catalog(site):
    with site.session() as session:
        assert catalog_counts(session) == {"updates": 0, "superseded": 0, "expired": 0, "documents": 0, "products": 0}


def test_filter_round_trip_and_merge():
    flt = UpdateFilter(text="edge", severity="Critical,Important", superseded=False, released_within_days=30)
    assert UpdateFilter.from_json(flt.to_json()) == flt
    assert json.loads(flt.to_json()) == {"text": "edge", "severity": "Critical,Important", "superseded": False,
                                         "released_within_days": 30}
    assert UpdateFilter.from_json('{"kb": "4592440", "unknown": 1}') == UpdateFilter(kb="4592440")
    merged = UpdateFilter(family="Windows", text="x").merged(UpdateFilter(text="1809", expired=True))
    assert merged == UpdateFilter(family="Windows", text="1809", expired=True)
    assert UpdateFilter().describe() == "all updates"
    assert UpdateFilter(kb="1", superseded=False).describe() == "kb=1, superseded=False"


W10_22H2 = "Windows 10 Version 22H2 for x64-based Systems"
W11_22H2 = "Windows 11 Version 22H2 for x64-based Systems"


@pytest.fixture
def windows_10_and_11(site):
    """The Windows 10 and 11 22H2 cumulative updates of October and December 2024. The Windows 11 ones fix
    CVE-2024-49110 and CVE-2024-43510 (both hold "10"), and October's title starts "2024-10"."""
    products = {"12345": W10_22H2, "12346": W11_22H2}
    october = month_doc(2024, 10, products, [
        Vuln("CVE-2024-43510", [Fix("5044285", ["12346"], subtype="Cumulative Update")], severity="Important"),
        Vuln("CVE-2024-43572", [Fix("5044273", ["12345"], subtype="Cumulative Update")], severity="Important"),
    ])
    december = month_doc(2024, 12, products, [
        Vuln("CVE-2024-49138", [Fix("5048652", ["12345"], subtype="Cumulative Update"),
                                Fix("5048685", ["12346"], subtype="Cumulative Update")], severity="Important"),
        Vuln("CVE-2024-49110", [Fix("5048685", ["12346"], subtype="Cumulative Update")], severity="Important"),
    ])
    for doc in (october, december):
        ingest_document(site.engine, json.dumps(doc).encode(), name="t", source="t", settings=UpdatePointSettings())
    return site


WORD_CASES = [
    ("windows 10 22h2", ["5044273", "5048652"]),  # not Windows 11 because "10" is inside its CVE ids
    ("windows 11 22h2", ["5044285", "5048685"]),
    ("10", ["5044273", "5048652"]),  # nor because its October title begins "2024-10"
    ("windows 10 22h", ["5044273", "5048652"]),  # as you type: a word's beginning matches
    ("windows 1", ["5044273", "5044285", "5048652", "5048685"]),  # the word being typed: "1" may become 10 or 11
    ("windows 1 22h2", []),  # typed in full, a short number is that number: "1" is neither 10 nor 11
    ("22h2 10", ["5044273", "5048652"]),
    ("2024-10", ["5044273", "5044285"]),  # the release month is a word of the title
    ("cve-2024-49110", ["5048685"]),
    ("cve-2024-491", ["5048652", "5048685"]),
    ("5048685", ["5048685"]),  # a bare KB number
    ("504868", ["5048685"]),
    ("8685", []),  # the middle of a KB number is not a word
    ("x64", ["5044273", "5044285", "5048652", "5048685"]),
    ("based", []),  # "x64-based" is one word
]


def test_search_matches_words_as_words(windows_10_and_11):
    for text, expected in WORD_CASES:
        assert kbs(windows_10_and_11, text=text) == expected, text
