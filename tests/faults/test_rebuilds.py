"""What re-runs when: package versions, `mkdocs serve` rebuilds, and two cold builds agree."""

from __future__ import annotations

import json

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from gradbook.engine import SnippetRunner, cache_key
from gradbook.mkdocs_plugin import SERVE_NICENESS
from tests.site_helpers import PROJECT_ROOT, mkdocs_build, site_files, throwaway_site


def test_a_package_version_change_reruns_everything(throwaway, monkeypatch):
    snippets = [throwaway.snippet(name, f"results = {{'n': {n}}}\n") for n, name in enumerate(["a", "b", "c"])]
    with SnippetRunner(throwaway.root, throwaway.root / ".cache", report=lambda text: None) as runner:
        runner.run_all(snippets)
        runner.executed.clear()
        runner.run_all(snippets)
        assert runner.executed == []
        real = cache_key.installed_versions()
        monkeypatch.setattr(cache_key, "installed_versions", lambda: dict(real, numpy="99.0.0"))
        runner.run_all(snippets)
        assert runner.executed == ["a", "b", "c"]


@pytest.fixture
def served_site(tmp_path):
    """Build the way `mkdocs serve` does: config reloaded per rebuild, plugin instance reused."""
    snippets = {
        "first": "SEED = 0\nresults = {'value': 1}\n",
        "second": "SEED = 0\nresults = {'value': 2}\n",
    }
    page = "# Home\n\nFirst is {{ first.value }} and second is {{ second.value }}.\n\n@snippet first\n\n@snippet second\n"
    project = throwaway_site(tmp_path / "project", snippets, {"index.md": page})
    site = tmp_path / "site"

    def rebuild():
        config = load_config(str(project / "mkdocs.yml"), site_dir=str(site))
        build(config)
        plugin = config.plugins["gradbook"]
        executed = list(plugin.runner.executed)
        plugin.runner.executed.clear()
        return executed, (site / "index.html").read_text(), plugin

    executed, _, plugin = rebuild()
    assert executed == ["first", "second"]
    yield project, rebuild
    plugin.runner.close()


def test_serve_rebuild_after_a_snippet_edit_reruns_only_that_snippet(served_site):
    project, rebuild = served_site
    (project / "snippets" / "first.py").write_text("SEED = 0\nresults = {'value': 11}\n")
    executed, html, plugin = rebuild()
    assert executed == ["first"]
    assert "First is 11 and second is 2." in html
    assert plugin.runner.pool.starts <= len(plugin.runner.pool.workers)  # no worker restarted: warm ones served both builds


def test_serve_rebuild_after_a_page_edit_reruns_nothing(served_site):
    project, rebuild = served_site
    page = project / "docs" / "index.md"
    page.write_text(page.read_text().replace("# Home", "# Home, edited"))
    executed, html, _ = rebuild()
    assert executed == []
    assert "Home, edited" in html and "First is 1 and second is 2." in html


def test_two_cold_builds_publish_identical_values_and_figures(tmp_path):
    names = ["sigmoid_derivative", "layer_gradient_norms"]
    snippets = {name: (PROJECT_ROOT / "snippets" / f"{name}.py").read_text() for name in names}
    page = "# Home\n\n" + "\n\n".join(f"@snippet {name}\n\n@figure {name}" for name in names) + "\n"
    sites = []
    for attempt in range(2):
        # Both snippets side by side on the machine's pool, as the project's build runs them.
        project = throwaway_site(tmp_path / f"project{attempt}", snippets, {"index.md": page}, workers=0)
        result = mkdocs_build(project, tmp_path / f"site{attempt}")
        assert result.returncode == 0, result.stderr
        sites.append(tmp_path / f"site{attempt}")
    values = [json.loads((site / "values.json").read_text())["snippets"] for site in sites]
    assert {n: v["values"] for n, v in values[0].items()} == {n: v["values"] for n, v in values[1].items()}
    figures = sorted(path.name for path in (sites[0] / "figures").glob("*.svg"))
    assert figures == [
        "layer_gradient_norms-1-dark.svg", "layer_gradient_norms-1.svg",
        "sigmoid_derivative-1-dark.svg", "sigmoid_derivative-1.svg",
    ]
    for name in figures:
        assert (sites[0] / "figures" / name).read_bytes() == (sites[1] / "figures" / name).read_bytes(), name


@pytest.fixture
def notebook_site(tmp_path):
    snippets = {
        "plot": "SEED = 0\n# %%\nimport matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.title('t')\nprint('hi')\nresults = {'n': 3}\n",
        "text": "SEED = 0\n# %%\nprint('plain')\nresults = {'m': 1}\n",
    }
    page = "# Home\n\n@snippet plot\n\n@figure plot\n\n@snippet text\n\n{{ plot.n }}\n"
    return throwaway_site(tmp_path / "project", snippets, {"index.md": page})


