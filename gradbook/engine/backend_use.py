"""Whether a snippet uses the Keras backend, read from its import statements without running it.

A worker starts its backend (TensorFlow's import is some 8 CPU-seconds on a slow core) only for a
snippet that uses it. Result-shaping: a snippet that does not use it is seeded without it.
"""

from __future__ import annotations

import ast
import sys

from gradbook.engine.backends import BACKEND_PACKAGES

# What a snippet may import without its worker starting the Keras backend: the standard library,
# NumPy and matplotlib. A snippet that imports anything else (keras, a framework, a helper that may
# import one) gets the backend started first, with the worker's device, thread and seed settings.
BACKEND_FREE_MODULES = frozenset(sys.stdlib_module_names) | {"numpy", "matplotlib"}
# The modules whose presence after a run shows that the backend was imported after all.
BACKEND_MODULES = frozenset({"keras", *(package for packages in BACKEND_PACKAGES.values() for package in packages)})


def needs_backend(tree: ast.Module) -> bool:
    """Whether any import in the snippet (at any depth) reaches beyond BACKEND_FREE_MODULES."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # a relative import: a local module, which may import anything
                return True
            modules = [node.module]
        else:
            continue
        if any(module.partition(".")[0] not in BACKEND_FREE_MODULES for module in modules):
            return True
    return False
