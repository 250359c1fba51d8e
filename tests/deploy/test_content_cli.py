"""`sumtui content …` and `sumtui packages …` as scripts use them: the contract's fields and flags,
exit codes (0 all good, 1 something failed with every failure named, 2 bad usage)."""

from __future__ import annotations

import hashlib
import json

import pytest

from sumtui.deploy.content.store import ContentStore
from sumtui.main import main
from tests.deploy.catalog_server import CatalogServer
from tests.deploy.mucatalog import CU_DIALOGS, CU_ROWS, CU_X64, CU_X86, serve
from tests.deploy.test_packages import PRODUCTS, add_updates

FILE_FIELDS = {"kb", "file_name", "sha1", "sha256", "size", "state"}


@pytest.fixture
def env(tmp_path):
    from sumtui.site import open_site

    db = f"sqlite:///{tmp_path / 'site.db'}"
    site = open_site(db)
    with site.session() as session:
        add_updates(session, "4592440", PRODUCTS)
    site.close()
    with CatalogServer() as server:
        serve(server, "4592440", CU_ROWS, CU_DIALOGS)
        yield db, server, ContentStore(tmp_path / "content")


def cli(capsys, db, *args) -> tuple[int, str, str]:
    try:
        code = main(["--db", db, *args])
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_resolve_lists_one_row_per_file_with_the_contract_fields(env, capsys):
    db, server, _ = env
    code, out, err = cli(capsys, db, "content", "resolve", "KB4592440", "--catalog-url", server.url, "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert {"kb", "update_id", "title", "products", "classification", "file_name", "url", "sha1", "sha256", "size",
            "languages", "architectures"} <= set(rows[0])
    # The KB's catalog products choose the rows: all three here.
    assert sorted((r["update_id"], r["sha1"]) for r in rows) == sorted(
        (d.update_id, d.files[0].sha1) for d in CU_DIALOGS)
    code, out, err = cli(capsys, db, "content", "resolve", "KB4592440@11568", "--catalog-url", server.url, "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("kb,update_id,title,products,classification,file_name,url,sha1")
    assert len(out.splitlines()) == 2 and CU_X86.sha1 in out


def test_resolve_names_each_kb_it_could_not_resolve(env, capsys):
    db, server, _ = env
    code, out, err = cli(capsys, db, "content", "resolve", "KB4592440", "KB1111111", "--catalog-url", server.url, "--format", "json")
    assert code == 1
    assert len(json.loads(out)) == 3
    assert "sumtui: KB1111111: the catalog has no update for it" in err


def test_bad_usage_exits_2(env, capsys):
    db, _server, _ = env
    assert cli(capsys, db, "content", "resolve", "KBnope")[0] == 2
    assert cli(capsys, db, "content", "resolve", "KB1", "--catalog-url", "ftp://x/")[0] == 2
    assert cli(capsys, db, "packages", "create", "x" * 51)[0] == 2
    assert cli(capsys, db, "packages", "create", "ok", "--description", "d" * 128)[0] == 2
    assert cli(capsys, db, "packages", "create", "P")[0] == 0
    code, _out, err = cli(capsys, db, "packages", "download", "P")
    assert code == 2 and "give KBs, --list L or --manifest FILE" in err


def test_create_download_show(env, capsys):
    db, server, store = env
    assert cli(capsys, db, "packages", "create", "Servers 2020-12", "--description", "December")[0] == 0
    code, _out, err = cli(capsys, db, "packages", "create", "servers 2020-12")
    assert code == 1 and "already exists" in err
    code, out, err = cli(capsys, db, "packages", "download", "Servers 2020-12", "KB4592440@11569", "KB4592440@11571",
                         "--catalog-url", server.url, "--content-url", server.url)
    assert code == 0, err
    code, out, _ = cli(capsys, db, "packages", "show", "Servers 2020-12", "--format", "json")
    shown = json.loads(out)
    assert (shown["name"], shown["description"]) == ("Servers 2020-12", "December")
    assert [({k: f[k] for k in FILE_FIELDS}) for f in shown["files"]] == [
        {"kb": "4592440", "file_name": CU_X64.file_name, "sha1": CU_X64.sha1,
         "sha256": hashlib.sha256(CU_X64.data).hexdigest(), "size": len(CU_X64.data),
         "state": "downloaded"}]
    assert store.has(CU_X64.sha1)
    code, out, _ = cli(capsys, db, "packages", "--format", "json")
    [listed] = json.loads(out)
    assert (listed["name"], listed["files"], listed["downloaded"], listed["complete"]) == ("Servers 2020-12", 1, 1, True)


def test_a_failed_download_exits_1_naming_every_failure(env, capsys):
    db, server, _ = env
    server.put_file(CU_X86.path, b"tampered")
    cli(capsys, db, "packages", "create", "P")
    code, out, err = cli(capsys, db, "packages", "download", "P", "KB4592440", "KB1111111", "--catalog-url", server.url,
                         "--content-url", server.url)
    assert code == 1
    assert f"sumtui: KB4592440 {CU_X86.file_name}: hash mismatch" in err
    assert "sumtui: KB1111111: the catalog has no update for it" in err
    code, out, _ = cli(capsys, db, "packages", "show", "P", "--format", "json")
    assert {f["state"] for f in json.loads(out)["files"]} == {"downloaded", "quarantined"}


def test_a_manifest_with_a_wrong_hash_exits_1(env, capsys, tmp_path):
    db, server, store = env
    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps([{"kb": "KB4592440", "file_name": CU_X64.file_name, "url": server.url.rstrip("/") + CU_X64.path,
                                     "sha1": "1" * 40, "size": len(CU_X64.data)}]))
    cli(capsys, db, "packages", "create", "M")
    code, _out, err = cli(capsys, db, "packages", "download", "M", "--manifest", str(manifest))
    assert code == 1 and f"KB4592440 {CU_X64.file_name}: hash mismatch: SHA-1 is {CU_X64.sha1}, expected {'1' * 40}" in err
    assert list(store.stored()) == []


