"""The agent's JSON inventory ("sumtui-inventory/1"): what it yields and how strictly it is checked."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sumtui.fleet.inventory import AGENT_FORMAT, InventoryError, parse_inventory
from sumtui.fleet.osmap import map_os

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inventory"


def doc(**changes) -> dict:
    base = json.loads((FIXTURES / "agent_pc044.json").read_text("utf-8"))
    for key, value in changes.items():
        if value is ...:
            base.pop(key)
        else:
            base[key] = value
    return base


def parse(document, name: str = "pc.json"):
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return parse_inventory(data, name=name)


def test_fixture():
    inv = parse_inventory((FIXTURES / "agent_pc044.json").read_bytes(), name="agent_pc044.json")
    assert inv.source_format == "agent-json"
    assert (inv.name, inv.domain, inv.os_name) == ("PC044", "corp.example", "Microsoft Windows 10 Enterprise")
    assert (inv.build, inv.ubr, inv.architecture, inv.is_server, inv.edition) == ("10.0.17763", 3287, "x64", False,
                                                                                  "Enterprise")
    assert inv.installed_kbs == ["4486153", "5005030", "5016623"]  # digits, unique, numeric order
    assert inv.products == [".NET Framework 4.8"]
    assert inv.agent_version == "0.1.0"
    assert inv.collected_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert inv.collected_at.tzinfo is UTC
    assert map_os(os_name=inv.os_name, build=inv.build, architecture=inv.architecture,
                  is_server=inv.is_server).product == "Windows 10 Version 1809 for x64-based Systems"


def test_optional_fields_may_be_absent_or_null():
    inv = parse(doc(domain=None, ubr=..., products=..., agent_version=..., collected_at=None))
    assert (inv.domain, inv.ubr, inv.products, inv.agent_version, inv.collected_at) == (None, None, [], None, None)


def test_architecture_case_and_bare_kb_digits():
    inv = parse(doc(architecture="ARM64", installed_kbs=["5005030", "KB0004486153"]))
    assert inv.architecture == "arm64"
    assert inv.installed_kbs == ["4486153", "5005030"]


def test_utf8_bom_accepted():
    assert parse(b"\xef\xbb\xbf" + json.dumps(doc()).encode()).name == "PC044"


@pytest.mark.parametrize("changes, message", [
    (dict(build="10.0"), "field 'build': expected a string like 10.0.17763"),
    (dict(build="10.0.17763.3287"), "field 'build': expected a string like 10.0.17763"),
    (dict(build=17763), "field 'build': expected a string like 10.0.17763"),
    (dict(ubr=-1), "field 'ubr': expected a non-negative integer"),
    (dict(ubr=True), "field 'ubr': expected a non-negative integer"),
    (dict(ubr="3287"), "field 'ubr': expected a non-negative integer"),
    (dict(architecture="ia64"), "field 'architecture': expected \"x64\", \"x86\" or \"arm64\""),
    (dict(is_server="no"), "field 'is_server': expected true or false"),
    (dict(is_server=0), "field 'is_server': expected true or false"),
    (dict(installed_kbs="KB5005030"), "field 'installed_kbs': expected a list"),
    (dict(installed_kbs=["KB5005030", "KB50x"]), "field 'installed_kbs[1]': expected a KB id like KB5005030"),
    (dict(installed_kbs=[5005030]), "field 'installed_kbs[0]': expected a KB id"),
    (dict(name=""), "field 'name': expected a host name"),
    (dict(name="PC 044"), "field 'name': expected a host name"),
    (dict(os_name=""), "field 'os_name': expected a non-empty string"),
    (dict(domain=""), "field 'domain': expected a non-empty string or null"),
    (dict(products=[".NET", 4]), "field 'products[1]': expected a product name"),
    (dict(collected_at="2026-11-25T10:00:00"), "field 'collected_at': expected an ISO 8601 time with a time zone"),
    (dict(collected_at="yesterday"), "field 'collected_at': expected an ISO 8601 time"),
    (dict(collected_at="0001-01-01T00:00:00+01:00"), "field 'collected_at': expected a time between the years 1 and 9999"),
    (dict(collected_at="9999-12-31T23:30:00-01:00"), "field 'collected_at': expected a time between the years 1 and 9999"),
    (dict(partial="yes"), "field 'partial': expected true or false"),
    (dict(partial=True, build="10"), "field 'build': expected a string like 10.0.17763"),
    (dict(partial=True, installed_kbs=...), "missing field 'installed_kbs'"),
    (dict(format="sumtui-inventory/2"), "field 'format': expected \"sumtui-inventory/1\""),
    (dict(format=...), "missing field 'format'"),
    (dict(installed_kbs=...), "missing field 'installed_kbs'"),
    (dict(is_server=...), "missing field 'is_server'"),
    (dict(serial="X1"), "unknown field 'serial'"),
])
def test_bad_fields_are_named(changes, message):
    with pytest.raises(InventoryError) as caught:
        parse(doc(**changes))
    text = str(caught.value)
    assert text.startswith("pc.json: ") and message in text and "\n" not in text


@pytest.mark.parametrize("data, message", [
    (b'{"format": "sumtui-inventory/1", "name": "A", "name": "B"}', "duplicate field 'name'"),
    (b'{"format": "sumtui-inventory/1", "ubr": NaN}', "invalid number NaN"),
    (b'{"format": "sumtui-inventory/1", "name": ', "invalid JSON: Expecting value at line 1"),
    (b"[1, 2]", "expected a JSON object, got a list"),
    (b"{" * 100000 + b"}" * 100000, "invalid JSON"),
])
def test_bad_documents(data, message):
    with pytest.raises(InventoryError) as caught:
        parse(data)
    assert str(caught.value).startswith("pc.json: ") and message in str(caught.value)


def test_format_constant():
    assert AGENT_FORMAT == "sumtui-inventory/1"


def test_a_partial_document_carries_only_what_it_has():
    minimal = {"format": AGENT_FORMAT, "partial": True, "name": "PC044", "installed_kbs": ["KB5016623"]}
    inv = parse(minimal)
    assert inv.partial and inv.installed_kbs == ["5016623"]
    assert (inv.os_name, inv.build, inv.architecture, inv.is_server, inv.edition, inv.domain) == (None,) * 6
    # What it does carry is read (and checked) as usual; null is the same as left out.
    some = parse({**minimal, "build": "10.0.17763", "ubr": 3287, "os_name": None, "architecture": "X64"})
    assert (some.build, some.ubr, some.architecture, some.os_name) == ("10.0.17763", 3287, "x64", None)
    assert not parse(doc(partial=False)).partial
    with pytest.raises(InventoryError, match="missing field 'os_name'"):
        parse(doc(os_name=..., partial=False))
