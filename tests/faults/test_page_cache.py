"""Converted pages and search entries reused between builds: only what changed is converted, what a
conversion warned about is warned again, and the site is the one a cold build makes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

from tests.site_helpers import site_files
from tests.site_helpers import mkdocs_build, throwaway_site

PAGES = {
    "index.md": "# Home\n\nSee [the other page](other.md#details) and {{ value.n }}.\n\n@snippet value\n",
    "other.md": "# Other\n\n## Details\n\nBack [home](index.md).\n\n```python\nprint('highlighted')\n```\n",
}


def reuse(log: str) -> tuple[int, int]:
    reused, converted = re.search(r"gradbook: (\d+) pages reused, (\d+) converted", log).groups()
    return int(reused), int(converted)


def search_entries(site) -> list:
    return json.loads((site / "search" / "search_index.json").read_text())["docs"]


def test_an_edited_page_alone_is_converted_and_the_site_matches_a_cold_build(tmp_path):
    project = throwaway_site(tmp_path / "project", {"value": "SEED = 0\nresults = {'n': 5}\n"}, PAGES)
    first = mkdocs_build(project, tmp_path / "first")
    assert first.returncode == 0, first.stderr
    assert reuse(first.stderr) == (0, 2)
    warm = mkdocs_build(project, tmp_path / "warm")
    assert reuse(warm.stderr) == (2, 0)
    assert site_files(tmp_path / "warm") == site_files(tmp_path / "first")

    (project / "docs" / "other.md").write_text(PAGES["other.md"].replace("## Details", "## Particulars"))
    (project / "docs" / "index.md").write_text(PAGES["index.md"].replace("#details", "#particulars"))
    edited = mkdocs_build(project, tmp_path / "edited")
    assert edited.returncode == 0, edited.stderr
    assert reuse(edited.stderr) == (0, 2)
    assert "Particulars" in (tmp_path / "edited" / "other" / "index.html").read_text()
    assert any(entry["title"] == "Particulars" for entry in search_entries(tmp_path / "edited"))
    assert not any(entry["title"] == "Details" for entry in search_entries(tmp_path / "edited"))

    # The value a page shows is part of its Markdown: a snippet edit converts that page again.
    (project / "snippets" / "value.py").write_text("SEED = 0\nresults = {'n': 6}\n")
    rerun = mkdocs_build(project, tmp_path / "rerun")
    assert reuse(rerun.stderr) == (1, 1)
    assert "and 6." in (tmp_path / "rerun" / "index.html").read_text()

    shutil.rmtree(project / ".cache" / "gradbook" / "pages")
    cold = mkdocs_build(project, tmp_path / "cold")
    assert reuse(cold.stderr) == (0, 2)
    assert site_files(tmp_path / "cold") == site_files(tmp_path / "rerun")


def test_a_warm_cache_still_fails_a_strict_build_on_what_the_conversion_warned(tmp_path):
    pages = dict(PAGES, **{"index.md": "# Home\n\nSee [a page that is gone](missing.md).\n\n@snippet value\n"})
    project = throwaway_site(tmp_path / "project", {"value": "SEED = 0\nresults = {'n': 5}\n"}, pages)
    for attempt in ("cold", "warm"):
        result = mkdocs_build(project, tmp_path / attempt)
        assert result.returncode != 0, attempt
        assert "'missing.md'" in result.stderr and "not found" in result.stderr, attempt
    assert reuse(result.stderr)[0] >= 1  # the warm build reused the page and warned again


def test_unreadable_entries_are_converted_again_not_a_crash(tmp_path):
    project = throwaway_site(tmp_path / "project", {"value": "SEED = 0\nresults = {'n': 5}\n"}, PAGES)
    assert mkdocs_build(project, tmp_path / "clean").returncode == 0
    entries = list((project / ".cache" / "gradbook" / "pages").glob("*.json"))
    assert len(entries) >= 4  # two pages converted, two pages' search entries
    for number, path in enumerate(entries):  # not text, not JSON, JSON of the wrong shape
        path.write_bytes([b"\x00\xff garbage", b"{truncated", b"[1, 2]"][number % 3])
    result = mkdocs_build(project, tmp_path / "rebuilt")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("unreadable page cache entry") == len(entries)
    assert site_files(tmp_path / "rebuilt") == site_files(tmp_path / "clean")


def theme_reuse(log: str) -> tuple[int, int]:
    reused, rendered = re.search(r"theme output of (\d+) reused, (\d+) rendered", log).groups()
    return int(reused), int(rendered)


def test_theme_output_is_rendered_again_for_the_edited_page_alone_unless_the_navigation_changed(tmp_path):
    project = throwaway_site(tmp_path / "project", {"value": "SEED = 0\nresults = {'n': 5}\n"}, PAGES)
    first = mkdocs_build(project, tmp_path / "first")
    assert first.returncode == 0, first.stderr
    reused, rendered = theme_reuse(first.stderr)
    assert reused == 0 and rendered >= 4  # two pages, the snippet's notebook page, 404.html

    # A body edit: only that page's output changes; every other page (and 404.html) is reused.
    (project / "docs" / "other.md").write_text(PAGES["other.md"] + "\nA new paragraph.\n")
    body = mkdocs_build(project, tmp_path / "body")
    assert theme_reuse(body.stderr) == (rendered - 1, 1)
    assert "A new paragraph." in (tmp_path / "body" / "other" / "index.html").read_text()

    # A new title is in every page's navigation: every page is rendered again, as a cold build would.
    (project / "docs" / "other.md").write_text(PAGES["other.md"].replace("# Other", "# Elsewhere"))
    renamed = mkdocs_build(project, tmp_path / "renamed")
    assert theme_reuse(renamed.stderr) == (0, rendered)
    assert "Elsewhere" in (tmp_path / "renamed" / "index.html").read_text()
    shutil.rmtree(project / ".cache" / "gradbook" / "pages")
    cold = mkdocs_build(project, tmp_path / "cold")
    assert site_files(tmp_path / "cold") == site_files(tmp_path / "renamed")


def test_a_serve_session_reuses_pages_from_memory_and_still_shows_an_edit(tmp_path):
    # mkdocs serve rebuilds in one process: entries, compiled templates and slimmed notebook pages
    # are kept in memory between builds, and must never hide an edit.
    project = throwaway_site(tmp_path / "project", {"value": "SEED = 0\nresults = {'n': 5}\n"}, PAGES)
    code = f"""
