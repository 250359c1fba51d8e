"""A client's time zone from its inventory: systeminfo's translated display names, the agent's JSON,
stored on the client and kept when a later inventory does not say."""

from __future__ import annotations

import pytest

from sumtui.fleet.inventory import InventoryError, parse_inventory
from sumtui.fleet.inventory.agentjson import inventory_from_document
from sumtui.fleet.inventory.timezones import zone_from_display
from tests.server.test_end_to_end import SYSTEMINFO


@pytest.mark.parametrize(("value", "zone"), [
    ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"),
    ("(UTC+01:00) Amsterdam, Berlin, Bern, Rom, Stockholm, Wien", "Europe/Berlin"),
    ("(UTC+01:00) Amsterdam, Berlino, Berna, Roma, Stoccolma, Vienna", "Europe/Berlin"),
    ("(UTC+01:00) Brussels, Copenhagen, Madrid, Paris", "Europe/Paris"),
    ("(UTC-08:00) Pacific Time (US & Canada)", "America/Los_Angeles"),
    ("(UTC-05:00) Eastern Time (US & Canada)", "America/New_York"),
    ("(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi", "Asia/Kolkata"),
    ("(UTC) Coordinated Universal Time", "UTC"),
    ("(UTC+00:00) Dublin, Edinburgh, Lisbon, London", "Europe/London"),
    ("(GMT+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"),
    # A zone we do not list: its fixed offset, never a guess.
    ("(UTC+03:00) Baghdad", "UTC+03:00"), ("(UTC-04:30) Caracas", "UTC-04:30"),
])
def test_display_names_become_zone_names(value, zone):
    assert zone_from_display(value) == zone


@pytest.mark.parametrize("value", ["Amsterdam, Berlin", "(UTC+25:00) Nowhere", "", "(Mitteleuropäische Zeit)"])
def test_what_is_not_a_display_name_gives_no_zone(value):
    assert zone_from_display(value) is None


@pytest.mark.parametrize(("file", "zone"), [
    ("srv_2012r2_u1_systeminfo.txt", "Europe/Berlin"), ("7_sp1_x64_ultimaten_de_systeminfo.txt", "Europe/Berlin"),
    ("10_1803_x64_pro_it_systeminfo.txt", "Europe/Berlin"), ("11_24H2_x64_enterprise_systeminfo.txt", "America/Los_Angeles"),
    ("10_1809_x64_enterprise_zh-cn_systeminfo.txt", "Europe/Berlin"),
])
def test_real_systeminfo_in_four_languages_reports_its_zone(realdata, file, zone):
    inventory = parse_inventory((realdata / "inventory" / file).read_bytes(), name=file)
    assert inventory.time_zone == zone


def test_a_systeminfo_without_a_zone_line_has_none():
    inventory = parse_inventory(SYSTEMINFO.format(cu="5009557").encode("ascii"), name="ws.txt")
    assert inventory.time_zone is None
    with_zone = SYSTEMINFO.format(cu="5009557").replace(
        "Domain:", "Time Zone:                 (UTC-05:00) Eastern Time (US & Canada)\r\nDomain:")
    assert parse_inventory(with_zone.encode("ascii"), name="ws.txt").time_zone == "America/New_York"


def _doc(**extra) -> dict:
    return {"format": "sumtui-inventory/1", "name": "PC1", "os_name": "Microsoft Windows 10 Enterprise", "build": "10.0.17763",
            "architecture": "x64", "is_server": False, "installed_kbs": [], **extra}


def test_the_agent_document_carries_a_zone_name():
    assert inventory_from_document(_doc(time_zone="Europe/Berlin"), name="doc").time_zone == "Europe/Berlin"
    assert inventory_from_document(_doc(time_zone="UTC+05:45"), name="doc").time_zone == "UTC+05:45"
    assert inventory_from_document(_doc(), name="doc").time_zone is None
    for bad in ("(UTC+01:00) Amsterdam", 42, "Europe/Berlin\x1b[31m", "a" * 70):
        with pytest.raises(InventoryError, match="field 'time_zone'"):
            inventory_from_document(_doc(time_zone=bad), name="doc")


def test_the_client_keeps_its_zone_until_an_inventory_says_another(catalog_site):
    from sumtui.workflows.intake import ingest_inventory
    from tests.deploy.fleet_fixture import ws

    with catalog_site.session() as session:
        client = ingest_inventory(session, ws("PC1", zone="Asia/Tokyo")).client
        assert client.time_zone == "Asia/Tokyo"
        ingest_inventory(session, ws("PC1"))
        assert client.time_zone == "Asia/Tokyo"
        ingest_inventory(session, ws("PC1", zone="Europe/Berlin"))
        assert client.time_zone == "Europe/Berlin"
