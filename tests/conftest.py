"""Shared fixtures: the real project's snippet runner, and throwaway projects for engine tests."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from gradbook.engine import SnippetRunner, load_snippet
from gradbook.engine.backends import backend_installed
from tests.value_corruption import corrupt_values

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CLAIM_SEEDS = (0, 1, 2)
# Set by tests/test_claims_can_fail.py: the claim tests then read deliberately wrong values.
CORRUPTION = os.environ.get("GRADBOOK_CORRUPT_VALUES", "")


# The tests that read or fill the real project's snippet cache, by file. pytest-xdist (`-n 2` in
# pyproject.toml's addopts) runs them in one worker, in file order: the browser tests' site runs every
# snippet at its own seed (on the claim tests' pool, then builds from the cache), the claim tests add
# seeds 1 and 2, test_claims_can_fail reads all three. Every other test (engine, faults: throwaway
# sites) goes to the other worker as it frees up. (pytest-xdist's own `--dist loadgroup` does not work
# with pytest 9, whose test ids it can no longer rewrite; test_project_fixtures_are_only_used_in_the_project_group
# guards this list.)
PROJECT_PATHS = ("tests/browser/", "tests/claims/", "tests/test_site_build.py", "tests/test_claims_can_fail.py")
PROJECT_FIXTURES = {"project_runner", "published", "built_site"}


def in_project_group(nodeid: str) -> bool:
    return nodeid.startswith(PROJECT_PATHS)


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ProjectCacheTogether(LoadScopeScheduling):
        """One work unit for the project group, one per test for the rest; xdist hands out the
        largest unit first, so the project group starts at once on its own worker."""

        def _split_scope(self, nodeid: str) -> str:
            return "project-cache" if in_project_group(nodeid) else nodeid

    return ProjectCacheTogether(config, log)


@pytest.fixture(scope="session")
def project_runner():
    """One pool of warm workers for every claim test; shares the build's cache, which is keyed on content."""
    with SnippetRunner(PROJECT_ROOT, PROJECT_ROOT / ".cache" / "gradbook", report=lambda text: None) as runner:
        yield runner


@pytest.fixture(scope="session")
def published(project_runner):
    """published(name, seed) -> the values a project snippet publishes when run with that seed;
    published.device(name, seed) -> the device that run used."""
    outcomes = {}
    # What each (name, seed) publishes, read (and corrupted, under test_claims_can_fail) once: the
    # explorer's grid is large, and some fifty tests read it.
    read = {}

    def values(name: str, seed: int) -> dict:
        if (name, seed) in read:
            return read[(name, seed)]
        if (name, seed) not in outcomes:
            # A claim test reads every seed: run them side by side on the worker pool at the first ask.
            snippet = load_snippet(PROJECT_ROOT / "snippets" / f"{name}.py")
            if not backend_installed(snippet.backend):
                # CI installs every backend; this is for a machine that lacks one (the GPU check's).
                pytest.skip(f"{name} needs the Keras backend '{snippet.backend}', not installed here")
            seeds = sorted(set(CLAIM_SEEDS) | {seed})
            if snippet.seed_line is None:
                # It runs every claim seed itself (explore_grid): one run, the build's, serves each ask.
                outcomes.update(dict.fromkeys([(name, s) for s in seeds], project_runner.run(snippet)))
            else:
                outcomes.update(zip([(name, s) for s in seeds], project_runner.run_many([(snippet, s) for s in seeds])))
        read[(name, seed)] = _values(name, seed, outcomes[(name, seed)])
        return read[(name, seed)]

    def device(name: str, seed: int) -> str:
        """Where that run happened ('CPU', 'GPU (NVIDIA H100 80GB HBM3)'): some rounding depends on it."""
        values(name, seed)
        return outcomes[(name, seed)].device

    values.device = device
    return values


def _values(name: str, seed: int, outcome) -> dict:
    assert hasattr(outcome, "values"), f"snippet {name} failed with seed {seed}: {outcome.describe()}"
    values = dict(outcome.values)
    if outcome.data is not None:  # a snippet's data file is a measurement too, and is corrupted alike
        values["site_data"] = json.loads(outcome.data)
    return corrupt_values(values, CORRUPTION) if CORRUPTION else values


class ThrowawayProject:
    """A project folder with its own snippets/ and cache, for testing the engine itself."""

    def __init__(self, root: Path):
        self.root = root
        (root / "snippets").mkdir(parents=True, exist_ok=True)

    def write(self, relative: str, source: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
        return path

    def snippet(self, name: str, source: str | None = None):
        path = self.root / "snippets" / f"{name}.py"
        if source is not None:
            self.write(f"snippets/{name}.py", source)
        return load_snippet(path)


@pytest.fixture
def throwaway(tmp_path) -> ThrowawayProject:
    return ThrowawayProject(tmp_path / "project")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, project_runner):
    """The real site, built once with --strict into a temporary folder: (site folder, build log)."""
    from tests.site_helpers import mkdocs_build

    # Every snippet at its own seed first, on the claim tests' pool (longest first, side by side, as
    # the build would): the build then reads each run from the cache and starts no workers of its
    # own, six fewer imports of TensorFlow, JAX and PyTorch (about 10 CPU-seconds each) than when it
    # ran them itself, beside the claim tests' workers, which start anyway.
    snippets = [load_snippet(path) for path in sorted((PROJECT_ROOT / "snippets").glob("*.py")) if not path.name.startswith("_")]
    project_runner.run_all(snippets)
    site = tmp_path_factory.mktemp("site")
    result = mkdocs_build(PROJECT_ROOT, site)
    assert result.returncode == 0, result.stderr
    return site, result.stderr
