"""A product's name is the one its newest month gives, whatever order months are stored in, and every
update of the product shows it (its copy of the name, its title, its search text): DESIGN.md §2 and
issue 9 ("the newest name wins everywhere it is shown")."""

from __future__ import annotations

import json

from sqlalchemy import select

from sumtui.catalog.ingest import ingest_document
from sumtui.catalog.models import Product
from sumtui.catalog.queries import UpdateFilter, count_updates, export_updates
from sumtui.catalog.settings import UpdatePointSettings
from tests.cvrf_builder import Fix, Vuln, month_doc

PID = "11926-10483"
OLD = "Microsoft .NET Framework 4.6/4.6.1/4.6.2/4.7/4.7.1/4.7.2 on Windows Server 2012 R2"
NEW = "Microsoft .NET Framework 4.6.2/4.7/4.7.1/4.7.2 on Windows Server 2012 R2"


def store(site, doc: dict):
    return ingest_document(site.engine, json.dumps(doc).encode(), name="t", source="t", settings=UpdatePointSettings())


def may(name: str) -> dict:
    return month_doc(2022, 5, {PID: name}, [Vuln("CVE-2022-30130", [Fix("5013631", [PID], subtype="Monthly Rollup")])])


def aug(name: str) -> dict:
    return month_doc(2022, 8, {PID: name}, [Vuln("CVE-2022-34716", [Fix("5016268", [PID], subtype="Monthly Rollup")])])


def shown(site) -> dict[str, tuple[str, str]]:
    with site.session() as session:
        return {u["kb"]: (u["product"], u["title"]) for u in export_updates(session)}


def product_name(site) -> str:
    with site.session() as session:
        return session.execute(select(Product.name).where(Product.id == PID)).scalar_one()


def test_an_older_month_stored_later_does_not_bring_back_the_old_name(site):
    store(site, aug(NEW))
    store(site, may(OLD))
    assert product_name(site) == NEW
    got = shown(site)
    assert got["5013631"] == (NEW, f"2022-05 Monthly Rollup for {NEW} (KB5013631)")
    assert got["5016268"][0] == NEW


def test_a_rename_reaches_updates_that_the_newer_month_does_not_name(site):
    store(site, may(OLD))
    result = store(site, aug(NEW))
    assert product_name(site) == NEW
    got = shown(site)
    assert got["5013631"] == (NEW, f"2022-05 Monthly Rollup for {NEW} (KB5013631)")
    # The new name is what search and the product filter find; the old spelling is gone.
    with site.session() as session:
        assert count_updates(session, filter=UpdateFilter(text="4.6.2/4.7/4.7.1/4.7.2")) == 2
        assert count_updates(session, filter=UpdateFilter(product="4.6/4.6.1")) == 0
    # The renamed May update is not one of August's revisions.
    assert (result.updates, result.updates_new, result.updates_revised) == (1, 1, 0)


def test_storing_the_newest_month_again_keeps_its_name(site):
    store(site, may(OLD))
    store(site, aug(NEW))
    store(site, aug(NEW))
    store(site, may(OLD))
    assert product_name(site) == NEW
    assert {product for product, _ in shown(site).values()} == {NEW}
