"""The real site builds with --strict, quotes the published values, and a second build reuses the cache."""

from __future__ import annotations

import json
import re

import pytest

from tests.site_helpers import PROJECT_ROOT, mkdocs_build, throwaway_site


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
    images = re.findall(r'<img alt="([^"]+)" loading="lazy" src="([^"#]+\.svg)#only-(light|dark)"', html)
    assert sorted(palette for _, _, palette in images) == ["dark", "dark", "light", "light"]
    assert all(alt for alt, _, _ in images)
    for _, source, palette in images:
        assert source.endswith("-dark.svg") == (palette == "dark")
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
    snippet_count = len([path for path in (PROJECT_ROOT / "snippets").glob("*.py") if not path.name.startswith("_")])
    assert result.stderr.count(": cached (") == snippet_count


def test_build_with_execution_off_marks_nothing_as_fresh(tmp_path):
    project = throwaway_site(
        tmp_path / "project", {"never_ran": "results = {'x': 1}\n"},
        {"index.md": "# Home\n\n@snippet never_ran\n\nx is {{ never_ran.x }}\n"},
    )
    result = mkdocs_build(project, tmp_path / "site", env={"GRADBOOK_EXECUTE": "0"})
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "index.html").read_text()
    assert "Not executed" in html and "[not executed]" in html



def test_executed_notebooks_stay_out_of_search_but_pages_are_in_it(built_site):
    site, _ = built_site
    locations = [entry["location"] for entry in json.loads((site / "search" / "search_index.json").read_text())["docs"]]
    assert not [location for location in locations if location.startswith("notebooks/")]
    assert any(location.startswith("vanishing/why-sigmoid-gradients-vanish/") for location in locations)
