from pathlib import Path

import pytest

from gradbook.engine.snippet import SnippetFormatError, load_snippet, markdown_text, split_cells

SOURCE = '''"""
Title: A title
Description: What it shows.
Timeout: 42
"""

# %%
SEED = 7
x = 1

# %% [markdown]
# Some prose.

# %% Plot
y = x + 1
'''


def test_cells_split_at_markers_with_kinds_titles_and_file_lines():
    cells = split_cells(SOURCE)
    assert [(c.index, c.kind, c.title) for c in cells] == [(1, "code", ""), (2, "code", ""), (3, "markdown", ""), (4, "code", "Plot")]
    lines = SOURCE.splitlines()
    for cell in cells:
        assert lines[cell.first_line - 1] == cell.source.splitlines()[0]
    assert markdown_text(cells[2]) == "Some prose."


def test_header_fields_and_seed_are_read(tmp_path: Path):
    path = tmp_path / "demo.py"
    path.write_text(SOURCE)
    snippet = load_snippet(path)
    assert (snippet.title, snippet.description, snippet.timeout) == ("A title", "What it shows.", 42.0)
    assert (snippet.seed, snippet.seed_line) == (7, 8)


def test_syntax_error_names_file_and_line(tmp_path: Path):
    path = tmp_path / "broken.py"
    path.write_text("x = 1\ny = (\n")
    with pytest.raises(SnippetFormatError, match=r"broken.py:2"):
        load_snippet(path)


def test_bad_timeout_is_rejected(tmp_path: Path):
    path = tmp_path / "slow.py"
    path.write_text('"""\nTimeout: soon\n"""\n')
    with pytest.raises(SnippetFormatError, match="Timeout"):
        load_snippet(path)
