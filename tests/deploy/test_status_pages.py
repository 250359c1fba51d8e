"""Deployment status a page at a time (deploy.status_pages), as the console's monitoring screens read it:
the same pairs, order and sentences as `deployments show` (status.client_states), narrowed by state,
client name and exit code; the failure codes with their meaning; the time a finished deployment took."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sumtui.deploy.deployments import create_deployment
from sumtui.deploy.messages import Message, apply_messages
from sumtui.deploy.state_codes import STATE_NAMES
from sumtui.deploy.status import client_states, list_deployments
from sumtui.deploy.status_pages import (
    PairQuery,
    convergence,
    convergence_text,
    count_pairs,
    error_codes,
    page_pairs,
)
from tests.compliance.scenario import CU, ROLLUP
from tests.deploy.fleet_fixture import spec

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def _deploy(site, ids, *messages):
    with site.session() as session:
        row = create_deployment(session, spec=spec(), now=NOW)
        session.commit()
        if messages:
            apply_messages(session, reports=[(ids[client], serial, [Message(deployment_id=row.id, **m)])
                                             for serial, (client, m) in enumerate(messages, start=1)], now=NOW)
            session.commit()
        return row.id


def test_pages_hold_the_same_pairs_and_sentences_as_deployments_show(fleet_site):
    site, ids = fleet_site
    did = _deploy(site, ids, ("WS-1", dict(kb=CU[4], state="failed", code=0x80070643, at=NOW)))
    with site.session() as session:
        expected = list(client_states(session, name="April"))
        query = PairQuery(did)
        assert count_pairs(session, query) == len(expected)
        paged = [p for offset in range(0, len(expected), 3) for p in page_pairs(session, query, offset=offset, limit=3)]
        assert paged == expected
        for state in STATE_NAMES:  # each state's pairs, pages of 2, as `deployments show --state` lists them
            narrowed = PairQuery(did, states=(state,))
            assert [p for offset in range(0, 20, 2) for p in page_pairs(session, narrowed, offset=offset, limit=2)] == list(
                client_states(session, name="April", state=state)), state
        failed = page_pairs(session, PairQuery(did, states=("failed",)), offset=0, limit=10)
        assert failed == [s for s in expected if s.state == "failed"] and failed[0].code == "0x80070643"
        assert failed[0].reason.startswith("failed 0x80070643 (installation failure)")
        assert count_pairs(session, PairQuery(did, states=("failed", "download_failed"), code=0x80070643)) == 1
        assert count_pairs(session, PairQuery(did, code=0x80070005)) == 0
        assert count_pairs(session, PairQuery(did, states=("not_required",))) == sum(
            1 for s in expected if s.state == "not_required")
        ws = page_pairs(session, PairQuery(did, search="ws 2"), offset=0, limit=10)  # every word, case ignored
        assert ws and {p.client for p in ws} == {"WS-2"}
        assert count_pairs(session, PairQuery(did, search="100%_")) == 0  # LIKE wildcards are text
        assert count_pairs(session, PairQuery(10_000)) == 0 and page_pairs(session, PairQuery(10_000), offset=0, limit=5) == []


def test_failure_codes_most_frequent_first_with_their_meaning(fleet_site):
    site, ids = fleet_site
    did = _deploy(site, ids,
                  ("WS-1", dict(kb=CU[4], state="failed", code=0x80070643, at=NOW)),
                  ("SRV-1", dict(kb=ROLLUP[4], state="download_failed", reason="content missing", at=NOW)))
    with site.session() as session:
        codes = error_codes(session, deployment_id=did)
    assert [(c.hex, c.state, c.count) for c in codes] == [("0x80070643", "failed", 1), ("—", "download_failed", 1)]
    assert codes[0].meaning == "installation failure"
    assert codes[1].meaning.startswith("no exit code reported")


def test_convergence_is_known_once_every_pair_arrived(fleet_site):
    site, ids = fleet_site
    later = NOW + timedelta(hours=2, minutes=5)
    did = _deploy(site, ids)
    with site.session() as session:
        [summary] = list_deployments(session)
        assert convergence(session, deployment_id=did, counts=summary.counts, pairs=summary.pairs) is None
        pending = [s for s in client_states(session, name="April") if s.state == "pending"]
    with site.session() as session:
        apply_messages(session, reports=[(ids[p.client], n, [Message(deployment_id=did, kb=p.kb, state="installed", at=later)])
                                         for n, p in enumerate(pending, start=1)], now=later)
        session.commit()
        [summary] = list_deployments(session)
        took = convergence(session, deployment_id=did, counts=summary.counts, pairs=summary.pairs)
    assert took == timedelta(hours=2, minutes=5)
    assert convergence_text(took) == "2 h 05 min"
    assert [convergence_text(timedelta(seconds=s)) for s in (40, 600, 2 * 86400 + 3600)] == ["40 s", "10 min", "2 d 1 h"]
