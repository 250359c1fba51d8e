"""Agents' state messages through the report protocol (workflows.deployment_intake): the serial rule,
every fault the issue names (not assigned, out of order, clock skew), compliance following an
install, and nothing lost (every message in the history)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from sumtui.deploy.deployments import create_deployment
from sumtui.deploy.messages import Message
from sumtui.deploy.models import DeploymentEvent, DeploymentState
from sumtui.deploy.state_codes import AGENT_STATES
from sumtui.deploy.status import deployment_detail
from sumtui.fleet.enrollment import hash_token
from sumtui.fleet.models import Client, CollectionCreate
from sumtui.workflows.agent_protocol import ProtocolError
from sumtui.workflows.collections import create_collection, set_static_members
from sumtui.workflows.deployment_intake import StateReport, state_reports
from sumtui.workflows.intake import ingest_inventory
from tests.compliance.scenario import CU, ROLLUP
from tests.deploy.fleet_fixture import TOKEN, maintained, recount, spec, states_of, ws

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
GIVEN = hash_token(TOKEN)


def report(client_id: int, serial: int, *messages: Message) -> StateReport:
    return StateReport(client_id=client_id, token_hash=GIVEN, serial=serial, messages=list(messages))


def msg(deployment_id: int, kb: str, state: str, minute: int = 0, **extra) -> Message:
    return Message(deployment_id=deployment_id, kb=kb, state=state, at=NOW + timedelta(minutes=minute), **extra)


def deployed(site, **options) -> int:
    with site.session() as session:
        row = create_deployment(session, spec=spec(deadline=datetime(2026, 12, 1, tzinfo=UTC), **options), now=NOW)
        session.commit()
        return row.id


def events(session) -> list[tuple[str, str | None]]:
    return [(e.state, e.note) for e in session.execute(select(DeploymentEvent).order_by(DeploymentEvent.id)).scalars()]


def test_installed_is_the_agents_account_and_compliance_follows_its_inventory(fleet_site):
    site, ids = fleet_site
    did = deployed(site)
    with site.session() as session:
        before = session.get(Client, ids["WS-1"]).required_count
        [answer] = state_reports(session, [report(ids["WS-1"], 1, msg(did, CU[4], "downloading"), msg(did, CU[4], "downloaded", 1),
                                                  msg(did, CU[4], "installing", 2), msg(did, CU[4], "installed", 3))], now=NOW)
        session.commit()
        assert answer.accepted and answer.serial == 1 and answer.ignored == []
        assert states_of(session, did)[("WS-1", CU[4])] == "installed"
        assert maintained(session, did) == recount(session, did)
        assert [e[0] for e in events(session)] == ["downloading", "downloaded", "installing", "installed"]
        # Compliance moves with the agent's rescan (its inventory), not with its account of the install.
        assert session.get(Client, ids["WS-1"]).required_count == before
        ingest_inventory(session, ws("WS-1", CU[4], zone="Europe/Berlin"))
        assert session.get(Client, ids["WS-1"]).required_count < before
        assert states_of(session, did)[("WS-1", CU[4])] == "installed"
        # A later inventory that does not show it: pending again, and the sentence says why.
        ingest_inventory(session, ws("WS-1", CU[1], zone="Europe/Berlin"))
        row = next(c for c in deployment_detail(session, name="April")["clients"]
                   if c["client"] == "WS-1" and c["kb"] == f"KB{CU[4]}")
        assert row["state"] == "pending" and row["reason"].startswith("required again: the client's report of")


def test_failed_keeps_the_code_and_its_meaning(fleet_site):
    site, ids = fleet_site
    did = deployed(site)
    with site.session() as session:
        state_reports(session, [report(ids["SRV-1"], 1, msg(did, ROLLUP[4], "failed", code=0x80070643))], now=NOW)
        row = next(c for c in deployment_detail(session, name="April")["clients"] if c["client"] == "SRV-1"
                   and c["kb"] == f"KB{ROLLUP[4]}")
        assert (row["state"], row["code"]) == ("failed", "0x80070643")
        assert row["reason"] == "failed 0x80070643 (installation failure); the agent retries at its next chance"


def test_messages_for_what_is_not_assigned_are_kept_and_answered_ignored(fleet_site):
    site, ids = fleet_site
    with site.session() as session:
        ring = create_collection(session, CollectionCreate(name="Ring 1"))
        set_static_members(session, ring, add=[ids["WS-1"]])
        session.commit()
    did = deployed(site, collection="Ring 1")
    with site.session() as session:
        [answer, member] = state_reports(session, [
            report(ids["WS-2"], 1, msg(did, CU[4], "installed"), msg(999, CU[4], "installed")),
            report(ids["WS-1"], 1, msg(did, "1234567", "installed"))], now=NOW)
        session.commit()
        reasons = [i["reason"] for i in answer.ignored + member.ignored]
        assert answer.accepted and member.accepted and len(reasons) == 3
        assert "is not assigned to this client" in reasons[0] and "deployment 999 does not exist" in reasons[1]
        assert "KB1234567 is not one of the updates" in reasons[2]
        # Nothing changed in the status or in compliance, nothing lost: the three are in the history, each with why.
        assert ("WS-2", CU[4]) not in states_of(session, did)
        assert [note for _state, note in events(session)] == reasons


def test_states_out_of_order_never_move_the_status_back(fleet_site):
    site, ids = fleet_site
    did = deployed(site)
    with site.session() as session:
        # One report lists them out of order: the agent's clock orders them.
        state_reports(session, [report(ids["SRV-1"], 1, msg(did, ROLLUP[4], "installed", 5), msg(did, ROLLUP[4], "downloading", 1))],
                      now=NOW)
        assert states_of(session, did)[("SRV-1", ROLLUP[4])] == "installed"
        # A later report carrying an older state (an agent's queue replayed): kept in the history, stale.
        [answer] = state_reports(session, [report(ids["SRV-1"], 2, msg(did, ROLLUP[4], "downloaded", 2))], now=NOW)
        assert answer.accepted and states_of(session, did)[("SRV-1", ROLLUP[4])] == "installed"
        assert events(session)[-1] == ("downloaded", "stale: older than the state held (the agent's later message stays)")
        assert maintained(session, did) == recount(session, did)


def test_the_status_shows_the_management_points_time_whatever_the_agents_clock(fleet_site):
    site, ids = fleet_site
    did = deployed(site)
    with site.session() as session:
        skewed = Message(deployment_id=did, kb=ROLLUP[4], state="downloading", at=NOW + timedelta(hours=3))
        state_reports(session, [report(ids["SRV-1"], 1, skewed)], now=NOW)
        row = session.execute(select(DeploymentState).where(DeploymentState.client_id == ids["SRV-1"])).scalar_one()
        assert row.at.replace(tzinfo=UTC) == NOW and row.agent_at.replace(tzinfo=UTC) == NOW + timedelta(hours=3)
        # Its next message, by its own (skewed) clock, still orders after the first.
        state_reports(session, [report(ids["SRV-1"], 2, Message(deployment_id=did, kb=ROLLUP[4], state="downloaded",
                                                                 at=NOW + timedelta(hours=3, minutes=1)))], now=NOW)
        assert states_of(session, did)[("SRV-1", ROLLUP[4])] == "downloaded"


def test_the_serial_rule_holds_for_state_reports(fleet_site):
    site, ids = fleet_site
    did = deployed(site)
    with site.session() as session:
        [first] = state_reports(session, [report(ids["SRV-1"], 1, msg(did, ROLLUP[4], "downloading"))], now=NOW)
        [again] = state_reports(session, [report(ids["SRV-1"], 1, msg(did, ROLLUP[4], "installed", 9))], now=NOW)
        assert first.accepted and again.duplicate and not again.accepted
        assert states_of(session, did)[("SRV-1", ROLLUP[4])] == "downloading"
        [gap] = state_reports(session, [report(ids["SRV-1"], 5, msg(did, ROLLUP[4], "installed", 9))], now=NOW)
        assert (gap.accepted, gap.resend, gap.serial) == (False, "full", 1)
        assert session.get(Client, ids["SRV-1"]).needs_full_resend
        [wrong] = state_reports(session, [StateReport(ids["SRV-1"], "not the hash", 2, [])], now=NOW)
        assert isinstance(wrong, ProtocolError) and wrong.status == 403


def test_simulated_states_say_so(fleet_site):
    site, ids = fleet_site
    did = deployed(site)
    with site.session() as session:
        state_reports(session, [report(ids["SRV-1"], 1, msg(did, ROLLUP[4], "downloaded", simulated=True),
                                       msg(did, ROLLUP[4], "waiting_window", 1, simulated=True, reason="waiting: a window"))],
                      now=NOW)
        row = session.execute(select(DeploymentState).where(DeploymentState.client_id == ids["SRV-1"])).scalar_one()
        assert row.simulated and row.reason == "waiting: a window (simulated)"
        assert all("simulated" in (e.reason or "") for e in session.execute(select(DeploymentEvent)).scalars())


def test_counts_equal_a_recount_after_any_sequence_of_messages(fleet_site):
    site, ids = fleet_site
    did = deployed(site)
    rng = random.Random(8)
    serials = dict.fromkeys(ids.values(), 0)
    with site.session() as session:
        for step in range(60):
            cid = rng.choice(list(ids.values()))
            serials[cid] += 1
            batch = [msg(did, rng.choice([CU[4], ROLLUP[4]]), rng.choice(AGENT_STATES), step) for _ in range(rng.randint(1, 4))]
            state_reports(session, [report(cid, serials[cid], *batch)], now=NOW)
            assert maintained(session, did) == recount(session, did)
