"""Supersedence: the superseded and expired flags, superseded-by both ways, and the derived roles and
edges that compliance follows (DESIGN.md §2 rule 2).

Covers `refresh_flags` (superseded only by a same-product update listing the KB; expiry at once or N
months after the first superseding update, with a fixed `now`), `export_updates` / `update_detail`
(supersedes and superseded_by), and `derived.refresh_derived` (the monthly cumulative family across
a broken MSRC chain, the servicing stack family including ADV990001's KBs, Security Only / IE
Cumulative covered by the same-or-later month's cumulative update, dynamic updates, ties).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from sumtui.catalog.derived import refresh_derived
from sumtui.catalog.ingest import ingest_document
from sumtui.catalog.models import SupersedenceEdge, Update
from sumtui.catalog.queries import export_updates, update_detail
from sumtui.catalog.settings import UpdatePointSettings
from sumtui.catalog.supersedence import months_before, refresh_flags
from tests.cvrf_builder import Fix, Vuln, month_doc

W1809 = "Windows 10 Version 1809 for x64-based Systems"
WS2012R2 = "Windows Server 2012 R2"
IE_2012R2 = "Internet Explorer 11 on Windows Server 2012 R2"
OFFICE = "Microsoft Office 2019 for 32-bit editions"
PRODUCTS = {"11569": W1809, "10483": WS2012R2, "10412-10483": IE_2012R2, "11573": OFFICE}


def store(site, *docs):
    for doc in docs:
        ingest_document(site.engine, json.dumps(doc).encode(), name="t", source="t", settings=UpdatePointSettings())


def exported(site) -> dict[tuple[str, str], dict]:
    with site.session() as session:
        return {(u["kb"], u["product_id"]): u for u in export_updates(session)}


def flags(site, *, settings: UpdatePointSettings, now: datetime):
    with site.session() as session:
        changes = refresh_flags(session, settings=settings, now=now)
        session.commit()
    return changes


@pytest.fixture
def chain(site):
    """KB A (Oct) ← B (Nov, lists A for 1809) ← C (Dec, lists B for 1809 only). C is also on Server 2019
    (11571) where it lists nothing, and Office's D lists A although it is another product."""
    products = {"11569": W1809, "11571": "Windows Server 2019", "11573": OFFICE}
    store(
        site,
        month_doc(2020, 10, products, [Vuln("CVE-2020-1001", [Fix("4577668", ["11569", "11571"])])]),
        month_doc(2020, 11, products, [Vuln("CVE-2020-2001", [Fix("4586793", ["11569"], supersedes="4577668"),
                                                               Fix("4486750", ["11573"], supersedes="4577668")])]),
        month_doc(2020, 12, products, [Vuln("CVE-2020-3001", [Fix("4592440", ["11569"], supersedes="KB4586793"),
                                                               Fix("4592440", ["11571"])])]),
    )
    return site


def test_superseded_only_by_a_same_product_update(chain):
    changes = flags(chain, settings=UpdatePointSettings(supersedence="immediately"), now=datetime(2021, 1, 1, tzinfo=UTC))
    got = exported(chain)
    assert got[("4577668", "11569")]["superseded"] is True
    assert got[("4586793", "11569")]["superseded"] is True
    # On Server 2019 nothing lists KB4577668; Office's update naming it is for another product.
    assert got[("4577668", "11571")]["superseded"] is False
    assert got[("4592440", "11569")]["superseded"] is False
    assert (changes.newly_superseded, changes.newly_expired) == (2, 2)
    # Nothing changed since: a second pass reports nothing new.
    again = flags(chain, settings=UpdatePointSettings(supersedence="immediately"), now=datetime(2021, 1, 1, tzinfo=UTC))
    assert (again.newly_superseded, again.newly_expired) == (0, 0)


def test_superseded_by_both_ways_in_the_export(chain):
    flags(chain, settings=UpdatePointSettings(), now=datetime(2021, 1, 1, tzinfo=UTC))
    got = exported(chain)
    assert got[("4577668", "11569")]["superseded_by"] == ["4586793"]
    assert got[("4586793", "11569")]["supersedes"] == ["4577668"]
    assert got[("4586793", "11569")]["superseded_by"] == ["4592440"]
    assert got[("4592440", "11569")]["supersedes"] == ["4586793"]  # "KB4586793" stored without its prefix
    assert got[("4577668", "11571")]["superseded_by"] == []
    assert got[("4486750", "11573")]["supersedes"] == ["4577668"]


