"""Memos of a long `mkdocs serve` session stay bounded: the oldest entries go, the newest stay."""

from __future__ import annotations

import sys
import threading

import pytest

from gradbook.engine import cache as cache_module
from gradbook.engine.bounded_memo import BoundedMemo
from gradbook.engine.cache import SnippetCache
from tests.engine.test_cache import a_run


def test_a_new_key_past_the_bound_drops_the_oldest_and_setting_a_key_again_makes_it_newest():
    memo = BoundedMemo(3)
    for key in "abc":
        memo[key] = key.upper()
    memo["a"] = "A again"  # now the newest: "b" is the oldest
    memo["d"] = "D"
    assert list(memo) == ["c", "a", "d"] and memo["a"] == "A again"
    with pytest.raises(ValueError):
        BoundedMemo(0)


def test_the_snippet_cache_remembers_only_the_newest_entries(tmp_path, monkeypatch):
    # What a serve session does: each edit stores and loads a run under a new key.
    monkeypatch.setattr(cache_module, "REMEMBERED_ENTRIES", 4)
    cache = SnippetCache(tmp_path / "cache", tmp_path)
    for edit in range(10):
        cache.store(f"key{edit}", a_run(edit))
        assert cache.load(f"key{edit}").values == {"x": edit}
    assert len(cache._remembered) == 4
    latest = cache.load("key9")
    assert cache.load("key9") is latest  # the newest is still handed back from memory
    assert cache.load("key0").values == {"x": 0}  # a forgotten one is read from disk again


def test_threads_setting_keys_at_once_keep_the_bound_and_raise_nothing():
    # Switch threads as often as the interpreter can, so that eviction without the lock is
    # interrupted between its steps (here it then raised "dictionary changed size during
    # iteration" in three of the four threads).
    memo = BoundedMemo(8)
    errors = []

    def fill(thread: int):
        try:
            for n in range(20000):
                memo[(thread, n % 50)] = n
        except Exception as error:  # a thread's exception would otherwise only be printed
            errors.append(error)

    threads = [threading.Thread(target=fill, args=(thread,)) for thread in range(4)]
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(previous)
    assert errors == [] and len(memo) == 8
