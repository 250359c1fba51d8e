"""Deployment packages on a real site database: names and limits, downloads from the catalog, a
manifest and a folder into the shared content store, per-update and per-file state, verify and
repair, and cleanup of what expired or superseded updates no longer need."""

from __future__ import annotations

import hashlib
import threading

import pytest
from sqlmodel import select

from sumtui.catalog.models import Product, Update
from sumtui.deploy.content.manifest import parse_manifest
from sumtui.deploy.content.store import ContentStore
from sumtui.deploy.content.urls import UrlPolicy
from sumtui.deploy.content_cleanup import cleanup_content
from sumtui.deploy.content_verify import verify_content
from sumtui.deploy.models import ContentFile, PackageFile
from sumtui.deploy.package_download import (
    CatalogSource,
    FolderSource,
    ManifestSource,
    WantedUpdate,
    download_package,
    wanted_from_kbs,
)
from sumtui.deploy.packages import (
    PackageError,
    create_package,
    delete_package,
    edit_package,
    find_package,
    list_packages,
    package_detail,
)
from tests.deploy.mucatalog import (
    CU_X64,
    CU_X86,
    OFFICE_KB,
)

PRODUCTS = {"11569": "Windows 10 Version 1809 for x64-based Systems", "11568": "Windows 10 Version 1809 for 32-bit Systems",
            "11571": "Windows Server 2019"}


def add_updates(session, kb: str, products: dict[str, str], **flags) -> None:
    for pid, name in products.items():
        if session.get(Product, pid) is None:
            session.add(Product(id=pid, name=name))
        session.add(Update(kb=kb, product_id=pid, product=name, title=f"KB{kb} for {name}", **flags))
    session.commit()


@pytest.fixture
def store(sqlite_site):
    return ContentStore(sqlite_site.content_dir)


def download(site, store, catalog, name, wanted, **kw):
    kw.setdefault("source", CatalogSource(catalog_url=catalog.url))
    kw.setdefault("policy", UrlPolicy(content_url=catalog.url))
    with site.session() as session:
        return download_package(session, store=store, name=name, wanted=wanted, backoff=0, **kw)


def make(site, name, description=None):
    with site.session() as session:
        create_package(session, name=name, description=description)
        session.commit()


def detail(site, name):
    with site.session() as session:
        return package_detail(session, name=name)


def test_names_and_descriptions_follow_sccm_limits(sqlite_site):
    with sqlite_site.session() as session:
        create_package(session, name="x" * 50, description="d" * 127)
        with pytest.raises(PackageError, match="is 51 characters long; at most 50"):
            create_package(session, name="y" * 51)
        with pytest.raises(PackageError, match="at most 127 characters"):
            create_package(session, name="ok", description="d" * 128)
        with pytest.raises(PackageError, match="already exists"):
            create_package(session, name="X" * 50)  # names compare without case
        with pytest.raises(PackageError, match="control or invisible characters"):
            create_package(session, name="bad\x1b[31m")
        create_package(session, name="Workstations 2020-12")
        assert find_package(session, name="workstations 2020-12").name == "Workstations 2020-12"
        edit_package(session, name="Workstations 2020-12", new_name="WS 2020-12", description="")
        assert find_package(session, name="WS 2020-12").description is None
        delete_package(session, name="WS 2020-12")
        assert find_package(session, name="WS 2020-12") is None
        with pytest.raises(PackageError, match="no package named 'WS 2020-12'"):
            delete_package(session, name="WS 2020-12")


def test_a_bare_kb_stands_for_each_catalog_product_of_it(sqlite_site):
    with sqlite_site.session() as session:
        add_updates(session, "4592440", PRODUCTS)
        wanted = wanted_from_kbs(session, ["KB4592440", "KB4592440@11571", "KB9999999"])
        assert [(w.kb, w.product_id) for w in wanted] == [
            ("4592440", "11568"), ("4592440", "11569"), ("4592440", "11571"), ("9999999", None)]
        with pytest.raises(ValueError, match="no update KB4592440 for product id '1'"):
            wanted_from_kbs(session, ["KB4592440@1"])