import logging
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config
logging.basicConfig(level=logging.INFO)
project = Path({str(project)!r})
def rebuild(site):
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=False)
    build(config)
    return config
config = rebuild(project / "one")
config.plugins["gradbook"].background.wait()  # the cold cache's run lands
rebuild(project / "landed")
page = project / "docs" / "other.md"
page.write_text(page.read_text().replace("Back", "Forward"))
config = rebuild(project / "two")
(project / "snippets" / "value.py").write_text("SEED = 0\\nresults = {{'n': 7}}\\n")
rebuild(project / "three")
config.plugins["gradbook"].background.wait()
rebuild(project / "four")
config.plugins.on_shutdown()
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Forward" in (project / "two" / "other" / "index.html").read_text()
    assert "Forward" in (project / "four" / "other" / "index.html").read_text()
    assert "and 7." in (project / "four" / "index.html").read_text()
    # The notebook page: reused from memory across the Markdown edit (the same bytes), rendered
    # again once its snippet's new run landed.
    notebook = lambda build: (project / build / "notebooks" / "value" / "index.html").read_text()  # noqa: E731
    assert notebook("two") == notebook("landed") and "5" in re.sub(r"<[^>]+>", "", notebook("two")).split("results")[-1][:40]
    assert "7" in re.sub(r"<[^>]+>", "", notebook("four")).split("results")[-1][:40]
    reuses = re.findall(r"theme output of (\d+) reused, (\d+) rendered", result.stderr)
    assert len(reuses) == 5 and int(reuses[2][1]) == 1  # the Markdown edit rendered its page alone
