"""Notebook pages rendered while the snippets still run, into mkdocs-jupyter's own cache.

A cold `mkdocs build` runs every snippet and only then renders the pages: mkdocs-jupyter converted
each executed notebook (about 0.2 s apiece, 106 of them) after the last run had ended, on one core
while the other idled. Here each notebook is converted on one background thread as soon as its run
lands, while the workers run the rest, with mkdocs-jupyter's own conversion and options; when
mkdocs-jupyter comes to the page, the entry it looks for is there, a cache hit.

This writes mkdocs-jupyter's cache, whose key (`_compute_cache_key`) and entry format
(`{"content", "toc_tokens", "title"}`) are its own, as of the version pyproject.toml pins
(0.26.3). tests/test_jupyter_prerender.py checks, on the installed version, that a cold build finds
every notebook page in the cache and gives the same site as mkdocs-jupyter rendering each itself.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from gradbook.engine.atomic_write import write_atomically

log = logging.getLogger("mkdocs.plugins.gradbook")


class NotebookPrerender:
    def __init__(self, jupyter_config):
        self._config = jupyter_config  # mkdocs-jupyter's plugin settings, cache_dir pinned absolute
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="gradbook-prerender")
        self._pending: list[Future] = []
        self.rendered = 0

    @classmethod
    def for_build(cls, config) -> NotebookPrerender | None:
        """One for this build, or None where mkdocs-jupyter is absent, keeps no cache, or executes
        notebooks itself (its cache key would then depend on what its own run gives)."""
        jupyter = config.plugins.get("mkdocs-jupyter")
        if jupyter is None or not jupyter.config["cache"] or jupyter.config["execute"]:
            return None
        return cls(jupyter.config)

    def submit(self, write_notebook: Callable[[], str]) -> None:
        """Queue `write_notebook()`, which writes a notebook and returns its path, then its page's render.

        Called from the runner's threads as runs land; the writing happens on this one thread, so
        nothing else touches the notebook store until `finish`.
        """
        self._pending.append(self._thread.submit(lambda: self._render(write_notebook())))

    def finish(self) -> None:
        """Wait for every queued render: before mkdocs-jupyter renders anything itself."""
        for future in self._pending:
            try:
                future.result()
            except Exception as error:  # mkdocs-jupyter renders that page itself, and reports what fails
                log.info(f"gradbook: a notebook page could not be rendered ahead ({type(error).__name__}: {error}); "
                         "mkdocs-jupyter renders it with the other pages")
        self._pending.clear()
        self._thread.shutdown()

    def _render(self, notebook: str) -> None:
        # As mkdocs-jupyter's own render (its plugin's on_pre_page), for a notebook it does not execute.
        from mkdocs_jupyter import convert
        from mkdocs_jupyter.plugin import _compute_cache_key, _get_cache_path, _get_nb_toc_tokens

        config = self._config
        entry = Path(_get_cache_path(config["cache_dir"], _compute_cache_key(notebook, config, False)))
        if entry.exists():
            return
        body = convert.nb2html(
            notebook,
            execute=False,
            kernel_name=config["kernel_name"],
            theme=config["theme"],
            allow_errors=config["allow_errors"],
            show_input=config["show_input"],
            no_input=config["no_input"],
            no_prompt=config["no_prompt"],
            remove_tag_config=config["remove_tag_config"],
            highlight_extra_classes=config["highlight_extra_classes"],
            include_requirejs=config["include_requirejs"],
            custom_mathjax_url=config["custom_mathjax_url"],
        )
        toc_tokens, title = _get_nb_toc_tokens(notebook, config["toc_depth"])
        write_atomically(entry, json.dumps({"content": body, "toc_tokens": toc_tokens, "title": title}))
        self.rendered += 1