def test_superseded_by_both_ways_in_the_detail(chain):
    with chain.session() as session:
        middle = session.execute(select(Update.id).where(Update.kb == "4586793")).scalar_one()
        detail = update_detail(session, update_id=middle)
        assert [(r.kb, r.update_id is not None) for r in detail.supersedes] == [("4577668", True)]
        assert [r.kb for r in detail.superseded_by] == ["4592440"]
        assert detail.superseded_by[0].product == W1809
        assert [c.cve for c in detail.cves] == ["CVE-2020-2001"] and detail.documents == ["2020-Nov"]
        oldest = session.execute(select(Update.id).where(Update.kb == "4577668", Update.product_id == "11569")).scalar_one()
        detail = update_detail(session, update_id=oldest)
        assert [r.kb for r in detail.superseded_by] == ["4586793"]
        assert [r.product for r in detail.other_products] == ["Windows Server 2019"]
        assert update_detail(session, update_id=10**9) is None


def test_expiry_immediately_or_after_n_months(chain):
    # B (released 2020-11-10) supersedes A; C (2020-12-10) supersedes B.
    after3 = UpdatePointSettings(supersedence="after", expire_after_months=3)
    flags(chain, settings=after3, now=datetime(2021, 2, 1, tzinfo=UTC))
    got = exported(chain)
    assert (got[("4577668", "11569")]["superseded"], got[("4577668", "11569")]["expired"]) == (True, False)
    changes = flags(chain, settings=after3, now=datetime(2021, 2, 11, tzinfo=UTC))  # three months after 2020-11-10
    got = exported(chain)
    assert got[("4577668", "11569")]["expired"] is True and got[("4586793", "11569")]["expired"] is False
    assert (changes.newly_superseded, changes.newly_expired) == (0, 1)
    flags(chain, settings=after3, now=datetime(2021, 3, 11, tzinfo=UTC))
    assert exported(chain)[("4586793", "11569")]["expired"] is True
    # Switching to "immediately" expires every superseded update; back to a long delay un-expires them.
    flags(chain, settings=UpdatePointSettings(supersedence="immediately"), now=datetime(2020, 12, 11, tzinfo=UTC))
    assert {k for k, u in exported(chain).items() if u["expired"]} == {("4577668", "11569"), ("4586793", "11569")}
    flags(chain, settings=UpdatePointSettings(expire_after_months=120), now=datetime(2021, 1, 1, tzinfo=UTC))
    assert not any(u["expired"] for u in exported(chain).values())
    assert all(u["superseded"] for k, u in exported(chain).items() if k in {("4577668", "11569"), ("4586793", "11569")})


def test_months_before():
    assert months_before(datetime(2021, 3, 31, tzinfo=UTC), 1) == datetime(2021, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2021, 1, 15, tzinfo=UTC), 3) == datetime(2020, 10, 15, tzinfo=UTC)
    assert months_before(datetime(2021, 1, 15, tzinfo=UTC), 0) == datetime(2021, 1, 15, tzinfo=UTC)


# --- derived roles and edges


