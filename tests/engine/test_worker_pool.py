"""Which worker the pool lends: a running one before one that must start (a TensorFlow import).

Fake workers stand in for `WorkerProcess`: the pool only reads `alive` and hands the worker to
the task, so lending can be checked without starting a process.
"""

from __future__ import annotations

import threading

import pytest

from gradbook.engine.worker_pool import WorkerPool


class FakeWorker:
    def __init__(self, name: str):
        self.name = name
        self.alive = False
        self.starts = 0

    def use(self) -> str:
        if not self.alive:  # what WorkerProcess.run does for a worker not started or killed
            self.alive, self.starts = True, self.starts + 1
        return self.name


def test_one_snippet_at_a_time_keeps_one_worker_and_starts_no_other():
    workers = [FakeWorker("a"), FakeWorker("b"), FakeWorker("c")]
    pool = WorkerPool(workers)
    used = [pool.run(lambda worker: worker.use()) for _ in range(5)]
    assert len(set(used)) == 1
    assert sorted(worker.starts for worker in workers) == [0, 0, 1]


def test_a_killed_worker_waits_while_a_running_one_is_idle():
    workers = [FakeWorker("a"), FakeWorker("b")]
    pool = WorkerPool(workers)
    both_busy = threading.Barrier(2)

    def meet(worker):  # two callers at once: each needs a worker of its own
        name = worker.use()
        both_busy.wait(timeout=10)
        return name

    with_two = [threading.Thread(target=pool.run, args=(meet,)) for _ in range(2)]
    for thread in with_two:
        thread.start()
    for thread in with_two:
        thread.join()
    assert [worker.starts for worker in workers] == [1, 1]
    killed = pool.run(lambda worker: worker.name)  # the worker lent last, given back last
    next(worker for worker in workers if worker.name == killed).alive = False  # a timeout killed it
    assert pool.run(lambda worker: worker.use()) != killed
    assert [worker.starts for worker in workers] == [1, 1]  # nothing restarted


def test_a_caller_waits_for_a_worker_when_all_are_busy():
    pool = WorkerPool([FakeWorker("only")])
    inside, release = threading.Event(), threading.Event()
    order = []

    def hold(worker):
        order.append("first in")
        inside.set()
        release.wait(timeout=10)
        order.append("first out")

    holder = threading.Thread(target=pool.run, args=(hold,))
    holder.start()
    inside.wait(timeout=10)
    second = threading.Thread(target=pool.run, args=(lambda worker: order.append("second"),))
    second.start()
    second.join(timeout=0.2)
    assert second.is_alive()  # waiting: the only worker is lent out
    release.set()
    holder.join()
    second.join(timeout=10)
    assert order == ["first in", "first out", "second"]


def test_a_pool_needs_a_worker():
    with pytest.raises(ValueError, match="at least one worker"):
        WorkerPool([])
