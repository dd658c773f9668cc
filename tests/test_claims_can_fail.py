"""Every claim test fails when the measurements it reads are wrong.

A claim test that passes whatever the snippet measured checks nothing. This runs tests/claims/
once per corruption mode of tests/value_corruption.py (published numbers scaled by 10³ or 10⁻³,
all together or alternately, booleans flipped) and requires every claim test to fail in at least
one mode. It runs after tests/claims/ has filled the snippet cache, so it re-executes nothing.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import PROJECT_ROOT
from tests.value_corruption import MODES

CLAIMS = PROJECT_ROOT / "tests" / "claims"


def claim_test_functions() -> dict[str, ast.FunctionDef]:
    functions = {}
    for module in sorted(CLAIMS.glob("test_*.py")):
        for node in ast.parse(module.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                functions[f"{module.stem}::{node.name}"] = node
    return functions


def test_every_claim_test_reads_published_measurements():
    # tests/claims/ holds only checks of what snippets measured; helpers and formats are tested elsewhere.
    readers = {name for name, node in claim_test_functions().items() if "published" in {a.arg for a in node.args.args}}
    assert set(claim_test_functions()) - readers == set()


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, tuple[set[str], set[str]]]:
    """mode -> (every test case run, the cases that failed), cases named 'module::function[params]'."""

    def run(mode: str) -> tuple[set[str], set[str]]:
        report = tmp_path_factory.mktemp(mode) / "report.xml"
        # No tracebacks: the report's failure elements are all this reads, and formatting some
        # thousand failures was a third of each run.
        subprocess.run(
            [sys.executable, "-m", "pytest", str(CLAIMS), "-q", "-n", "0", "-p", "no:cacheprovider", "--tb=no", f"--junitxml={report}"],
            cwd=PROJECT_ROOT, env=dict(os.environ, GRADBOOK_CORRUPT_VALUES=mode), capture_output=True, timeout=1800,
        )
        return read_report(report)

    # Each run only reads the cache that tests/claims/ filled, on one core: run them side by side.
    with ThreadPoolExecutor(max(1, min(len(MODES), os.cpu_count() or 1))) as threads:
        return dict(zip(MODES, threads.map(run, MODES)))


def read_report(report) -> tuple[set[str], set[str]]:
    cases, failed = set(), set()
    for case in ElementTree.parse(report).iter("testcase"):
        name = f"{case.get('classname').rsplit('.', 1)[-1]}::{case.get('name')}"
        cases.add(name)
        if case.find("failure") is not None or case.find("error") is not None:
            failed.add(name)
    return cases, failed


def test_every_claim_test_ran_under_every_corruption(reports):
    functions = set(claim_test_functions())
    for cases, _ in reports.values():
        assert functions - {case.split("[")[0] for case in cases} == set()


def test_every_claim_test_case_fails_on_wrong_values(reports):
    # Each case (each seed, each configuration) must be caught by at least one mode.
    cases = set().union(*(cases for cases, _ in reports.values()))
    caught = set().union(*(failed for _, failed in reports.values()))
    assert sorted(cases - caught) == []
