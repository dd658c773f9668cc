"""The run-time hints the runner orders misses by: kept across runners, never a reason to fail."""

from __future__ import annotations

import json

from gradbook.engine.run_timings import RunTimings


def test_recorded_times_are_saved_and_read_back(tmp_path):
    first = RunTimings(tmp_path / "timings.json")
    assert first.load() == {}
    first.record("a", 2.5)
    first.save()
    assert RunTimings(tmp_path / "timings.json").load() == {"a": 2.5}


def test_a_build_saving_later_keeps_what_another_build_recorded(tmp_path):
    path = tmp_path / "timings.json"
    one, other = RunTimings(path), RunTimings(path)
    one.load(), other.load()
    one.record("a", 1.0)
    other.record("b", 2.0)
    one.save()
    other.save()
    assert json.loads(path.read_text()) == {"a": 1.0, "b": 2.0}


def test_nothing_recorded_writes_nothing(tmp_path):
    timings = RunTimings(tmp_path / "timings.json")
    timings.load()
    timings.save()
    assert not (tmp_path / "timings.json").exists()


def test_an_unreadable_or_malformed_file_is_named_and_started_afresh(tmp_path):
    warnings = []
    path = tmp_path / "timings.json"
    for content, problem in ((b"\x00\xff garbage", "unreadable"), (b"[1, 2]", "malformed")):
        path.write_bytes(content)
        timings = RunTimings(path, warn=warnings.append)
        assert timings.load() == {}
        assert str(path) in warnings[-1] and problem in warnings[-1]
        timings.record("a", 1.0)
        timings.save()
        assert json.loads(path.read_text()) == {"a": 1.0}
