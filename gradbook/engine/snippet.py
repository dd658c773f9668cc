"""Read a snippet file: its header fields, its `# %%` cells, and where it sets its seed.

A snippet is a plain Python script in the keras.io example style: a docstring with
`Title:` / `Description:` lines (and optionally `Timeout: <seconds>`), then cells separated
by `# %%` markers, the format jupytext and mkdocs-jupyter read.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from gradbook.engine.backend_use import needs_backend
from gradbook.engine.backends import DEFAULT_BACKEND, BackendError, snippet_backend

CELL_MARKER = re.compile(r"^# %%(?P<rest>.*)$")
HEADER_FIELD = re.compile(r"^(?P<key>Title|Description|Timeout):\s*(?P<value>.+?)\s*$")
SEED_NAME = "SEED"


class SnippetFormatError(ValueError):
    """A snippet file the engine cannot read; the message names the file and line."""


@dataclass(frozen=True)
class Cell:
    index: int  # 1-based, as authors count cells in a page directive
    kind: str  # "code" or "markdown"
    title: str
    source: str
    first_line: int  # 1-based line in the file of the cell's first source line


@dataclass(frozen=True)
class Snippet:
    name: str
    path: Path
    source: str
    title: str
    description: str
    timeout: float | None
    cells: tuple[Cell, ...]
    seed_line: int | None  # line of the top-level `SEED = <int>`, if any
    seed: int | None  # the value that line sets
    backend: str = DEFAULT_BACKEND  # the Keras backend its `os.environ["KERAS_BACKEND"]` line names
    # False when it imports only the standard library, NumPy and matplotlib: its worker need not
    # import the backend for it (some 8 CPU-seconds for TensorFlow on a slow core).
    uses_backend: bool = True

    @property
    def code_cells(self) -> tuple[Cell, ...]:
        return tuple(cell for cell in self.cells if cell.kind == "code")

    def cell(self, index: int) -> Cell:
        for cell in self.cells:
            if cell.index == index:
                return cell
        raise KeyError(index)


def load_snippet(path: Path) -> Snippet:
    path = Path(path)
    source = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as error:
        raise SnippetFormatError(f"{path}:{error.lineno}: syntax error: {error.msg}") from None
    seed_node = next((node for node in tree.body if is_seed_assignment(node)), None)
    header = _header_fields(ast.get_docstring(tree) or "", path)
    try:
        backend, _ = snippet_backend(tree)
    except BackendError as error:
        raise SnippetFormatError(f"{path}:{error.line}: {error}") from None
    return Snippet(
        name=path.stem,
        path=path,
        source=source,
        title=header.get("Title", path.stem.replace("_", " ").capitalize()),
        description=header.get("Description", ""),
        timeout=_timeout(header.get("Timeout"), path),
        cells=tuple(split_cells(source)),
        seed_line=seed_node.lineno if seed_node else None,
        seed=seed_node.value.value if seed_node else None,
        backend=backend,
        uses_backend=needs_backend(tree, path.parent),
    )


def display_path(path: Path, project_root: Path) -> str:
    """The path as authors know it: relative to the project root where possible."""
    try:
        return str(Path(path).resolve().relative_to(project_root.resolve()))
    except ValueError:
        return str(path)


def split_cells(source: str) -> list[Cell]:
    """Split at `# %%` lines; text before the first marker is a cell of its own."""
    cells: list[Cell] = []
    lines = source.splitlines()
    start, kind, title = 0, "code", ""
    for number, line in enumerate(lines + [None]):
        match = CELL_MARKER.match(line) if line is not None else None
        if line is not None and not match:
            continue
        body = "\n".join(lines[start:number]).strip("\n")
        if body.strip():
            first = start + next(i for i, text in enumerate(lines[start:number]) if text.strip())
            cells.append(Cell(len(cells) + 1, kind, title, body, first + 1))
        if match:
            rest = match["rest"].strip()
            kind = "markdown" if rest.startswith("[markdown]") else "code"
            title = rest.removeprefix("[markdown]").strip()
            start = number + 1
    return cells


def markdown_text(cell: Cell) -> str:
    """The prose of a `# %% [markdown]` cell, without its leading `# `."""
    return "\n".join(re.sub(r"^# ?", "", line) for line in cell.source.splitlines())


def _header_fields(docstring: str, path: Path) -> dict[str, str]:
    fields = {}
    for line in docstring.splitlines():
        match = HEADER_FIELD.match(line.strip())
        if match:
            fields[match["key"]] = match["value"]
    return fields


def _timeout(value: str | None, path: Path) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value.split()[0])
    except ValueError:
        seconds = -1.0
    if seconds <= 0:
        raise SnippetFormatError(f"{path}:1: 'Timeout: {value}' must be a positive number of seconds")
    return seconds


def is_seed_assignment(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == SEED_NAME
        and isinstance(node.value, ast.Constant)
        and type(node.value.value) is int
    )
