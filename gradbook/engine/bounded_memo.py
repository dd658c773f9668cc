"""A memo that keeps its newest entries only.

The in-memory memos of a `mkdocs serve` session are keyed on content (a cache entry's path, a
notebook's digest): every edit of a snippet adds a key and leaves the old one behind, holding a run
with its figures. A long session would grow without end; this keeps the `kept` newest, which is
well above what one build reads, so a build still finds all it needs.
"""

from __future__ import annotations

import threading


class BoundedMemo(dict):
    """A dict of at most `kept` keys: setting a new key past that drops the oldest; setting one
    already there makes it the newest. Only `memo[key] = value` counts (not update or setdefault)."""

    def __init__(self, kept: int):
        if kept < 1:
            raise ValueError("a bounded memo keeps at least one entry")
        super().__init__()
        self.kept = kept
        # `mkdocs serve` loads runs on its background thread too: check-then-delete must not interleave.
        self._lock = threading.Lock()

    def __setitem__(self, key, value) -> None:
        with self._lock:
            if key in self:
                del self[key]
            elif len(self) >= self.kept:
                del self[next(iter(self))]  # dicts keep insertion order: the first is the oldest
            super().__setitem__(key, value)
