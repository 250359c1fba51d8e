"""Pure parsers of the two Microsoft Update Catalog pages that real tools read (no network here).

- `Search.aspx?q=KB…`: an HTML page for browsers. The result rows sit in
  `table#ctl00_catalogBody_updateMatches`; each row's update id is the `id` of its Download button
  (an `<input type="button">`; its CSS class has changed over the years, so it is not looked at).
  Columns are found by their header text (Title, Products, Classification, Last Updated, Size), not
  by position. The exact size in bytes is in a hidden `…_originalSize` span.
- `DownloadDialog.aspx` (POST): the files are JavaScript assignments,
  `downloadInformation[i].files[j].url = '…';` with `.digest` (base64 SHA-1), `.fileName`,
  `.languages`, `.longLanguages`, `.architectures` and, in newer answers, `.sha256` (often empty).
  One update often has dozens of files (one per language).

The catalog changes its markup from time to time: every error says what was expected and is no
longer there, and names the page, so the operator knows the parser (not the network) needs a look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from sumtui.deploy.content.errors import CatalogPageError, ContentError
from sumtui.deploy.content.names import sha1_from_name, sha1_hex, sha256_hex
from sumtui.text import escape_controls

RESULTS_TABLE = "ctl00_catalogBody_updateMatches"
NO_RESULTS = "ctl00_catalogBody_noResultText"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_PAGES = re.compile(r"of\s+([\d,]+)\s*\(page\s+(\d+)\s+of\s+(\d+)\)", re.IGNORECASE)
_ERROR_TITLE = re.compile(r"<title>[^<]*\berror\b", re.IGNORECASE)
_ERROR_CODE = re.compile(r"\b(8DDD[0-9A-F]{4})\b", re.IGNORECASE)
_COLUMNS = {"title": "title", "products": "products", "classification": "classification",
            "last updated": "last_updated", "version": "version", "size": "size"}


@dataclass(frozen=True)
class SearchRow:
    update_id: str
    title: str
    products: str
    classification: str
    last_updated: str
    size: int | None  # bytes, from the hidden original-size span


@dataclass(frozen=True)
class SearchPage:
    rows: list[SearchRow]
    total: int | None = None  # results the catalog says it has ("1 - 25 of 40 (page 1 of 2)")
    pages: int | None = None


@dataclass(frozen=True)
class DialogFile:
    url: str
    file_name: str
    sha1: str  # 40 lowercase hex
    sha256: str | None  # 64 lowercase hex
    languages: tuple[str, ...]  # short codes as given ("all", "en", "de-de", ...)
    long_languages: tuple[str, ...]  # display names ("English", "all")
    architectures: tuple[str, ...]  # ("AMD64",), empty when the dialog says nothing


@dataclass(frozen=True)
class DialogUpdate:
    update_id: str
    title: str
    files: list[DialogFile] = field(default_factory=list)


def _clean(text: str) -> str:
    return " ".join(text.split())


class _SearchParser(HTMLParser):
    """Collects the cells of the results table, row by row, with each row's Download button id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found_table = False
        self.no_results: str | None = None
        self.navigation = ""
        self.rows: list[dict] = []
        self._depth = 0  # nesting of <table> inside the results table
        self._row: dict | None = None
        self._cell: list[str] | None = None
        self._span_id: str | None = None
        self._capture: str | None = None  # id of a span whose text we keep

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "table":
            if self._depth:
                self._depth += 1
            elif a.get("id") == RESULTS_TABLE:
                self.found_table, self._depth = True, 1
            return
        if tag == "span" and a.get("id") in (NO_RESULTS, "ctl00_catalogBody_searchDuration"):
            self._capture = a["id"]
        if not self._depth:
            return
        if tag == "tr" and self._depth == 1:
            self._row = {"id": a.get("id", ""), "cells": [], "button": None, "spans": {}}
        elif tag == "td" and self._row is not None and self._depth == 1:
            self._cell = []
        elif tag == "input" and self._row is not None and a.get("type", "").lower() == "button" and a.get("id"):
            self._row["button"] = a["id"]
        elif tag == "span" and self._row is not None:
            self._span_id = a.get("id", "")
            self._row["spans"][self._span_id] = ""

    def handle_endtag(self, tag):
        if tag == "span":
            self._span_id = None
            self._capture = None
        if not self._depth:
            return
        if tag == "table":
            self._depth -= 1
        elif tag == "td" and self._row is not None and self._cell is not None and self._depth == 1:
            self._row["cells"].append(_clean("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._depth == 1:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._capture == NO_RESULTS:
            self.no_results = _clean((self.no_results or "") + " " + data)
        elif self._capture:
            self.navigation += data
        if self._cell is not None:
            self._cell.append(data)
        if self._span_id and self._row is not None:
            self._row["spans"][self._span_id] += data


def error_page_reason(html: str) -> str | None:
    """What an error page of the catalog says (its 8DDDxxxx code when it has one), or None."""
    if _ERROR_TITLE.search(html) or "error number:" in html.lower():
        code = _ERROR_CODE.search(html)
        return f"error {code.group(1).upper()}" if code else "an error page"
    return None


def parse_search(html: str, *, name: str) -> SearchPage:
    """The result rows of a search page. `name` (the URL) is named in every error.

    No results is an empty page, not an error; an error page or a page without the results table
    raises CatalogPageError saying so."""
    parser = _SearchParser()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError) as exc:  # what html.parser still trips on, lenient as it is
        raise CatalogPageError(f"{name}: the search page cannot be parsed ({exc})") from None
    if parser.no_results is not None and not parser.found_table:
        return SearchPage(rows=[], total=0, pages=0)
    if not parser.found_table:
        reason = error_page_reason(html)
        if reason:
            raise CatalogPageError(f"{name}: the catalog answered with {reason} instead of search results")
        raise CatalogPageError(f"{name}: the search page has no table#{RESULTS_TABLE}: the catalog's markup changed")
    header = next((r for r in parser.rows if r["button"] is None and r["cells"]), None)
    if header is None:
        raise CatalogPageError(f"{name}: the results table has no header row: the catalog's markup changed")
    columns = {_COLUMNS[_clean(text).lower()]: i for i, text in enumerate(header["cells"]) if _clean(text).lower() in _COLUMNS}
    missing = [label for label, key in (("Title", "title"), ("Products", "products"), ("Classification", "classification"))
               if key not in columns]
    if missing:
        raise CatalogPageError(f"{name}: the results table has no {', '.join(missing)} column: the catalog's markup changed")
    rows = []
    for raw in parser.rows:
        if raw is header or not raw["cells"]:
            continue
        update_id = raw["button"]
        if not update_id or not _GUID.match(update_id):
            raise CatalogPageError(
                f"{name}: a result row has no Download button with an update id (row {escape_controls(raw['id'])!r}): "
                "the catalog's markup changed")
        cells = {key: raw["cells"][index] for key, index in columns.items() if index < len(raw["cells"])}
        size_text = raw["spans"].get(f"{update_id}_originalSize", "").strip()
        rows.append(SearchRow(
            update_id=update_id.lower(), title=cells.get("title", ""), products=cells.get("products", ""),
            classification=cells.get("classification", ""), last_updated=cells.get("last_updated", ""),
            size=int(size_text) if size_text.isdigit() else None,
        ))
    total = pages = None
    match = _PAGES.search(parser.navigation)
    if match:
        total, pages = int(match.group(1).replace(",", "")), int(match.group(3))
    return SearchPage(rows=rows, total=total, pages=pages)


# `downloadInformation[0].files[1].url = '…';` and `downloadInformation[0].updateID ='…';`
_ASSIGN = re.compile(
    r"downloadInformation\[(\d+)\]\s*(?:\.\s*files\[(\d+)\])?\s*\.\s*(\w+)\s*=\s*(?:'((?:[^'\\\n]|\\.)*)'|\"((?:[^\"\\\n]|\\.)*)\")\s*;")
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)")
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _js_string(text: str) -> str:
    def one(match: re.Match) -> str:
        code = match.group(1)
        if code[0] in "ux" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _SIMPLE.get(code, code)

    return _ESCAPE.sub(one, text)


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[,;]", text) if part.strip())


