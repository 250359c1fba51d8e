"""Offline import (`import_files`): JSON and XML files through the same path as a sync, and bad input.

Every bad file is refused with one line that names the file and the problem, the run records it,
and nothing already stored changes (checked row by row in every catalog table): truncated and
malformed JSON, malformed XML, an entity-expansion bomb and an external entity, documents of the
wrong shape, non-UTF-8 and UTF-16 text, binary garbage, a document nested thousands deep, a missing
file, a folder, an empty file. Several files with one bad → "partial", the good ones stored. Also an
unexpected crash during an import still closes its run.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from sumtui.catalog.models import Document, SyncRun
from sumtui.catalog.queries import export_updates
from sumtui.catalog.runs import run_errors
from sumtui.catalog.sync import import_files
from tests.catalog.rows import snapshot
from tests.catalog.xmldoc import to_xml
from tests.cvrf_builder import Fix, Vuln, month_doc, write

PRODUCTS = {"11569": "Windows 10 Version 1809 for x64-based Systems", "11571": "Windows Server 2019"}
CVRF_NS = 'xmlns:cvrf="http://www.icasi.org/CVRF/schema/cvrf/1.1"'


def nov() -> dict:
    return month_doc(2020, 11, PRODUCTS, [Vuln("CVE-2020-17087", [Fix("4586793", ["11569", "11571"])])])


def dec() -> dict:
    return month_doc(2020, 12, PRODUCTS, [Vuln("CVE-2020-17095", [Fix("4592440", ["11569"], supersedes="4586793")],
                                               title="Caf\u00e9 Vulnerability")])


def keys(site) -> set[tuple[str, str]]:
    with site.session() as session:
        return {(u["kb"], u["product_id"]) for u in export_updates(session)}


def errors(site, run) -> list[tuple[str | None, str]]:
    with site.session() as session:
        return [(e.month, e.reason) for e in run_errors(session, run_id=run.id)]


def test_json_and_xml_files(sqlite_site, tmp_path):
    write(tmp_path / "2020-Nov.json", nov())
    (tmp_path / "2020-Dec.xml").write_bytes(to_xml(dec()))
    run = import_files(sqlite_site.engine, [tmp_path / "2020-Nov.json", str(tmp_path / "2020-Dec.xml")])
    assert (run.kind, run.status, run.months_fetched, run.months_failed) == ("import", "ok", 2, 0)
    assert (run.updates_new, run.updates_superseded) == (3, 1)
    assert keys(sqlite_site) == {("4586793", "11569"), ("4586793", "11571"), ("4592440", "11569")}
    with sqlite_site.session() as session:
        assert session.get(Document, "2020-Dec").source == str((tmp_path / "2020-Dec.xml").resolve())
    # Importing the same files again: nothing new, nothing revised.
    again = import_files(sqlite_site.engine, [tmp_path / "2020-Nov.json", tmp_path / "2020-Dec.xml"])
    assert (again.status, again.updates_new, again.updates_revised, again.updates_superseded) == ("ok", 0, 0, 0)


def test_accepted_encodings(sqlite_site, tmp_path):
    # A UTF-8 BOM, and XML in Latin-1 that says so in its declaration, are both fine.
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(dec(), ensure_ascii=False).encode())
    xml = to_xml(nov()).decode().replace('<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>')
    xml = xml.replace("Windows Vulnerability", "Caf\u00e9 Vulnerability")
    (tmp_path / "latin1.xml").write_bytes(xml.encode("latin-1"))
    run = import_files(sqlite_site.engine, [tmp_path / "bom.json", tmp_path / "latin1.xml"])
    assert run.status == "ok", errors(sqlite_site, run)
    assert len(keys(sqlite_site)) == 3


BOMB = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
        + f']>\n<cvrf:cvrfdoc {CVRF_NS}><cvrf:DocumentTitle>&lol9;</cvrf:DocumentTitle></cvrf:cvrfdoc>')
XXE = (f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
       f'<cvrf:cvrfdoc {CVRF_NS}><cvrf:DocumentTitle>&x;</cvrf:DocumentTitle></cvrf:cvrfdoc>')


def _bad_inputs():
    good = json.dumps(dec(), ensure_ascii=False)  # "Café" as a real é, so Latin-1 bytes differ from UTF-8
    tracking = {"Identification": {"ID": {"Value": "2020-Dec"}}}
    return {
        "truncated.json": (good[: len(good) // 2].encode(), r"malformed JSON at line 1 column \d+: .*\(truncated\?\)"),
        "malformed.json": (b'{"DocumentTracking": ,}', r"malformed JSON at line 1 column 22: Expecting value$"),
        "malformed.xml": (f"<cvrf:cvrfdoc {CVRF_NS}><a></cvrf:cvrfdoc>".encode(), r"malformed XML at line 1 column \d+: mismatched tag"),
        "bomb.xml": (BOMB.encode(), r"XML with a DTD or entity declarations is refused"),
        "xxe.xml": (XXE.encode(), r"XML with a DTD or entity declarations is refused"),
        "html.xml": (b"<html><body>Service Unavailable</body></html>", r"not a CVRF document \(root element is <html>\)"),
        "array.json": (b'[{"DocumentTracking": {}}]', r"not a CVRF document \(no DocumentTracking\)"),
        "object.json": (b'{"value": []}', r"not a CVRF document \(no DocumentTracking\)"),
        "noid.json": (json.dumps({"DocumentTracking": {"Identification": {}}}).encode(), r"no DocumentTracking.Identification.ID"),
        "vulnobject.json": (json.dumps({"DocumentTracking": tracking, "Vulnerability": {"CVE": "CVE-1"}}).encode(),
                            r"Vulnerability should be a list, found dict"),
        "latin1.json": (good.encode("latin-1"), r"not UTF-8 text \(byte \d+\)"),
        "utf16.json": (good.encode("utf-16"), r"binary or UTF-16 data"),
        "binary.json": (bytes(range(256)) * 4, r"binary or UTF-16 data"),
        "deep.json": (b"[" * 100_000, r"nested too deeply"),
        "deep.xml": ((f"<cvrf:cvrfdoc {CVRF_NS}><cvrf:DocumentTracking><cvrf:Identification><cvrf:ID>2020-Dec</cvrf:ID>"
                     "</cvrf:Identification></cvrf:DocumentTracking><prod:ProductTree xmlns:prod=\"p\">"
                     + '<prod:Branch Name="x">' * 20_000 + "</prod:Branch>" * 20_000
                     + "</prod:ProductTree></cvrf:cvrfdoc>").encode(), r"nested too deeply"),
        "empty.json": (b"", r"empty document"),
        "blank.json": (b"  \n\t ", r"empty document"),
    }


BAD = _bad_inputs()


@pytest.fixture
def stored(sqlite_site, tmp_path):
    write(tmp_path / "2020-Nov.json", nov())
    assert import_files(sqlite_site.engine, [tmp_path / "2020-Nov.json"]).status == "ok"
    return sqlite_site


def test_bad_files_are_refused_with_one_line_and_change_nothing(stored, tmp_path):
    # One site for every bad file (each import is its own run): cheaper than a site per case.
    before = snapshot(stored)
    for name, (data, pattern) in BAD.items():
        path = tmp_path / name
        path.write_bytes(data)
        run = import_files(stored.engine, [path])
        assert (run.status, run.months_fetched, run.months_failed) == ("failed", 0, 1), name
        [(month, reason)] = errors(stored, run)
        assert month == str(path), name
        assert reason.startswith(f"{path}: "), reason
        assert "\n" not in reason and "Traceback" not in reason, name
        assert re.search(pattern, reason), (name, reason)
        assert run.message == reason
        assert snapshot(stored) == before, name


def test_a_vendor_fix_type_that_is_not_a_scalar_is_ignored(stored, tmp_path):
    # A list where the remediation type should be used to raise TypeError from a set lookup.
    doc = nov()
    doc["Vulnerability"][0]["Remediations"][0]["Type"] = [2]
    doc["Vulnerability"].append(dec()["Vulnerability"][0])
    path = tmp_path / "odd.json"
    write(path, doc)
    run = import_files(stored.engine, [path])
    assert run.status == "ok"
    assert ("4592440", "11569") in keys(stored)


def test_missing_file_folder_and_unreadable_names(stored, tmp_path):
    before = snapshot(stored)
    missing, folder = tmp_path / "nope.json", tmp_path / "a-folder"
    folder.mkdir()
    run = import_files(stored.engine, [missing, folder])
    assert (run.status, run.months_failed) == ("failed", 2)
    assert errors(stored, run) == [
        (str(missing), f"{missing}: cannot read (No such file or directory)"),
        (str(folder), f"{folder}: cannot read (Is a directory)"),
    ]
    assert snapshot(stored) == before


def test_one_bad_file_among_good_ones_is_partial(sqlite_site, tmp_path):
    write(tmp_path / "2020-Nov.json", nov())
    (tmp_path / "bad.xml").write_bytes(BOMB.encode())
    (tmp_path / "2020-Dec.xml").write_bytes(to_xml(dec()))
    run = import_files(sqlite_site.engine, [tmp_path / "2020-Nov.json", tmp_path / "bad.xml", tmp_path / "2020-Dec.xml"])
    assert (run.status, run.months_fetched, run.months_failed) == ("partial", 2, 1)
    assert [m for m, _ in errors(sqlite_site, run)] == [str(tmp_path / "bad.xml")]
    assert len(keys(sqlite_site)) == 3


def test_cancelled_between_files(sqlite_site, tmp_path):
    write(tmp_path / "2020-Nov.json", nov())
    write(tmp_path / "2020-Dec.json", dec())
    calls = iter([False, True])
    run = import_files(sqlite_site.engine, [tmp_path / "2020-Nov.json", tmp_path / "2020-Dec.json"],
                       cancelled=lambda: next(calls))
    assert (run.status, run.months_fetched, run.message) == ("cancelled", 1, "cancelled by the operator")
    assert keys(sqlite_site) == {("4586793", "11569"), ("4586793", "11571")}


def test_an_unexpected_crash_still_closes_the_run(sqlite_site, tmp_path, monkeypatch):
    import sumtui.catalog.sync as sync_module

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(sync_module, "ingest_document", broken)
    write(tmp_path / "2020-Nov.json", nov())
    with pytest.raises(RuntimeError):
        import_files(sqlite_site.engine, [tmp_path / "2020-Nov.json"])
    with sqlite_site.session() as session:
        [run] = session.execute(select(SyncRun)).scalars().all()
    assert (run.status, run.message) == ("failed", "unexpected error: RuntimeError: disk on fire")
    assert run.ended_at is not None


def test_real_documents(sqlite_site, realdata):
    run = import_files(sqlite_site.engine, [realdata / "msrc" / "2017-Jan.cvrf.xml", realdata / "msrc" / "2020-Dec.cvrf.json"])
    assert (run.status, run.months_fetched, run.updates_new) == ("ok", 2, 39 + 123)
    with sqlite_site.session() as session:
        documents = {d.id: (d.vulnerabilities, d.updates) for d in session.execute(select(Document)).scalars()}
    assert documents == {"2017-Jan": (10, 39), "2020-Dec": (59, 123)}
