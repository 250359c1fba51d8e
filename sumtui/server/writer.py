"""Group commit for the management point: requests hand their database work to one writer thread,
which runs a batch of jobs in a single transaction and answers each request only after the commit.

One transaction per batch instead of per report is what lets a single SQLite file take thousands of
agent reports a second; acknowledging only after commit means an acknowledged report is never lost.
If a batch fails, its jobs are retried one by one so a bad report cannot sink the good ones.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

Job = Callable[[Session, "BatchContext"], Any]
# A handler takes every payload of its kind in a batch and returns one result (or exception) each.
BatchHandler = Callable[[Session, "BatchContext", list[Any]], list[Any]]
MAX_BATCH = 500
MAX_WAIT = 0.005  # seconds a batch waits for company once the first job is in


@dataclass
class BatchContext:
    """Shared by the jobs of one batch: e.g. the catalog view, loaded once."""

    values: dict[str, Any] = field(default_factory=dict)
    after_commit: list[Callable[[], None]] = field(default_factory=list)


@dataclass
class _Item:
    job: Job | None
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future
    kind: str | None = None  # batched items: the handler's name
    payload: Any = None


class Writer:
    def __init__(
        self, engine: Engine, *, prepare: Callable[[Session, BatchContext], None] | None = None,
        handlers: dict[str, BatchHandler] | None = None,
    ) -> None:
        self.engine = engine
        self.prepare = prepare
        self.handlers = handlers or {}
        self._queue: queue.Queue[_Item | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="sumtui-writer", daemon=True)
        self.batches = 0
        self.jobs = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    async def submit(self, job: Job) -> Any:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put(_Item(job, loop, future))
        return await future

    async def submit_batched(self, kind: str, payload: Any) -> Any:
        """Work that a handler does for all payloads of a batch together (e.g. agent inventories)."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put(_Item(None, loop, future, kind, payload))
        result = await future
        if isinstance(result, BaseException):
            raise result
        return result

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            items = [first]
            deadline = time.monotonic() + MAX_WAIT
            stop = False
            while len(items) < MAX_BATCH:
                timeout = deadline - time.monotonic()
                try:
                    item = self._queue.get(timeout=max(0.0, timeout)) if timeout > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                items.append(item)
            self._process(items)
            if stop:
                return

    def _process(self, items: list[_Item]) -> None:
        try:
            results = self._transaction(items)
        except Exception:
            # Something in the batch failed: run each job alone, so only the bad one gets the error.
            for item in items:
                try:
                    (result,) = self._transaction([item])
                except Exception as exc:  # noqa: BLE001 - handed to the request that caused it
                    self._resolve(item, exc=exc)
                else:
                    self._resolve(item, result=result)
            return
        for item, result in zip(items, results):
            self._resolve(item, result=result)

    def _transaction(self, items: list[_Item]) -> list[Any]:
        context = BatchContext()
        results: dict[int, Any] = {}
        with Session(self.engine, expire_on_commit=False) as session:
            if self.prepare:
                self.prepare(session, context)
            grouped: dict[str, list[int]] = {}
            for index, item in enumerate(items):
                if item.kind is None:
                    results[index] = item.job(session, context)
                else:
                    grouped.setdefault(item.kind, []).append(index)
            for kind, indexes in grouped.items():
                answers = self.handlers[kind](session, context, [items[i].payload for i in indexes])
                results.update(zip(indexes, answers))
            session.commit()
        for callback in context.after_commit:
            callback()
        self.batches += 1
        self.jobs += len(items)
        return [results[i] for i in range(len(items))]

    @staticmethod
    def _resolve(item: _Item, *, result: Any = None, exc: BaseException | None = None) -> None:
        def settle() -> None:
            if item.future.done():
                return
            if exc is not None:
                item.future.set_exception(exc)
            else:
                item.future.set_result(result)

        item.loop.call_soon_threadsafe(settle)