def parse_dialog(html: str, *, name: str) -> list[DialogUpdate]:
    """The updates and files of a download dialog answer, in the dialog's order.

    Each file's SHA-1 comes from its base64 digest or, when that is empty, from the 40 hex digits at
    the end of its file name; a file with neither, or whose digest and name disagree, is an error
    naming it. The file name is returned as given: callers check it (`names.check_file_name`)."""
    if "downloadInformation" not in html:
        reason = error_page_reason(html)
        if reason:
            raise CatalogPageError(f"{name}: the catalog answered with {reason} instead of a download dialog")
        raise CatalogPageError(f"{name}: the download dialog has no downloadInformation: the catalog's markup changed")
    updates: dict[int, dict] = {}
    for match in _ASSIGN.finditer(html):
        index, file_index, key = int(match.group(1)), match.group(2), match.group(3)
        value = _js_string(match.group(4) if match.group(4) is not None else match.group(5))
        update = updates.setdefault(index, {"files": {}})
        if file_index is None:
            update[key] = value
        else:
            update["files"].setdefault(int(file_index), {})[key] = value
    if not updates:
        raise CatalogPageError(f"{name}: the download dialog assigns no downloadInformation fields: the catalog's markup changed")
    result = []
    for index in sorted(updates):
        raw = updates[index]
        update_id = raw.get("updateID", "").strip()
        if not _GUID.match(update_id):
            raise CatalogPageError(f"{name}: downloadInformation[{index}] has no updateID: the catalog's markup changed")
        files = []
        for file_index in sorted(raw["files"]):
            files.append(_dialog_file(raw["files"][file_index], where=f"{name}: downloadInformation[{index}].files[{file_index}]"))
        result.append(DialogUpdate(update_id=update_id.lower(), title=raw.get("enTitle", "").strip(), files=files))
    return result


def _dialog_file(raw: dict, *, where: str) -> DialogFile:
    url = raw.get("url", "").strip()
    file_name = raw.get("fileName", "").strip()
    if not url:
        raise CatalogPageError(f"{where} has no url: the catalog's markup changed")
    if not file_name:
        file_name = url.rsplit("/", 1)[-1].split("?", 1)[0]
    shown = escape_controls(file_name)
    digest = raw.get("digest", "").strip()
    from_name = sha1_from_name(file_name)
    try:
        sha1 = sha1_hex(digest, name=f"{where} ({shown})") if digest else from_name
        sha256 = sha256_hex(raw["sha256"], name=f"{where} ({shown})") if raw.get("sha256", "").strip() else None
    except ContentError as exc:
        raise CatalogPageError(str(exc)) from None
    if sha1 is None:
        raise CatalogPageError(f"{where} ({shown}): the digest is empty and the file name holds no 40-hex SHA-1: nothing to verify it by")
    if digest and from_name and from_name != sha1:
        raise CatalogPageError(f"{where} ({shown}): the digest says SHA-1 {sha1} but the file name says {from_name}")
    return DialogFile(
        url=url, file_name=file_name, sha1=sha1, sha256=sha256,
        languages=_split(raw.get("languages", "")), long_languages=_split(raw.get("longLanguages", "")),
        architectures=_split(raw.get("architectures", "")),
    )
