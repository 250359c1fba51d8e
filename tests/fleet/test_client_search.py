"""The clients search matches words as words: a typed word starts a word of the name (after "-", "_" or
"."), of the domain (after ".") or of the OS product (after a space or "("), in any case; a short number
followed by another word is that number, while the last word, the one being typed, may still grow."""

from __future__ import annotations

import pytest

from sumtui.fleet.clients import (
    ClientFilter,
    apply_inventory,
    count_clients,
    page_clients,
)
from sumtui.fleet.inventory.model import Inventory

MACHINES = [
    ("PC-0110", "Microsoft Windows 10 Enterprise", "10.0.19045", False, "corp.example"),
    ("WS-1010", "Microsoft Windows 11 Enterprise", "10.0.22621", False, "lab.example"),
    ("SRV-0210", "Microsoft Windows Server 2019 Standard", "10.0.17763", True, "corp.example"),
]


@pytest.fixture
def machines(site):
    with site.session() as session:
        for name, os_name, build, server, domain in MACHINES:
            apply_inventory(session, Inventory(name=name, source_format="agent-json", os_name=os_name, build=build,
                                               architecture="x64", is_server=server, domain=domain))
        session.commit()
    return site


def found(site, text: str) -> list[str]:
    flt = ClientFilter(text=text)
    with site.session() as session:
        names = [r.name for r in page_clients(session, filter=flt)]
        assert count_clients(session, filter=flt) == len(names)
    return names


@pytest.mark.parametrize("text, names", [
    ("windows 10 enterprise", []),  # no OS product says "Enterprise"; the names only hold "10" in a longer number
    ("10 windows", ["PC-0110"]),  # a number followed by a word is that number: not WS-1010 or SRV-0210
    ("windows 10", ["PC-0110", "WS-1010"]),  # the last word is being typed: "10" may become "1010"
    ("windows 1", ["PC-0110", "WS-1010"]),  # Windows 10, Windows 11
    ("WINDOWS 11", ["WS-1010"]),
    ("ws-10", ["WS-1010"]),  # the name's start, as typed so far
    ("1010", ["WS-1010"]),  # a word of the name after "-"
    ("0210", ["SRV-0210"]),
    ("server 2019", ["SRV-0210"]),
    ("010", []),  # the middle of a word is not a word
    ("example", ["PC-0110", "SRV-0210", "WS-1010"]),  # a word of the domain after "."
    ("corp server", ["SRV-0210"]),
    ("%", []),  # LIKE wildcards are matched literally
])
def test_search_words(machines, text, names):
    assert found(machines, text) == names
