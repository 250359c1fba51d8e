"""Writes small CVRF JSON months in the real MSRC shape for tests (DocumentTracking, ProductTree with
Branch and FullProductName, Vulnerability with Threats and Remediations), from compact specs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class Fix:
    kb: str
    products: list[str]  # product ids
    subtype: str = "Security Update"
    supersedes: str = ""
    fixed_build: str | None = None
    restart: str = "Yes"


@dataclass
class Vuln:
    cve: str
    fixes: list[Fix]
    severity: str = "Important"
    impact: str = "Remote Code Execution"
    title: str = "Windows Vulnerability"
    advisories: list[tuple[str, list[str]]] = field(default_factory=list)  # (description, product ids)


def month_doc(year: int, month: int, products: dict[str, str], vulns: list[Vuln], *, family: str = "Windows",
              current: str | None = None) -> dict:
    month_id = f"{year}-{MONTHS[month - 1]}"
    released = f"{year}-{month:02d}-10T08:00:00Z"
    return {
        "DocumentTitle": {"Value": f"{month_id} Security Updates"},
        "DocumentType": {"Value": "Security Update"},
        "DocumentTracking": {
            "Identification": {"ID": {"Value": month_id}, "Alias": {"Value": month_id}},
            "Status": 2,
            "Version": "1.0",
            "RevisionHistory": [{"Number": "1", "Date": released, "Description": {"Value": "Information published"}}],
            "InitialReleaseDate": released,
            "CurrentReleaseDate": current or released,
        },
        "ProductTree": {
            "Branch": [{"Items": [{"Items": [{"ProductID": pid, "Value": name} for pid, name in products.items()],
                                   "Type": 1, "Name": family}], "Type": 0, "Name": "Microsoft"}],
            "FullProductName": [{"ProductID": pid, "Value": name} for pid, name in products.items()],
        },
        "Vulnerability": [_vuln(v) for v in vulns],
    }


def _vuln(v: Vuln) -> dict:
    pids = sorted({p for f in v.fixes for p in f.products} | {p for _, ps in v.advisories for p in ps})
    remediations = [
        {
            "Description": {"Value": f.kb}, "URL": f"https://catalog.update.microsoft.com/v7/site/Search.aspx?q=KB{f.kb}",
            "Supercedence": f.supersedes, "ProductID": f.products, "Type": 2, "DateSpecified": False,
            "AffectedFiles": [], "RestartRequired": {"Value": f.restart}, "SubType": f.subtype,
            **({"FixedBuild": f.fixed_build} if f.fixed_build else {}),
        }
        for f in v.fixes
    ] + [
        {"Description": {"Value": text}, "URL": "https://example.invalid/notes", "ProductID": ps, "Type": 2,
         "DateSpecified": False, "AffectedFiles": [], "SubType": text}
        for text, ps in v.advisories
    ]
    return {
        "Title": {"Value": v.title},
        "CVE": v.cve,
        "ProductStatuses": [{"ProductID": pids, "Type": 3}],
        "Threats": [{"Description": {"Value": v.impact}, "ProductID": [p], "Type": 0} for p in pids]
        + [{"Description": {"Value": v.severity}, "ProductID": [p], "Type": 3} for p in pids],
        "Remediations": remediations,
    }


def write(path, doc: dict) -> None:
    path.write_text(json.dumps(doc), encoding="utf-8")
