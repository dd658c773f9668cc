"""The executed notebook: valid nbformat 4, stable bytes, figures embedded or in both palettes."""

import nbformat

from gradbook.engine.notebook import notebook_json
from gradbook.engine.results import FigureCapture, SnippetRun
from gradbook.engine.snippet import load_snippet


def demo(tmp_path):
    path = tmp_path / "demo.py"
    path.write_text('"""\nTitle: Demo\nDescription: A demo.\n"""\n# %%\nprint("hi")\n# %% [markdown]\n# Prose.\n# %%\nx = 1\n')
    run = SnippetRun(
        name="demo", seed=0, values={}, cell_outputs={2: "hi\n"},
        figures=[FigureCapture(svg="<svg/>", svg_dark="<svg/>", title="T", alt="T. Alt", cell=4)],
        device="CPU", versions={"tensorflow": "2.21.0", "keras": "3.15.1"}, seconds=1.0,
    )
    return load_snippet(path), run


def test_notebooks_are_valid_and_byte_stable(tmp_path):
    snippet, run = demo(tmp_path)
    for sources in (None, lambda number: ("../../figures/demo-1.svg", "../../figures/demo-1-dark.svg")):
        text = notebook_json(snippet, run, sources)
        nbformat.validate(nbformat.reads(text, as_version=4))
        assert text == notebook_json(snippet, run, sources)


def test_download_embeds_the_figure_and_the_page_copy_links_both_palettes(tmp_path):
    snippet, run = demo(tmp_path)
    embedded = nbformat.reads(notebook_json(snippet, run), as_version=4)
    linked = nbformat.reads(notebook_json(snippet, run, lambda n: ("light.svg", "dark.svg")), as_version=4)
    outputs = lambda notebook: [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]  # noqa: E731
    assert any("image/svg+xml" in output.get("data", {}) for output in outputs(embedded))
    html = next(output["data"]["text/html"] for output in outputs(linked) if "text/html" in output.get("data", {}))
    assert 'src="light.svg#only-light"' in html and 'src="dark.svg#only-dark"' in html and 'alt="T. Alt"' in html


def test_rendered_notebooks_are_reused_until_an_input_changes_and_damage_is_rewritten(tmp_path):
    from dataclasses import replace

    from gradbook.engine.rendered_notebooks import RenderedNotebooks

    snippet, run = demo(tmp_path)
    links = lambda number: ("light.svg", "dark.svg")  # noqa: E731
    store = RenderedNotebooks(tmp_path / "rendered")
    first = store.notebook(snippet, run, links)
    assert first == notebook_json(snippet, run, links) and store.reused == 0
    assert store.notebook(snippet, run, links) == first and store.reused == 1
    # Another run (a new figure title) or other links are other notebooks, never the stored one.
    rerun = replace(run, figures=[replace(run.figures[0], title="New")])
    assert store.notebook(snippet, rerun, links) == notebook_json(snippet, rerun, links)
    assert store.notebook(snippet, run, lambda n: ("a.svg", "b.svg")) != first
    # A damaged file is a miss: written again, never served.
    for path in (tmp_path / "rendered").glob("*.ipynb"):
        path.write_bytes(b"\x00\xff garbage")
    store = RenderedNotebooks(tmp_path / "rendered")
    assert store.notebook(snippet, run, links) == first and store.reused == 0
    store.forget_unused()
    assert len(list((tmp_path / "rendered").glob("*.ipynb"))) == 1


def test_the_same_run_object_source_and_links_resolve_without_serialising_the_run_again(tmp_path, monkeypatch):
    from dataclasses import asdict, replace

    from gradbook.engine.rendered_notebooks import RenderedNotebooks

    snippet, run = demo(tmp_path)
    links = lambda number: ("light.svg", "dark.svg")  # noqa: E731
    first = RenderedNotebooks(tmp_path / "rendered").notebook(snippet, run, links)
    serialised = []
    monkeypatch.setattr(SnippetRun, "to_json", lambda self: serialised.append(self) or asdict(self))
    store = RenderedNotebooks(tmp_path / "rendered")  # a serve rebuild makes a new store
    assert store.notebook(snippet, run, links) == first and serialised == []
    # An equal run read afresh is another object: digested again, and still the same notebook.
    assert store.notebook(snippet, replace(run), links) == first and len(serialised) == 1
    # An edited source is another notebook, however the run compares.
    snippet.path.write_text(snippet.source.replace('print("hi")', 'print("hello")'))
    assert store.notebook(load_snippet(snippet.path), run, links) != first
