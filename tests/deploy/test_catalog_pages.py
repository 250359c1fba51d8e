"""The Update Catalog page parsers: the real pages (when ../shared/realdata is present), our pages in
the same format with several files per update, and pages that changed or are error pages."""

from __future__ import annotations

import pytest

from sumtui.deploy.content.catalog_pages import parse_dialog, parse_search
from sumtui.deploy.content.errors import CatalogPageError
from tests.deploy.mucatalog import (
    CU_DIALOGS,
    CU_ROWS,
    ERROR_PAGE,
    OFFICE_DIALOG,
    Dialog,
    File,
    dialog_page,
    named,
    search_page,
)

REAL_DIALOG = "DownloadDialog.aspx-7f659ce1-a58f-41a8-bcf0-18fe434f0916.html"


def test_real_search_page_rows(realdata):
    html = (realdata / "mucatalog" / "Search.aspx-q=KB4022233.html").read_text(encoding="utf-8")
    page = parse_search(html, name="Search.aspx?q=KB4022233")
    assert [(r.update_id, r.size) for r in page.rows] == [
        ("d001ca72-ce16-4700-9a6d-b2bb28974002", 11457318), ("a54c634e-3dc5-4f5b-9e0f-40e9a221c6a5", 9325490)]
    assert page.rows[0].title == "Update for Microsoft Office 2013 (KB4022233) 64-Bit Edition"
    assert (page.rows[1].products, page.rows[1].classification, page.rows[1].last_updated) == (
        "Office 2013", "Critical Updates", "9/11/2018")
    assert (page.total, page.pages) == (2, 1)


def test_real_dialog_file(realdata):
    html = (realdata / "mucatalog" / REAL_DIALOG).read_text(encoding="utf-8")
    [update] = parse_dialog(html, name="DownloadDialog.aspx")
    assert update.update_id == "7f659ce1-a58f-41a8-bcf0-18fe434f0916"
    assert update.title == "Update for Microsoft Office 2013 (KB4461444) 64-Bit Edition"
    [f] = update.files
    # The digest '4/qckQO8UJ3N9+lxyjy+oMGKew0=' is the SHA-1 the file name ends in.
    assert f.sha1 == "e3fa9c9103bc509dcdf7e971ca3cbea0c18a7b0d"
    assert f.file_name == "oart-x-none_e3fa9c9103bc509dcdf7e971ca3cbea0c18a7b0d.cab"
    assert f.url.startswith("http://download.windowsupdate.com/c/msdownload/update/software/crup/2019/01/")
    assert (f.languages, f.architectures, f.sha256) == (("all",), (), None)


def test_our_search_page_in_the_real_format():
    page = parse_search(search_page("4592440", CU_ROWS), name="s")
    assert [r.update_id for r in page.rows] == [r.update_id for r in CU_ROWS]
    assert page.rows[2].products == "Windows Server 2019"
    assert page.rows[0].size == CU_ROWS[0].size


def test_columns_are_found_by_their_header_not_their_position():
    headers = ["Size", "Classification", "Products", "Title", "Last Updated", "Version"]
    page = parse_search(search_page("4592440", CU_ROWS, headers=headers), name="s")
    assert page.rows[0].title == CU_ROWS[0].title and page.rows[0].products == CU_ROWS[0].products


def test_no_results_is_an_empty_page():
    html = '<html><body><span id="ctl00_catalogBody_noResultText">We did not find any results for "KB1".</span></body></html>'
    assert parse_search(html, name="s").rows == []


def test_more_pages_are_reported():
    page = parse_search(search_page("4592440", CU_ROWS, pages=2, total=40), name="s")
    assert (page.total, page.pages) == (40, 2)


def test_changed_search_markup_says_what_changed_and_names_the_page():
    html = search_page("4592440", CU_ROWS).replace("ctl00_catalogBody_updateMatches", "ctl00_catalogBody_results")
    with pytest.raises(CatalogPageError) as err:
        parse_search(html, name="https://catalog/Search.aspx?q=KB4592440")
    assert str(err.value) == ("https://catalog/Search.aspx?q=KB4592440: the search page has no "
                              "table#ctl00_catalogBody_updateMatches: the catalog's markup changed")


