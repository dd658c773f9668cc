"""Which Keras backend a snippet runs under, and what each backend needs.

Keras 3 fixes its backend when `keras` is first imported, from the `KERAS_BACKEND` environment
variable. A snippet written for JAX or PyTorch says so the way a reader's script does, with
`os.environ["KERAS_BACKEND"] = "jax"` before importing keras; the engine reads that line (without
running anything) and sends the snippet to a worker started under the same backend, so the code a
tab shows is the code that ran, and it runs the same pasted alone.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from importlib import metadata

BACKEND_VARIABLE = "KERAS_BACKEND"
DEFAULT_BACKEND = "tensorflow"
# Backend -> the packages that must be importable, and whose versions key its runs.
BACKEND_PACKAGES = {"tensorflow": ("tensorflow",), "jax": ("jax", "jaxlib"), "torch": ("torch",)}
LABELS = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
INSTALL_HINT = 'pip install -e ".[backends]"'


class BackendError(ValueError):
    """A snippet asks for a backend Keras does not have."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def snippet_backend(tree: ast.Module) -> tuple[str, int | None]:
    """(backend, line) from a top-level `os.environ["KERAS_BACKEND"] = "..."` (or setdefault)."""
    for node in tree.body:
        found = _backend_assignment(node)
        if found is not None:
            if found not in BACKEND_PACKAGES:
                raise BackendError(node.lineno, f"KERAS_BACKEND {found!r} is none of {', '.join(BACKEND_PACKAGES)}")
            return found, node.lineno
    return DEFAULT_BACKEND, None


def _backend_assignment(node: ast.stmt) -> str | None:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        if isinstance(target, ast.Subscript) and _is_environ(target.value) and _constant(target.slice) == BACKEND_VARIABLE:
            return _constant(node.value)
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        call = node.value
        if isinstance(call.func, ast.Attribute) and call.func.attr == "setdefault" and _is_environ(call.func.value):
            if len(call.args) == 2 and _constant(call.args[0]) == BACKEND_VARIABLE:
                return _constant(call.args[1])
    return None


def _is_environ(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" and isinstance(node.value, ast.Name) and node.value.id == "os"


def _constant(node: ast.expr):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


@functools.cache  # asked for every snippet and seed; what is installed does not change under a process
def backend_installed(backend: str) -> bool:
    return all(importlib.util.find_spec(package) is not None for package in BACKEND_PACKAGES[backend])


def backend_versions(backend: str) -> dict[str, str]:
    """The versions that key a backend's runs (TensorFlow's are keyed for every run already)."""
    if backend == DEFAULT_BACKEND:
        return {}
    return {package: metadata.version(package) for package in BACKEND_PACKAGES[backend]}


def label(backend: str) -> str:
    return LABELS.get(backend, backend)


def run_environment(run) -> str:
    """Where and with what a run happened, for captions: 'CPU with TensorFlow 2.21.0 and Keras 3.15.1'."""
    package = BACKEND_PACKAGES.get(run.backend, (run.backend,))[0]
    return f"{run.device} with {label(run.backend)} {run.versions.get(package, '?')} and Keras {run.versions.get('keras', '?')}"
