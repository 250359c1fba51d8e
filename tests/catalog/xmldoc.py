"""Writes a CVRF month in the XML form (what the MSRC API sends without the JSON Accept header, and what
archives keep) from the JSON form that `tests/cvrf_builder.py` builds or the API returns.

The XML layout follows the real documents (`cvrf:`, `prod:` and `vuln:` namespaces; family branches
first, then every product again in a flat list; Threat and Remediation types by name), so a test can
feed the same month to both parsers and expect the same result.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

CVRF = "http://www.icasi.org/CVRF/schema/cvrf/1.1"
PROD = "http://www.icasi.org/CVRF/schema/prod/1.1"
VULN = "http://www.icasi.org/CVRF/schema/vuln/1.1"
for _prefix, _uri in (("cvrf", CVRF), ("prod", PROD), ("vuln", VULN)):
    register_namespace(_prefix, _uri)

# The JSON form numbers what the XML names.
THREAT_TYPES = {0: "Impact", 1: "Exploit Status", 2: "Target Set", 3: "Severity"}
REMEDIATION_TYPES = {0: "Workaround", 1: "Mitigation", 2: "Vendor Fix", 3: "None Available", 4: "Will Not Fix",
                     5: "Known Issue", 6: "Release Notes"}
BRANCH_TYPES = {0: "Vendor", 1: "Product Family", 2: "Product Name"}
NOTE_TYPES = {1: "Details", 2: "Description", 3: "Summary", 4: "FAQ", 5: "Legal Disclaimer", 6: "Other", 7: "Tag"}
STATUS_TYPES = {0: "First Affected", 1: "Known Affected", 2: "Known Not Affected", 3: "Known Affected", 4: "Fixed"}


def _value(node) -> str | None:
    if isinstance(node, dict):
        node = node.get("Value")
    return None if node is None else str(node)


def _text(parent: Element, tag: str, text: str | None) -> Element:
    element = SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def to_xml(doc: dict) -> bytes:
    root = Element(f"{{{CVRF}}}cvrfdoc")
    _text(root, f"{{{CVRF}}}DocumentTitle", _value(doc.get("DocumentTitle")))
    _text(root, f"{{{CVRF}}}DocumentType", _value(doc.get("DocumentType")) or "Security Update")
    tracking = doc["DocumentTracking"]
    t = SubElement(root, f"{{{CVRF}}}DocumentTracking")
    ident = SubElement(t, f"{{{CVRF}}}Identification")
    _text(ident, f"{{{CVRF}}}ID", _value(tracking["Identification"]["ID"]))
    _text(ident, f"{{{CVRF}}}Alias", _value(tracking["Identification"].get("Alias")))
    _text(t, f"{{{CVRF}}}Status", "Final")
    _text(t, f"{{{CVRF}}}Version", "1.0")
    _text(t, f"{{{CVRF}}}InitialReleaseDate", tracking.get("InitialReleaseDate"))
    _text(t, f"{{{CVRF}}}CurrentReleaseDate", tracking.get("CurrentReleaseDate"))
    _notes(root, CVRF, "DocumentNotes", doc.get("DocumentNotes"))
    tree = doc.get("ProductTree") or {}
    p = SubElement(root, f"{{{PROD}}}ProductTree")
    for branch in tree.get("Branch") or []:
        _branch(p, branch)
    for product in tree.get("FullProductName") or []:
        SubElement(p, f"{{{PROD}}}FullProductName", ProductID=str(product["ProductID"])).text = product["Value"]
    for ordinal, vuln in enumerate(doc.get("Vulnerability") or []):
        _vulnerability(root, vuln, ordinal)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(root, encoding="utf-8", xml_declaration=False)


def _branch(parent: Element, node: dict) -> None:
    if "ProductID" in node:
        SubElement(parent, f"{{{PROD}}}FullProductName", ProductID=str(node["ProductID"])).text = node.get("Value")
        return
    element = SubElement(parent, f"{{{PROD}}}Branch", Type=BRANCH_TYPES.get(node.get("Type"), "Vendor"),
                         Name=node.get("Name") or "")
    for item in node.get("Items") or []:
        _branch(element, item)


def _ids(parent: Element, ids) -> None:
    for pid in ids or []:
        _text(parent, f"{{{VULN}}}ProductID", str(pid))


def _vulnerability(root: Element, vuln: dict, ordinal: int) -> None:
    v = SubElement(root, f"{{{VULN}}}Vulnerability", Ordinal=str(ordinal))
    _text(v, f"{{{VULN}}}Title", _value(vuln.get("Title")))
    _notes(v, VULN, "Notes", vuln.get("Notes"))
    _text(v, f"{{{VULN}}}CVE", vuln.get("CVE"))
    if vuln.get("ProductStatuses"):
        statuses = SubElement(v, f"{{{VULN}}}ProductStatuses")
        for status in vuln["ProductStatuses"]:
            s = SubElement(statuses, f"{{{VULN}}}Status", Type=STATUS_TYPES.get(status.get("Type"), "Known Affected"))
            _ids(s, status.get("ProductID"))
    threats = SubElement(v, f"{{{VULN}}}Threats")
    for threat in vuln.get("Threats") or []:
        t = SubElement(threats, f"{{{VULN}}}Threat", Type=THREAT_TYPES.get(threat.get("Type"), "Impact"))
        _text(t, f"{{{VULN}}}Description", _value(threat.get("Description")))
        _ids(t, threat.get("ProductID"))
    if vuln.get("CVSSScoreSets"):
        sets = SubElement(v, f"{{{VULN}}}CVSSScoreSets")
        for score in vuln["CVSSScoreSets"]:
            e = SubElement(sets, f"{{{VULN}}}ScoreSet")
            for name in ("BaseScore", "TemporalScore", "Vector"):
                if score.get(name) is not None:
                    _text(e, f"{{{VULN}}}{name}", str(score[name]))
            _ids(e, score.get("ProductID"))
    remediations = SubElement(v, f"{{{VULN}}}Remediations")
    for rem in vuln.get("Remediations") or []:
        r = SubElement(remediations, f"{{{VULN}}}Remediation", Type=REMEDIATION_TYPES.get(rem.get("Type"), "Vendor Fix"))
        _text(r, f"{{{VULN}}}Description", _value(rem.get("Description")))
        _text(r, f"{{{VULN}}}URL", rem.get("URL"))
        if rem.get("Supercedence") is not None:
            _text(r, f"{{{VULN}}}Supercedence", rem.get("Supercedence"))
        _ids(r, rem.get("ProductID"))
        if rem.get("RestartRequired") is not None:
            _text(r, f"{{{VULN}}}RestartRequired", _value(rem.get("RestartRequired")))
        if rem.get("SubType") is not None:
            _text(r, f"{{{VULN}}}SubType", rem.get("SubType"))
        if rem.get("FixedBuild") is not None:
            _text(r, f"{{{VULN}}}FixedBuild", rem.get("FixedBuild"))
    if vuln.get("RevisionHistory"):
        history = SubElement(v, f"{{{VULN}}}RevisionHistory")
        for revision in vuln["RevisionHistory"]:
            r = SubElement(history, f"{{{VULN}}}Revision")
            _text(r, f"{{{CVRF}}}Number", revision.get("Number"))
            _text(r, f"{{{CVRF}}}Date", revision.get("Date"))
            _text(r, f"{{{CVRF}}}Description", _value(revision.get("Description")))


def _notes(parent: Element, ns: str, tag: str, notes) -> None:
    if not notes:
        return
    holder = SubElement(parent, f"{{{ns}}}{tag}")
    for note in notes:
        attrs = {"Title": note.get("Title") or "", "Type": NOTE_TYPES.get(note.get("Type"), "Other"),
                 "Ordinal": str(note.get("Ordinal") or "0")}
        if note.get("Audience"):
            attrs["Audience"] = note["Audience"]
        _text(holder, f"{{{ns}}}Note", _value(note.get("Value")) if note.get("Value") is not None else None).attrib.update(attrs)
