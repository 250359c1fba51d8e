"""What clients miss, for triage at fleet scale: the clients that miss an update of a severity or worse,
and each client's worst missing KBs.

Both read data kept current at write time: the Critical and Important counts on the client row, the
state rows of the (few) Moderate and Low updates, and the client row's copy of its states (`client.states`)
plus one catalog read per page — never a query per client.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import String, cast, func, select
from sqlmodel import Session

from sumtui.catalog.models import Update
from sumtui.catalog.store import chunks
from sumtui.compliance.models import EVALUATED, REQUIRED, SCANNED, ComplianceState
from sumtui.compliance.states import code
from sumtui.fleet.clients import ClientFilter, count_clients, page_clients

U = Update.__table__
CS = ComplianceState.__table__
MODERATE = 2
# A Required state as `client.states` writes it, evaluated or reported by the client's own scan.
REQUIRED_CODES = frozenset(str(code(REQUIRED, source)) for source in (EVALUATED, SCANNED))


def clients_requiring(rank: int):
    """Ids of the clients with a Required update of severity rank `rank` up to Moderate (the ranks the client
    row keeps no count of). A range read of the state table per such update: they are few."""
    updates = select(U.c.id).where(U.c.severity_rank >= rank, U.c.severity_rank <= MODERATE)
    return select(CS.c.client_id).where(CS.c.update_id.in_(updates), CS.c.state == REQUIRED)


def count_filtered_clients(session: Session, *, filter: ClientFilter) -> int:
    """`fleet.clients.count_clients` with every filter, the Moderate and Low ones included."""
    return count_clients(session, filter=filter, requiring=clients_requiring)


def page_filtered_clients(session: Session, *, filter: ClientFilter, sort: str = "name", descending: bool = False,
                          offset: int = 0, limit: int = 100) -> list:
    """`fleet.clients.page_clients` with every filter, the Moderate and Low ones included."""
    return page_clients(session, filter=filter, sort=sort, descending=descending, offset=offset, limit=limit,
                        requiring=clients_requiring)


@dataclass(frozen=True)
class MissingKbs:
    """A client's worst Required KBs (most severe, then newest: the higher KB number, first) and how many
    other KBs it misses."""

    kbs: tuple[str, ...]
    more: int

    def text(self) -> str:
        """'KB5048685 KB5048652 +3', '' when nothing is missing."""
        words = [f"KB{kb}" for kb in self.kbs]
        if self.more:
            words.append(f"+{self.more}")
        return " ".join(words)


def top_missing(session: Session, *, states: Mapping[int, str | None], limit: int = 2) -> dict[int, MissingKbs]:
    """client id → its worst missing KBs, from each client's `states` copy (a page of clients at a time)."""
    # Read in a worker while the console draws: only the Required items of each string are parsed.
    required: dict[int, list[int]] = {}
    for client_id, text in states.items():
        required[client_id] = [int(uid) for uid, _, value in (item.partition(":") for item in (text or "").split())
                               if value in REQUIRED_CODES]
    facts = _update_facts(session, {uid for uids in required.values() for uid in uids})
    out = {}
    for client_id, uids in required.items():
        ranked = sorted((facts[uid] for uid in uids if uid in facts), reverse=True)
        kbs = list(dict.fromkeys(kb for _rank, _number, kb in ranked))  # a KB for two of its products is one KB
        out[client_id] = MissingKbs(tuple(kbs[:limit]), max(0, len(kbs) - limit))
    return out


def _update_facts(session: Session, ids: Iterable[int]) -> dict[int, tuple[int, int, str]]:
    """update id → (severity rank, KB as a number, KB): the worst-first order, then the KB.

    Read as one aggregated string: the console's grid workers share the interpreter with the screen, and
    the driver gives the interpreter lock away at every row; each row would wait to take it back."""
    fact = cast(U.c.id, String) + ":" + cast(U.c.severity_rank, String) + ":" + U.c.kb
    out = {}
    for batch in chunks(sorted(ids), 5000):
        text = session.execute(select(func.aggregate_strings(fact, " ")).where(U.c.id.in_(batch))).scalar()
        for item in (text or "").split():
            uid, rank, kb = item.split(":", 2)
            out[int(uid)] = (int(rank), int(kb) if kb.isdigit() else 0, kb)
    return out
