"""Whether a snippet uses the Keras backend, read from its import statements without running it.

A worker starts its backend (TensorFlow's import is some 8 CPU-seconds on a slow core) only for a
snippet that uses it. Result-shaping: a snippet that does not use it is seeded without it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from gradbook.engine.backends import BACKEND_PACKAGES

# What a snippet may import without its worker starting the Keras backend: the standard library,
# NumPy and matplotlib. A snippet that imports anything else (keras, a framework, a helper that may
# import one) gets the backend started first, with the worker's device, thread and seed settings.
BACKEND_FREE_MODULES = frozenset(sys.stdlib_module_names) | {"numpy", "matplotlib"}
# The modules whose presence after a run shows that the backend was imported after all.
BACKEND_MODULES = frozenset({"keras", *(package for packages in BACKEND_PACKAGES.values() for package in packages)})


def backend_loaded() -> bool:
    """Whether Keras or a framework is imported in this process (a worker that has not started its
    backend then ran a snippet that slipped it in unseen: importlib, __import__, exec)."""
    return not BACKEND_MODULES.isdisjoint(sys.modules)


def needs_backend(tree: ast.Module, folder: Path | None = None, seen: set[Path] | None = None) -> bool:
    """Whether any import in the snippet (at any depth) reaches beyond BACKEND_FREE_MODULES. A module
    of the snippet's own folder (its helpers, first on its path) is read the same way, as is what it imports."""
    seen = set() if seen is None else seen
    for module in _imported_modules(tree):
        if module is None:  # a relative import: a local package's, which may import anything
            return True
        top = module.partition(".")[0]
        local = folder / f"{top}.py" if folder is not None else None
        if local is not None and local.is_file():  # found before any installed module of that name
            if local in seen:
                continue
            seen.add(local)
            try:
                helper = ast.parse(local.read_text(encoding="utf-8"), filename=str(local))
            except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
                return True  # unreadable here: the run itself reports what is wrong with it
            if needs_backend(helper, folder, seen):
                return True
        elif (folder is not None and (folder / top).is_dir()) or top not in BACKEND_FREE_MODULES:
            return True  # a local package (not read), or anything installed but NumPy and matplotlib
    return False


def _imported_modules(tree: ast.Module):
    """Every module an import statement names, anywhere in the tree; None for a relative import."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield None if node.level else node.module
