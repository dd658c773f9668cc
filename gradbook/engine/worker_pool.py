"""A pool of warm workers: snippets that miss the cache run side by side, one per worker.

Each worker is a `WorkerProcess` with the same isolation, timeout and crash handling as a lone
one; the pool only lends them out. A caller borrows an idle worker for one snippet and gives it
back, so a worker that is killed for a timeout restarts on its next loan without stopping the rest.
Workers start on their first loan, and a loan goes to a running worker when one is idle: one
caller asking for one snippet at a time keeps one worker busy, and starts no other (each start
is a TensorFlow import, some 8 CPU-seconds on a slow core).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from gradbook.engine.worker_process import WorkerProcess


class WorkerPool:
    def __init__(self, workers: Sequence[WorkerProcess]):
        if not workers:
            raise ValueError("a worker pool needs at least one worker")
        self.workers = list(workers)
        self._idle = list(self.workers)
        self._returned = threading.Condition()

    def run(self, task: Callable[[WorkerProcess], object]):
        """Run `task(worker)` on an idle worker, waiting for one if all are busy."""
        with self._returned:
            self._returned.wait_for(lambda: self._idle)
            worker = self._borrow()
        try:
            return task(worker)
        finally:
            with self._returned:
                self._idle.append(worker)
                self._returned.notify()

    def _borrow(self) -> WorkerProcess:
        """The idle worker given back last among those running (its imports are warm), else any."""
        running = [worker for worker in self._idle if worker.alive]
        worker = running[-1] if running else self._idle[-1]
        self._idle.remove(worker)
        return worker

    def prewarm(self) -> None:
        """Start every worker and its backend in the background, so the next misses do not wait for TensorFlow."""
        for worker in self.workers:
            worker.start_backend()

    @property
    def starts(self) -> int:
        return sum(worker.starts for worker in self.workers)

    @property
    def peak_rss_mib(self) -> float:
        return max(worker.peak_rss_mib for worker in self.workers)

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
