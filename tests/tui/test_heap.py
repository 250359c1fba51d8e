"""Full garbage collections are kept off the operator's keys (tui/heap.py): the survivors of a slow one
are frozen, a full pass (unfreeze, collect, freeze) waits for an idle moment and a grown frozen set, and
the console gives everything back when it closes."""

from __future__ import annotations

import gc
import time

from sumtui.tui.heap import IDLE_SECONDS, SLOW_COLLECTION, HeapKeeper


def collection(keeper: HeapKeeper, generation: int) -> None:
    keeper._observe("start", {"generation": generation})
    time.sleep(SLOW_COLLECTION * 1.5)
    keeper._observe("stop", {"generation": generation})


def test_survivors_of_a_slow_full_collection_are_frozen_and_a_full_pass_waits_for_idle():
    keeper = HeapKeeper()
    keeper.start()
    try:
        keeper.full_pass()  # as at start
        frozen = gc.get_freeze_count()
        assert frozen > 0 and keeper.full_passes == 1
        collection(keeper, 1)  # younger generations are cheap: not counted
        assert not keeper.freeze_pending
        collection(keeper, 2)
        assert keeper.freeze_pending
        # Objects made since; in cycles, as a closed page's widgets are: only the collector frees them.
        garbage = [[index] for index in range(frozen)]
        for item in garbage:
            item.append(item)
        keeper.input_seen()
        keeper.tick()  # keys arriving: the survivors are frozen (no pause), no full pass
        assert not keeper.freeze_pending and gc.get_freeze_count() >= frozen + len(garbage)
        assert keeper.full_passes == 1
        del garbage
        keeper._last_input -= IDLE_SECONDS  # idle now, and the frozen set has grown: a full pass
        keeper.tick()
        assert keeper.full_passes == 2 and gc.get_freeze_count() < frozen + frozen // 2  # the garbage is gone
        keeper.tick()
        assert keeper.full_passes == 2  # nothing grew since: no pass
    finally:
        keeper.stop()
    assert gc.get_freeze_count() == 0 and keeper._observe not in gc.callbacks


async def test_the_console_watches_the_collector_while_it_runs(console_site, make_app):
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.heap._observe in gc.callbacks
        await pilot.press("j")
        assert time.monotonic() - app.heap._last_input < 1
    assert app.heap._observe not in gc.callbacks and gc.get_freeze_count() == 0
