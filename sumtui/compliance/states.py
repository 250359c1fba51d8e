"""A client's per-update states as one compact string on its row (`client.states`), so per-client work
never scans the update-major state table: "12:1 40:2 41:6" = update 12 Required (evaluated), 40
Installed (evaluated), 41 Installed (reported by the client's scan).

In memory a state is the same small int, code = state + 4 * source: the fleet-wide and per-report
paths handle tens of millions of them, so no tuples.
"""

from __future__ import annotations

from sumtui.compliance.models import FAILED, INSTALLED, REQUIRED

StateMap = dict[int, int]  # update id → code


def code(state: int, source: int) -> int:
    return state + 4 * source


def encode(states: StateMap) -> str:
    return " ".join(f"{uid}:{value}" for uid, value in sorted(states.items()))


def decode(text: str | None) -> StateMap:
    out: StateMap = {}
    for item in (text or "").split():
        uid, _, value = item.partition(":")
        out[int(uid)] = int(value)
    return out


def counts(states: StateMap) -> tuple[int, int, int]:
    """(required, installed, failed)."""
    required = installed = failed = 0
    for value in states.values():
        state = value & 3
        if state == REQUIRED:
            required += 1
        elif state == INSTALLED:
            installed += 1
        elif state == FAILED:
            failed += 1
    return required, installed, failed
