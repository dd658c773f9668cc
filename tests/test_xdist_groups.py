"""The tests that use the project's own cache all run in one pytest-xdist worker (tests/conftest.py).

The scheduler sees only test ids, so it groups by file (PROJECT_PATHS). A test elsewhere that asked
for a project fixture would get a second session in the other worker: a second cold build of the
whole site beside the first, on the same cache. This finds such a test from the source, following
fixtures that depend on the project fixtures (site_url, page_reports, ...).
"""

from __future__ import annotations

import ast

from tests.conftest import PROJECT_FIXTURES, PROJECT_ROOT, in_project_group

TESTS = PROJECT_ROOT / "tests"


def _functions(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]


def _is_fixture(function: ast.FunctionDef) -> bool:
    return any("fixture" in ast.unparse(decorator) for decorator in function.decorator_list)


def _parameters(function: ast.FunctionDef) -> set[str]:
    return {argument.arg for argument in function.args.args}


def project_dependent_fixtures() -> set[str]:
    """The project fixtures and every fixture that asks for one, directly or not."""
    fixtures = [function for path in TESTS.rglob("*.py") for function in _functions(path) if _is_fixture(function)]
    dependent = set(PROJECT_FIXTURES)
    while True:
        more = {fixture.name for fixture in fixtures if _parameters(fixture) & dependent} - dependent
        if not more:
            return dependent
        dependent |= more


def uses_outside_the_group(fixtures: set[str]) -> list[str]:
    found = []
    for path in sorted(TESTS.rglob("test_*.py")):
        relative = path.relative_to(PROJECT_ROOT).as_posix()
        if in_project_group(f"{relative}::x"):
            continue
        found += [f"{relative}::{function.name}" for function in _functions(path) if _parameters(function) & fixtures]
    return found


def test_project_fixtures_are_only_used_in_the_project_group():
    fixtures = project_dependent_fixtures()
    assert {"site_url", "page_reports"} <= fixtures  # it follows the browser tests' fixtures
    assert uses_outside_the_group(fixtures) == []


def test_the_group_is_found_by_file():
    assert in_project_group("tests/claims/test_faq.py::test_x[0]")
    assert in_project_group("tests/browser/test_explorer.py::test_y")
    assert not in_project_group("tests/faults/test_rebuilds.py::test_z")
    assert not in_project_group("tests/engine/test_worker.py::test_w")
