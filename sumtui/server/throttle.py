"""Slowing down guessing: per source address, each failed credential (a wrong token, a wrong enrollment
key) doubles the wait before that address's next credential check, up to a cap, and calls from a
throttled address are spaced that far apart however many connections it opens. Addresses without
failures never wait; failures are forgotten after a quiet spell.

The waits are computed, not measured, so tests read them (`FailureThrottle.delay`) without timing anything.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Record:
    failures: int = 0
    last_failure: float = 0.0
    next_slot: float = 0.0  # the earliest time this address's next check may run


class FailureThrottle:
    def __init__(self, *, base: float = 0.5, cap: float = 30.0, forget_after: float = 900.0, max_addresses: int = 10000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.base, self.cap, self.forget_after = base, cap, forget_after
        self.max_addresses = max_addresses
        self.clock = clock
        self._records: OrderedDict[str, _Record] = OrderedDict()

    def _record(self, address: str) -> _Record | None:
        record = self._records.get(address)
        if record is not None and self.clock() - record.last_failure > self.forget_after:
            del self._records[address]
            return None
        return record

    def delay(self, address: str) -> float:
        """The spacing between this address's credential checks now (0 for an address without failures)."""
        record = self._record(address)
        if record is None or record.failures == 0:
            return 0.0
        return min(self.cap, self.base * 2 ** (record.failures - 1))

    def admit(self, address: str) -> float:
        """How long this call must wait before its credentials are checked (0: at once). Reserves the
        slot, so parallel calls from one address queue up behind each other."""
        spacing = self.delay(address)
        if spacing == 0.0:
            return 0.0
        record = self._records[address]
        now = self.clock()
        slot = max(now, record.next_slot)
        record.next_slot = slot + spacing
        return slot - now

    def failed(self, address: str) -> float:
        """Count a failed credential; returns the spacing it sets (for Retry-After)."""
        record = self._record(address)
        if record is None:
            record = self._records[address] = _Record()
            while len(self._records) > self.max_addresses:
                self._records.popitem(last=False)  # the address that failed longest ago
        else:
            self._records.move_to_end(address)
        record.failures += 1
        record.last_failure = now = self.clock()
        spacing = self.delay(address)
        record.next_slot = max(record.next_slot, now + spacing)
        return spacing