@pytest.fixture
def derived(site):
    cves = lambda prefix, n: [f"CVE-{prefix}-{i}" for i in range(n)]  # noqa: E731

    def vulns(prefix, n, fixes, **kw):
        return [Vuln(cve, fixes, **kw) for cve in cves(prefix, n)]

    oct_ = month_doc(2020, 10, PRODUCTS, [
        *vulns("2020-10", 3, [Fix("4577668", ["11569"], subtype="Security Update"),
                              Fix("4580347", ["10483"], subtype="Monthly Rollup"),
                              Fix("4580358", ["10483"], subtype="Security Only")]),
        # The servicing stack update is named only by ADV990001, with an ordinary subtype.
        Vuln("ADV990001", [Fix("4577667", ["11569"], subtype="Security Update")], title="Latest Servicing Stack Updates"),
    ])
    nov = month_doc(2020, 11, PRODUCTS, [
        *vulns("2020-11", 3, [Fix("4586793", ["11569"], subtype="Security Update", supersedes="4577668"),
                              Fix("4586845", ["10483"], subtype="Monthly Rollup"),
                              Fix("4586823", ["10483"], subtype="Security Only"),
                              Fix("4486750", ["11573"], subtype="Security Update")]),
        Vuln("CVE-2020-11-ie", [Fix("4586768", ["10412-10483"], subtype="IE Cumulative")]),
        Vuln("CVE-2020-11-x", [Fix("4586830", ["11569"], subtype="Servicing Stack Update")]),
        # A second, smaller KB for 1809 the same month is not its cumulative update.
        Vuln("CVE-2020-11-y", [Fix("4590000", ["11569"], subtype="Update")]),
        Vuln("CVE-2020-11-z", [Fix("4586500", ["11569"], subtype="Setup Dynamic Update")]),
    ])
    dec = month_doc(2020, 12, PRODUCTS, [
        # MSRC's chain breaks: December's 1809 update lists nothing.
        *vulns("2020-12", 2, [Fix("4592440", ["11569"], subtype="Security Update"),
                              Fix("4592495", ["10483"], subtype="Security Only")]),
        # Two Server 2012 R2 rollups with as many CVEs and the same subtype: a tie makes both cumulative.
        Vuln("CVE-2020-12-a", [Fix("4592484", ["10483"], subtype="Monthly Rollup")]),
        Vuln("CVE-2020-12-b", [Fix("4592485", ["10483"], subtype="Monthly Rollup")]),
    ])
    store(site, oct_, nov, dec)
    with site.session() as session:
        edge_count = refresh_derived(session)
        session.commit()
    return site, edge_count


def _roles(site) -> dict[str, tuple[str, date | None]]:
    with site.session() as session:
        return {u.kb: (u.role, u.kb_month) for u in session.execute(select(Update)).scalars()}


def _edges(site) -> set[tuple[str, str, str]]:
    with site.session() as session:
        return {(e.newer_kb, e.older_kb, e.kind) for e in session.execute(select(SupersedenceEdge)).scalars()}


def test_derived_roles(derived):
    site, _ = derived
    roles = _roles(site)
    assert roles["4577668"] == ("cumulative", date(2020, 10, 1))
    assert roles["4586793"] == ("cumulative", date(2020, 11, 1))
    assert roles["4592440"] == ("cumulative", date(2020, 12, 1))
    assert roles["4590000"][0] == "other"  # fewer CVEs than the month's cumulative update
    assert roles["4577667"][0] == "ssu"  # through ADV990001
    assert roles["4586830"][0] == "ssu"  # through its subtype
    assert roles["4580358"][0] == roles["4586823"][0] == roles["4592495"][0] == "security_only"
    assert roles["4586768"][0] == "ie_cumulative"
    assert roles["4586500"][0] == "dynamic"
    assert roles["4486750"][0] == "other"  # Office: no cumulative family
    assert roles["4592484"][0] == roles["4592485"][0] == "cumulative"


def test_derived_edges(derived):
    site, count = derived
    edges = _edges(site)
    assert count == len(edges)
    expected = {
        ("4586793", "4577668", "msrc"),  # MSRC's own word comes first, the cumulative family agrees
        ("4592440", "4586793", "cumulative"),  # across the broken chain
        ("4586845", "4580347", "cumulative"),
        ("4586830", "4577667", "ssu"),
        ("4580347", "4580358", "covered"),  # Security Only covered by the same month's rollup
        ("4586845", "4586823", "covered"),
        ("4586845", "4586768", "covered"),  # IE on 2012 R2 covered by the OS's rollup of its month
    }
    assert expected <= edges
    # December's tie (two rollups, as many CVEs, same subtype): both are cumulative, November's rollup
    # is followed by December's, and December's Security Only is covered by a December rollup.
    assert ("4592484", "4586845", "cumulative") in edges
    assert {n for n, o, k in edges if o == "4592495"} <= {"4592484", "4592485"}
    assert any(o == "4592495" and k == "covered" for n, o, k in edges)
    # Nothing covers a Security Only update with an earlier month's cumulative update, Office has no
    # derived family, and the dynamic update supersedes nothing and is superseded by nothing.
    assert not any(o == "4592495" and n in ("4580347", "4586845") for n, o, _ in edges)
    assert not any("4486750" in (n, o) for n, o, k in edges if k != "msrc")
    assert not any("4586500" in (n, o) for n, o, _ in edges)
    assert not any("4590000" in (n, o) for n, o, _ in edges)


def test_derived_edges_are_recomputed_not_accumulated(derived):
    site, count = derived
    with site.session() as session:
        assert refresh_derived(session) == count
        session.commit()
    assert len(_edges(site)) == count
