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
    ("from gradbook.signal_probe import backward_signal_norms\n", True),  # a helper may import Keras
    ("from . import helper\n", True),
    ("import numpy, scipy\n", True),
])
def test_a_snippet_uses_the_backend_unless_it_imports_only_the_standard_library_numpy_and_matplotlib(source, uses):
    assert needs_backend(ast.parse(source)) is uses