def test_a_row_without_a_download_button_is_a_markup_change():
    html = search_page("4592440", CU_ROWS).replace('type="button"', 'type="submit"', 1)
    with pytest.raises(CatalogPageError, match="has no Download button.*markup changed"):
        parse_search(html, name="s")


def test_a_renamed_column_is_a_markup_change():
    html = search_page("4592440", CU_ROWS).replace("<span>Products</span>", "<span>Produkte</span>")
    with pytest.raises(CatalogPageError, match="no Products column"):
        parse_search(html, name="s")


def test_error_pages_are_named_with_their_code():
    with pytest.raises(CatalogPageError, match=r"s: the catalog answered with error 8DDD0024 instead of search results"):
        parse_search(ERROR_PAGE, name="s")
    with pytest.raises(CatalogPageError, match="error 8DDD0024 instead of a download dialog"):
        parse_dialog(ERROR_PAGE, name="d")


def test_a_dialog_with_a_file_per_language_keeps_every_file_in_order():
    [update] = parse_dialog(dialog_page(OFFICE_DIALOG), name="d")
    assert [f.file_name for f in update.files] == [f.file_name for f in OFFICE_DIALOG.files]
    assert [f.sha1 for f in update.files] == [f.sha1 for f in OFFICE_DIALOG.files]
    assert update.files[2].languages == ("de-de",) and update.files[2].long_languages == ("German",)


def test_several_updates_in_one_dialog():
    updates = parse_dialog(dialog_page(*CU_DIALOGS), name="d")
    assert [u.update_id for u in updates] == [d.update_id for d in CU_DIALOGS]


def test_an_empty_digest_takes_the_sha1_from_the_file_name():
    f = named("windows10.0-kb4592440-x64", b"abc", digest="")
    [update] = parse_dialog(dialog_page(Dialog(CU_ROWS[0].update_id, "t", [f])), name="d")
    assert update.files[0].sha1 == f.sha1


def test_an_empty_digest_and_no_sha1_in_the_name_is_refused():
    f = File("windows10.0-kb4592440-x64.msu", b"abc", digest="")
    with pytest.raises(CatalogPageError, match=r"files\[0\] \(windows10.0-kb4592440-x64.msu\): the digest is empty"):
        parse_dialog(dialog_page(Dialog(CU_ROWS[0].update_id, "t", [f])), name="d")


def test_a_digest_that_disagrees_with_the_file_name_is_refused():
    f = named("windows10.0-kb4592440-x64", b"abc", digest="4/qckQO8UJ3N9+lxyjy+oMGKew0=")
    with pytest.raises(CatalogPageError, match="the digest says SHA-1 e3fa9c91.* but the file name says"):
        parse_dialog(dialog_page(Dialog(CU_ROWS[0].update_id, "t", [f])), name="d")


def test_a_malformed_digest_is_refused():
    f = File("a.cab", b"abc", digest="not base64!")
    with pytest.raises(CatalogPageError, match="is not a SHA-1"):
        parse_dialog(dialog_page(Dialog(CU_ROWS[0].update_id, "t", [f])), name="d")


def test_sha256_and_escaped_quotes_are_read():
    import base64
    import hashlib

    data = b"payload"
    f = File(f"a_{hashlib.sha1(data).hexdigest()}.cab", data, sha256=base64.b64encode(hashlib.sha256(data).digest()).decode())
    [update] = parse_dialog(dialog_page(Dialog(CU_ROWS[0].update_id, "Update for O'Brien's Office", [f])), name="d")
    assert update.title == "Update for O'Brien's Office"
    assert update.files[0].sha256 == hashlib.sha256(data).hexdigest()


def test_a_dialog_without_download_information_is_a_markup_change():
    html = dialog_page(OFFICE_DIALOG).replace("downloadInformation", "downloadInfo")
    with pytest.raises(CatalogPageError, match="d: the download dialog has no downloadInformation: the catalog's markup changed"):
        parse_dialog(html, name="d")
