"""Keep mkdocs-jupyter's render cache from crashing a build.

mkdocs-jupyter reads its cache entries with a bare `json.loads`, so one truncated or garbled file
in `.cache/mkdocs-jupyter/` would stop the build with a traceback. Before it renders anything,
entries that do not parse as the JSON object it wrote are removed, so they are misses it rebuilds.
"""

from __future__ import annotations

import json
from pathlib import Path

from gradbook.engine.file_version import file_version

EXPECTED_KEYS = {"content", "toc_tokens"}


# Entries found readable, with the (size, modification time) they had: a `mkdocs serve` rebuild
# parses only the entries written or changed since.
_CHECKED: dict[Path, tuple[int, int]] = {}


def discard_unreadable_entries(cache_dir: Path) -> list[Path]:
    """Delete every `*.json` entry in `cache_dir` that mkdocs-jupyter could not read; return them."""
    discarded = []
    for entry in sorted(cache_dir.glob("*.json")) if cache_dir.is_dir() else []:
        try:
            version = file_version(entry)
            known = version is not None and _CHECKED.get(entry) == version
            readable = known or EXPECTED_KEYS <= set(json.loads(entry.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            readable = False
        if readable:
            _CHECKED[entry] = version
        else:
            _CHECKED.pop(entry, None)
            entry.unlink(missing_ok=True)
            discarded.append(entry)
    return discarded
