"""Errors instead of tracebacks: each ends with one clear line per problem on stderr and exit 1, names the
input, keeps processing the other inputs of the same command, and leaves nothing half-written.

Covered: a document with an out-of-range date next to a good one; a product tree Branch whose Name is
an object; a read-only database (SQLite's query-only mode; and a read-only mount where the system lets
a test make one); a full disk during sync, import and `clients import` (SQLite's page limit makes the
database really full: "database or disk is full"; and a small tmpfs where mounts are allowed); `serve
--port 99999` refused as bad usage; `sync --timeout N` cutting off a server that drips a byte at a time.
Commands run in-process through `sumtui.main.main` (the entry point), so a traceback would fail the test.
"""

from __future__ import annotations

import copy
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

import sumtui.db.engine as engine_module
from sumtui.fleet.models import Client
from sumtui.main import main
from sumtui.site import open_site
from tests.catalog.rows import snapshot
from tests.catalog.slow_upstream import SlowUpstream
from tests.catalog.test_sync import dec, nov
from tests.cvrf_builder import write
from tests.mirror import MirrorServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inventory"


@pytest.fixture
def db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    open_site(url).close()
    return url


def run(capsys, *args: str) -> tuple[int, list[str]]:
    """`sumtui ARGS` in-process: the exit code and the lines on stderr."""
    code = main([str(a) for a in args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.strip().splitlines()


def stored_months(url: str) -> list[str]:
    site = open_site(url)
    try:
        return sorted(row[0] for row in snapshot(site)["cvrf_document"])
    finally:
        site.close()


@pytest.fixture
def sqlite_pragmas(monkeypatch):
    """Extra PRAGMAs on every SQLite connection the command opens (how a test makes the database
    read-only or full without privileges)."""

    def apply(*statements: str) -> None:
        original = engine_module._sqlite_pragmas

        def pragmas(connection, record) -> None:
            original(connection, record)
            cursor = connection.cursor()
            for statement in statements:
                cursor.execute(statement)
            cursor.close()

        monkeypatch.setattr(engine_module, "_sqlite_pragmas", pragmas)

    return apply


def full_month(month) -> dict:
    """A month big enough to need new database pages (a test month fits in the tables' first pages)."""
    doc = month()
    products = [p["ProductID"] for p in doc["ProductTree"]["FullProductName"]]
    template = doc["Vulnerability"][0]
    for i in range(300):
        vuln = copy.deepcopy(template)
        vuln["CVE"] = f"CVE-2020-9{i:04d}"
        vuln["Remediations"][0]["Description"] = {"Value": str(5000000 + i)}
        vuln["Remediations"][0]["ProductID"] = products
        doc["Vulnerability"].append(vuln)
    return doc


def fill_up(url: str, sqlite_pragmas) -> None:
    """No page may be added to the database from now on: the next month cannot be stored."""
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
    sqlite_pragmas(f"PRAGMA max_page_count={pages}")


# ---------------------------------------------------------------------- bad documents


@pytest.mark.parametrize("date", ["0000-12-08T08:00:00Z", "10000-12-08T08:00:00Z", "0001-01-01T00:00:00+01:00"])
def test_a_document_with_an_out_of_range_date_fails_alone(capsys, db, tmp_path, date):
    bad = nov()
    bad["DocumentTracking"]["CurrentReleaseDate"] = date
    write(tmp_path / "bad.json", bad)
    write(tmp_path / "good.json", dec())
    code, lines = run(capsys, "--db", db, "import", tmp_path / "bad.json", tmp_path / "good.json")
    assert code == 1
    assert lines == [f"sumtui: {tmp_path / 'bad.json'}: CurrentReleaseDate {date!r} is not a date in range "
                     "(years 1-9999, ISO 8601)"]
    assert stored_months(db) == ["2020-Dec"]


def test_a_branch_whose_name_is_an_object_fails_alone(capsys, db, tmp_path):
    bad = nov()
    bad["ProductTree"]["Branch"][0]["Items"][0]["Name"] = {"Value": "Windows"}
    write(tmp_path / "bad.json", bad)
    write(tmp_path / "good.json", dec())
    code, lines = run(capsys, "--db", db, "import", tmp_path / "bad.json", tmp_path / "good.json")
    assert code == 1
    assert lines == [f"sumtui: {tmp_path / 'bad.json'}: ProductTree.Branch Name should be a string, found dict"]
    assert stored_months(db) == ["2020-Dec"]


def test_a_file_over_the_size_limit_is_refused_and_the_others_imported(capsys, db, tmp_path):
    big = copy.deepcopy(nov())
    big["DocumentNotes"] = [{"Value": "x" * 2 * 1024 * 1024}]
    write(tmp_path / "big.json", big)
    write(tmp_path / "good.json", dec())
    code, lines = run(capsys, "--db", db, "import", "--max-size", "1", tmp_path / "big.json", tmp_path / "good.json")
    assert code == 1
    assert len(lines) == 1 and "big.json: 2 MB, over the 1 MB limit for a catalog document" in lines[0]
    assert stored_months(db) == ["2020-Dec"]


# ---------------------------------------------------------------------- the database refuses to write


def test_a_read_only_database_is_one_line(capsys, db, tmp_path, sqlite_pragmas):
    write(tmp_path / "good.json", dec())
    sqlite_pragmas("PRAGMA query_only=ON")
    code, lines = run(capsys, "--db", db, "import", tmp_path / "good.json")
    assert code == 1
    assert lines == ["sumtui: import failed: attempt to write a readonly database (what was stored before is kept)"]
    code, lines = run(capsys, "--db", db, "runs")  # reading still works
    assert code == 0


def test_a_full_disk_during_import_stores_nothing_and_names_each_file(capsys, db, tmp_path, sqlite_pragmas):
    write(tmp_path / "nov.json", full_month(nov))
    write(tmp_path / "dec.json", full_month(dec))
    fill_up(db, sqlite_pragmas)
    code, lines = run(capsys, "--db", db, "import", tmp_path / "nov.json", tmp_path / "dec.json")
    assert code == 1
    assert lines == [f"sumtui: {tmp_path / name}: not stored: database or disk is full" for name in ("nov.json", "dec.json")]
    assert stored_months(db) == []


def test_a_full_disk_during_sync_stores_nothing_and_goes_through_every_month(capsys, db, sqlite_pragmas):
    with MirrorServer() as mirror:
        mirror.put_index(["2020-Nov", "2020-Dec"])
        mirror.put_month("2020-Nov", full_month(nov))
        mirror.put_month("2020-Dec", full_month(dec))
        fill_up(db, sqlite_pragmas)
        code, lines = run(capsys, "--db", db, "sync", "--url", mirror.url, "--since", "2020-Nov", "--retries", "0")
        assert mirror.count("/cvrf/") == 2
        url = mirror.url
    assert code == 1
    assert lines == [f"sumtui: {url}cvrf/{month}: not stored: database or disk is full" for month in ("2020-Nov", "2020-Dec")]
    assert stored_months(db) == []


def test_a_full_disk_during_clients_import_is_one_line_per_file(capsys, db, tmp_path, sqlite_pragmas):
    write(tmp_path / "dec.json", full_month(dec))
    assert run(capsys, "--db", db, "import", tmp_path / "dec.json")[0] == 0
    files = [FIXTURES / "en_2019_dc_utf16_systeminfo.txt", FIXTURES / "agent_pc044.json"]
    fill_up(db, sqlite_pragmas)
    code = main(["--db", db, "clients", "import", "--format", "json", *map(str, files)])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    refused = [line.removeprefix("sumtui: ").removesuffix(": not stored: database or disk is full")
               for line in captured.err.strip().splitlines()]
    # Each file is tried: what fits in the pages left is stored, the rest is refused whole, one line each.
    assert refused and set(refused) <= {str(path) for path in files}
    imported = {row["file"] for row in json.loads(captured.out)}
    assert imported == {str(path) for path in files} - set(refused)
    site = open_site(db)
    with site.session() as session:
        assert session.execute(select(func.count()).select_from(Client)).scalar_one() == len(imported)
    site.close()


# ---------------------------------------------------------------------- the same on a real filesystem


def _in_private_mount(script: str) -> subprocess.CompletedProcess | None:
    """Run `script` (sh) as root of a private user and mount namespace, where it may mount a tmpfs; None
    when this system does not allow it (the test is then skipped)."""
    if shutil.which("unshare") is None:
        return None
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs tmpfs /mnt"], capture_output=True)
    if probe.returncode != 0:
        return None
    return subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=120)


def _site_and_mount(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A fresh site database, November as a file, and an empty folder to mount something on."""
    site_db = tmp_path / "site.db"
    open_site(f"sqlite:///{site_db}").close()
    write(tmp_path / "nov.json", nov())
    mount = tmp_path / name
    mount.mkdir()
    return site_db, mount


def test_a_full_tmpfs_during_import(tmp_path):
    site_db, mount = _site_and_mount(tmp_path, "small")
    out = tmp_path / "out"
    out.mkdir()
    room = site_db.stat().st_size + 48 * 1024  # the database and a little: not a month
    done = _in_private_mount(
        f"mount -t tmpfs -o size={room} tmpfs {mount} && cp {site_db} {mount}/ && "
        f"{sys.executable} -m sumtui --db {mount}/site.db import {tmp_path / 'nov.json'}; rc=$?; "
        f"cp {mount}/site.db* {out}/; exit $rc"
    )
    if done is None:
        pytest.skip("this system does not let a test mount a tmpfs (unshare -rm)")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "disk is full" in lines[0] and lines[0].startswith("sumtui: "), done.stderr
    assert stored_months(f"sqlite:///{out / 'site.db'}") == []


def test_a_database_on_a_read_only_mount(tmp_path):
    site_db, mount = _site_and_mount(tmp_path, "ro")
    done = _in_private_mount(
        f"mount -t tmpfs tmpfs {mount} && cp {site_db} {mount}/ && mount -o remount,ro {mount} && "
        f"{sys.executable} -m sumtui --db {mount}/site.db import {tmp_path / 'nov.json'}"
    )
    if done is None:
        pytest.skip("this system does not let a test mount a tmpfs (unshare -rm)")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"sumtui: cannot open the site database sqlite:///{mount}/site.db")


# ---------------------------------------------------------------------- usage and time


def test_serve_refuses_a_port_out_of_range_before_binding(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--port", "99999"])
    assert exited.value.code == 2
    assert "argument --port: 99999 is not a port number (1-65535)" in capsys.readouterr().err


def test_sync_timeout_is_a_deadline_for_the_whole_document(capsys, db):
    with SlowUpstream(["2020-Nov"], mode="drip", total=300, interval=0.1) as upstream:
        code, lines = run(capsys, "--db", db, "sync", "--url", upstream.url, "--since", "2020-Nov",
                          "--timeout", "1", "--retries", "0")
        assert upstream.sent < 300 and not upstream.finished.is_set()  # cut off, not waited out
    assert code == 1
    assert lines == [f"sumtui: GET {upstream.url}cvrf/2020-Nov: timed out after 1 attempt (each allowed 1 s for the whole document)"]


def test_sync_json_still_prints_the_record_when_months_fail(capsys, db):
    with SlowUpstream(["2020-Nov"], mode="drip", total=300, interval=0.1) as upstream:
        code = main(["--db", db, "sync", "--url", upstream.url, "--since", "2020-Nov", "--timeout", "1",
                     "--retries", "0", "--json"])
    captured = capsys.readouterr()
    assert code == 1
    assert json.loads(captured.out)["status"] == "failed"
