"""A site whose outside text is hostile, built through the doors an outsider has: a catalog document
(product names and CVE titles are MSRC's text), an agent's inventory (its domain is any string, its
host name any non-space, non-path characters), a file name a run's error quotes, and an operator's
collection. For the CLI and the console tests of `sumtui.text`.

Each hostile string carries Rich markup that crashes a parser (`[/bold]`) or makes a link
(`[link=…]`), a colour change (CSI), a hidden hyperlink (OSC 8, ended by BEL) and a bidi override
(U+202E). What an operator must see is the same text with each control character written out:
`SHOWN` is spelled by hand, not computed by the code under test.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.cvrf_builder import Fix, Vuln, month_doc, write

WIN10 = "Windows 10 Version 1809 for x64-based Systems"

HOSTILE = "[/bold][link=https://x]Z\x1b[31mR\x1b]8;;http://x\x07L\u202eT"
SHOWN = "[/bold][link=https://x]Z\\x1b[31mR\\x1b]8;;http://x\\x07L\\u202eT"
# Sequences that must never reach a terminal raw (a console draws its own SGR colours, never these).
RAW = ("\x1b[31mR", "\x1b]8;;http://x", "\x07", "\u202e")

PRODUCT = "Hostile " + HOSTILE  # a product name in a catalog document
PRODUCT_SHOWN = "Hostile " + SHOWN
CVE_TITLE = "Title " + HOSTILE
CVE_TITLE_SHOWN = "Title " + SHOWN
CLIENT = "WS-[b]EVIL\u202eEXE"  # a host name an agent may report: no spaces, controls or path characters
CLIENT_SHOWN = "WS-[b]EVIL\\u202eEXE"
DOMAIN = HOSTILE
DOMAIN_SHOWN = SHOWN
COLLECTION = "Ring " + HOSTILE
COLLECTION_SHOWN = "Ring " + SHOWN
BAD_FILE = "bad[b]\x1b[31mR\u202eT.json"  # a file name cannot hold "/": no [/bold] here
BAD_FILE_SHOWN = "bad[b]\\x1b[31mR\\u202eT.json"
PLAIN_CLIENT = "WS-0009"


def write_catalog(folder: Path, *, hostile: bool) -> list[Path]:
    """November and December 2020 (KB4592440 supersedes KB4586793) for Windows 10 1809 and, with
    `hostile`, for a product whose name and CVE titles are hostile."""
    products = {"11568": WIN10, **({"77777": PRODUCT} if hostile else {})}
    ids = list(products)
    title = CVE_TITLE if hostile else "Hyper-V Remote Code Execution Vulnerability"
    nov = month_doc(2020, 11, products, [
        Vuln("CVE-2020-17087", [Fix("4586793", ids, fixed_build="10.0.17763.1577")], severity="Important",
             title="Windows Kernel Local Elevation of Privilege Vulnerability"),
    ])
    dec = month_doc(2020, 12, products, [
        Vuln("CVE-2020-17095", [Fix("4592440", ids, supersedes="4586793", fixed_build="10.0.17763.1637")],
             severity="Critical", title=title),
    ])
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "2020-Nov.json", folder / "2020-Dec.json"]
    write(paths[0], nov)
    write(paths[1], dec)
    return paths


def inventory(folder: Path, name: str, *, domain: str | None = "corp.example") -> Path:
    """An agent's inventory of a Windows 10 1809 machine with no update installed."""
    path = folder / f"{len(list(folder.glob('*.inv.json')))}.inv.json"
    path.write_text(json.dumps({
        "format": "sumtui-inventory/1", "name": name, "domain": domain, "os_name": "Microsoft Windows 10 Enterprise",
        "build": "10.0.17763", "ubr": 1000, "architecture": "x64", "is_server": False, "installed_kbs": [],
    }), encoding="utf-8")
    return path


def cli(*args: str) -> int:
    from sumtui.main import main

    return main([str(a) for a in args])


def build_site(url: str, folder: Path, *, hostile: bool) -> None:
    """The catalog and a client needing KB4592440 (WS-0009); with `hostile`, also the hostile client,
    a static collection with a hostile name holding it, and a failed import of a hostile file name."""
    folder.mkdir(parents=True, exist_ok=True)
    assert cli("--db", url, "import", *write_catalog(folder / "months", hostile=hostile)) == 0
    assert cli("--db", url, "clients", "import", inventory(folder, PLAIN_CLIENT)) == 0
    if not hostile:
        return
    assert cli("--db", url, "clients", "import", inventory(folder, CLIENT, domain=DOMAIN)) == 0
    bad = folder / BAD_FILE
    bad.write_text("{ this is not a CVRF document", encoding="utf-8")
    assert cli("--db", url, "import", bad) == 1

    from sumtui.fleet.clients import find_client
    from sumtui.fleet.models import CollectionCreate
    from sumtui.site import open_site
    from sumtui.workflows.collections import create_collection, set_static_members

    site = open_site(url)
    try:
        with site.session() as session:
            collection = create_collection(session, CollectionCreate(name=COLLECTION, description="About " + HOSTILE))
            set_static_members(session, collection, add=[find_client(session, CLIENT).id])
            session.commit()
    finally:
        site.close()
