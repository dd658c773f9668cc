"""Run cache misses in the background, so `mkdocs serve` shows the site before every snippet has run.

`BackgroundRuns.submit` hands misses to the runner on a thread of its own and returns at once;
until a snippet finishes, `status` reports it pending with the round's progress, which the page
shows in place of its figure and numbers. `on_result` is called after each snippet lands, so the
caller can trigger a rebuild: a success is then read from the cache; a failure, which is never
cached, is kept here (for that exact source) so the rebuild shows it instead of running it again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from gradbook.engine.results import SnippetFailure, SnippetPending
from gradbook.engine.runner import SnippetRunner
from gradbook.engine.snippet import Snippet


class BackgroundRuns:
    def __init__(self, runner: SnippetRunner, on_result: Callable[[str], None]):
        self.runner, self.on_result = runner, on_result
        self._lock = threading.Lock()
        self._running: dict[tuple[str, str], None] = {}  # (name, source) in flight, in submission order
        self._failed: dict[tuple[str, str], SnippetFailure] = {}
        self._done = self._total = 0
        self._threads: list[threading.Thread] = []

    def submit(self, snippets: Sequence[Snippet]) -> None:
        """Start the snippets not already in flight (an edited snippet is new: its source differs)."""
        with self._lock:
            fresh = [
                snippet for snippet in snippets
                if (snippet.name, snippet.source) not in self._running and (snippet.name, snippet.source) not in self._failed
            ]
            if not self._running:
                self._done = self._total = 0  # a new round of work: progress counts from zero
            for snippet in fresh:
                self._running[(snippet.name, snippet.source)] = None
            self._total += len(fresh)
        if fresh:
            self.runner.report(f"{len(fresh)} snippet(s) run in the background: {', '.join(s.name for s in fresh)}")
            thread = threading.Thread(target=self._run, args=(fresh,), name="gradbook-background", daemon=True)
            self._threads.append(thread)
            thread.start()

    def status(self, snippet: Snippet) -> SnippetPending | SnippetFailure | None:
        """Pending or failed in the background; None once it succeeded (the cache has it) or was never submitted."""
        key = (snippet.name, snippet.source)
        with self._lock:
            if key in self._running:
                return SnippetPending(snippet.name, self._done, self._total)
            return self._failed.get(key)

    def forget_failures(self) -> None:
        """Let failed snippets run again (an author edited something, perhaps the helper they import)."""
        with self._lock:
            self._failed.clear()

    def wait(self, timeout: float | None = None) -> None:
        for thread in list(self._threads):
            thread.join(timeout)

    def _run(self, snippets: list[Snippet]) -> None:
        self.runner.run_many([(snippet, None) for snippet in snippets], finished=self._finished)

    def _finished(self, snippet: Snippet, outcome) -> None:
        with self._lock:
            self._running.pop((snippet.name, snippet.source), None)
            if isinstance(outcome, SnippetFailure):
                self._failed[(snippet.name, snippet.source)] = outcome
            self._done += 1
        self.on_result(snippet.name)
