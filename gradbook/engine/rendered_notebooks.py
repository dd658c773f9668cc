"""Executed notebooks, kept on disk between builds: a warm build reads them instead of rebuilding them.

Building a notebook's JSON from a run (two per snippet: the download, with figures embedded, and the
copy mkdocs-jupyter renders, with figures linked) was a tenth of a warm build. Each is stored under
a digest of everything it is made from (the snippet's source, the run, the figure links), so an
edit to any of them makes a new file rather than reusing a stale one. A file that is unreadable or
not JSON is treated as missing and written again: a damaged cache never reaches the site.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from gradbook.engine import notebook as notebook_module
from gradbook.engine.atomic_write import write_atomically
from gradbook.engine.bounded_memo import BoundedMemo
from gradbook.engine.file_version import file_version
from gradbook.engine.notebook import notebook_json
from gradbook.engine.results import SnippetRun
from gradbook.engine.snippet import Snippet

# The code that writes notebooks is part of what each one is made from.
WRITER_DIGEST = hashlib.sha256(Path(notebook_module.__file__).read_bytes()).hexdigest()


# Files already read and parsed as JSON, by path: ((size, modification time) then, text). A `mkdocs
# serve` rebuild reads and parses only the notebooks written or changed since (all of them: ~11 MB).
# Two per snippet; each edit writes new ones, so only the newest are kept.
_CHECKED: dict[Path, tuple[tuple[int, int], str]] = BoundedMemo(1024)
# The file each (snippet, flavour) last resolved to, with what it was made from: a rebuild handed the
# same run object (the cache remembers it while its entry is unchanged) and the same source and
# links skips the digest, which serialises the whole run, figures included.
_RESOLVED: dict[tuple[Path, str, bool], tuple[str, SnippetRun, object, Path]] = {}


class RenderedNotebooks:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.used: set[Path] = set()
        self.reused = 0

    def notebook(self, snippet: Snippet, run: SnippetRun, figure_sources: Callable | None = None) -> str:
        links = [figure_sources(number) for number in range(1, len(run.figures) + 1)] if figure_sources else None
        path = self._path(snippet, run, links)
        self.used.add(path)
        try:
            version = file_version(path)
            if path not in _CHECKED or _CHECKED[path][0] != version:
                text = path.read_text(encoding="utf-8")
                json.loads(text)
                _CHECKED[path] = (version, text)
            self.reused += 1
            return _CHECKED[path][1]
        except (OSError, UnicodeDecodeError, ValueError):
            _CHECKED.pop(path, None)
            text = notebook_json(snippet, run, figure_sources)
            write_atomically(path, text)
            return text

    def _path(self, snippet: Snippet, run: SnippetRun, links) -> Path:
        flavour = (self.root, snippet.name, links is not None)
        resolved = _RESOLVED.get(flavour)
        if resolved is not None and resolved[1] is run and resolved[0] == snippet.source and resolved[2] == links:
            return resolved[3]
        payload = json.dumps([WRITER_DIGEST, snippet.source, run.to_json(), links], sort_keys=True)
        path = self.root / f"{hashlib.sha256(payload.encode()).hexdigest()}.ipynb"
        _RESOLVED[flavour] = (snippet.source, run, links, path)
        return path

    def forget_unused(self) -> None:
        """Delete the notebooks this build did not ask for (older versions of edited snippets)."""
        for path in self.root.glob("*.ipynb"):
            if path not in self.used:
                path.unlink(missing_ok=True)
                _CHECKED.pop(path, None)
        self.used.clear()
