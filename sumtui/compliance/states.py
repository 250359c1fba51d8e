"""A client's per-update states as one compact string on its row (`client.states`), so per-client work
never scans the update-major state table: "12:1 40:2 41:6" = update 12 Required (evaluated), 40
Installed (evaluated), 41 Installed (reported by the client's scan)."""

from __future__ import annotations

from sumtui.compliance.models import FAILED, INSTALLED, REQUIRED

# code = state + 4 * source
StateMap = dict[int, tuple[int, int]]  # update id → (state, source)


def encode(states: StateMap) -> str:
    return " ".join(f"{uid}:{state + 4 * source}" for uid, (state, source) in sorted(states.items()))


def decode(text: str | None) -> StateMap:
    out: StateMap = {}
    for item in (text or "").split():
        uid, _, code = item.partition(":")
        value = int(code)
        out[int(uid)] = (value % 4, value // 4)
    return out


def counts(states: StateMap) -> tuple[int, int, int]:
    """(required, installed, failed)."""
    required = installed = failed = 0
    for state, _source in states.values():
        if state == REQUIRED:
            required += 1
        elif state == INSTALLED:
            installed += 1
        elif state == FAILED:
            failed += 1
    return required, installed, failed

