"""Microsoft Update Catalog pages written by us in the real format (see ../shared/realdata/mucatalog):
the search page's results table and the download dialog's JavaScript assignments, plus an error
page and pages whose markup changed. Facts (KB numbers, titles, products) follow real updates.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from html import escape

WU = "http://download.windowsupdate.com/c/msdownload/update/software"


@dataclass
class Row:
    update_id: str
    title: str
    products: str
    classification: str = "Security Updates"
    date: str = "12/8/2020"
    size: int = 1000


@dataclass
class File:
    file_name: str
    data: bytes
    url: str = ""
    languages: str = "all"
    long_languages: str = "all"
    architectures: str = ""
    digest: str | None = None  # None: the base64 SHA-1 of data; "" for an empty digest
    sha256: str | None = None  # base64, when the dialog gives one

    def __post_init__(self) -> None:
        if not self.url:
            self.url = f"{WU}/secu/2020/12/{self.file_name}"

    @property
    def sha1(self) -> str:
        return hashlib.sha1(self.data).hexdigest()

    @property
    def path(self) -> str:
        return "/" + self.url.split("://", 1)[1].split("/", 1)[1]


@dataclass
class Dialog:
    update_id: str
    title: str
    files: list[File] = field(default_factory=list)


def named(stem: str, data: bytes, ext: str = "msu", **kw) -> File:
    """A file named the Windows Update way: `<stem>_<sha1 of data>.<ext>`."""
    return File(f"{stem}_{hashlib.sha1(data).hexdigest()}.{ext}", data, **kw)


def search_page(kb: str, rows: list[Row], *, pages: int = 1, total: int | None = None, headers=None) -> str:
    headers = headers or ["Title", "Products", "Classification", "Last Updated", "Version", "Size"]
    cells = {"Title": lambda r: f"""<a id='{r.update_id}_link' href= "javascript:void(0);" onclick='goToDetails("{r.update_id}");'>
                            {escape(r.title)}
                        </a>""",
             "Products": lambda r: escape(r.products), "Classification": lambda r: escape(r.classification),
             "Last Updated": lambda r: r.date, "Version": lambda r: "n/a",
             "Size": lambda r: f"""<span id="{r.update_id}_size">{r.size / 1e6:.1f} MB</span>
                       <span class="noDisplay" id="{r.update_id}_originalSize">{r.size}</span>"""}
    head = "".join(f"""<td class="headerText" id="header_C{i + 1}">
                        <a id="ctl00_catalogBody_updateMatches_ctl02_h{i}" href="javascript:void(0)"><span>{h}</span></a>
                    </td>""" for i, h in enumerate(headers))
    body = ""
    for n, r in enumerate(rows):
        tds = "".join(f"""<td class="resultsbottomBorder resultspadding" id="{r.update_id}_C{i + 1}_R{n}">
                        {cells[h](r)}
                    </td>""" for i, h in enumerate(headers))
        body += f"""<tr id="{r.update_id}_R{n}" style="border-width:0px;">
		<td class="resultsbottomBorder resultspadding resultsIconWidth " id="{r.update_id}_C0_R{n}"></td>{tds}<td class="resultsbottomBorder resultsButtonWidth" id="{r.update_id}_C7_R{n}">
                            <input id="{r.update_id}" class="flatBlueButtonDownload focus-only" type="button" value='Download' />
                        </td>
	</tr>"""
    total = len(rows) if total is None else total
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" dir="ltr"><head><title>Microsoft Update Catalog</title></head><body>
<span id="ctl00_catalogBody_searchString">"KB{kb}"</span>
<table id="ctl00_catalogBody_navigationLinks"><tr><td>
  <span id="ctl00_catalogBody_labelUpdates_Separator">Updates:</span>
  <span id="ctl00_catalogBody_searchDuration">1 - {len(rows)} of {total} (page 1 of {pages})</span><br />
</td></tr></table>
<div id="tableContainer" class="resultsBackGround">
<table class="resultsBorder resultsBackGround" cellspacing="0" cellpadding="0" rules="all" id="ctl00_catalogBody_updateMatches">
	<tr class="dataGridFixedHeader1" id="headerRow">
		<td class="headerText ResultsHeaderTD resultsNOBorder" id="header_C0">&nbsp;</td>{head}<td class="headerText" id="header_C7"></td>
	</tr>{body}
</table></div></body></html>"""


