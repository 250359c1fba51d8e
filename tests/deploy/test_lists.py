"""Update lists as the console and the CLI use them: which updates a KB names, changes that fail
change nothing, names compared the way people type them, compliance restricted to a list, and the
TOML import plan."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sumtui.catalog.models import Update
from sumtui.compliance.queries import fleet_products, page_update_compliance
from sumtui.compliance.view import load_view, product_key
from sumtui.deploy import lists
from sumtui.deploy.lists import ListError
from sumtui.deploy.models import UpdateList, UpdateListItem
from sumtui.deploy.toml_io import ListDocument, ListEntry, dump_list, parse_list
from sumtui.fleet.collections import ensure_all_systems
from sumtui.workflows.intake import ingest_inventory
from tests.compliance.scenario import (
    CU,
    IE,
    NET48_KB,
    PRODUCTS,
    ROLLUP,
    S2019,
    SECONLY,
    W81,
    W1809,
    W2012R2,
)
from tests.compliance.test_summaries import inv as _inventory
from tests.compliance.test_summaries import srv as _server_2012r2


def _held(session, name):
    return [(u.kb, u.product_id) for u in lists.list_updates(session, name=name)]


@pytest.mark.parametrize("text, expected", [
    ("KB4592440", ("4592440", None)), ("kb 4592440", ("4592440", None)), ("4592440", ("4592440", None)),
    ("KB4592440@11569", ("4592440", "11569")), (" KB4592440 @ 10724-11569 ", ("4592440", "10724-11569")),
])
def test_update_references(text, expected):
    ref = lists.parse_ref(text)
    assert (ref.kb, ref.product_id) == expected


@pytest.mark.parametrize("text", ["", "KB", "KBxyz", "KB12345678901", "KB4592440@", "KB\u0664\u0665", "KB1@a\x1bb"])
def test_malformed_references_are_refused(text):
    with pytest.raises(ListError):
        lists.parse_ref(text)


def test_a_bare_kb_takes_every_product_when_no_client_has_one(catalog_site):
    with catalog_site.session() as session:
        lists.create_list(session, name="Rollups", refs=[f"KB{ROLLUP[4]}"])
        assert _held(session, "Rollups") == [(ROLLUP[4], W81), (ROLLUP[4], W2012R2)]


def test_a_bare_kb_takes_the_products_the_site_has(catalog_site):
    with catalog_site.session() as session:
        ingest_inventory(session, _server_2012r2("srv-1"))
        ingest_inventory(session, _inventory("ws-1"))
        lists.create_list(session, name="Mine", refs=[f"KB{ROLLUP[4]}", f"KB{CU[1]}", f"KB{SECONLY[4]}"])
        # Windows 8.1 and Server 2019 are in the catalog under the same KBs, but no client runs them.
        assert _held(session, "Mine") == [(CU[1], W1809), (SECONLY[4], W2012R2), (ROLLUP[4], W2012R2)]


def test_kb_at_product_picks_that_product(catalog_site):
    with catalog_site.session() as session:
        ingest_inventory(session, _server_2012r2("srv-1"))
        lists.create_list(session, name="Eight one", refs=[f"KB{ROLLUP[4]}@{W81}", f"KB{CU[1]}@{S2019}"])
        assert _held(session, "Eight one") == [(CU[1], S2019), (ROLLUP[4], W81)]


def test_an_installed_kb_shows_a_product_only_the_inventory_can_tell(catalog_site):
    net48 = product_key(PRODUCTS["11951"])
    with catalog_site.session() as session:
        view = load_view(session)
        ingest_inventory(session, _inventory("ws-plain"))
        assert fleet_products(session, candidates={net48}, view=view) == set()
        ingest_inventory(session, _inventory("ws-net48", NET48_KB[1]))
        assert fleet_products(session, candidates={net48}, view=view) == {net48}


def test_unknown_updates_are_named_and_nothing_is_created(catalog_site):
    with catalog_site.session() as session:
        with pytest.raises(ListError) as raised:
            lists.create_list(session, name="Bad", refs=[f"KB{CU[1]}", "KB1234567", f"KB{CU[2]}@{W2012R2}"])
        message = str(raised.value)
        assert "KB1234567 is not in the catalog" in message
        assert f"KB{CU[2]} has no update for product id '{W2012R2}'" in message and W1809 in message
        session.rollback()
        assert lists.find_list(session, name="Bad") is None


def test_names_are_unique_ignoring_case_and_width(catalog_site):
    with catalog_site.session() as session:
        lists.create_list(session, name="Patch Tuesday")
        for clash in ("patch tuesday", " PATCH TUESDAY ", "Ｐａｔｃｈ Tuesday"):
            with pytest.raises(ListError, match="already exists"):
                lists.create_list(session, name=clash)
        assert lists.get_list(session, name="PATCH tuesday").name == "Patch Tuesday"


@pytest.mark.parametrize("name, why", [
    ("", "needs a name"), ("   ", "needs a name"), ("x" * 51, "at most 50"),
    ("Ring\x1b[31m", "control"), ("exe\u202etxt", "control"), ("a\u200bb", "control"), ("two\nlines", "control"),
])
def test_bad_names_are_refused_and_quoted_escaped(catalog_site, name, why):
    with catalog_site.session() as session:
        with pytest.raises(ListError, match=why) as raised:
            lists.create_list(session, name=name)
        assert raised.value.args[0].isprintable()


def test_add_remove_rename_delete(catalog_site):
    with catalog_site.session() as session:
        lists.create_list(session, name="Work", description="first")
        change = lists.add_updates(session, name="work", refs=[f"KB{ROLLUP[4]}", f"KB{IE[1]}"])
        assert len(change.changed) == 3 and not change.unchanged
        again = lists.add_updates(session, name="Work", refs=[f"KB{ROLLUP[4]}@{W81}"])
        assert not again.changed and [u.product_id for u in again.unchanged] == [W81]
        removed = lists.remove_updates(session, name="Work", refs=[f"KB{ROLLUP[4]}"])  # every product of it
        assert {u.product_id for u in removed.changed} == {W81, W2012R2}
        with pytest.raises(ListError, match=f"KB{ROLLUP[4]} is not in update list 'Work'"):
            lists.remove_updates(session, name="Work", refs=[f"KB{IE[1]}", f"KB{ROLLUP[4]}"])
        assert _held(session, "Work") == [(IE[1], "10412-10483")]  # the failed removal removed nothing
        lists.edit_list(session, name="Work", new_name="Done", description="")
        assert lists.get_list(session, name="done").description is None
        lists.delete_list(session, name="Done")
        session.commit()
        assert session.execute(select(UpdateListItem)).first() is None
        assert session.execute(select(UpdateList)).first() is None


def test_console_picks_updates_by_id(catalog_site):
    with catalog_site.session() as session:
        ids = session.execute(select(Update.id).where(Update.kb == ROLLUP[1]).order_by(Update.id)).scalars().all()
        lists.create_list(session, name="Picked", update_ids=ids[:1])
        lists.add_updates(session, name="Picked", update_ids=ids)
        assert sorted(u.update_id for u in lists.list_updates(session, name="Picked")) == sorted(ids)
        assert lists.lists_holding(session, update_id=ids[0]) == ["Picked"]
        with pytest.raises(ListError, match="no catalog update with id 999999"):
            lists.add_updates(session, name="Picked", update_ids=[999999])


def test_list_compliance_is_the_update_summary_restricted_to_the_list(catalog_site):
    with catalog_site.session() as session:
        ingest_inventory(session, _inventory("ws-1"))
        ingest_inventory(session, _inventory("ws-2", CU[4]))
        ingest_inventory(session, _server_2012r2("srv-1", ROLLUP[4]))
        ingest_inventory(session, _server_2012r2("srv-2"))
        lists.create_list(session, name="April", refs=[f"KB{CU[4]}", f"KB{ROLLUP[4]}", f"KB{IE[1]}"])
        session.commit()
        all_systems = ensure_all_systems(session).id
        listed = {u.update_id for u in lists.list_updates(session, name="April")}
        every = page_update_compliance(session, collection_id=all_systems, limit=100_000)
        expected = [r for r in every if r.update_id in listed]
        rows = lists.list_compliance(session, name="April")
        assert rows == expected and len(rows) == len(listed) == 3
        assert {(r.kb, r.required, r.installed) for r in rows} >= {(CU[4], 1, 1), (ROLLUP[4], 1, 1)}
        (summary,) = lists.list_lists(session)
        c = summary.compliance
        assert (c.updates, c.required, c.installed, c.failed) == (3, sum(r.required for r in rows),
                                                                  sum(r.installed for r in rows), 0)
        assert c.not_required == sum(r.not_required for r in rows) and c.unknown == sum(r.unknown for r in rows)
        assert c.required + c.installed + c.not_required + c.unknown == 3 * 4


def test_export_then_plan_shows_no_change_and_a_deleted_list_comes_back_exactly(catalog_site):
    with catalog_site.session() as session:
        ingest_inventory(session, _server_2012r2("srv-1"))
        lists.create_list(session, name="Round trip", description="two lines\nof text",
                          refs=[f"KB{IE[1]}", f"KB{ROLLUP[4]}@{W81}", f"KB{CU[1]}"])
        text = dump_list(lists.export_list(session, name="Round trip"))
        assert not lists.plan_list_import(session, document=parse_list(text)).changed
        lists.delete_list(session, name="Round trip")
        plan = lists.plan_list_import(session, document=parse_list(text))
        assert plan.changed and plan.list_id is None and len(plan.added) == 4
        lists.apply_list_import(session, plan=plan)
        assert dump_list(lists.export_list(session, name="Round trip")) == text


def test_an_import_plan_names_each_change_and_changes_nothing_until_applied(catalog_site):
    with catalog_site.session() as session:
        lists.create_list(session, name="Ring 1", description="old", refs=[f"KB{ROLLUP[4]}@{W2012R2}", f"KB{IE[1]}"])
        session.commit()
        document = ListDocument("ring 1", "new", [ListEntry(f"KB{ROLLUP[4]}", W2012R2), ListEntry(CU[4])])
        plan = lists.plan_list_import(session, document=document)
        assert [(u.kb, u.product_id) for u in plan.added] == [(CU[4], W1809)]
        assert [u.kb for u in plan.removed] == [IE[1]] and plan.kept == 1
        assert plan.lines()[1:] == [
            "  name: 'Ring 1' -> 'ring 1'", "  description: 'old' -> 'new'",
            f"  - KB{IE[1]}  10412-10483  {PRODUCTS['10412-10483']}", f"  + KB{CU[4]}  {W1809}  {PRODUCTS[W1809]}",
        ]
        session.rollback()
        assert _held(session, "Ring 1") == [(IE[1], "10412-10483"), (ROLLUP[4], W2012R2)]
        lists.apply_list_import(session, plan=lists.plan_list_import(session, document=document))
        assert lists.get_list(session, name="RING 1").name == "ring 1"
        assert _held(session, "ring 1") == [(CU[4], W1809), (ROLLUP[4], W2012R2)]


def test_an_import_with_an_unknown_update_is_refused_whole(catalog_site):
    with catalog_site.session() as session:
        document = ListDocument("Fresh", None, [ListEntry(f"KB{CU[4]}"), ListEntry("KB1111111")])
        with pytest.raises(ListError, match="KB1111111 is not in the catalog"):
            lists.plan_list_import(session, document=document)


def test_wanted_updates_carry_what_a_package_download_takes(catalog_site):
    with catalog_site.session() as session:
        lists.create_list(session, name="Empty")
        with pytest.raises(ListError, match="holds no updates"):
            lists.wanted_updates(session, name="Empty")
        lists.add_updates(session, name="Empty", refs=[f"KB{ROLLUP[4]}@{W81}"])
        (wanted,) = lists.wanted_updates(session, name="empty")
        assert (wanted.kb, wanted.product_id, wanted.product) == (ROLLUP[4], W81, PRODUCTS[W81])
