"""Run one snippet inside the worker: cell by cell, in a fresh `__main__`, capturing what it made."""

from __future__ import annotations

import ast
import contextlib
import io
import json
import math
import random
import time
import traceback
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from gradbook.engine.backend_use import backend_loaded
from gradbook.engine.figures import alt_text, dark_figure_svg, figure_svg, figure_title
from gradbook.engine.isolation import forget_local_modules, isolated_process_state, local_module_files
from gradbook.engine.results import FigureCapture, SnippetFailure, SnippetRun
from gradbook.engine.snippet import Snippet, display_path, is_seed_assignment

PUBLISHED_NAME = "results"  # a snippet publishes numbers by leaving a dict under this name
DATA_NAME = "site_data"  # ... and a data file for a page's script by leaving a JSON-ready dict here
TRACEBACK_FRAMES = 4


class SnippetError(Exception):
    def __init__(self, line: int | None, message: str, details: str = ""):
        super().__init__(message)
        self.line, self.message, self.details = line, message, details


def execute_snippet(
    snippet: Snippet, seed: int | None, project_root: Path, baseline: frozenset[str], device: str | None,
    versions: dict, backend: str,
) -> SnippetRun | SnippetFailure:
    """Run it in this worker. `device` is None while the worker has not started its Keras backend,
    which it starts only for snippets that use it (`Snippet.uses_backend`)."""
    keras = _started_keras() if device is not None else None
    forget_local_modules(project_root, baseline)
    started = time.perf_counter()
    try:
        codes = [(cell.index, _compile_cell(snippet, cell, seed)) for cell in snippet.code_cells]
        with isolated_process_state(snippet.path) as namespace:
            _set_seeds(keras, _seed_value(snippet, seed))
            outputs, first_cell_of_figure = _run_cells(snippet, codes, namespace)
            if keras is None and backend_loaded():
                raise SnippetError(None, BACKEND_UNSEEN)
            # Only the snippet's own seed is shown on a page. Runs at other seeds (the claim tests'
            # extra seeds, `gradbook run --seed`) publish values and printed output: drawing each
            # figure twice as SVG was a third of a typical run.
            own_seed = seed is None or seed == snippet.seed
            figures = _capture_figures(snippet, first_cell_of_figure) if own_seed else []
            values = _published_values(snippet, namespace)
            data = _published_data(snippet, namespace)
    except SnippetError as error:
        shown_path = display_path(snippet.path, project_root)
        details = error.details.replace(str(snippet.path), shown_path)
        return SnippetFailure(snippet.name, shown_path, error.line, error.message, details)
    finally:
        plt.close("all")
        if keras is not None:
            keras.backend.clear_session()
    return SnippetRun(
        name=snippet.name,
        seed=seed if seed is not None else snippet.seed,
        values=values,
        cell_outputs=outputs,
        figures=figures,
        device=device or "CPU",  # without the backend, NumPy computed on the CPU
        versions=versions,
        seconds=round(time.perf_counter() - started, 2),
        dependencies=local_module_files(project_root, baseline),
        data=data,
        backend=keras.backend.backend() if keras is not None else backend,
    )


# A snippet judged backend-free from its import statements imported Keras or a framework anyway
# (importlib, __import__, exec): it ran without the worker's seed, device and thread settings.
BACKEND_UNSEEN = (
    "imported Keras or its backend in a way its import statements do not show (importlib, __import__ or "
    "exec), so it ran without the engine's seed and device settings; import it with a plain `import` "
    "statement (the worker is restarted)"
)


def _started_keras():
    import keras  # the worker has started the backend: imported once, cheap from here on

    return keras


def _set_seeds(keras, seed: int) -> None:
    """Seed every generator before the run, so its results repeat even where it seeds nothing itself.
    Without the backend: the two that keras.utils.set_random_seed seeds besides the backend's."""
    if keras is not None:
        keras.utils.set_random_seed(seed)
    else:
        random.seed(seed)
        np.random.seed(seed)


