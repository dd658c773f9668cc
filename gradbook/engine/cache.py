"""The on-disk cache of snippet runs: JSON data only, written atomically, failures never stored.

Layout under the cache root:
  manifests/<base key>.json  -> the local modules the last run imported
  entries/<full key>.json    -> the SnippetRun
An unreadable or malformed file is reported and treated as a miss, then overwritten. An entry read
once is remembered with its file's (size, modification time): while those hold, a `mkdocs serve`
rebuild gets the same run object back without reading and parsing ~600 KB of JSON again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from gradbook.engine.atomic_write import write_atomically
from gradbook.engine.bounded_memo import BoundedMemo
from gradbook.engine.cache_key import snippet_cache_key
from gradbook.engine.file_version import file_version
from gradbook.engine.results import SnippetRun

# Runs remembered in memory: the project's snippets at the claim tests' three seeds, with room to grow.
REMEMBERED_ENTRIES = 1024


class SnippetCache:
    def __init__(self, root: Path, project_root: Path, warn: Callable[[str], None] = print):
        self.root = Path(root)
        self.project_root = Path(project_root)
        self.warn = warn
        # Entries by path: a serve session's edits each add one, so only the newest are kept.
        self._remembered: dict[Path, tuple[tuple[int, int], SnippetRun]] = BoundedMemo(REMEMBERED_ENTRIES)

    def load(self, base_key: str) -> SnippetRun | None:
        manifest = self._read_json(self.root / "manifests" / f"{base_key}.json")
        if manifest is None:
            return None
        full_key = self._full_key(base_key, manifest.get("dependencies", []))
        if full_key is None:
            return None
        path = self.root / "entries" / f"{full_key}.json"
        version = file_version(path)
        remembered = self._remembered.get(path)
        if remembered is not None and version is not None and remembered[0] == version:
            return remembered[1]
        data = self._read_json(path)
        if data is None:
            return None
        try:
            run = SnippetRun.from_json(data)
        except (TypeError, KeyError, ValueError, AttributeError):
            self.warn(f"cache entry {path} is malformed; running the snippet again")
            return None
        if version is not None:
            self._remembered[path] = (version, run)
        return run

    def store(self, base_key: str, run: SnippetRun) -> None:
        full_key = self._full_key(base_key, run.dependencies)
        if full_key is None:  # a module vanished between the run and now: nothing sound to store
            return
        self._write_json(self.root / "entries" / f"{full_key}.json", run.to_json())
        self._write_json(self.root / "manifests" / f"{base_key}.json", {"dependencies": run.dependencies})

    def _full_key(self, base_key: str, dependencies: list[str]) -> str | None:
        sources = {}
        for relative in dependencies:
            try:
                sources[relative] = (self.project_root / relative).read_bytes()
            except OSError:
                return None
        return snippet_cache_key(base_key, sources)

    def _read_json(self, path: Path) -> dict | None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            self.warn(f"cache file {path} is unreadable ({error}); treating it as a miss")
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            self.warn(f"cache file {path} is corrupt (truncated or not JSON); treating it as a miss")
            return None
        if not isinstance(data, dict):
            self.warn(f"cache file {path} is malformed; treating it as a miss")
            return None
        return data

    @staticmethod
    def _write_json(path: Path, data: dict) -> None:
        write_atomically(path, json.dumps(data))

