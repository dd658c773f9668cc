"""Where a test run's time went: seconds per test folder and file, from pytest's JUnit report.

`.ci/run` writes the report (ci-report.xml) and prints this table after the tests; pytest's own
`--durations` lists the slowest single tests and fixtures beside it. A test's time in the report
includes its fixtures' setup, so the first test to ask for a session fixture (the site's cold
build, the browser visits) carries that fixture's whole cost: the table names those tests.

    python benchmarks/ci_time.py ci-report.xml
"""

from __future__ import annotations

import argparse
import collections
import xml.etree.ElementTree as ElementTree
from pathlib import Path

BIG_SINGLE_TEST_SECONDS = 60.0  # a lone test this slow is (or holds) a session fixture worth naming


def times_by_test(report: Path) -> dict[str, float]:
    """Seconds per test id (path::name), setup and teardown included."""
    times = {}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        path = case.get("classname", "").replace(".", "/") + ".py"
        times[f"{path}::{case.get('name')}"] = float(case.get("time") or 0.0)
    return times


def folder_of(test_id: str) -> str:
    parts = test_id.split("::")[0].split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else parts[0]


def summary(times: dict[str, float]) -> str:
    total = sum(times.values())
    folders, files, counts = collections.Counter(), collections.Counter(), collections.Counter()
    for test_id, seconds in times.items():
        folders[folder_of(test_id)] += seconds
        files[test_id.split("::")[0]] += seconds
        counts[test_id.split("::")[0]] += 1
    lines = [f"Tests: {len(times)}, {total:.0f} s in all, summed over the pytest-xdist workers, which run "
             "side by side (the wall time is on pytest's last line).", "", "| folder | s | share |", "| --- | ---: | ---: |"]
    lines += [f"| {folder} | {seconds:.0f} | {seconds / total:.0%} |" for folder, seconds in folders.most_common()]
    lines += ["", "| file | tests | s |", "| --- | ---: | ---: |"]
    lines += [f"| {name} | {counts[name]} | {seconds:.0f} |" for name, seconds in files.most_common(12)]
    big = [(seconds, test_id) for test_id, seconds in times.items() if seconds >= BIG_SINGLE_TEST_SECONDS]
    if big:
        lines += ["", f"Single tests over {BIG_SINGLE_TEST_SECONDS:.0f} s (the first to ask for a session fixture pays for it):"]
        lines += [f"- {seconds:.0f} s {test_id}" for seconds, test_id in sorted(big, reverse=True)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", type=Path, help="pytest's --junitxml report")
    print(summary(times_by_test(parser.parse_args().report)))


if __name__ == "__main__":
    main()
