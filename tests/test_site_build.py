"""The real site builds with --strict, quotes the published values, and a second build reuses the cache."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT


def mkdocs_build(project: Path, site_dir: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"), "-d", str(site_dir), *extra]
    environment = dict(os.environ, NO_MKDOCS_2_WARNING="1", **(env or {}))
    return subprocess.run(command, cwd=project, capture_output=True, text=True, env=environment, timeout=1200)


@pytest.fixture(scope="module")
def built_site(tmp_path_factory, published):
    published("layer_gradient_norms", 0)  # warm the shared cache through the same engine
    site = tmp_path_factory.mktemp("site")
    result = mkdocs_build(PROJECT_ROOT, site)
    assert result.returncode == 0, result.stderr
    return site, result.stderr


def test_strict_build_publishes_the_values_the_engine_computes(built_site, published):
    site, _ = built_site
    document = json.loads((site / "values.json").read_text())
    for name in ("sigmoid_derivative", "layer_gradient_norms"):
        entry = document["snippets"][name]
        assert entry["values"] == published(name, 0)
        assert entry["seed"] == 0 and entry["device"] and entry["versions"]["tensorflow"]


def test_page_quotes_values_and_shows_figures_with_alt_text(built_site, published):
    site, _ = built_site
    html = (site / "vanishing" / "why-sigmoid-gradients-vanish" / "index.html").read_text()
    assert "{{" not in html and "@figure" not in html and "@snippet" not in html
    assert f"{published('sigmoid_derivative', 0)['peak_derivative']:.6f}" in html
    assert f"{published('layer_gradient_norms', 0)['tanh_ratio']:.2f}" in html
    images = re.findall(r'<img alt="([^"]+)" src="([^"]+\.svg)"', html)
    assert len(images) == 2 and all(alt for alt, _ in images)
    for _, source in images:
        assert (site / "vanishing" / "why-sigmoid-gradients-vanish" / source).resolve().is_file()
    assert html.count("Ran on CPU with TensorFlow") == 2


def test_snippets_are_offered_as_source_and_executed_notebook(built_site):
    site, _ = built_site
    source = (site / "snippets" / "layer_gradient_norms.py").read_text()
    assert source == (PROJECT_ROOT / "snippets" / "layer_gradient_norms.py").read_text()
    notebook = json.loads((site / "downloads" / "layer_gradient_norms.ipynb").read_text())
    outputs = [output for cell in notebook["cells"] if cell["cell_type"] == "code" for output in cell["outputs"]]
    assert any("image/svg+xml" in output.get("data", {}) for output in outputs)
    assert any(output.get("name") == "stdout" for output in outputs)
    assert (site / "notebooks" / "layer_gradient_norms" / "index.html").is_file()


def test_second_build_reuses_the_cache(built_site, tmp_path):
    result = mkdocs_build(PROJECT_ROOT, tmp_path / "again")
    assert result.returncode == 0, result.stderr
    assert not re.search(r"snippet \w+: ran in", result.stderr)
    assert result.stderr.count(": cached (") == 2


def test_build_with_execution_off_marks_nothing_as_fresh(tmp_path):
    project = throwaway_site(tmp_path, {"never_ran": "results = {'x': 1}\n"}, "# Home\n\n@snippet never_ran\n\nx is {{ never_ran.x }}\n")
    result = mkdocs_build(project, tmp_path / "site", env={"GRADBOOK_EXECUTE": "0"})
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "index.html").read_text()
    assert "Not executed" in html and "[not executed]" in html


def throwaway_site(tmp_path: Path, snippets: dict[str, str], page: str) -> Path:
    project = tmp_path / "project"
    (project / "snippets").mkdir(parents=True)
    (project / "docs").mkdir()
    config = (PROJECT_ROOT / "mkdocs.yml").read_text()
    config = re.sub(r"\nnav:.*", "\n", config, flags=re.S).replace("extra_css:\n  - stylesheets/figures.css\n", "")
    (project / "mkdocs.yml").write_text(config)
    for name, source in snippets.items():
        (project / "snippets" / f"{name}.py").write_text(source)
    (project / "docs" / "index.md").write_text(page)
    return project


def test_failing_snippet_fails_strict_build_with_file_and_line_while_others_run(tmp_path):
    project = throwaway_site(
        tmp_path,
        {"broken": "x = 1\nraise ValueError('bad input shape')\n", "fine": "results = {'x': 1}\n"},
        "# Home\n\n@snippet broken\n\n@snippet fine\n\nGone: {{ missing.value }}\n",
    )
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode != 0
    assert "snippets/broken.py:2: ValueError: bad input shape" in result.stderr
    assert "snippet fine: ran in" in result.stderr
    assert "docs/index.md:7: no snippet named 'missing'" in result.stderr
    assert len(list((project / ".cache" / "gradbook" / "entries").glob("*.json"))) == 1  # only fine is stored

    # Without --strict (as under `mkdocs serve`) the site still builds and the page shows the error.
    relaxed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", str(tmp_path / "relaxed")],
        cwd=project, capture_output=True, text=True, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"), timeout=1200,
    )
    assert relaxed.returncode == 0, relaxed.stderr
    html = (tmp_path / "relaxed" / "index.html").read_text()
    assert "This snippet failed: snippets/broken.py:2" in html and "bad input shape" in html
