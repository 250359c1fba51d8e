"""Resolving KBs through a loopback catalog in the real URL layout: search, then one download dialog
per row wanted; filtered by product, architecture and the site's languages; every KB answered."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qs

from sumtui.deploy.content.resolver import Wanted, resolve
from tests.deploy.catalog_server import CatalogServer
from tests.deploy.mucatalog import (
    CU_ROWS,
    CU_X64,
    CU_X86,
    ERROR_PAGE,
    OFFICE_DIALOG,
    OFFICE_KB,
    OFFICE_ROW,
    Dialog,
    File,
    dialog_page,
    search_page,
    serve,
)


def run(server, *wanted, languages=("English",)):
    return asyncio.run(resolve(list(wanted), catalog_url=server.url, languages=languages, backoff=0))


def test_the_real_pages_resolve_to_the_dialogs_file(realdata):
    real = realdata / "mucatalog"
    dialog = (real / "DownloadDialog.aspx-7f659ce1-a58f-41a8-bcf0-18fe434f0916.html").read_text(encoding="utf-8")
    with CatalogServer() as server:
        server.put_search("4022233", (real / "Search.aspx-q=KB4022233.html").read_text(encoding="utf-8"))
        for row_id in ("d001ca72-ce16-4700-9a6d-b2bb28974002", "a54c634e-3dc5-4f5b-9e0f-40e9a221c6a5"):
            server.put_dialog(row_id, dialog.replace("7f659ce1-a58f-41a8-bcf0-18fe434f0916", row_id))
        [answer] = run(server, Wanted("4022233"))
        # The request is the one real tools send.
        posts = [parse_qs(body) for method, path, _h, body in server.requests if method == "POST"]
    assert answer.error is None
    assert [(f.update_id, f.sha1, f.size) for f in answer.files] == [
        ("d001ca72-ce16-4700-9a6d-b2bb28974002", "e3fa9c9103bc509dcdf7e971ca3cbea0c18a7b0d", 11457318),
        ("a54c634e-3dc5-4f5b-9e0f-40e9a221c6a5", "e3fa9c9103bc509dcdf7e971ca3cbea0c18a7b0d", 9325490)]
    assert answer.files[0].title == "Update for Microsoft Office 2013 (KB4022233) 64-Bit Edition"
    sent = sorted(json.loads(p["updateIDs"][0])[0]["updateID"] for p in posts)
    assert sent == ["a54c634e-3dc5-4f5b-9e0f-40e9a221c6a5", "d001ca72-ce16-4700-9a6d-b2bb28974002"]
    assert all(json.loads(p["updateIDs"][0])[0]["uidInfo"] == json.loads(p["updateIDs"][0])[0]["updateID"] for p in posts)


def test_rows_are_chosen_by_product_and_architecture(catalog):
    [answer] = run(catalog, Wanted("4592440", (("11568", "Windows 10 Version 1809 for 32-bit Systems"),
                                               ("11571", "Windows Server 2019"))))
    assert answer.error is None
    by_product = {pid: [f.file_name for f in answer.files if pid in f.product_ids] for pid in ("11568", "11571")}
    assert by_product == {"11568": [CU_X86.file_name], "11571": [CU_X64.file_name]}
    assert catalog.count("/DownloadDialog.aspx", "POST") == 2  # only the rows wanted were asked for


def test_without_products_every_row_is_taken(catalog):
    [answer] = run(catalog, Wanted("4592440"))
    assert sorted({f.update_id for f in answer.files}) == sorted(r.update_id for r in CU_ROWS)


def test_a_product_no_row_shows_is_named(catalog):
    [answer] = run(catalog, Wanted("4592440", (("10483", "Windows Server 2012 R2"),)))
    assert answer.files == []
    assert answer.error.startswith("none of the catalog's 3 row(s) for KB4592440 is for Windows Server 2012 R2")


def test_the_sites_languages_choose_the_files(catalog):
    names = lambda answer: sorted(f.file_name.split("_")[0] for f in answer.files)
    assert names(run(catalog, Wanted(OFFICE_KB))[0]) == ["mso-x-none", "proof-en-us"]
    assert names(run(catalog, Wanted(OFFICE_KB), languages=("German", "French"))[0]) == ["mso-x-none", "proof-de-de", "proof-fr-fr"]
    assert len(run(catalog, Wanted(OFFICE_KB), languages=None)[0].files) == len(OFFICE_DIALOG.files)


def test_an_update_with_no_file_in_the_sites_languages_says_which_are_offered():
    only_german = Dialog(OFFICE_ROW.update_id, OFFICE_ROW.title, [OFFICE_DIALOG.files[2]])
    with CatalogServer() as server:
        serve(server, OFFICE_KB, [OFFICE_ROW], [only_german])
        [answer] = run(server, Wanted(OFFICE_KB))
    assert answer.error.endswith("is in the site's languages (English); offered: German")


def test_each_kb_gets_its_own_answer(catalog):
    answers = run(catalog, Wanted("4592440"), Wanted("1234567"), Wanted(OFFICE_KB))
    assert [a.kb for a in answers] == ["4592440", "1234567", OFFICE_KB]
    assert answers[0].files and answers[2].files
    assert answers[1].error == f"KB1234567: the catalog has no update for it ({catalog.url}Search.aspx?q=KB1234567)"


def test_changed_markup_and_error_pages_name_the_page(catalog):
    catalog.put_search("4592440", search_page("4592440", CU_ROWS).replace("updateMatches", "matches"))
    catalog.raw("/DownloadDialog.aspx", 200, ERROR_PAGE)
    answers = run(catalog, Wanted("4592440"), Wanted(OFFICE_KB))
    assert answers[0].error == (f"{catalog.url}Search.aspx?q=KB4592440: the search page has no "
                                "table#ctl00_catalogBody_updateMatches: the catalog's markup changed")
    assert answers[1].error == (f"{catalog.url}DownloadDialog.aspx (update {OFFICE_ROW.update_id}): "
                                "the catalog answered with error 8DDD0024 instead of a download dialog")


def test_a_catalog_that_is_down_is_named(catalog):
    catalog.fail("/Search.aspx", 503, times=10)
    [answer] = asyncio.run(resolve([Wanted("4592440")], catalog_url=catalog.url, retries=1, backoff=0))
    assert answer.error == f"GET {catalog.url}Search.aspx?q=KB4592440: HTTP 503 Service Unavailable after 2 attempts"


def test_a_hostile_file_name_in_a_dialog_is_refused(catalog):
    evil = File("..\\..\\Windows\\System32\\evil.dll", b"x", url="http://download.windowsupdate.com/evil.dll")
    catalog.put_dialog(OFFICE_ROW.update_id, dialog_page(Dialog(OFFICE_ROW.update_id, OFFICE_ROW.title, [evil])))
    [answer] = run(catalog, Wanted(OFFICE_KB))
    assert answer.files == [] and "holds a path" in answer.error and answer.error.startswith(f"KB{OFFICE_KB} (")


def test_a_search_with_more_pages_is_noted(catalog):
    catalog.put_search("4592440", search_page("4592440", CU_ROWS, pages=2, total=30))
    [answer] = run(catalog, Wanted("4592440"))
    assert answer.notes == ["KB4592440: the catalog lists 30 updates on 2 pages; only the first page was read"]
