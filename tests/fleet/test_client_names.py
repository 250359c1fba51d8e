"""Host names compared the way Windows compares them: NFKC, then each character upper-cased on its own,
so a long s or full-width letters name the same machine while "STRAßE" and "STRASSE" stay two."""

from __future__ import annotations

import pytest

from sumtui.fleet.clients import apply_inventory, find_client, name_key
from sumtui.fleet.inventory.model import Inventory


@pytest.mark.parametrize("name, key", [
    ("srv01", "SRV01"),
    (" Srv01 ", "SRV01"),
    ("ſrv01", "SRV01"),            # long s: NFKC makes it "s"
    ("ＳＲＶ０１", "SRV01"),         # full-width letters and digits
    ("ﬁle01", "FILE01"),           # the "fi" ligature
    ("straße", "STRAßE"),          # "ß".upper() is "SS", two characters: kept as it is
    ("ŉode", "ʼNODE"),             # NFKC splits "ŉ" into "ʼn"; each part has a one-character upper case
    ("pc-ς", "PC-Σ"),
])
def test_name_key(name, key):
    assert name_key(name) == key


def test_distinct_names_stay_distinct():
    assert name_key("STRAßE") != name_key("STRASSE")
    assert name_key("straße") == name_key("STRAßE")


def test_a_long_s_spelling_finds_the_same_client(sqlite_site):
    with sqlite_site.session() as session:
        first = apply_inventory(session, Inventory(name="SRV01", source_format="qfe", installed_kbs=["5005030"]))
        again = apply_inventory(session, Inventory(name="ſrv01", source_format="qfe", installed_kbs=["5005112"]))
        assert first.created and not again.created
        assert again.client.id == first.client.id
        assert again.client.installed_kbs == "5005030 5005112"
        street = apply_inventory(session, Inventory(name="STRAßE", source_format="qfe", installed_kbs=["1"]))
        streets = apply_inventory(session, Inventory(name="STRASSE", source_format="qfe", installed_kbs=["2"]))
        assert street.created and streets.created and street.client.id != streets.client.id
        assert find_client(session, "straße").id == street.client.id
        session.commit()
