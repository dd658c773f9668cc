"""How long each snippet took when it last ran at its own seed: the runner starts the longest first.

A hint only, never a result: it is kept beside the cache in one small JSON file, read once per
runner and written when the runner closes. An unreadable file is reported and starts afresh; two
builds writing at once lose one's figures, which costs nothing but order.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

from gradbook.engine.atomic_write import write_atomically


class RunTimings:
    def __init__(self, path: Path, warn: Callable[[str], None] = print):
        self.path = Path(path)
        self.warn = warn
        self._seconds: dict[str, float] | None = None
        self._changed = False
        self._lock = threading.Lock()

    def load(self) -> dict[str, float]:
        """Seconds by snippet name (a copy): those read from the file, updated by this runner's runs."""
        with self._lock:
            if self._seconds is None:
                self._seconds = self._read()
            return dict(self._seconds)

    def record(self, name: str, seconds: float) -> None:
        with self._lock:
            if self._seconds is None:
                self._seconds = self._read()
            self._seconds[name] = seconds
            self._changed = True

    def save(self) -> None:
        with self._lock:
            if not self._changed:
                return
            # Names recorded by another build since this one read the file are kept.
            merged = self._read(quiet=True) | self._seconds
            self._changed = False
        write_atomically(self.path, json.dumps(merged, sort_keys=True, indent=0))

    def _read(self, quiet: bool = False) -> dict[str, float]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            if not quiet:
                self.warn(f"run timings {self.path} are unreadable ({error}); starting them afresh")
            return {}
        if not isinstance(data, dict):
            if not quiet:
                self.warn(f"run timings {self.path} are malformed; starting them afresh")
            return {}
        return {name: float(seconds) for name, seconds in data.items() if isinstance(seconds, (int, float))}
