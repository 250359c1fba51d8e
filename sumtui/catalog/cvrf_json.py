"""CVRF JSON (what the MSRC API returns with `Accept: application/json`) → ParsedMonth."""

from __future__ import annotations

import json
from typing import Any

from sumtui.catalog.dates import tracking_date
from sumtui.catalog.errors import BadDocument
from sumtui.catalog.parsed import (
    ParsedMonth,
    ParsedProduct,
    ParsedVulnerability,
    Threats,
    VendorFix,
    latest_revision,
)

# JSON enumerations (the XML uses the names).
THREAT_IMPACT, THREAT_SEVERITY = 0, 3
REMEDIATION_VENDOR_FIX = 2
_VENDOR_FIX_NAMES = {REMEDIATION_VENDOR_FIX, "2", "Vendor Fix"}


def parse_json(data: bytes | str, *, name: str) -> ParsedMonth:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BadDocument(f"{name}: not UTF-8 text (byte {exc.start})") from None
    if not data.strip():
        raise BadDocument(f"{name}: empty document")
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        # A cut inside a string is reported where the string starts, not at the end: still a cut file.
        at_end = exc.pos >= len(data.rstrip()) - 1 or exc.msg.startswith("Unterminated string")
        truncated = " (truncated?)" if at_end else ""
        raise BadDocument(
            f"{name}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}{truncated}"
        ) from None
    return _month(doc, name)


def _month(doc: Any, name: str) -> ParsedMonth:
    if not isinstance(doc, dict) or "DocumentTracking" not in doc:
        raise BadDocument(f"{name}: not a CVRF document (no DocumentTracking)")
    tracking = _dict(doc["DocumentTracking"], name, "DocumentTracking")
    ident = _dict(tracking.get("Identification"), name, "DocumentTracking.Identification")
    month_id = _value(ident.get("ID"))
    if not month_id:
        raise BadDocument(f"{name}: not a CVRF document (no DocumentTracking.Identification.ID)")
    month = ParsedMonth(
        id=month_id.strip(),
        alias=_value(ident.get("Alias")),
        title=_value(doc.get("DocumentTitle")),
        initial_release=tracking_date(_str(tracking.get("InitialReleaseDate")), name=name, where="InitialReleaseDate"),
        current_release=tracking_date(_str(tracking.get("CurrentReleaseDate")), name=name, where="CurrentReleaseDate"),
    )
    _products(doc.get("ProductTree") or {}, month, name)
    for index, vuln in enumerate(_list(doc.get("Vulnerability"), name, "Vulnerability")):
        _vulnerability(_dict(vuln, name, f"Vulnerability[{index}]"), month, name, index)
    return month


def _products(tree: Any, month: ParsedMonth, name: str) -> None:
    tree = _dict(tree, name, "ProductTree")
    for entry in _list(tree.get("FullProductName"), name, "ProductTree.FullProductName"):
        if isinstance(entry, dict) and entry.get("ProductID") is not None:
            pid = str(entry["ProductID"]).strip()
            month.products[pid] = ParsedProduct(pid, str(entry.get("Value") or pid).strip(), None)

    def walk(node: Any, family: str | None) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, family)
            return
        if not isinstance(node, dict):
            return
        if node.get("ProductID") is not None:
            pid = str(node["ProductID"]).strip()
            month.products[pid] = ParsedProduct(pid, str(node.get("Value") or pid).strip(), family)
        branch = node.get("Name")
        if branch is not None and not isinstance(branch, str):
            # Stored as the product family: anything but text would reach the database as an object.
            raise BadDocument(f"{name}: ProductTree.Branch Name should be a string, found {type(branch).__name__}")
        walk(node.get("Items") or [], branch or family)

    walk(tree.get("Branch") or [], None)


def _vulnerability(vuln: dict, month: ParsedMonth, name: str, index: int) -> None:
    where = f"Vulnerability[{index}]"
    cve = (_str(vuln.get("CVE")) or "").strip()
    if not cve:
        return  # a note-only entry: nothing to store
    threats = Threats()
    for threat in _list(vuln.get("Threats"), name, f"{where}.Threats"):
        if not isinstance(threat, dict):
            continue
        text = _value(threat.get("Description"))
        kind = threat.get("Type")
        if text and isinstance(kind, (int, str)):
            threats.add(_THREAT_KINDS.get(kind, ""), text, _ids(threat.get("ProductID")))
    # Only ADV990001's history matters (it dates the KBs it names): a malformed one is ignored, not fatal.
    history = vuln.get("RevisionHistory")
    revisions = [_str(r.get("Date")) for r in history if isinstance(r, dict)] if isinstance(history, list) else []
    parsed = ParsedVulnerability(cve=cve, title=_value(vuln.get("Title")), revised=latest_revision(revisions))
    for rem in _list(vuln.get("Remediations"), name, f"{where}.Remediations"):
        # The type is looked up in a set: a hostile list or object there must not raise TypeError.
        kind = rem.get("Type") if isinstance(rem, dict) else None
        if not isinstance(kind, (int, str)) or kind not in _VENDOR_FIX_NAMES:
            continue
        month.add_vendor_fix(parsed, threats, VendorFix(
            description=_value(rem.get("Description")), products=_ids(rem.get("ProductID")),
            subtype=_str(rem.get("SubType")) or None, restart=_value(rem.get("RestartRequired")),
            url=_str(rem.get("URL")) or None, fixed_build=_str(rem.get("FixedBuild")) or None,
            supercedence=_str(rem.get("Supercedence")),
        ))
    month.vulnerabilities.append(parsed)


_THREAT_KINDS = {THREAT_SEVERITY: "severity", "Severity": "severity", THREAT_IMPACT: "impact", "Impact": "impact"}


def _value(node: Any) -> str | None:
    """CVRF JSON wraps most strings as {"Value": "..."}."""
    if isinstance(node, dict):
        node = node.get("Value")
    return node.strip() if isinstance(node, str) else None


def _str(node: Any) -> str | None:
    if node is None:
        return None
    if isinstance(node, (str, int, float)):
        return str(node).strip()
    return None


def _ids(node: Any) -> list[str]:
    if node is None:
        return []
    if isinstance(node, (str, int)):
        return [str(node).strip()]
    return [str(p).strip() for p in node if isinstance(p, (str, int))] if isinstance(node, list) else []


def _dict(node: Any, name: str, where: str) -> dict:
    if node is None:
        return {}
    if not isinstance(node, dict):
        raise BadDocument(f"{name}: {where} should be an object, found {type(node).__name__}")
    return node


def _list(node: Any, name: str, where: str) -> list:
    if node is None:
        return []
    if not isinstance(node, list):
        raise BadDocument(f"{name}: {where} should be a list, found {type(node).__name__}")
    return node
