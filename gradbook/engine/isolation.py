"""Give each snippet a clean process state and take back whatever it changed (sphinx-gallery style).

Saved and restored around every run: working directory (a fresh temporary one during the run),
`sys.path`, `sys.argv`, environment variables, matplotlib rcParams and `sys.modules["__main__"]`.
Local modules (files under the project root) are dropped from `sys.modules` before each run, so an
edited helper is imported afresh and the modules a snippet imports can be recorded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import types
from pathlib import Path

import matplotlib

# Output format only: deterministic SVG ids and real <text> (smaller, crisp, searchable).
SVG_RC = {"svg.hashsalt": "gradbook", "svg.fonttype": "none"}


@contextlib.contextmanager
def isolated_process_state(snippet_path: Path):
    saved_cwd = os.getcwd()
    saved_path = list(sys.path)
    saved_argv = list(sys.argv)
    saved_environ = dict(os.environ)
    saved_main = sys.modules.get("__main__")
    workdir = tempfile.mkdtemp(prefix="gradbook-run-")
    main_module = types.ModuleType("__main__")
    main_module.__file__ = str(snippet_path)
    matplotlib.rcdefaults()
    matplotlib.rcParams.update(SVG_RC)
    try:
        os.chdir(workdir)
        # As `python snippets/x.py` would: the script's folder first on the path.
        sys.path.insert(0, str(snippet_path.parent))
        sys.argv = [str(snippet_path)]
        sys.modules["__main__"] = main_module
        yield main_module.__dict__
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        sys.argv = saved_argv
        os.environ.clear()
        os.environ.update(saved_environ)
        if saved_main is not None:
            sys.modules["__main__"] = saved_main
        matplotlib.rcdefaults()
        shutil.rmtree(workdir, ignore_errors=True)


def local_module_names(project_root: Path, baseline: frozenset[str]) -> list[str]:
    """Modules loaded from files under the project root, other than the worker's own."""
    names = []
    for name, module in list(sys.modules.items()):
        if name in baseline or name == "__main__":
            continue
        path = _module_file(module)
        if path and _is_project_file(path, project_root):
            names.append(name)
    return sorted(names)


def forget_local_modules(project_root: Path, baseline: frozenset[str]) -> None:
    for name in local_module_names(project_root, baseline):
        del sys.modules[name]


def local_module_files(project_root: Path, baseline: frozenset[str]) -> list[str]:
    files = {_module_file(sys.modules[name]) for name in local_module_names(project_root, baseline)}
    return sorted(str(Path(path).resolve().relative_to(project_root.resolve())) for path in files if path)


def _module_file(module) -> str | None:
    path = getattr(module, "__file__", None)
    return path if isinstance(path, str) and path.endswith(".py") else None


def _is_project_file(path: str, project_root: Path) -> bool:
    resolved = Path(path).resolve()
    if "site-packages" in resolved.parts:  # a virtual environment inside the project
        return False
    return resolved.is_relative_to(project_root.resolve())
