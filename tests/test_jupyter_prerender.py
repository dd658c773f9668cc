"""A cold build renders each notebook page while the other snippets still run (gradbook/jupyter_prerender.py),
into mkdocs-jupyter's own cache: the page is then a cache hit, and the same page mkdocs-jupyter renders itself."""

from __future__ import annotations

import shutil

from tests.site_helpers import mkdocs_build, site_files, throwaway_site

SNIPPETS = {
    "plot": "SEED = 0\n# %%\nimport matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.title('t')\nprint('hi')\nresults = {'n': 3}\n",
    "text": "SEED = 0\n# %%\nprint('plain')\nresults = {'m': 1}\n",
    "broken": "SEED = 0\n# %%\nraise ValueError('no notebook page for a failed run')\n",
}
PAGE = "# Home\n\n@snippet plot\n\n@figure plot\n\n@snippet text\n\n@snippet broken\n\n{{ plot.n }}\n"


def cache_entries(project) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((project / ".cache" / "mkdocs-jupyter").glob("*.json"))}


def test_a_cold_build_renders_notebook_pages_as_runs_land_and_mkdocs_jupyter_would_render_the_same(tmp_path):
    project = throwaway_site(tmp_path / "project", SNIPPETS, {"index.md": PAGE})
    cold = mkdocs_build(project, tmp_path / "cold", strict=False)
    assert cold.returncode == 0, cold.stderr
    # Both runs' pages were in mkdocs-jupyter's cache when it came to them; the failed run has none.
    assert "2 notebook pages rendered while the snippets ran" in cold.stderr
    assert cold.stderr.count("Cache hit") == 2 and "Cache miss" not in cold.stderr
    ahead = cache_entries(project)
    assert len(ahead) == 2

    # The runs are cached now, so nothing lands during the next build: mkdocs-jupyter renders both itself.
    shutil.rmtree(project / ".cache" / "mkdocs-jupyter")
    own = mkdocs_build(project, tmp_path / "own", strict=False)
    assert own.returncode == 0, own.stderr
    assert own.stderr.count("Cache miss") == 2 and "rendered while the snippets ran" not in own.stderr
    assert cache_entries(project) == ahead  # the same keys, and byte for byte the same entries
    cold_site, own_site = site_files(tmp_path / "cold"), site_files(tmp_path / "own")
    assert "notebooks/plot/index.html" in cold_site
    assert [name for name in cold_site.keys() | own_site.keys() if cold_site.get(name) != own_site.get(name)] == []
