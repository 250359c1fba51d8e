"""The console's long work: syncs, imports, fleet re-evaluations and content downloads.

Jobs run in lanes: one job per lane at a time, lanes side by side, so a download can run beside a
sync while two catalog changes never overlap. The manager is plain bookkeeping on the UI thread.

Cancelling: a thread job polls its `cancel_requested` event (cancelling a thread worker's task would
only stop the waiting, not the thread, and one cancelled before its thread started would never report);
an async job's task is cancelled. Either way the job's worker reports its end itself (`reported`), and
when a worker ends without reporting (cancelled before it ever ran) the App reports it; `done` is set
once the worker has stopped, so quitting can wait for every run to be recorded.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

from textual.worker import Worker

from sumtui.tui.state import JobState

# Every catalog change is one lane: a re-evaluation must see the catalog a sync or import left.
# Downloads into deployment packages are another: they read the catalog but never change it.
LANES = {"sync": "catalog", "import": "catalog", "reevaluate": "catalog", "download": "content"}
CATALOG, CONTENT = "catalog", "content"


def lane_of(kind: str) -> str:
    return LANES.get(kind, kind)


@dataclass
class RunningJob:
    state: JobState
    worker: Worker | None = None
    done: threading.Event = field(default_factory=threading.Event)
    cancel_requested: threading.Event = field(default_factory=threading.Event)
    reported: bool = False  # the worker posted the job's end (JobFinished)

    @property
    def cancelled(self) -> bool:
        return self.cancel_requested.is_set()


class JobManager:
    def __init__(self) -> None:
        self._lanes: dict[str, RunningJob] = {}

    def begin(self, state: JobState) -> RunningJob | None:
        """A new job in its lane, or None when the lane is busy (the caller says so)."""
        lane = lane_of(state.kind)
        if lane in self._lanes:
            return None
        job = self._lanes[lane] = RunningJob(state)
        return job

    def in_lane(self, lane: str) -> JobState | None:
        job = self._lanes.get(lane)
        return job.state if job else None

    def blocking(self, kind: str) -> JobState | None:
        """The job that keeps a `kind` job from starting now."""
        return self.in_lane(lane_of(kind))

    def progress(self, state: JobState) -> bool:
        """A newer state for a running job; ignored once it is being cancelled. True when taken."""
        job = self._lanes.get(lane_of(state.kind))
        if job is None or job.state.kind != state.kind or job.state.phase == "cancelling":
            return False
        job.state = state
        return True

    def end(self, kind: str) -> None:
        job = self._lanes.get(lane_of(kind))
        if job is not None and job.state.kind == kind:
            del self._lanes[lane_of(kind)]

    def cancel(self, lane: str | None = None) -> bool:
        """Cancel the job in `lane` (every job when None); False when nothing runs there."""
        jobs = list(self._lanes.values()) if lane is None else [j for n, j in self._lanes.items() if n == lane]
        for job in jobs:
            job.state = replace(job.state, phase="cancelling")
            job.cancel_requested.set()
            if job.worker is not None and not getattr(job.worker, "_thread_worker", False):
                job.worker.cancel()
        return bool(jobs)

    def owner_of(self, worker: Worker) -> RunningJob | None:
        return next((job for job in self._lanes.values() if job.worker is worker), None)

    def wait(self, timeout: float) -> None:
        """Block (in a thread) until every running job's worker has stopped, or `timeout` passed."""
        for job in list(self._lanes.values()):
            job.done.wait(timeout)

    def states(self) -> tuple[JobState, ...]:
        return tuple(job.state for job in self._lanes.values())
