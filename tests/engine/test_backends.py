"""Which backend a snippet names, and the tabs a build without that backend leaves out."""

from __future__ import annotations

import ast
import textwrap

import pytest

from gradbook.engine.backend_tabs import drop_unavailable_tabs
from gradbook.engine.backends import BackendError, snippet_backend
from gradbook.engine.snippet import SnippetFormatError, load_snippet


def backend_of(source: str):
    return snippet_backend(ast.parse(textwrap.dedent(source)))


def test_backend_comes_from_the_line_a_reader_would_write():
    assert backend_of('import os\nos.environ["KERAS_BACKEND"] = "jax"\nimport keras\n') == ("jax", 2)
    assert backend_of('import os\nos.environ.setdefault("KERAS_BACKEND", "torch")\n') == ("torch", 2)
    assert backend_of("import keras\n") == ("tensorflow", None)
    # Only a top-level line counts: one inside a function may never run before keras is imported.
    assert backend_of('import os\ndef f():\n    os.environ["KERAS_BACKEND"] = "jax"\n') == ("tensorflow", None)


def test_unknown_backend_names_its_line(tmp_path):
    with pytest.raises(BackendError) as error:
        backend_of('import os\n\nos.environ["KERAS_BACKEND"] = "theano"\n')
    assert error.value.line == 3
    path = tmp_path / "old.py"
    path.write_text('import os\nos.environ["KERAS_BACKEND"] = "theano"\n')
    with pytest.raises(SnippetFormatError, match=r"old.py:2: KERAS_BACKEND 'theano'"):
        load_snippet(path)


def test_loaded_snippet_carries_its_backend(tmp_path):
    path = tmp_path / "grads_jax.py"
    path.write_text('import os\nos.environ["KERAS_BACKEND"] = "jax"\nresults = {}\n')
    assert load_snippet(path).backend == "jax"


PAGE = """\
Intro {{ grads_tf.norm }}.

=== "TensorFlow"

    @snippet grads_tf

=== "JAX"

    @snippet grads_jax

    The JAX norm is {{ grads_jax.norm }}.

=== "PyTorch"

    @snippet grads_torch

After the tabs.
"""


def test_tabs_naming_an_unavailable_snippet_are_left_out():
    page = drop_unavailable_tabs(PAGE, {"grads_jax", "grads_torch"})
    assert '=== "TensorFlow"' in page and "@snippet grads_tf" in page
    assert "JAX" not in page and "grads_jax" not in page and "PyTorch" not in page
    assert page.endswith("After the tabs.\n") and "\n\n\n\n" not in page


def test_every_tab_stays_when_every_backend_ran():
    assert drop_unavailable_tabs(PAGE, set()) == PAGE
    assert drop_unavailable_tabs(PAGE, {"not_on_this_page"}) == PAGE


def test_a_tab_inside_fenced_code_is_an_example_and_stays():
    page = 'Write:\n\n```markdown\n=== "JAX"\n\n    @snippet grads_jax\n```\n\nDone.\n'
    assert drop_unavailable_tabs(page, {"grads_jax"}) == page

