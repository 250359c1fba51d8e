"""Keys typed ahead are never lost: terminal input reaches the console one event at a time, each once the
console has settled from the one before.

Over SSH a burst such as `:sync⏎` arrives in one read. Textual hands every key to whatever has the focus
at that instant, before the keys ahead of it have had their effect: the `:` that opens the jump box is
still bubbling up to the App's bindings when `s`, `y`, `n`, `c` and enter are already queued on Home, and
a paste into a dialog that is still mounting finds nothing focused. So the App passes its terminal input
(keys and pastes) through `TypeAhead`, which delivers an event at once when the console is settled and
otherwise holds it, releasing held events in order as soon as it is.

Settled means: the event delivered last has run its course (it came back to the App, whose bindings ran,
or a widget stopped it, or the widget it went to is gone); no screen result callback is waiting
(`call_next`); the screen in front is mounted (so its focus is set); the widgets on the focus path have
no message waiting (an Input's Submitted that will close its dialog); no expected screen is on its way
(`expect`: a form whose values a worker is reading). It is checked with barrier rounds (a `call_later` on
each node of the focus path and on the App, awaited), not with sleeps; a console that cannot settle
within `MAX_WAIT` gets the next event anyway, so input is never stuck behind a wedged widget.
"""

from __future__ import annotations

import asyncio
from collections import deque
from contextlib import suppress
from time import monotonic
from typing import TYPE_CHECKING

from textual import events

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump

MAX_WAIT = 2.0  # seconds an event waits for the console to settle before it is delivered anyway
NODE_POLL = 0.05  # a barrier on a node that closes meanwhile never runs: look again this often


def is_terminal_input(event: events.Event) -> bool:
    """Keys and pastes are the input whose order matters (mouse events carry their own position)."""
    return isinstance(event, (events.Key, events.Paste))


class TypeAhead:
    """The App's input gate: `hold` before an event is delivered, `delivered` after, `returned` when a
    delivered event bubbles back to the App; `expect` while a screen the operator asked for is on its way."""

    def __init__(self, app: App) -> None:
        self._app = app
        self._held: deque[events.Event] = deque()
        self._releasing: events.Event | None = None
        self._current: events.Event | None = None  # delivered, not yet settled
        self._target: MessagePump | None = None  # where the current event was sent
        self._returned = False
        self._expected: set[str] = set()
        self._task: asyncio.Task | None = None
        self.received = 0  # terminal input events seen, ever

    @property
    def held(self) -> int:
        return len(self._held)

    @property
    def idle(self) -> bool:
        """Nothing held and the last event settled."""
        return not self._held and self._current is None

    # ------------------------------------------------------------------ called by the App

    def hold(self, event: events.Event) -> bool:
        """True when `event` (terminal input, not forwarded yet) must wait; it is delivered later, in order."""
        if event is self._releasing:
            self._releasing = None
            return False
        self.received += 1
        if self._held or self._current is not None or not self._quick_settled():
            self._held.append(event)
            self._start()
            return True
        return False

    def target_of(self, event: events.Event) -> None:
        """Just before delivery: where the App is about to send `event`."""
        app = self._app
        try:
            self._target = app.focused or app.screen
        except Exception:  # noqa: BLE001 - no screen yet (start-up, shutdown): nothing to follow
            self._target = None

    def delivered(self, event: events.Event) -> None:
        """`event` went through the App's own handling (a priority binding, or forwarded to a widget)."""
        self._current = event
        self._returned = False
        self._start()

    def returned(self, event: events.Event) -> None:
        """A forwarded event came back up to the App and its bindings ran."""
        if event is self._current:
            self._returned = True

    def expect(self, what: str) -> None:
        """A screen the operator asked for is being prepared (a worker reads its values): input waits."""
        self._expected.add(what)

    def arrived(self, what: str) -> None:
        """The expected screen is pushed (or will not come: its values could not be read)."""
        self._expected.discard(what)
        self._start()

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    # ------------------------------------------------------------------ settling

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="sumtui type-ahead")

    async def _run(self) -> None:
        try:
            while True:
                await self._settle()
                self._current = self._target = None
                if self._app._closing or not self._app.screen_stack:
                    self._held.clear()  # the console is going away: nothing left to type into
                if not self._held:
                    return
                event = self._held.popleft()
                # Delivered by the App's own message loop, like any input: `hold` lets it through.
                self._releasing = event
                self._current = event
                self._returned = False
                self._app.post_message(event)
        finally:
            self._task = None

    def _quick_settled(self) -> bool:
        """Settled, judged without waiting: what `hold` asks before delivering an event at once."""
        app = self._app
        try:
            screen = app.screen
        except Exception:  # noqa: BLE001 - no screen yet
            return False
        return screen.is_mounted and not self._expected and not self._callbacks_waiting()

    def _callbacks_waiting(self) -> bool:
        app = self._app
        return bool(app._next_callbacks) or any(screen._next_callbacks for screen in app.screen_stack)

    def _event_done(self, stop_seen: bool) -> tuple[bool, bool]:
        """(done, stop seen): a stopped event is done one barrier round after the stop was seen (the
        widget that stopped it may still be in its handler, and a screen stops a key as it passes it up)."""
        event = self._current
        if event is None or self._returned:
            return True, stop_seen
        if event is not self._releasing and not event.is_forwarded:
            return True, stop_seen  # handled by the App itself (a priority binding)
        target = self._target
        if target is not None and (target._closing or target._closed):
            return True, stop_seen
        if event._stop_propagation:
            return stop_seen, True
        return False, stop_seen

    async def _settle(self) -> None:
        deadline = monotonic() + MAX_WAIT
        stop_seen = False
        while monotonic() < deadline:
            app = self._app
            try:
                screen = app.screen
            except Exception:  # noqa: BLE001 - the App is going away
                return
            if not screen.is_mounted:
                with suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(screen._mounted_event.wait(), max(0.0, deadline - monotonic()))
                continue
            before = (screen, screen.focused)
            nodes = self._focus_path(screen)
            await self._barrier(nodes, deadline)
            done, stop_seen = self._event_done(stop_seen)
            if not done:
                continue
            try:
                after = (app.screen, app.screen.focused)
            except Exception:  # noqa: BLE001
                return
            quiet = all(node._message_queue.empty() for node in nodes if node is not app)
            if after == before and quiet and screen.is_mounted and not self._expected and not self._callbacks_waiting():
                return

    def _focus_path(self, screen) -> list[MessagePump]:
        """The focused widget, its ancestors up to the screen, the screen and the App."""
        focused = screen.focused
        path: list[MessagePump] = list(focused.ancestors_with_self) if focused is not None else [screen, self._app]
        if self._app not in path:
            path.append(self._app)
        return path

    async def _barrier(self, nodes: list[MessagePump], deadline: float) -> None:
        """Wait until every node has processed what was queued on it before now (nodes closing
        meanwhile are left out)."""
        loop = asyncio.get_running_loop()
        waiting: dict[asyncio.Future, MessagePump] = {}
        for node in nodes:
            future = loop.create_future()
            if node.call_later(_resolve, future):
                waiting[future] = node
        while waiting and monotonic() < deadline:
            done, _ = await asyncio.wait(list(waiting), timeout=NODE_POLL)
            for future in done:
                waiting.pop(future, None)
            for future, node in list(waiting.items()):
                if node._closing or node._closed or not node.is_running:
                    waiting.pop(future)
                    future.cancel()


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)
