"""A pool of warm workers: snippets that miss the cache run side by side, one per worker.

Each worker is a `WorkerProcess` with the same isolation, timeout and crash handling as a lone
one; the pool only lends them out. A caller borrows an idle worker for one snippet and gives it
back, so a worker that is killed for a timeout restarts on its next loan without stopping the rest.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Sequence

from gradbook.engine.worker_process import WorkerProcess


class WorkerPool:
    def __init__(self, workers: Sequence[WorkerProcess]):
        if not workers:
            raise ValueError("a worker pool needs at least one worker")
        self.workers = list(workers)
        self._idle: queue.Queue[WorkerProcess] = queue.Queue()
        for worker in self.workers:
            self._idle.put(worker)

    def run(self, task: Callable[[WorkerProcess], object]):
        """Run `task(worker)` on the first idle worker, waiting for one if all are busy."""
        worker = self._idle.get()
        try:
            return task(worker)
        finally:
            self._idle.put(worker)

    def prewarm(self) -> None:
        """Start every worker in the background, so the next misses do not wait for TensorFlow."""
        for worker in self.workers:
            if not worker.alive:
                worker.spawn()

    @property
    def starts(self) -> int:
        return sum(worker.starts for worker in self.workers)

    @property
    def peak_rss_mib(self) -> float:
        return max(worker.peak_rss_mib for worker in self.workers)

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
