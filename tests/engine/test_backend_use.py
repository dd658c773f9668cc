"""Which snippets a worker starts its Keras backend for, read from their import statements."""

from __future__ import annotations

import ast

import pytest

from gradbook.engine.backend_use import needs_backend


@pytest.mark.parametrize("source, uses", [
    ("import numpy as np\nimport matplotlib.pyplot as plt\nimport json, os.path\n", False),
    ("from collections import Counter\ndef f():\n    import math\n", False),
    ("import keras\n", True),
    ("def f():\n    from tensorflow import math\n", True),  # at any depth
    ("from gradbook.signal_probe import backward_signal_norms\n", True),  # an installed helper may import Keras
    ("from . import helper\n", True),
    ("import numpy, scipy\n", True),
])
def test_a_snippet_uses_the_backend_unless_it_imports_only_the_standard_library_numpy_and_matplotlib(source, uses):
    assert needs_backend(ast.parse(source)) is uses


def uses(folder, source: str) -> bool:
    return needs_backend(ast.parse(source), folder)


def test_a_helper_in_the_snippets_folder_is_read_with_what_it_imports(tmp_path):
    (tmp_path / "_plain.py").write_text("import numpy as np\nSCALE = 2\n")
    (tmp_path / "_model.py").write_text("from _plain import SCALE\nimport keras\n")
    (tmp_path / "_cycle_a.py").write_text("import _cycle_b\n")
    (tmp_path / "_cycle_b.py").write_text("import _cycle_a\nimport json\n")
    (tmp_path / "_broken.py").write_text("def (:\n")
    assert uses(tmp_path, "from _plain import SCALE\n") is False
    assert uses(tmp_path, "import _model\n") is True  # through the helper
    assert uses(tmp_path, "def f():\n    import _cycle_a\n") is False
    assert uses(tmp_path, "import _broken\n") is True  # the run reports the syntax error


def test_a_file_of_the_snippets_folder_shadows_the_module_it_is_named_after(tmp_path):
    (tmp_path / "random.py").write_text("import keras\n")  # first on the snippet's path, as in `python x.py`
    (tmp_path / "helpers").mkdir()
    assert uses(tmp_path, "import random\n") is True
    assert uses(tmp_path, "from helpers import thing\n") is True  # a local package is not read
    assert uses(None, "import random\n") is False