def test_two_builds_from_one_cache_are_byte_identical(notebook_site, tmp_path):
    first = mkdocs_build(notebook_site, tmp_path / "first")
    second = mkdocs_build(notebook_site, tmp_path / "second")
    assert first.returncode == second.returncode == 0, second.stderr
    one, two = site_files(tmp_path / "first"), site_files(tmp_path / "second")
    assert "downloads/plot.ipynb" in one and "notebooks/plot/index.html" in one
    # The notebook page offers both palettes' figures; the download embeds the light one.
    page = one["notebooks/plot/index.html"].decode()
    assert 'src="../../figures/plot-1.svg#only-light"' in page and 'src="../../figures/plot-1-dark.svg#only-dark"' in page
    assert b"image/svg+xml" in one["downloads/plot.ipynb"]
    assert [name for name in one if one[name] != two.get(name)] == []
    # Stable notebook bytes let mkdocs-jupyter's own cache hit on the second build.
    assert "Cache miss" not in second.stderr and second.stderr.count("Cache hit") == 2


def test_garbage_in_every_cache_folder_is_rebuilt_not_a_crash(notebook_site, tmp_path):
    assert mkdocs_build(notebook_site, tmp_path / "clean").returncode == 0
    cache_files = [path for path in (notebook_site / ".cache").rglob("*") if path.is_file()]
    assert {path.relative_to(notebook_site / ".cache").parts[0] for path in cache_files} == {"gradbook", "mkdocs-jupyter"}
    for path in cache_files:
        path.write_bytes(b"\x00\xff garbage \x13")
    result = mkdocs_build(notebook_site, tmp_path / "rebuilt")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("unreadable mkdocs-jupyter cache entry") == 2
    assert "run timings" in result.stderr and "unreadable" in result.stderr  # the runner's order hints
    # The snippets ran again (captions carry new run times), and the same site came out.
    rebuilt, clean = site_files(tmp_path / "rebuilt"), site_files(tmp_path / "clean")
    assert sorted(rebuilt) == sorted(clean)
    assert rebuilt["downloads/plot.ipynb"].count(b'"id": "cell-') == 3


def test_a_build_started_from_another_folder_keeps_its_notebook_renders_in_its_own_project(notebook_site, tmp_path):
    # mkdocs-jupyter resolves its cache folder against the working directory and deletes each entry
    # its build did not use: unpinned, this build would empty the render cache of the folder it was
    # started from (as the in-process builds of these tests emptied the real site's).
    elsewhere_entry = tmp_path / "elsewhere" / ".cache" / "mkdocs-jupyter" / "0123.json"
    elsewhere_entry.parent.mkdir(parents=True)
    elsewhere_entry.write_text('{"content": "", "toc_tokens": []}')
    result = mkdocs_build(notebook_site, tmp_path / "site", cwd=tmp_path / "elsewhere")
    assert result.returncode == 0, result.stderr
    assert [path.name for path in elsewhere_entry.parent.iterdir()] == ["0123.json"]
    assert len(list((notebook_site / ".cache" / "mkdocs-jupyter").glob("*.json"))) == 2


def test_serve_shows_pages_at_once_and_fills_them_in_as_snippets_land(tmp_path):
    snippets = {
        "quick": "SEED = 0\nresults = {'value': 7}\n",
        "slow": "SEED = 0\nimport time\ntime.sleep(3)\nresults = {'value': 8}\n",
        "broken": "SEED = 0\nraise ValueError('bad')\n",
    }
    page = "# Home\n\nQuick {{ quick.value }}, slow {{ slow.value }}.\n\n@snippet quick\n\n@snippet slow\n\n@snippet broken\n"
    project = throwaway_site(tmp_path / "project", snippets, {"index.md": page})
    site = tmp_path / "site"

    def rebuild():
        config = load_config(str(project / "mkdocs.yml"), site_dir=str(site))
        config.plugins.run_event("startup", command="serve", dirty=False)
        build(config)
        return config.plugins["gradbook"], (site / "index.html").read_text()

    plugin, html = rebuild()
    # Serving, the workers run below the rebuilds.
    assert {worker.niceness for worker in plugin.runner.pool.workers} == {SERVE_NICENESS}
    # The first build returned without waiting: the page says the snippets are still running.
    assert "Running in the background: " in html and "[running]" in html
    plugin.background.wait(timeout=120)
    assert (project / ".cache" / "gradbook" / "serve" / "landed").exists()  # the signal serve watches
    plugin, html = rebuild()
    assert "Quick 7, slow 8." in html and "Running in the background" not in html
    assert "This snippet failed: snippets/broken.py:2" in html
    assert sorted(plugin.runner.executed) == ["broken", "quick", "slow"]  # the failure was not run again
    plugin.runner.close()
