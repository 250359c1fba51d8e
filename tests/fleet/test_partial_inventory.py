"""A partial inventory (the agent's `"partial": true`, e.g. made from a hotfix list) adds KBs and never
erases a fact it does not carry; a full one still replaces them."""

from __future__ import annotations

import json

from sumtui.fleet.clients import apply_agent_inventories, apply_inventory, find_client
from sumtui.fleet.inventory import parse_inventory

FULL = {"format": "sumtui-inventory/1", "name": "SRV-01", "domain": "corp.example",
        "os_name": "Microsoft Windows Server 2019 Datacenter", "build": "10.0.17763", "ubr": 3287,
        "architecture": "x64", "is_server": True, "installed_kbs": ["KB5005030", "KB4486153"],
        "products": [".NET Framework 4.8"]}


def parse(doc: dict):
    return parse_inventory(json.dumps(doc).encode(), name="agent.json")


def facts(client) -> tuple:
    return (client.os_name, client.build, client.ubr, client.architecture, client.is_server, client.edition,
            client.domain, client.os_product, client.reported_products)


def test_a_partial_report_keeps_every_fact_it_lacks_and_adds_kbs(sqlite_site):
    with sqlite_site.session() as session:
        apply_inventory(session, parse(FULL), source="agent")
        session.commit()
        before = facts(find_client(session, "SRV-01"))
        assert before[7] == "Windows Server 2019"  # mapped
        partial = parse({"format": "sumtui-inventory/1", "partial": True, "name": "srv-01", "installed_kbs": ["KB5016623"]})
        apply_inventory(session, partial, source="agent")
        session.commit()
        client = find_client(session, "SRV-01")
        assert facts(client) == before
        assert set(client.installed_kbs.split()) == {"5005030", "4486153", "5016623"}


def test_the_batch_path_treats_a_partial_report_the_same(sqlite_site):
    with sqlite_site.session() as session:
        apply_inventory(session, parse(FULL), source="agent")
        session.commit()
        client = find_client(session, "SRV-01")
        before = facts(client)
        newer_ubr = parse({"format": "sumtui-inventory/1", "partial": True, "name": "SRV-01", "ubr": 4000,
                           "installed_kbs": ["KB5016623"]})
        apply_agent_inventories(session, [(client.id, newer_ubr)])
        session.commit()
        after = find_client(session, "SRV-01")
        assert facts(after)[2] == 4000 and facts(after)[:2] == before[:2] and facts(after)[3:] == before[3:]
        assert "5016623" in after.installed_kbs.split() and "5005030" in after.installed_kbs.split()


def test_a_full_report_still_replaces_the_kb_list_and_clips_overlong_text(sqlite_site):
    with sqlite_site.session() as session:
        apply_inventory(session, parse(FULL), source="agent")
        apply_inventory(session, parse({**FULL, "installed_kbs": ["KB5016623"], "domain": "d" * 1000,
                                        "agent_version": "v" * 900}), source="agent")
        session.commit()
        client = find_client(session, "SRV-01")
        assert client.installed_kbs == "5016623"
        assert client.domain == "d" * 255 and client.agent_version == "v" * 32