def _compile_cell(snippet: Snippet, cell, seed: int | None):
    tree = ast.parse(cell.source, filename=str(snippet.path))
    ast.increment_lineno(tree, cell.first_line - 1)
    if seed is not None:
        if snippet.seed_line is None:
            raise SnippetError(1, "has no top-level `SEED = <int>` line, so it cannot be run with another seed")
        for node in tree.body:
            if is_seed_assignment(node):
                node.value.value = seed
    return compile(tree, str(snippet.path), "exec")


def _seed_value(snippet: Snippet, seed: int | None) -> int:
    if seed is not None:
        return seed
    return snippet.seed if snippet.seed is not None else 0


def _run_cells(snippet: Snippet, codes, namespace: dict):
    outputs: dict[int, str] = {}
    first_cell_of_figure: dict[int, int] = {}
    for index, code in codes:
        buffer = io.StringIO()
        try:
            with contextlib.redirect_stdout(buffer):
                exec(code, namespace)
        except BaseException as error:  # SystemExit and KeyboardInterrupt are snippet failures too
            raise _snippet_error(snippet, error) from None
        finally:
            outputs[index] = buffer.getvalue()
        for number in plt.get_fignums():
            first_cell_of_figure.setdefault(number, index)
    return outputs, first_cell_of_figure


def _snippet_error(snippet: Snippet, error: BaseException) -> SnippetError:
    frames = traceback.extract_tb(error.__traceback__)
    in_snippet = [frame for frame in frames if frame.filename == str(snippet.path)]
    line = in_snippet[-1].lineno if in_snippet else None
    # Drop the engine's own frame; keep the last few, where the cause usually is.
    shown = [frame for frame in frames if not frame.filename.endswith("execution.py")][-TRACEBACK_FRAMES:]
    details = "".join(traceback.format_list(shown)) + "".join(traceback.format_exception_only(error))
    message = "".join(traceback.format_exception_only(error)).strip().splitlines()[-1]
    return SnippetError(line, message, details.rstrip())


def _capture_figures(snippet: Snippet, first_cell_of_figure: dict[int, int]) -> list[FigureCapture]:
    figures = []
    for number in plt.get_fignums():
        figure = plt.figure(number)
        if not figure.axes:
            continue
        light = figure_svg(figure)
        figures.append(
            FigureCapture(
                svg=light,
                svg_dark=dark_figure_svg(figure),
                title=figure_title(figure),
                alt=alt_text(figure, snippet.description),
                cell=first_cell_of_figure.get(number, 0),
            )
        )
    return figures


def _published_values(snippet: Snippet, namespace: dict) -> dict:
    published = namespace.get(PUBLISHED_NAME, {})
    line = _assignment_line(snippet, PUBLISHED_NAME)
    if not isinstance(published, dict):
        raise SnippetError(line, f"`{PUBLISHED_NAME}` must be a dict of name -> number or text")
    values = {}
    for key, value in published.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise SnippetError(line, f"published name {key!r} must be a Python identifier")
        values[key] = _plain_value(key, value, line)
    return values


def _published_data(snippet: Snippet, namespace: dict) -> str | None:
    if DATA_NAME not in namespace:
        return None
    line = _assignment_line(snippet, DATA_NAME)
    data = namespace[DATA_NAME]
    if not isinstance(data, dict):
        raise SnippetError(line, f"`{DATA_NAME}` must be a dict that JSON can hold")
    try:
        # Compact and strict: the page's script reads it with JSON.parse, which has no NaN.
        return json.dumps(data, separators=(",", ":"), allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as error:
        raise SnippetError(line, f"`{DATA_NAME}` cannot be written as JSON: {error}") from None


def _plain_value(key: str, value, line: int | None):
    if isinstance(value, (bool, str)):
        return value
    if hasattr(value, "item"):  # NumPy and TensorFlow scalars
        value = value.item() if getattr(value, "size", 1) == 1 else value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise SnippetError(line, f"published value {key!r} is {value}; pages quote only finite numbers")
        return value
    raise SnippetError(line, f"published value {key!r} is a {type(value).__name__}; publish a number or text")


def _assignment_line(snippet: Snippet, name: str) -> int | None:
    for node in ast.walk(ast.parse(snippet.source)):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return node.lineno
    return None