def test_downloading_from_the_catalog_fills_the_package_and_the_store(sqlite_site, store, catalog):
    with sqlite_site.session() as session:
        add_updates(session, "4592440", PRODUCTS)
        wanted = wanted_from_kbs(session, ["KB4592440"])
    make(sqlite_site, "Servers 2020-12", "December for servers")
    steps = []
    result = download(sqlite_site, store, catalog, "Servers 2020-12", wanted, progress=steps.append)
    assert result.ok, result.failures()
    assert [(u.product_id, u.state) for u in result.updates] == [("11568", "downloaded"), ("11569", "downloaded"),
                                                                  ("11571", "downloaded")]
    shown = detail(sqlite_site, "Servers 2020-12")
    assert (shown["name"], shown["description"]) == ("Servers 2020-12", "December for servers")
    assert sorted((f["kb"], f["file_name"], f["sha1"], f["size"], f["state"]) for f in shown["files"]) == sorted([
        ("4592440", CU_X64.file_name, CU_X64.sha1, len(CU_X64.data), "downloaded"),
        ("4592440", CU_X86.file_name, CU_X86.sha1, len(CU_X86.data), "downloaded")])
    # The dialog gave no SHA-256: the store recorded it as the file was verified.
    assert {f["sha1"]: f["sha256"] for f in shown["files"]} == {
        CU_X64.sha1: hashlib.sha256(CU_X64.data).hexdigest(), CU_X86.sha1: hashlib.sha256(CU_X86.data).hexdigest()}
    with sqlite_site.session() as session:
        content = session.get(ContentFile, CU_X64.sha1)
        assert content.sha256 == hashlib.sha256(CU_X64.data).hexdigest() and content.state == "stored"
    assert sorted(s for s, _ in store.stored()) == sorted([CU_X64.sha1, CU_X86.sha1])
    assert catalog.count(CU_X64.path) == 1  # Windows 10 x64 and Server 2019 share the file: fetched once
    assert {s.phase for s in steps} >= {"resolving", "downloading", "done"}
    [summary] = [p for p in list_packages(sqlite_site.session()) if p.name == "Servers 2020-12"]
    assert (summary.updates, summary.files, summary.downloaded, summary.complete) == (3, 2, 2, True)
    assert summary.bytes == len(CU_X64.data) + len(CU_X86.data)


def test_a_file_in_two_packages_is_stored_once(sqlite_site, store, catalog):
    make(sqlite_site, "A")
    make(sqlite_site, "B")
    assert download(sqlite_site, store, catalog, "A", [WantedUpdate("4592440")]).ok
    second = download(sqlite_site, store, catalog, "B", [WantedUpdate("4592440")])
    assert second.ok and second.files == []  # nothing left to fetch
    assert catalog.count(CU_X64.path) == 1
    assert len(list(store.stored())) == 2
    assert {f["state"] for f in detail(sqlite_site, "B")["files"]} == {"downloaded"}


def test_the_sites_languages_choose_office_files(sqlite_site, store, catalog):
    make(sqlite_site, "Office")
    result = download(sqlite_site, store, catalog, "Office", [WantedUpdate(OFFICE_KB)],
                      source=CatalogSource(catalog_url=catalog.url, languages=["German"]))
    assert result.ok
    names = sorted(f["file_name"].split("_")[0] for f in detail(sqlite_site, "Office")["files"])
    assert names == ["mso-x-none", "proof-de-de"]


def test_a_mismatch_is_quarantined_and_shown_with_its_reason(sqlite_site, store, catalog):
    catalog.put_file(CU_X86.path, b"tampered" * 100)
    make(sqlite_site, "P")
    result = download(sqlite_site, store, catalog, "P", [WantedUpdate("4592440", "11568", PRODUCTS["11568"])])
    assert not result.ok
    [line] = result.failures()
    assert line.startswith(f"KB4592440 {CU_X86.file_name}: hash mismatch: ")
    [f] = detail(sqlite_site, "P")["files"]
    assert f["state"] == "quarantined" and f["reason"].startswith("hash mismatch: ")
    [u] = detail(sqlite_site, "P")["updates"]
    assert u["state"] == "incomplete" and "hash mismatch" in u["reason"]
    assert not store.has(CU_X86.sha1)


