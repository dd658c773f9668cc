"""Compile nbconvert's Jinja templates once per process, not once per notebook.

mkdocs-jupyter makes a new nbconvert exporter for every notebook it converts (two: the page and the
Markdown it takes the table of contents from), and each new exporter compiles every template again.
Measured on this site's notebooks, that compiling was about half of each conversion (24 notebooks:
8.5 s, then 4.3 s with it done once), so a cold build's 106 conversions and each `mkdocs serve`
rebuild of an edited snippet's page paid for it over and over.

Jinja's bytecode cache is made for this: it keys compiled code on the template's name and a checksum
of its source. Here it lives in memory, one per set of environment settings that change what a
template compiles to, so two exporters configured differently never share code.
"""

from __future__ import annotations

import threading

import jinja2

# Environment attributes that change the code a template compiles to (as Jinja's own lexer cache keys).
COMPILE_SETTINGS = (
    "block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
    "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
    "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "is_async", "optimized",
)


class MemoryBytecodeCache(jinja2.BytecodeCache):
    def __init__(self):
        self._code: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with self._lock:
            code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # a checksum that no longer matches leaves the bucket empty

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with self._lock:
            self._code[bucket.key] = bucket.bytecode_to_string()


_CACHES: dict[tuple, MemoryBytecodeCache] = {}
_CACHES_LOCK = threading.Lock()


def shared_cache(environment: jinja2.Environment) -> MemoryBytecodeCache | None:
    """The cache every environment with these compile settings shares; None if they cannot be told apart."""
    if not isinstance(environment.autoescape, bool):  # a function: cannot tell two apart
        return None
    settings = tuple(getattr(environment, name) for name in COMPILE_SETTINGS)
    key = (settings, environment.autoescape, tuple(sorted(environment.extensions)))
    with _CACHES_LOCK:
        return _CACHES.setdefault(key, MemoryBytecodeCache())


def install() -> bool:
    """Give every nbconvert template environment made from now on the shared cache (once per process).
    False if this nbconvert makes its environments some other way: conversions are then as before."""
    from nbconvert.exporters.templateexporter import TemplateExporter

    create = getattr(TemplateExporter, "_create_environment", None)
    if create is None:
        return False
    if hasattr(create, "unwrapped"):  # installed already
        return True

    def create_environment(self):
        environment = create(self)
        if environment.bytecode_cache is None:
            environment.bytecode_cache = shared_cache(environment)
        return environment

    create_environment.unwrapped = create
    TemplateExporter._create_environment = create_environment
    return True
