"""scripts/samplecatalog.py writes deterministic CVRF months with the patterns the compliance rules need."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOP_LEVEL = ["DocumentTitle", "DocumentType", "DocumentPublisher", "DocumentTracking", "DocumentNotes", "ProductTree",
             "Vulnerability"]


def _load():
    """The script is not in a package: load it by path (registered, so its dataclasses work)."""
    if "samplecatalog" not in sys.modules:
        spec = importlib.util.spec_from_file_location("samplecatalog", ROOT / "scripts" / "samplecatalog.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["samplecatalog"] = module
        spec.loader.exec_module(module)
    return sys.modules["samplecatalog"]


sc = _load()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    sc.write_demo(out)
    return out


@pytest.fixture(scope="session")
def demo(demo_dir):
    return {m: json.loads((demo_dir / f"{m}.cvrf.json").read_bytes()) for m in sc.DEMO_MONTHS}


@pytest.fixture(scope="session")
def bench_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    ids = sc.write_bench_mirror(out, months=2)
    return out, ids


def _vendor_fixes(doc):
    for vuln in doc["Vulnerability"]:
        for rem in vuln["Remediations"]:
            if rem["Type"] == 2:
                yield vuln, rem


def test_deterministic(demo_dir, tmp_path):
    again = tmp_path / "again"
    sc.write_demo(again)
    names = sorted(p.name for p in demo_dir.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    for name in names:
        assert (demo_dir / name).read_bytes() == (again / name).read_bytes(), name


def test_committed_demo_catalog_is_current(demo_dir):
    committed = ROOT / "data" / "catalog"
    if not committed.is_dir():
        pytest.skip("data/catalog has not been generated")
    for path in demo_dir.iterdir():
        assert (committed / path.name).read_bytes() == path.read_bytes(), (
            f"data/catalog/{path.name} is stale: run python scripts/samplecatalog.py --demo data/catalog")


def test_months_have_the_real_shape(demo, demo_dir):
    total = 0
    for month_id, doc in demo.items():
        assert list(doc) == TOP_LEVEL
        tracking = doc["DocumentTracking"]
        assert tracking["Identification"]["ID"]["Value"] == month_id
        assert tracking["InitialReleaseDate"][:10] == sc.patch_tuesday(month_id).isoformat()
        assert 40 <= len(doc["Vulnerability"]) <= 120
        ids = {p["ProductID"] for p in doc["ProductTree"]["FullProductName"]}
        in_branches = {i["ProductID"] for b in doc["ProductTree"]["Branch"][0]["Items"] for i in b["Items"]}
        assert ids == in_branches
        for vuln in doc["Vulnerability"]:
            assert set(vuln["ProductStatuses"][0]["ProductID"]) <= ids
        total += len({(r["Description"]["Value"], p) for _, r in _vendor_fixes(doc)
                      if r["Description"]["Value"].isdigit() for p in r["ProductID"]})
    assert 200 <= total <= 600
    index = json.loads((demo_dir / "updates.json").read_bytes())
    assert sorted(e["ID"] for e in index["value"]) == sorted(sc.DEMO_MONTHS)
    assert all(e["CvrfUrl"] == f"https://api.msrc.microsoft.com/cvrf/v3.0/cvrf/{e['ID']}" for e in index["value"])
    revised = {e["ID"] for e in index["value"] if e["CurrentReleaseDate"] != e["InitialReleaseDate"]}
    assert revised == {"2024-Nov"}
    assert len(demo["2024-Nov"]["DocumentTracking"]["RevisionHistory"]) == 2
    assert sum(f.stat().st_size for f in demo_dir.iterdir()) < 1_600_000


def test_updates_and_advisories(demo):
    for doc in demo.values():
        fixes = [r for _, r in _vendor_fixes(doc)]
        kbs = [r for r in fixes if r["Description"]["Value"].isdigit()]
        advisories = {r["Description"]["Value"] for r in fixes if not r["Description"]["Value"].isdigit()}
        assert kbs and advisories <= {"Click to Run", "Release Notes"} and "Release Notes" in advisories
        subtypes = {r["SubType"] for r in kbs}
        assert {"Security Update", "Monthly Rollup", "Security Only", "Servicing Stack Update"} <= subtypes
        severities = {t["Description"].get("Value") for v in doc["Vulnerability"] for t in v["Threats"] if t["Type"] == 3}
        assert {"Critical", "Important"} <= severities
    mixed = [v["CVE"] for d in demo.values() for v in d["Vulnerability"]
             if {"Critical", "Important"} <= {t["Description"].get("Value") for t in v["Threats"] if t["Type"] == 3}]
    assert len(mixed) >= 3  # severity differs by product within one CVE: Critical on servers, Important on clients
    all_severities = {t["Description"].get("Value") for d in demo.values() for v in d["Vulnerability"] for t in v["Threats"]
                      if t["Type"] == 3}
    assert {"Critical", "Important", "Moderate", "Low"} <= all_severities


def test_each_kb_has_one_subtype(demo):
    subtypes = defaultdict(set)
    for doc in demo.values():
        for _, rem in _vendor_fixes(doc):
            if rem["Description"]["Value"].isdigit():
                subtypes[rem["Description"]["Value"]].add(rem["SubType"])
    assert {kb: s for kb, s in subtypes.items() if len(s) > 1} == {}


def test_windows_cumulative_chain_breaks_only_where_planned(demo):
    windows = {p["ProductID"] for d in demo.values() for b in d["ProductTree"]["Branch"][0]["Items"] if b["Name"] == "Windows"
               for p in b["Items"]}
    chain = defaultdict(dict)  # product -> month -> (KB, Supercedence)
    for month_id, doc in demo.items():
        for _, rem in _vendor_fixes(doc):
            if rem["SubType"] == "Security Update" and rem.get("FixedBuild", "").startswith("10.0."):
                for pid in set(rem["ProductID"]) & windows:
                    chain[pid][month_id] = (rem["Description"]["Value"], rem.get("Supercedence"))
    breaks = sc.chain_breaks()
    assert breaks == {"5044277": "5043126", "5048652": ""}
    seen = set()
    for pid, months in chain.items():
        for earlier, later in zip(sc.DEMO_MONTHS, sc.DEMO_MONTHS[1:]):
            if earlier in months and later in months:
                kb, supersedes = months[later]
                if kb in breaks:
                    assert supersedes == breaks[kb]
                    seen.add(kb)
                else:
                    assert supersedes == months[earlier][0], (pid, later)
    assert seen == set(breaks)
    assert chain["11569"]["2024-Jul"] == ("5040430", "5039217")
    assert chain["12243"]["2024-Dec"][0] == "5048685"
    assert set(chain["12436"]) == {"2024-Nov", "2024-Dec"}  # Windows Server 2025 arrives in November


def test_security_only_is_never_in_a_chain(demo):
    security_only, named = set(), set()
    for doc in demo.values():
        for _, rem in _vendor_fixes(doc):
            if rem["SubType"] == "Security Only":
                assert "Supercedence" not in rem
                security_only.add(rem["Description"]["Value"])
            named.update(rem.get("Supercedence", "").replace(";", ",").split(","))
    assert len(security_only) >= 12 and not security_only & named


def test_components_and_non_os_builds(demo):
    ie_months = [m for m, d in demo.items() if any(p["ProductID"].startswith("10412-") for p in d["ProductTree"]["FullProductName"])]
    assert ie_months == ["2024-Jul", "2024-Sep", "2024-Nov"]
    fixes = [r for d in demo.values() for _, r in _vendor_fixes(d)]
    assert any(r["SubType"] == "IE Cumulative" for r in fixes)
    net = [r for r in fixes if r.get("FixedBuild", "").startswith("4.8.")]
    assert net and all(r["Description"]["Value"].isdigit() for r in net)
    assert any("," in r.get("Supercedence", "") for r in net)
    adv = [v for d in demo.values() for v in d["Vulnerability"] if v["CVE"] == "ADV990001"]
    assert len(adv) == 6 and all(r["SubType"] == "Servicing Stack Update" for v in adv for r in v["Remediations"])


def test_bench_months_are_real_sized(bench_dir):
    out, ids = bench_dir
    assert ids == ["2025-Jan", "2025-Feb"]
    index = json.loads((out / "updates").read_bytes())
    assert [e["ID"] for e in index["value"]] == ["2025-Feb", "2025-Jan"]  # sorted by ID, as the API does
    for month_id in ids:
        body = (out / "cvrf" / month_id).read_bytes()
        assert 1_300_000 <= len(body) <= 3_200_000, (month_id, len(body))
        doc = json.loads(body)
        assert list(doc) == TOP_LEVEL
        assert 150 <= len(doc["ProductTree"]["FullProductName"]) <= 250
        assert 60 <= len(doc["Vulnerability"]) <= 200
