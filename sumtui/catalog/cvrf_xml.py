"""CVRF XML (what the MSRC API returns without the JSON Accept header, and what archives keep) → ParsedMonth.

Parsed with defusedxml: a DTD, entity declarations or external references are refused outright, so
an entity-expansion bomb costs nothing.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

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


def parse_xml(data: bytes | str, *, name: str) -> ParsedMonth:
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data.strip():
        raise BadDocument(f"{name}: empty document")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise BadDocument(
            f"{name}: XML with a DTD or entity declarations is refused (entity expansion, external entities)"
        ) from None
    except ParseError as exc:
        line, column = exc.position
        raise BadDocument(f"{name}: malformed XML at line {line} column {column}: {_reason(exc)}") from None
    if _local(root.tag) != "cvrfdoc":
        raise BadDocument(f"{name}: not a CVRF document (root element is <{_local(root.tag)}>)")
    return _month(root, name)


def _reason(exc: ParseError) -> str:
    text = str(exc)
    return text.split(":", 1)[0] if ":" in text else text


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(node: Element, name: str) -> Element | None:
    for child in node:
        if _local(child.tag) == name:
            return child
    return None


def _children(node: Element | None, name: str) -> list[Element]:
    return [] if node is None else [c for c in node if _local(c.tag) == name]


def _text(node: Element | None, *path: str) -> str | None:
    for name in path:
        if node is None:
            return None
        node = _child(node, name)
    if node is None or node.text is None:
        return None
    return node.text.strip() or None


def _month(root: Element, name: str) -> ParsedMonth:
    tracking = _child(root, "DocumentTracking")
    month_id = _text(tracking, "Identification", "ID")
    if not month_id:
        raise BadDocument(f"{name}: not a CVRF document (no DocumentTracking/Identification/ID)")
    month = ParsedMonth(
        id=month_id,
        alias=_text(tracking, "Identification", "Alias"),
        title=_text(root, "DocumentTitle"),
        initial_release=tracking_date(_text(tracking, "InitialReleaseDate"), name=name, where="InitialReleaseDate"),
        current_release=tracking_date(_text(tracking, "CurrentReleaseDate"), name=name, where="CurrentReleaseDate"),
    )
    tree = _child(root, "ProductTree")
    if tree is not None:
        _products(tree, month, None)
    for vuln in _children(root, "Vulnerability"):
        _vulnerability(vuln, month)
    return month


def _products(node: Element, month: ParsedMonth, family: str | None) -> None:
    for child in node:
        tag = _local(child.tag)
        if tag == "FullProductName" and child.get("ProductID"):
            pid = child.get("ProductID").strip()
            known = month.products.get(pid)
            # The same product is listed in its family branch and again in the flat list: keep the family.
            month.products[pid] = ParsedProduct(pid, (child.text or pid).strip(), family or (known and known.family))
        elif tag == "Branch":
            _products(child, month, child.get("Name") or family)


def _vulnerability(vuln: Element, month: ParsedMonth) -> None:
    cve = _text(vuln, "CVE")
    if not cve:
        return
    threats = Threats()
    for threat in _children(_child(vuln, "Threats"), "Threat"):
        text = _text(threat, "Description")
        if text:
            threats.add((threat.get("Type") or "").lower(), text, _ids(threat))
    revisions = [_text(r, "Date") for r in _children(_child(vuln, "RevisionHistory"), "Revision")]
    parsed = ParsedVulnerability(cve=cve, title=_text(vuln, "Title"), revised=latest_revision(revisions))
    for rem in _children(_child(vuln, "Remediations"), "Remediation"):
        if rem.get("Type") != "Vendor Fix":
            continue
        month.add_vendor_fix(parsed, threats, VendorFix(
            description=_text(rem, "Description"), products=_ids(rem), subtype=_text(rem, "SubType"),
            restart=_text(rem, "RestartRequired"), url=_text(rem, "URL"), fixed_build=_text(rem, "FixedBuild"),
            supercedence=_text(rem, "Supercedence"),
        ))
    month.vulnerabilities.append(parsed)


def _ids(node: Element) -> list[str]:
    return [c.text.strip() for c in _children(node, "ProductID") if c.text and c.text.strip()]