def test_a_kb_the_catalog_cannot_offer_fails_alone(sqlite_site, store, catalog):
    make(sqlite_site, "P")
    result = download(sqlite_site, store, catalog, "P", [WantedUpdate("4592440", "11569", PRODUCTS["11569"]),
                                                         WantedUpdate("1111111")])
    assert [(u.kb, u.state) for u in result.updates] == [("1111111", "failed"), ("4592440", "downloaded")]
    assert any(line.startswith("KB1111111: the catalog has no update for it") for line in result.failures())


def test_a_manifest_with_a_wrong_hash(sqlite_site, store, catalog):
    good, bad = CU_X64, CU_X86
    manifest = (f"kb,file_name,url,sha1\n4592440,{good.file_name},{catalog.url.rstrip('/')}{good.path},{good.sha1}\n"
                f"4592441,{bad.file_name},{catalog.url.rstrip('/')}{bad.path},{'0' * 40}\n").encode()
    make(sqlite_site, "M")
    result = download(sqlite_site, store, catalog, "M", [], source=ManifestSource(parse_manifest(manifest, name="m.csv")),
                      policy=UrlPolicy())
    assert not result.ok
    states = {f["kb"]: f["state"] for f in detail(sqlite_site, "M")["files"]}
    assert states == {"4592440": "downloaded", "4592441": "quarantined"}
    assert [line.split(":")[0] for line in result.failures()] == [f"KB4592441 {bad.file_name}"]
    assert not store.has("0" * 40)


def test_a_folder_is_a_source(sqlite_site, store, tmp_path):
    folder = tmp_path / "wsus"
    folder.mkdir()
    (folder / CU_X64.file_name).write_bytes(CU_X64.data)
    make(sqlite_site, "F")
    with sqlite_site.session() as session:
        result = download_package(session, store=store, name="F", wanted=[WantedUpdate("4592440")],
                                  source=FolderSource(folder))
    assert result.ok and store.has(CU_X64.sha1)
    [f] = detail(sqlite_site, "F")["files"]
    assert (f["origin"], f["state"]) == ("folder", "downloaded")


def test_a_cancelled_download_keeps_what_finished(sqlite_site, store, catalog):
    make(sqlite_site, "C")
    stop = threading.Event()

    def progress(p) -> None:
        if p.phase == "downloading":
            stop.set()  # the operator cancels as the files start

    result = download(sqlite_site, store, catalog, "C", [WantedUpdate("4592440")], cancel=stop, progress=progress)
    assert result.cancelled and not result.ok
    assert {o.status for o in result.files} == {"cancelled"}
    assert {f["state"] for f in detail(sqlite_site, "C")["files"]} == {"missing"}
    assert list(store.stored()) == []
    assert download(sqlite_site, store, catalog, "C", [WantedUpdate("4592440")]).ok  # and it resumes later


def test_verify_quarantines_a_changed_file_and_repair_fetches_it_again(sqlite_site, store, catalog):
    make(sqlite_site, "V")
    assert download(sqlite_site, store, catalog, "V", [WantedUpdate("4592440", "11569", PRODUCTS["11569"])]).ok
    with sqlite_site.session() as session:
        assert verify_content(session, store=store).ok
    store.path_for(CU_X64.sha1).write_bytes(b"bit rot")
    with sqlite_site.session() as session:
        result = verify_content(session, store=store)
    assert not result.ok
    [bad] = result.bad
    assert bad.state == "changed" and bad.reason.startswith("changed on disk: SHA-1 is now ")
    assert not store.has(CU_X64.sha1)  # out of the served folder
    [f] = detail(sqlite_site, "V")["files"]
    assert f["state"] == "quarantined"
    with sqlite_site.session() as session:
        repaired = verify_content(session, store=store, repair=True, policy=UrlPolicy(content_url=catalog.url))
    assert repaired.ok and [o.status for o in repaired.repairs] == ["stored"]
    assert store.path_for(CU_X64.sha1).read_bytes() == CU_X64.data
    assert detail(sqlite_site, "V")["files"][0]["state"] == "downloaded"


def test_verify_notices_a_missing_file(sqlite_site, store, catalog):
    make(sqlite_site, "V")
    download(sqlite_site, store, catalog, "V", [WantedUpdate("4592440", "11569", PRODUCTS["11569"])])
    store.path_for(CU_X64.sha1).unlink()
    with sqlite_site.session() as session:
        result = verify_content(session, store=store)
    assert [(f.state, f.file_names) for f in result.bad] == [("missing", (CU_X64.file_name,))]
    assert detail(sqlite_site, "V")["files"][0]["state"] == "missing"


def test_cleanup_removes_what_expired_or_superseded_updates_alone_need(sqlite_site, store, catalog):
    with sqlite_site.session() as session:
        add_updates(session, "4592440", {"11569": PRODUCTS["11569"]}, superseded=True)
        add_updates(session, "4592440", {"11568": PRODUCTS["11568"]}, expired=True)
        add_updates(session, "4592440", {"11571": PRODUCTS["11571"]})
    make(sqlite_site, "Old")
    wanted = [WantedUpdate("4592440", pid, PRODUCTS[pid]) for pid in ("11568", "11569", "11571")]
    assert download(sqlite_site, store, catalog, "Old", wanted).ok
    with sqlite_site.session() as session:
        plan = cleanup_content(session, store=store, dry_run=True)
        session.commit()
    assert sorted((u.kb, u.product, u.why) for u in plan.updates) == [
        ("4592440", PRODUCTS["11568"], "expired"), ("4592440", PRODUCTS["11569"], "superseded")]
    # The x64 file still serves Server 2019 (not superseded): only the x86 one goes.
    assert [(f.sha1, f.why) for f in plan.files] == [(CU_X86.sha1, "only expired or superseded updates use it")]
    assert store.has(CU_X86.sha1)  # a dry run changes nothing
    with sqlite_site.session() as session:
        done = cleanup_content(session, store=store, dry_run=False)
        session.commit()
        assert done.bytes == len(CU_X86.data)
        left = session.execute(select(PackageFile.sha1)).scalars().all()
    assert set(left) == {CU_X64.sha1}
    assert not store.has(CU_X86.sha1) and store.has(CU_X64.sha1)
    assert [u["product_id"] for u in detail(sqlite_site, "Old")["updates"]] == ["11571"]


def test_cleanup_keeps_content_a_hook_says_is_in_use(sqlite_site, store, catalog):
    make(sqlite_site, "K")
    download(sqlite_site, store, catalog, "K", [WantedUpdate("4592440", "11569", PRODUCTS["11569"])])
    with sqlite_site.session() as session:
        delete_package(session, name="K")
        session.commit()
        assert [f.why for f in cleanup_content(session, store=store).files] == ["no package uses it"]
        assert cleanup_content(session, store=store, keep=lambda _s: {CU_X64.sha1}).files == []


def test_repair_also_fetches_files_that_never_arrived(sqlite_site, store, catalog):
    catalog.raw(CU_X86.path, 404, "<html>not yet</html>")
    make(sqlite_site, "R")
    first = download(sqlite_site, store, catalog, "R", [WantedUpdate("4592440", "11568", PRODUCTS["11568"])])
    assert not first.ok and detail(sqlite_site, "R")["files"][0]["state"] == "missing"
    with sqlite_site.session() as session:
        still = verify_content(session, store=store, repair=True, policy=UrlPolicy(content_url=catalog.url), backoff=0)
    assert not still.ok and [(f.state, f.reason.endswith("HTTP 404 Not Found")) for f in still.files] == [("still bad", True)]
    catalog.clear(CU_X86.path)  # the mirror has it now
    with sqlite_site.session() as session:
        fixed = verify_content(session, store=store, repair=True, policy=UrlPolicy(content_url=catalog.url))
    assert fixed.ok and [f.state for f in fixed.files] == ["repaired"]
    assert detail(sqlite_site, "R")["updates"][0]["state"] == "downloaded"
