"""Run a set of snippets: cache hits are read, misses go to the warm worker, results come back.

This is the one code path every caller uses: the MkDocs plugin, the CLI and the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from gradbook.engine.cache import SnippetCache
from gradbook.engine.cache_key import current_environment, snippet_base_key
from gradbook.engine.device import expected_device_kind
from gradbook.engine.results import SnippetFailure, SnippetRun
from gradbook.engine.snippet import Snippet, display_path
from gradbook.engine.worker_process import WorkerProcess, WorkerStartupError

DEFAULT_TIMEOUT = 180.0
DEFAULT_MEMORY_LIMIT_MIB = 8192  # per snippet, beyond the warm worker's own footprint


class SnippetRunner:
    def __init__(
        self,
        project_root: Path,
        cache_dir: Path,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        force_cpu: bool = False,
        memory_limit_mib: int = DEFAULT_MEMORY_LIMIT_MIB,
        report: Callable[[str], None] = print,
    ):
        self.project_root = Path(project_root).resolve()
        self.timeout = timeout
        self.force_cpu = force_cpu
        self.report = report
        self.cache = SnippetCache(Path(cache_dir), self.project_root, warn=lambda text: report(f"warning: {text}"))
        self.worker = WorkerProcess(self.project_root, force_cpu, memory_limit_mib)
        self.executed: list[str] = []  # names run (not read from cache) since the runner was made

    def run_all(
        self, snippets: Iterable[Snippet], seed: int | None = None, execute: bool = True
    ) -> dict[str, SnippetRun | SnippetFailure | None]:
        """Results by snippet name; None where execution is off and nothing is cached."""
        return {snippet.name: self.run(snippet, seed, execute) for snippet in snippets}

    def run(self, snippet: Snippet, seed: int | None = None, execute: bool = True) -> SnippetRun | SnippetFailure | None:
        environment = current_environment(expected_device_kind(self.force_cpu))
        # The file's own seed and the same seed given explicitly are one run, so they share a key.
        seed = snippet.seed if seed is None else seed
        base_key = snippet_base_key(snippet.source, seed, environment)
        cached = self.cache.load(base_key)
        label = snippet.name if seed == snippet.seed else f"{snippet.name} (seed {seed})"
        if cached is not None:
            self.report(f"{label}: cached (ran in {cached.seconds:.1f} s on {cached.device})")
            return cached
        if not execute:
            self.report(f"{label}: not executed (execution is off)")
            return None
        outcome = self._execute(snippet, seed)
        self.executed.append(snippet.name)
        if isinstance(outcome, SnippetFailure):
            self.report(f"{label}: failed at {outcome.location}: {outcome.message}")
        else:
            self.report(f"{label}: ran in {outcome.seconds:.1f} s on {outcome.device}")
            self.cache.store(base_key, outcome)
        return outcome

    def _execute(self, snippet: Snippet, seed: int | None) -> SnippetRun | SnippetFailure:
        timeout = snippet.timeout or self.timeout
        try:
            return self.worker.run(snippet.path.resolve(), display_path(snippet.path, self.project_root), seed, timeout)
        except WorkerStartupError as error:
            return SnippetFailure(snippet.name, display_path(snippet.path, self.project_root), None, str(error))

    def prewarm(self) -> None:
        """Start the worker in the background, so the next miss does not wait for TensorFlow."""
        if not self.worker.alive:
            self.worker.spawn()

    def close(self) -> None:
        if self.worker.starts:
            self.report(
                f"worker: started {self.worker.starts} time(s), ran {len(self.executed)} snippet(s), "
                f"peak memory {self.worker.peak_rss_mib:.0f} MiB"
            )
        self.worker.stop()

    def __enter__(self) -> "SnippetRunner":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
