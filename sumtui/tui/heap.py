"""The console's heap and Python's garbage collector: pauses kept off the operator's keys.

A full (generation 2) collection walks every tracked object. Over the imported modules and a few pages
of a 100,000-client site that took 50-150 ms, and it ran on whatever key came next: a page-down that
stalled. So:

- a moment after start, one collection, then everything alive (modules, the first screen) is frozen:
  out of the collector's sight;
- after any slow full collection, what survived it is frozen too (within a second; `gc.freeze` only
  moves lists, it costs nothing): the next full collections walk only what is newer;
- frozen objects are never collected, and some die later (a closed page): at an idle moment (no key for
  `IDLE_SECONDS`), once the frozen set has grown by `REGROW` since the last full pass, everything is
  unfrozen, collected once and frozen again. Freezing never keeps garbage for long, and never costs a
  pause while keys arrive.
"""

from __future__ import annotations

import gc
import time

SLOW_COLLECTION = 0.02  # seconds: a full collection longer than this: freeze its survivors
IDLE_SECONDS = 2.0  # no terminal input for this long: the operator is reading, not typing
REGROW = 0.25  # frozen set grown by this share since the last full pass: time for another (when idle)


class HeapKeeper:
    def __init__(self) -> None:
        self.freeze_pending = False  # a slow full collection was seen: freeze what survived it
        self.full_passes = 0
        self._started = 0.0
        self._last_input = time.monotonic()
        self._frozen_after_pass = 0

    def start(self) -> None:
        gc.callbacks.append(self._observe)

    def stop(self) -> None:
        """The console goes away: frozen objects are never collected, give them back (tests and the
        benchmarks run many consoles in one process)."""
        if self._observe in gc.callbacks:
            gc.callbacks.remove(self._observe)
        gc.unfreeze()

    def _observe(self, phase: str, info: dict) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        elif time.perf_counter() - self._started > SLOW_COLLECTION:
            self.freeze_pending = True

    def input_seen(self) -> None:
        self._last_input = time.monotonic()

    def full_pass(self) -> None:
        """Unfreeze, collect once, freeze what lives (at start, and at idle moments)."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.freeze_pending = False
        self._frozen_after_pass = gc.get_freeze_count()
        self.full_passes += 1

    def tick(self) -> None:
        """Every second: freeze the survivors of a slow collection; when idle and the frozen set has
        grown, a full pass."""
        if self.freeze_pending:
            gc.freeze()
            self.freeze_pending = False
        if (time.monotonic() - self._last_input >= IDLE_SECONDS
                and gc.get_freeze_count() > self._frozen_after_pass * (1 + REGROW)):
            self.full_pass()
