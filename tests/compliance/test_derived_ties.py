"""Two cumulative updates tied in one month (DESIGN.md §2 rule 2: "a tie makes both cumulative")
both supersede the previous month's, and neither supersedes the other."""

from __future__ import annotations

from sqlmodel import select

from sumtui.catalog.models import SupersedenceEdge, Update
from sumtui.catalog.sync import import_files
from tests.cvrf_builder import Fix, Vuln, month_doc, write

OS = {"11569": "Windows 10 Version 1809 for x64-based Systems"}


def test_tied_cumulative_updates(sqlite_site, tmp_path):
    jan = month_doc(2023, 1, OS, [Vuln("CVE-2023-1000", [Fix("5022286", ["11569"])])])
    feb = month_doc(2023, 2, OS, [
        Vuln("CVE-2023-2000", [Fix("5022840", ["11569"]), Fix("5022841", ["11569"])]),
    ])
    paths = []
    for name, doc in (("jan.json", jan), ("feb.json", feb)):
        write(tmp_path / name, doc)
        paths.append(tmp_path / name)
    assert import_files(sqlite_site.engine, paths).status == "ok"
    with sqlite_site.session() as session:
        roles = {u.kb: u.role for u in session.exec(select(Update)).all()}
        edges = {(e.newer_kb, e.older_kb, e.kind) for e in session.exec(select(SupersedenceEdge)).all()}
    assert roles == {"5022286": "cumulative", "5022840": "cumulative", "5022841": "cumulative"}
    assert edges == {("5022840", "5022286", "cumulative"), ("5022841", "5022286", "cumulative")}
