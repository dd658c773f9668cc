"""A file's version for in-memory memos: its (size, modification time), read with one stat."""

from __future__ import annotations

from pathlib import Path


def file_version(path: Path) -> tuple[int, int] | None:
    """(size, modification time in ns), or None where the file cannot be stat'ed: a change of either
    means the file was written again, so a memo keyed on it is read afresh."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns
