"""Build an executed Jupyter notebook from a snippet and its run (no second execution)."""

from __future__ import annotations

import html

import nbformat
from nbformat import v4

from gradbook.engine.backends import run_environment
from gradbook.engine.results import SnippetRun
from gradbook.engine.snippet import Snippet, markdown_text


def executed_notebook(snippet: Snippet, run: SnippetRun, figure_sources=None) -> nbformat.NotebookNode:
    """The snippet's cells with its run's outputs. Figures are embedded SVG, or, where
    `figure_sources(number)` gives (light URL, dark URL), a pair of images the site's palette picks from."""
    intro = (
        f"# {snippet.title}\n\n{snippet.description}\n\n"
        f"Executed when the site was built on {run_environment(run)}, in {run.seconds:.1f} s. "
        f"Source: `snippets/{snippet.name}.py`."
    )
    cells = [v4.new_markdown_cell(intro)]
    count = 0
    for cell in snippet.cells:
        if cell.kind == "markdown":
            cells.append(v4.new_markdown_cell(markdown_text(cell)))
            continue
        count += 1
        outputs = []
        if run.cell_outputs.get(cell.index):
            outputs.append(v4.new_output("stream", name="stdout", text=run.cell_outputs[cell.index]))
        for number, figure in enumerate(run.figures, start=1):
            if figure.cell == cell.index:
                data = {"image/svg+xml": figure.svg, "text/plain": figure.alt}
                if figure_sources is not None:
                    data = {"text/html": _palette_images(figure.alt, *figure_sources(number)), "text/plain": figure.alt}
                outputs.append(v4.new_output("display_data", data=data))
        cells.append(v4.new_code_cell(cell.source, execution_count=count, outputs=outputs))
    for number, cell in enumerate(cells):
        # nbformat draws random cell ids; fixed ones keep the file byte-identical from build to
        # build, so downloads do not change and mkdocs-jupyter's content-keyed cache hits.
        cell.id = f"cell-{number}"
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata.update(
        kernelspec={"name": "python3", "display_name": "Python 3", "language": "python"},
        language_info={"name": "python"},
    )
    return notebook


def notebook_json(snippet: Snippet, run: SnippetRun, figure_sources=None) -> str:
    # Not nbformat.writes: it validates against the JSON schema (about 0.05 s a notebook, twice per
    # snippet on every warm build) and only logs what it finds. The shape is fixed here, and
    # tests/engine/test_notebook.py validates it.
    return v4.writes_json(executed_notebook(snippet, run, figure_sources))


def _palette_images(alt: str, light: str, dark: str) -> str:
    # Material shows `#only-light` images in the light palette and `#only-dark` in the dark one.
    alt = html.escape(alt, quote=True)
    return "".join(
        f'<img src="{source}#only-{scheme}" alt="{alt}" loading="lazy">' for source, scheme in ((light, "light"), (dark, "dark"))
    )