def _js(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


def dialog_page(*dialogs: Dialog) -> str:
    lines = ["        var downloadInformation = new Array();"]
    for i, d in enumerate(dialogs):
        lines += [f"downloadInformation[{i}] = new Object();",
                  f"downloadInformation[{i}].updateID ='{d.update_id}';",
                  f"downloadInformation[{i}].isHotFix =false;",
                  f"downloadInformation[{i}].enTitle ='{_js(d.title)}';",
                  f"downloadInformation[{i}].sizeLanguage ='';",
                  f"downloadInformation[{i}].files = new Array();"]
        for j, f in enumerate(d.files):
            digest = base64.b64encode(hashlib.sha1(f.data).digest()).decode() if f.digest is None else f.digest
            lines += [f"downloadInformation[{i}].files[{j}] = new Object();",
                      f"downloadInformation[{i}].files[{j}].url = '{_js(f.url)}';",
                      f"downloadInformation[{i}].files[{j}].digest = '{digest}';",
                      f"downloadInformation[{i}].files[{j}].architectures = '{f.architectures}';",
                      f"downloadInformation[{i}].files[{j}].languages = '{f.languages}';",
                      f"downloadInformation[{i}].files[{j}].longLanguages = '{f.long_languages}';",
                      f"downloadInformation[{i}].files[{j}].fileName = '{_js(f.file_name)}';"]
            if f.sha256 is not None:
                lines.append(f"downloadInformation[{i}].files[{j}].sha256 = '{f.sha256}';")
            lines.append(f"downloadInformation[{i}].files[{j}].defaultFileNameLength = 128;")
        lines.append(f"downloadInformation[{i}].allFilesExist = false;")
    script = "\n".join(lines)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" dir="ltr"><head><title>
	Microsoft Update Catalog
</title>
    <script language="javascript" type="text/javascript">
        // Writes the eula and file info arrays
{script}
var minFilePathLength =119;
    </script></head><body><div id="downloadFiles"></div></body></html>"""


ERROR_PAGE = """<!DOCTYPE html><html><head><title>Microsoft Update Catalog - Error</title></head><body>
<div id="errorPageDisplayedError"><span>The website has encountered a problem</span>
<span id="ctl00_catalogBody_errorCode">Error number: 8DDD0024</span></div></body></html>"""


def serve(server, kb: str, rows: list[Row], dialogs: list[Dialog]) -> None:
    """Put a KB's search page, its dialogs and every file on a CatalogServer."""
    server.put_search(kb, search_page(kb, rows))
    for d in dialogs:
        server.put_dialog(d.update_id, dialog_page(d))
        for f in d.files:
            server.put_file(f.path, f.data)


# KB4592440, December 2020's cumulative update for Windows 10 1809 and Server 2019: one file per row.
CU_X64 = named("windows10.0-kb4592440-x64", b"cumulative update 1809 x64 " * 4000)
CU_X86 = named("windows10.0-kb4592440-x86", b"cumulative update 1809 x86 " * 3000)
CU_ROWS = [
    Row("3d0d4d5e-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "2020-12 Cumulative Update for Windows 10 Version 1809 for x64-based Systems (KB4592440)",
        "Windows 10, Windows 10 LTSB", size=len(CU_X64.data)),
    Row("4e1e5e6f-2b3c-4d4e-9f0a-1b2c3d4e5f60", "2020-12 Cumulative Update for Windows 10 Version 1809 for x86-based Systems (KB4592440)",
        "Windows 10, Windows 10 LTSB", size=len(CU_X86.data)),
    Row("5f2f6f70-3c4d-4e5f-a01b-2c3d4e5f6071", "2020-12 Cumulative Update for Windows Server 2019 for x64-based Systems (KB4592440)",
        "Windows Server 2019", size=len(CU_X64.data)),
]
CU_DIALOGS = [
    Dialog(CU_ROWS[0].update_id, CU_ROWS[0].title, [CU_X64]),
    Dialog(CU_ROWS[1].update_id, CU_ROWS[1].title, [CU_X86]),
    Dialog(CU_ROWS[2].update_id, CU_ROWS[2].title, [CU_X64]),  # the same file serves Server 2019
]

# An Office update with one file per language, as real dialogs list them.
OFFICE_KB = "4486687"
OFFICE_ROW = Row("6a3a7a81-4d5e-4f60-b12c-3d4e5f607182", "Security Update for Microsoft Office 2016 (KB4486687) 64-Bit Edition",
                 "Office 2016", size=0)
OFFICE_FILES = [
    named("mso-x-none", b"office neutral part " * 500, "cab"),
    named("proof-en-us", b"english proofing " * 400, "cab", languages="en-us", long_languages="English"),
    named("proof-de-de", b"german proofing " * 400, "cab", languages="de-de", long_languages="German"),
    named("proof-fr-fr", b"french proofing " * 400, "cab", languages="fr-fr", long_languages="French"),
    named("proof-zh-tw", b"traditional chinese proofing " * 300, "cab", languages="zh-tw", long_languages="Chinese (Traditional)"),
]
OFFICE_DIALOG = Dialog(OFFICE_ROW.update_id, OFFICE_ROW.title, OFFICE_FILES)
