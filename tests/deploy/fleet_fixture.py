"""A small fleet on the four-month scenario catalog (tests/compliance/scenario.py), for deployment tests:

- WS-1: Windows 10 1809 at January's cumulative update (needs CU[4]), in Europe/Berlin;
- WS-2: Windows 10 1809 at April's (has CU[4]), in America/New_York;
- SRV-1: Windows Server 2012 R2 with nothing installed (needs ROLLUP[4]), time zone never reported.

Plus helpers: a deployment spec, the state counts recounted from the rows, and a token for a client.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlmodel import Session

from sumtui.deploy.deployments import DeploymentSpec
from sumtui.deploy.models import DeploymentCount, DeploymentState
from sumtui.deploy.state_codes import name_of
from sumtui.fleet.enrollment import hash_token
from sumtui.fleet.inventory.model import Inventory
from sumtui.fleet.models import Client
from sumtui.workflows.intake import ingest_inventory
from tests.compliance.scenario import CU, ROLLUP

TOKEN = "token-" + "x" * 30


def ws(name: str, *kbs: str, zone: str | None = None) -> Inventory:
    return Inventory(name=name, source_format="agent-json", os_name="Microsoft Windows 10 Enterprise", build="10.0.17763",
                     architecture="x64", is_server=False, installed_kbs=list(kbs), domain="corp.example", time_zone=zone)


def srv(name: str, *kbs: str, zone: str | None = None) -> Inventory:
    return Inventory(name=name, source_format="agent-json", os_name="Microsoft Windows Server 2012 R2 Standard",
                     build="6.3.9600", architecture="x64", is_server=True, installed_kbs=list(kbs), time_zone=zone)


def build_fleet(session: Session) -> dict[str, int]:
    """The three clients (see the module docstring), each with TOKEN as its agent's token; name → id."""
    ids = {}
    for inventory in (ws("WS-1", CU[1], zone="Europe/Berlin"), ws("WS-2", CU[4], zone="America/New_York"), srv("SRV-1")):
        client = ingest_inventory(session, inventory).client
        client.token_hash = hash_token(TOKEN)
        session.add(client)
        ids[inventory.name] = client.id
    session.flush()
    return ids


def spec(name: str = "April", **options) -> DeploymentSpec:
    values = dict(collection="All Systems", refs=[f"KB{CU[4]}", f"KB{ROLLUP[4]}"])
    values.update(options)
    return DeploymentSpec(name=name, **values)


def recount(session: Session, deployment_id: int) -> dict[str, int]:
    """The rows' states counted the slow way, to hold the maintained counts against."""
    T = DeploymentState.__table__
    query = select(T.c.state, func.count()).where(T.c.deployment_id == deployment_id).group_by(T.c.state)
    return {name_of(state): n for state, n in session.execute(query)}


def maintained(session: Session, deployment_id: int) -> dict[str, int]:
    T = DeploymentCount.__table__
    rows = session.execute(select(T.c.state, T.c.count).where(T.c.deployment_id == deployment_id))
    return {name_of(state): n for state, n in rows if n}


def states_of(session: Session, deployment_id: int) -> Counter:
    """(client name, KB) → state name, for the rows that exist."""
    from sumtui.catalog.models import Update

    T = DeploymentState.__table__
    U = Update.__table__
    C = Client.__table__
    query = (select(C.c.name, U.c.kb, T.c.state).join(C, C.c.id == T.c.client_id).join(U, U.c.id == T.c.update_id)
             .where(T.c.deployment_id == deployment_id))
    return {(name, kb): name_of(state) for name, kb, state in session.execute(query)}
