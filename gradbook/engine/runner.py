"""Run a set of snippets: cache hits are read, misses go to the pool of warm workers, results come back.

This is the one code path every caller uses: the MkDocs plugin, the CLI and the tests. Misses
asked for together (`run_many`, `run_all`) run side by side, one per worker.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gradbook.engine.backends import DEFAULT_BACKEND, backend_installed, backend_versions
from gradbook.engine.cache import SnippetCache
from gradbook.engine.cache_key import current_environment, snippet_base_key
from gradbook.engine.device import expected_device_kind, worker_slots
from gradbook.engine.results import SnippetFailure, SnippetRun
from gradbook.engine.run_timings import RunTimings
from gradbook.engine.snippet import Snippet, display_path
from gradbook.engine.worker_pool import WorkerPool
from gradbook.engine.worker_process import WorkerProcess, WorkerStartupError

DEFAULT_TIMEOUT = 180.0
DEFAULT_MEMORY_LIMIT_MIB = 8192  # per snippet, beyond the warm worker's own footprint
WORKERS_VARIABLE = "GRADBOOK_WORKERS"


def workers_from_environment() -> int | None:
    """GRADBOOK_WORKERS=N: N workers per backend, e.g. several sharing one GPU for small snippets."""
    setting = os.environ.get(WORKERS_VARIABLE, "").strip()
    if not setting:
        return None
    if not setting.isdigit() or int(setting) < 1:
        raise ValueError(f"{WORKERS_VARIABLE} must be a positive whole number, not {setting!r}")
    return int(setting)


class SnippetRunner:
    def __init__(
        self,
        project_root: Path,
        cache_dir: Path,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        force_cpu: bool = False,
        memory_limit_mib: int = DEFAULT_MEMORY_LIMIT_MIB,
        workers: int | None = None,
        niceness: int = 0,
        report: Callable[[str], None] = print,
    ):
        self.project_root = Path(project_root).resolve()
        self.timeout = timeout
        self.force_cpu = force_cpu
        self.report = report
        self.cache = SnippetCache(Path(cache_dir), self.project_root, warn=lambda text: report(f"warning: {text}"))
        # `workers` (or GRADBOOK_WORKERS) overrides the machine's count (one per core, or one per GPU).
        self._slots = worker_slots(force_cpu, count=workers or workers_from_environment())
        self._memory_limit_mib = memory_limit_mib
        self._niceness = niceness  # `mkdocs serve`: snippets run behind the pages, which go first
        self._free_slots = threading.BoundedSemaphore(len(self._slots))
        self._pools_lock = threading.Lock()
        self.timings = RunTimings(Path(cache_dir) / "timings.json", warn=lambda text: report(f"warning: {text}"))
        # One pool per Keras backend (a process cannot switch); JAX and torch pools start on first use.
        self.pools = {DEFAULT_BACKEND: self._new_pool(DEFAULT_BACKEND)}
        self.executed: list[str] = []  # names run (not read from cache) since the runner was made

    @property
    def pool(self) -> WorkerPool:
        """The TensorFlow pool, which runs most snippets."""
        return self.pools[DEFAULT_BACKEND]

    def _new_pool(self, backend: str) -> WorkerPool:
        return WorkerPool([
            WorkerProcess(self.project_root, self.force_cpu, self._memory_limit_mib, slot, backend, self._niceness)
            for slot in self._slots
        ])

    def run_all(
        self, snippets: Iterable[Snippet], seed: int | None = None, execute: bool = True,
        finished: Callable[[Snippet, SnippetRun | SnippetFailure], None] | None = None,
    ) -> dict[str, SnippetRun | SnippetFailure | None]:
        """Results by snippet name; None where execution is off and nothing is cached. `finished`:
        as in run_many."""
        snippets = list(snippets)
        outcomes = self.run_many([(snippet, seed) for snippet in snippets], execute, finished)
        return {snippet.name: outcome for snippet, outcome in zip(snippets, outcomes)}

    def run(self, snippet: Snippet, seed: int | None = None, execute: bool = True) -> SnippetRun | SnippetFailure | None:
        return self.run_many([(snippet, seed)], execute)[0]

    def run_many(
        self, requests: Sequence[tuple[Snippet, int | None]], execute: bool = True,
        finished: Callable[[Snippet, SnippetRun | SnippetFailure], None] | None = None,
    ) -> list[SnippetRun | SnippetFailure | None]:
        """One outcome per (snippet, seed), in order; the cache misses run side by side on the pool.
        `finished(snippet, outcome)` is called as each miss completes (and is cached), in any order."""
        environment = current_environment(expected_device_kind(self.force_cpu))
        outcomes, misses = [], []
        for index, (snippet, seed) in enumerate(requests):
            # The file's own seed and the same seed given explicitly are one run, so they share a key.
            seed = snippet.seed if seed is None else seed
            if not backend_installed(snippet.backend):
                outcomes.append(SnippetFailure(
                    snippet.name, display_path(snippet.path, self.project_root), None,
                    f"needs the Keras backend '{snippet.backend}', which is not installed",
                ))
                continue
            base_key = snippet_base_key(snippet.source, seed, environment, backend_versions(snippet.backend))
            cached = self.cache.load(base_key)
            if cached is not None:
                self.report(f"{_label(snippet, seed)}: cached (ran in {cached.seconds:.1f} s on {cached.device})")
            elif execute:
                misses.append((index, snippet, seed, base_key))
            else:
                self.report(f"{_label(snippet, seed)}: not in the cache, not run by this call")
            outcomes.append(cached)
        self._run_misses(misses, outcomes, finished)
        return outcomes

    def _run_misses(self, misses, outcomes, finished) -> None:
        """Run the misses side by side, at most one per worker slot (a core, or a GPU) whatever their
        backends, so one backend's last snippets never leave a core idle while another's wait; those
        that took longest last time start first, so a long one does not run alone at the end."""
        with self._pools_lock:  # two background rounds of `mkdocs serve` may both want a new backend
            for backend in {snippet.backend for _, snippet, _, _ in misses}:
                if backend not in self.pools:
                    self.pools[backend] = self._new_pool(backend)
        hints = self.timings.load()
        # Unknown ones first (nothing says they are short), those that declare a longer timeout
        # before the rest (an author raises it for a long run); then the longest last time first.
        ordered = sorted(misses, key=lambda miss: (
            (0, -(miss[1].timeout or 0)) if miss[1].name not in hints else (1, -hints[miss[1].name])
        ))

        def run_one(miss):
            with self._free_slots:  # shared with other calls, e.g. `mkdocs serve`'s background rounds
                return self.pools[miss[1].backend].run(functools.partial(self._execute, miss=miss, finished=finished))

        if len(ordered) <= 1 or len(self._slots) == 1:
            results = [run_one(miss) for miss in ordered]
        else:
            with ThreadPoolExecutor(max_workers=min(len(self._slots), len(ordered)), thread_name_prefix="gradbook-run") as threads:
                results = list(threads.map(run_one, ordered))
        for (index, snippet, _, _), outcome in zip(ordered, results):
            outcomes[index] = outcome
        self.executed += [snippet.name for _, snippet, _, _ in misses]  # in request order

    def _execute(self, worker: WorkerProcess, miss, finished=None) -> SnippetRun | SnippetFailure:
        _, snippet, seed, base_key = miss
        timeout = snippet.timeout or self.timeout
        try:
            outcome = worker.run(
                snippet.path.resolve(), display_path(snippet.path, self.project_root), seed, timeout, snippet.uses_backend,
            )
        except WorkerStartupError as error:
            outcome = SnippetFailure(snippet.name, display_path(snippet.path, self.project_root), None, str(error))
        if isinstance(outcome, SnippetFailure):
            self.report(f"{_label(snippet, seed)}: failed at {outcome.location}: {outcome.message}")
        else:
            self.report(f"{_label(snippet, seed)}: ran in {outcome.seconds:.1f} s on {outcome.device}")
            self.cache.store(base_key, outcome)
            if seed == snippet.seed:  # the figures drawn at its own seed make that run the longest
                self.timings.record(snippet.name, outcome.seconds)
        if finished is not None:
            finished(snippet, outcome)
        return outcome

    def prewarm(self) -> None:
        """Start the workers in the background, so the next misses do not wait for TensorFlow."""
        self.pool.prewarm()

    def close(self) -> None:
        started = {backend: pool for backend, pool in self.pools.items() if pool.starts}
        if started:
            pools = ", ".join(f"{len(pool.workers)} {backend}" for backend, pool in started.items())
            self.report(
                f"workers: {pools} in the pool, started {sum(p.starts for p in started.values())} time(s), "
                f"ran {len(self.executed)} snippet(s), "
                f"peak memory {max(p.peak_rss_mib for p in started.values()):.0f} MiB per worker"
            )
        self.timings.save()
        for pool in self.pools.values():
            pool.stop()

    def __enter__(self) -> "SnippetRunner":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _label(snippet: Snippet, seed: int | None) -> str:
    return snippet.name if seed == snippet.seed else f"{snippet.name} (seed {seed})"

