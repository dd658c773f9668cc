"""The snippet cache: entries read once are remembered while their file is unchanged, never after."""

from __future__ import annotations

from dataclasses import replace

from gradbook.engine.cache import SnippetCache
from gradbook.engine.results import SnippetRun


def a_run(value: int) -> SnippetRun:
    return SnippetRun(name="demo", seed=0, values={"x": value}, cell_outputs={}, figures=[], device="CPU",
                      versions={}, seconds=1.0)


def test_an_unchanged_entry_is_handed_back_as_the_same_object_and_a_changed_one_is_read_again(tmp_path):
    warnings = []
    cache = SnippetCache(tmp_path / "cache", tmp_path, warn=warnings.append)
    cache.store("key", a_run(1))
    first = cache.load("key")
    assert first == a_run(1) and cache.load("key") is first
    # Another build stores a new run under the same key: this cache reads it, not its memory.
    SnippetCache(tmp_path / "cache", tmp_path).store("key", replace(a_run(2), seconds=2.5))
    assert cache.load("key").values == {"x": 2}
    # A damaged entry is a miss (named), however recently it was remembered.
    entry, = (tmp_path / "cache" / "entries").glob("*.json")
    entry.write_bytes(b"\x00\xff garbage")
    assert cache.load("key") is None and str(entry) in warnings[-1]