def test_verify_exits_1_on_a_bad_file_and_repair_fixes_it(env, capsys):
    db, server, store = env
    cli(capsys, db, "packages", "create", "V")
    cli(capsys, db, "packages", "download", "V", "KB4592440@11569", "--catalog-url", server.url, "--content-url", server.url)
    assert cli(capsys, db, "content", "verify")[0] == 0
    store.path_for(CU_X64.sha1).write_bytes(b"rot")
    code, out, err = cli(capsys, db, "content", "verify", "--format", "json")
    assert code == 1
    assert [r["state"] for r in json.loads(out)] == ["changed"]
    assert f"sumtui: {CU_X64.sha1} ({CU_X64.file_name}): changed on disk" in err
    code, _out, err = cli(capsys, db, "content", "verify", "--repair", "--content-url", server.url)
    assert code == 0, err
    assert store.path_for(CU_X64.sha1).read_bytes() == CU_X64.data


def test_cleanup_dry_run_lists_and_changes_nothing(env, capsys):
    db, server, store = env
    cli(capsys, db, "packages", "create", "D")
    cli(capsys, db, "packages", "download", "D", "KB4592440@11568", "--catalog-url", server.url, "--content-url", server.url)
    assert cli(capsys, db, "packages", "delete", "D")[0] == 1  # without --yes nothing changes
    assert cli(capsys, db, "packages", "delete", "D", "--yes")[0] == 0
    code, out, _err = cli(capsys, db, "content", "cleanup", "--dry-run", "--format", "json")
    assert code == 0
    assert [(r["kind"], r["sha1"], r["why"]) for r in json.loads(out)] == [("file", CU_X86.sha1, "no package uses it")]
    assert store.has(CU_X86.sha1)
    assert cli(capsys, db, "content", "cleanup")[0] == 0
    assert not store.has(CU_X86.sha1)


def test_download_an_update_list(env, capsys):
    db, server, store = env
    assert cli(capsys, db, "lists", "create", "December", "KB4592440@11568")[0] == 0
    cli(capsys, db, "packages", "create", "L")
    code, _out, err = cli(capsys, db, "packages", "download", "L", "--list", "December", "--catalog-url", server.url,
                          "--content-url", server.url)
    assert code == 0, err
    code, out, _ = cli(capsys, db, "packages", "show", "L", "--format", "json")
    shown = json.loads(out)
    assert [(u["kb"], u["product_id"], u["state"]) for u in shown["updates"]] == [("4592440", "11568", "downloaded")]
    assert [f["sha1"] for f in shown["files"]] == [CU_X86.sha1] and store.has(CU_X86.sha1)
    code, _out, err = cli(capsys, db, "packages", "download", "L", "--list", "nope")
    assert code == 1 and "nope" in err
