"""The rules content follows before any byte moves: file names, hash forms, URL policy, which catalog
rows and files an update needs, and manifests."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from sumtui.deploy.content.catalog_pages import DialogFile, SearchRow
from sumtui.deploy.content.errors import (
    BadFileName,
    ContentError,
    ManifestError,
    UrlRefused,
)
from sumtui.deploy.content.manifest import folder_entries, parse_manifest
from sumtui.deploy.content.matching import (
    architecture,
    language_matches,
    product_score,
    rows_for_products,
)
from sumtui.deploy.content.names import (
    check_file_name,
    kb_number,
    sha1_from_name,
    sha1_hex,
)
from sumtui.deploy.content.urls import CATALOG, OPERATOR, UrlPolicy

SHA1 = "e3fa9c9103bc509dcdf7e971ca3cbea0c18a7b0d"


@pytest.mark.parametrize("name", [
    "../../etc/passwd", "..", "a/b.cab", "C:\\Windows\\x.msu", "/etc/passwd", "x\x1b[31m.cab", "evil\u202egpj.exe",
    "CON", "nul.cab", "a:b.cab", "trailing.", " lead.cab", "", "x" * 256,
])
def test_hostile_file_names_are_refused(name):
    with pytest.raises(BadFileName) as err:
        check_file_name(name, where="manifest.csv line 2")
    message = str(err.value)
    assert message.startswith("manifest.csv line 2: the file name")
    assert "\x1b" not in message and "\u202e" not in message  # shown escaped, never raw


def test_plain_file_names_pass():
    for name in ("windows10.0-kb4592440-x64_" + SHA1 + ".msu", "oart-x-none_" + SHA1 + ".cab", "Ünïcode-KB1.cab"):
        assert check_file_name(name, where="w") == name


def test_sha1_forms():
    assert sha1_hex("4/qckQO8UJ3N9+lxyjy+oMGKew0=", name="d") == SHA1
    assert sha1_hex(SHA1.upper(), name="d") == SHA1
    assert sha1_from_name(f"oart-x-none_{SHA1}.cab") == SHA1
    assert sha1_from_name("windows10.0-kb4592440-x64.msu") is None
    with pytest.raises(ContentError, match="is not a SHA-1"):
        sha1_hex("abc", name="d")
    assert kb_number("kb 4022233") == "4022233"
    with pytest.raises(ValueError):
        kb_number("KB12x")


def test_catalog_urls_go_over_https_to_microsoft_hosts_only():
    policy = UrlPolicy()
    url = f"http://download.windowsupdate.com/c/msdownload/update/software/crup/2019/01/oart-x-none_{SHA1}.cab"
    assert policy.fetch_url(url, origin=CATALOG) == url.replace("http://", "https://")
    assert policy.fetch_url("http://catalog.s.download.windowsupdate.com/d/x.msu", origin=CATALOG).startswith("https://catalog.s.")
    for bad in ("http://download.windowsupdate.com.evil.example/x.cab", "http://evil.example/download.windowsupdate.com/x",
                "ftp://download.windowsupdate.com/x.cab"):
        with pytest.raises(UrlRefused):
            policy.fetch_url(bad, origin=CATALOG)


def test_a_content_mirror_replaces_scheme_and_host_and_keeps_the_path():
    policy = UrlPolicy(content_url="http://10.0.0.5:8080/wsus/")
    assert policy.fetch_url("http://download.windowsupdate.com/c/a.cab?x=1", origin=CATALOG) == "http://10.0.0.5:8080/wsus/c/a.cab?x=1"


def test_operator_urls_may_be_plain_http_anywhere_but_must_be_http():
    policy = UrlPolicy()
    assert policy.fetch_url("http://mirror.lan/a.cab", origin=OPERATOR) == "http://mirror.lan/a.cab"
    with pytest.raises(UrlRefused):
        policy.fetch_url("file:///etc/passwd", origin=OPERATOR)


def test_redirects_of_catalog_content_stay_on_https_microsoft_hosts():
    policy = UrlPolicy()
    assert policy.check_redirect("https://dl.delivery.mp.microsoft.com/x.cab", origin=CATALOG)
    with pytest.raises(UrlRefused, match="redirect to http://evil.example/x.cab"):
        policy.check_redirect("http://evil.example/x.cab", origin=CATALOG)
    assert policy.check_redirect("http://evil.example/x.cab", origin=OPERATOR)


def _row(title: str, products: str) -> SearchRow:
    return SearchRow(update_id="u-" + title, title=title, products=products, classification="", last_updated="", size=None)


def test_rows_match_msrc_product_names_and_architectures():
    rows = [
        _row("2020-12 Cumulative Update for Windows 10 Version 1809 for x64-based Systems (KB4592440)", "Windows 10, Windows 10 LTSB"),
        _row("2020-12 Cumulative Update for Windows 10 Version 1809 for x86-based Systems (KB4592440)", "Windows 10, Windows 10 LTSB"),
        _row("2020-12 Cumulative Update for Windows Server 2019 for x64-based Systems (KB4592440)", "Windows Server 2019"),
    ]
    matched = rows_for_products(rows, ["Windows 10 Version 1809 for x64-based Systems", "Windows Server 2019 (Server Core installation)",
                                       "Windows 10 Version 1809 for 32-bit Systems", "Windows 8.1 for x64-based systems"])
    assert [r.title[:60] for r in matched["Windows 10 Version 1809 for x64-based Systems"]] == [rows[0].title[:60]]
    assert matched["Windows Server 2019 (Server Core installation)"] == [rows[2]]
    assert matched["Windows 10 Version 1809 for 32-bit Systems"] == [rows[1]]
    assert matched["Windows 8.1 for x64-based systems"] == []


def test_office_product_names_match_catalog_editions():
    x64 = _row("Update for Microsoft Office 2013 (KB4022233) 64-Bit Edition", "Office 2013")
    x86 = _row("Update for Microsoft Office 2013 (KB4022233) 32-Bit Edition", "Office 2013")
    assert product_score("Microsoft Office 2013 Service Pack 1 (64-bit editions)", x64) == 1.0
    assert product_score("Microsoft Office 2013 Service Pack 1 (64-bit editions)", x86) == 0.0
    assert architecture("Windows 10 Version 1809 for ARM64-based Systems") == "ARM64"


def _file(languages: str, long_languages: str = "") -> DialogFile:
    split = lambda t: tuple(x for x in t.split(",") if x)
    return DialogFile(url="u", file_name="f", sha1=SHA1, sha256=None, languages=split(languages),
                      long_languages=split(long_languages), architectures=())


def test_languages():
    assert language_matches(_file("all", "all"), ["English"])
    assert language_matches(_file("en-us", "English"), ["English"])
    assert language_matches(_file("en-gb"), ["English"])
    assert not language_matches(_file("de-de", "German"), ["English"])
    assert language_matches(_file("de-de", "German"), ["English", "German"])
    assert not language_matches(_file("zh-tw", "Chinese (Traditional)"), ["Chinese (Simplified)"])
    assert language_matches(_file("zh-cn"), ["Chinese (Simplified)"])
    assert language_matches(_file("de-de"), None)


def test_csv_and_json_manifests():
    data = b"x" * 10
    sha1 = hashlib.sha1(data).hexdigest()
    csv = (f"kb,file_name,url,sha1,sha256,size\nKB4592440,a.msu,http://mirror.lan/a.msu,{sha1},,10\n"
           f"4592440,b.msu,https://mirror.lan/b.msu,{base64.b64encode(hashlib.sha1(data).digest()).decode()},"
           f"{hashlib.sha256(data).hexdigest()},\n").encode()
    entries = parse_manifest(csv, name="m.csv")
    assert [(e.kb, e.file_name, e.sha1, e.size) for e in entries] == [("4592440", "a.msu", sha1, 10), ("4592440", "b.msu", sha1, None)]
    assert entries[1].sha256 == hashlib.sha256(data).hexdigest()
    doc = json.dumps([{"kb": "KB1", "file_name": "c.cab", "url": "http://m/c.cab", "sha1": sha1, "size": 10}]).encode()
    assert parse_manifest(doc, name="m.json")[0].size == 10


@pytest.mark.parametrize("body, message", [
    (b"kb,file_name,sha1\n1,a.cab,x\n", "m: the CSV header has no url column"),
    (b"kb,file_name,url,sha1\n1,a.cab,http://m/a,zz\n", "m line 2: sha1: 'zz' is not a SHA-1"),
    (b"kb,file_name,url,sha1\n1,../a.cab,http://m/a," + SHA1.encode() + b"\n", "m line 2: the file name '../a.cab' holds a path"),
    (b"kb,file_name,url,sha1\nKBx,a.cab,http://m/a," + SHA1.encode() + b"\n", "m line 2: kb:"),
    (b"kb,file_name,url,sha1\n1,a.cab,file:///etc/passwd," + SHA1.encode() + b"\n", "is not an http:// or https:// URL"),
    (b'[{"kb": 1}', "m: malformed JSON"),
    (b'{"kb": 1}', "m: a JSON manifest is a list of objects"),
    (b"kb,file_name,url,sha1\n", "m: the manifest lists no files"),
])
def test_bad_manifests_are_refused_whole_naming_the_row(body, message):
    with pytest.raises(ManifestError) as err:
        parse_manifest(body, name="m")
    assert message in str(err.value)


def test_a_folder_offers_files_named_for_a_kb_with_their_sha1(tmp_path):
    good = tmp_path / f"windows10.0-kb4592440-x64_{SHA1}.msu"
    good.write_bytes(b"x")
    (tmp_path / "windows10.0-kb4592440-x86.msu").write_bytes(b"y")  # no SHA-1 in the name: cannot be verified
    (tmp_path / f"windows10.0-kb45924401-x64_{SHA1}.msu").write_bytes(b"z")  # another KB that starts the same
    entries, problems = folder_entries(tmp_path, ["4592440", "4586793"])
    assert [(e.kb, e.file_name, e.sha1, e.local) for e in entries] == [("4592440", good.name, SHA1, good)]
    assert "no 40-hex SHA-1 in its name" in problems["4592440"]
    assert problems["4586793"].startswith("KB4586793: no file in")
