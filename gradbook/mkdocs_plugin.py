"""The MkDocs plugin: a thin adapter that wires the snippet engine to MkDocs events.

on_config validates settings once; on_files runs every snippet (cache first, misses side by side on
the worker pool) and adds the figures, sources, notebooks and values.json to the site; on_page_markdown expands directives; failures
become warnings, so `mkdocs build --strict` fails while `mkdocs serve` keeps serving.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

from gradbook.engine import SnippetFailure, SnippetRun, SnippetRunner, load_snippet
from gradbook.engine.background import BackgroundRuns
from gradbook.engine.backend_tabs import drop_unavailable_tabs
from gradbook.engine.backends import INSTALL_HINT, backend_installed, label
from gradbook.engine.directives import expand_page
from gradbook.engine.file_version import file_version
from gradbook.engine.device import cpu_forced
from gradbook.engine.rendered_notebooks import RenderedNotebooks
from gradbook.engine.published_values import values_document
from gradbook.engine.site_paths import VALUES_FILE, data_uri, download_uri, figure_uri, notebook_uri, source_uri
from gradbook.engine.snippet import SnippetFormatError
from gradbook.engine.unexpanded import unexpanded_references
from gradbook.engine.atomic_write import write_atomically
from gradbook import nbconvert_templates
from gradbook.jupyter_cache import discard_unreadable_entries
from gradbook.jupyter_prerender import NotebookPrerender
from gradbook.notebook_page import slim_notebook_page
from gradbook.page_cache import PageCache
from gradbook.theme_output import ThemeOutputCache

log = logging.getLogger("mkdocs.plugins.gradbook")

# The Markdown the directives expand to uses these; checked once, at config time.
REQUIRED_EXTENSIONS = ("admonition", "attr_list", "md_in_html", "pymdownx.details", "pymdownx.superfences", "pymdownx.emoji")
EXECUTE_VARIABLE = "GRADBOOK_EXECUTE"  # "0" turns execution off for one build


class SnippetPluginConfig(base.Config):
    snippets_dir = c.Type(str, default="snippets")
    cache_dir = c.Type(str, default=".cache/gradbook")
    execute = c.Type(bool, default=True)
    timeout = c.Type((int, float), default=180)
    device = c.Choice(("auto", "cpu"), default="auto")
    memory_limit_mib = c.Type(int, default=8192)  # what one snippet may allocate; 0 for no limit
    workers = c.Type(int, default=0)  # warm workers side by side; 0: one per core, or one per GPU


SERVE_NICENESS = 10  # `mkdocs serve`'s snippet workers: the scheduler runs its rebuilds first


class SnippetPlugin(BasePlugin[SnippetPluginConfig]):
    def __init__(self):
        self.runner: SnippetRunner | None = None  # kept across `mkdocs serve` rebuilds: stays warm
        self._runner_settings = None
        self.serving = False
        self.background: BackgroundRuns | None = None  # `mkdocs serve` only: misses run behind the pages
        self._landed = False  # the rebuild under way was asked for by a snippet that finished
        self._reported_backends: set[str] = set()  # missing backends already named (serve rebuilds repeat)
        self._loaded: dict[Path, tuple] = {}  # snippet path -> ((size, mtime), Snippet)
        self._copies: dict[Path, tuple] = {}  # notebook copy -> ((size, mtime), the text it holds)
        self._reset()

    def on_startup(self, *, command, dirty):
        # `mkdocs build` waits for every snippet; `mkdocs serve` shows pages first and runs behind them.
        self.serving = command == "serve"

    def _reset(self) -> None:
        self.snippets, self.outcomes, self.embedded = {}, {}, set()
        self.unavailable: dict[str, str] = {}  # snippet name -> its Keras backend, not installed here

    def on_config(self, config):
        self.project_root = Path(config.config_file_path).parent.resolve()
        self.snippets_dir = self.project_root / self.config.snippets_dir
        if not self.snippets_dir.is_dir():
            raise PluginError(f"gradbook: snippets_dir '{self.config.snippets_dir}' is not a folder under {self.project_root}")
        if self.config.timeout <= 0:
            raise PluginError("gradbook: timeout must be a positive number of seconds")
        if self.config.workers < 0:
            raise PluginError("gradbook: workers must be 0 (one per core, or per GPU) or a positive number")
        if self.config.memory_limit_mib < 0:
            raise PluginError("gradbook: memory_limit_mib must be 0 (no limit) or a positive number of MiB")
        missing = [name for name in REQUIRED_EXTENSIONS if name not in config.markdown_extensions]
        if missing:
            raise PluginError(f"gradbook: add these to markdown_extensions in mkdocs.yml: {', '.join(missing)}")
        self.execute = self.config.execute and os.environ.get(EXECUTE_VARIABLE, "1") != "0"
        self._pin_jupyter_cache(config)
        if config.plugins.get("mkdocs-jupyter") is not None:
            nbconvert_templates.install()  # its notebook conversions compile their templates once
        settings = (
            self.project_root, self.config.cache_dir, float(self.config.timeout),
            cpu_forced(self.config.device), self.config.memory_limit_mib, self.config.workers, self.serving,
        )
        if self.runner is None or self._runner_settings != settings:
            # MkDocs reuses plugin instances across `serve` rebuilds: keep the warm worker unless
            # the settings it was started with changed.
            if self.runner is not None:
                self.runner.close()
            self.runner = SnippetRunner(
                self.project_root,
                self.project_root / self.config.cache_dir,
                timeout=float(self.config.timeout),
                force_cpu=cpu_forced(self.config.device),
                memory_limit_mib=self.config.memory_limit_mib,
                workers=self.config.workers or None,
                # Serving, snippets run behind the pages a reader is waiting for: a fresh clone's
                # first build shares two cores with two workers importing TensorFlow and running.
                niceness=SERVE_NICENESS if self.serving else 0,
                report=lambda text: log.info(f"snippet {text}"),
            )
            self._runner_settings = settings
            self.background = BackgroundRuns(self.runner, on_result=self._snippet_landed)
        self.rendered = RenderedNotebooks(self.project_root / self.config.cache_dir / "rendered")
        return config

    def _pin_jupyter_cache(self, config) -> None:
        """Put mkdocs-jupyter's render cache under this project, wherever the build is started from.

        mkdocs-jupyter resolves its cache folder against the working directory, and after a build
        deletes every entry that build did not use: building another project from this one's folder
        (as an in-process test or a script might) would empty this project's render cache.
        """
        jupyter = config.plugins.get("mkdocs-jupyter")
        if jupyter is not None and not Path(jupyter.config["cache_dir"]).is_absolute():
            jupyter.config["cache_dir"] = str(self.project_root / jupyter.config["cache_dir"])

    @property
    def _landing_signal(self) -> Path:
        return self.project_root / self.config.cache_dir / "serve" / "landed"

    def _snippet_landed(self, name: str) -> None:
        # `mkdocs serve` rebuilds when a watched file changes: this file is watched (on_serve).
        self._landed = True
        write_atomically(self._landing_signal, name)

    def on_files(self, files: Files, config) -> Files:
        self._reset()
        self._repair_jupyter_cache(config)
        for path in sorted(self.snippets_dir.glob("*.py")):
            if path.name.startswith("_"):
                continue  # private helpers next to the snippets are not experiments
            try:
                snippet = self._load_snippet(path)
            except SnippetFormatError as error:
                log.warning(f"gradbook: {error}")
                continue
            if not backend_installed(snippet.backend):
                self.unavailable[snippet.name] = snippet.backend
                continue
            self.snippets[snippet.name] = snippet
        self._report_missing_backends()
        # All at once, so the misses run side by side on the worker pool.
        in_background = self.serving and self.execute
        if in_background:
            self.outcomes = self.runner.run_all(self.snippets.values(), execute=False)
            self._run_misses_in_background()
        else:
            self.outcomes = self._run_all_rendering_as_they_land(config)
        for name, outcome in self.outcomes.items():
            if isinstance(outcome, SnippetFailure):
                log.warning(f"gradbook: snippet failed: {outcome.describe()}")
            self._add_files(files, config, self.snippets[name], outcome)
        runs = {name: run for name, run in self.outcomes.items() if isinstance(run, SnippetRun)}
        files.append(File.generated(config, VALUES_FILE, content=json.dumps(values_document(runs), indent=2)))
        return files

    def _run_all_rendering_as_they_land(self, config) -> dict:
        """Every snippet's outcome; the notebook page of each run that lands is rendered meanwhile
        (see jupyter_prerender), so a cold build's notebook pages are not all left to the end."""
        prerender = NotebookPrerender.for_build(config) if self.execute else None

        def landed(snippet, outcome) -> None:  # on a runner thread: only queue the work
            if prerender is not None and isinstance(outcome, SnippetRun):
                prerender.submit(lambda: self._notebook_copy(config, snippet, outcome).abs_src_path)

        try:
            outcomes = self.runner.run_all(self.snippets.values(), execute=self.execute, finished=landed)
        finally:
            if prerender is not None:
                prerender.finish()
        if prerender is not None and prerender.rendered:
            log.info(f"gradbook: {prerender.rendered} notebook pages rendered while the snippets ran")
        return outcomes

    def _load_snippet(self, path: Path):
        """load_snippet(path), parsed again only when the file changed (serve rebuilds ask each time)."""
        version = file_version(path)
        if version is None or self._loaded.get(path, (None,))[0] != version:  # None: load_snippet says why
            self._loaded[path] = (version, load_snippet(path))
        return self._loaded[path][1]

    def _report_missing_backends(self) -> None:
        backends = sorted(set(self.unavailable.values()) - self._reported_backends)
        self._reported_backends.update(backends)
        if backends:
            log.info(
                f"gradbook: Keras backend(s) {', '.join(label(b) for b in backends)} not installed: their "
                f"{len(self.unavailable)} snippet(s) and tabs are left out ({INSTALL_HINT} adds them)"
            )

    def _run_misses_in_background(self) -> None:
        if not self._landed:
            self.background.forget_failures()  # an edit, not a result, caused this build: retry them
        self._landed = False
        misses = [self.snippets[name] for name, outcome in self.outcomes.items() if outcome is None]
        self.background.submit(misses)
        for snippet in misses:
            self.outcomes[snippet.name] = self.background.status(snippet)

    def _add_files(self, files: Files, config, snippet, outcome) -> None:
        files.append(File.generated(config, source_uri(snippet.name), content=snippet.source))
        if not isinstance(outcome, SnippetRun):
            return
        for number, figure in enumerate(outcome.figures, start=1):
            files.append(File.generated(config, figure_uri(snippet.name, number), content=figure.svg))
            files.append(File.generated(config, figure_uri(snippet.name, number, dark=True), content=figure.svg_dark))
        if outcome.data is not None:
            files.append(File.generated(config, data_uri(snippet.name), content=outcome.data))
        # The download embeds its figures; the page mkdocs-jupyter renders links both palettes' variants.
        files.append(File.generated(config, download_uri(snippet.name), content=self.rendered.notebook(snippet, outcome)))
        files.append(self._notebook_copy(config, snippet, outcome))

    def _notebook_copy(self, config, snippet, outcome: SnippetRun) -> File:
        """The executed notebook mkdocs-jupyter renders as the snippet's page, written if it changed."""
        # mkdocs-jupyter serves notebooks/x.ipynb at the URL a Markdown page notebooks/x.md would have.
        page = File(notebook_uri(snippet.name).removesuffix(".ipynb") + ".md", None, config.site_dir, config.use_directory_urls)
        notebook = self.rendered.notebook(
            snippet, outcome,
            lambda number: tuple(get_relative_url(figure_uri(snippet.name, number, dark=dark), page.url) for dark in (False, True)),
        )
        # mkdocs-jupyter renders notebooks from a source folder on disk (it cannot read generated
        # files), so this copy lives in the cache folder, which then acts as that source folder.
        cache_root = self.project_root / self.config.cache_dir
        written = cache_root / notebook_uri(snippet.name)
        if self._copies.get(written, (None, None))[1] is not notebook or file_version(written) != self._copies[written][0]:
            # Bytes, not text: a garbled copy is simply different, and is rewritten.
            if not written.exists() or written.read_bytes() != notebook.encode("utf-8"):
                write_atomically(written, notebook)
            # A serve rebuild handed the same notebook text skips the read while the file is unchanged.
            self._copies[written] = (file_version(written), notebook)
        return File(notebook_uri(snippet.name), str(cache_root), config.site_dir, config.use_directory_urls)

    def _repair_jupyter_cache(self, config) -> None:
        jupyter = config.plugins.get("mkdocs-jupyter")
        if jupyter is None or not jupyter.config.get("cache"):
            return
        # Pinned under the project root by on_config.
        for entry in discard_unreadable_entries(Path(jupyter.config["cache_dir"])):
            log.info(f"gradbook: unreadable mkdocs-jupyter cache entry {entry} removed; its notebook page is rendered again")

    def on_nav(self, nav, config, files):
        # Every plugin has added its files by now: the page URLs that relative links resolve against.
        self.pages = PageCache(self.project_root / self.config.cache_dir / "pages", config.config_file_path, files)
        self.nav = nav
        return nav

    def on_env(self, env, config, files):
        # Every page is converted by now (its title known): the theme's output can be looked up.
        ThemeOutputCache(env, config, self.nav, self.pages).install()
        return env

    @event_priority(-50)  # after mkdocs-jupyter has put its own render on notebook pages
    def on_pre_page(self, page, config, files):
        render = page.render
        if page.file.src_uri.endswith(".md"):
            page.render = lambda config, files: self.pages.convert(page, render, config, files)
        elif page.file.src_uri in {notebook_uri(name) for name in self.snippets}:
            page.render = lambda config, files: self._render_notebook(render, page, config, files)
        return page

    def _render_notebook(self, render, page, config, files) -> None:
        """mkdocs-jupyter's render, once more if its cache entry could not be read; in a `mkdocs
        serve` session, the last rebuild's render while the notebook copy and the plugin's settings
        are unchanged.

        Entries are checked before the build (on_files), but another build (a `mkdocs serve` beside a
        `mkdocs build`) can be writing or evicting one while this build reads it.
        """
        source = Path(page.file.abs_src_path)
        jupyter = config.plugins.get("mkdocs-jupyter")
        version = (file_version(source), repr(sorted(jupyter.config.items())) if jupyter else None)
        remembered = _RENDERED_NOTEBOOKS.get(source) if self.serving else None
        if remembered is not None and remembered[0] == version and version[0] is not None:
            # The same content object as last time, too: the notebook page slimmer then knows it.
            _, page.content, page.toc, title = remembered
            if title is not None:
                page.title = title
            return
        try:
            render(config, files)
        except (OSError, ValueError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            log.info(f"gradbook: mkdocs-jupyter could not read its cache ({type(error).__name__}), as when "
                     "another build is writing it; the notebook page is rendered again")
            self._repair_jupyter_cache(config)
            render(config, files)
        if self.serving:  # a one-off build has no next rebuild to hand them to
            # The title mkdocs-jupyter's render set, if it set one (Page keeps it apart from the others).
            _RENDERED_NOTEBOOKS[source] = (version, page.content, page.toc, getattr(page, "_title_from_render", None))

    @event_priority(50)  # before Material's search plugin indexes the page
    def on_page_context(self, context, page, config, nav):
        search = config.plugins.get("material/search")
        index = getattr(search, "search_index", None)
        if index is not None and "add_entry_from_context" not in vars(index):  # once per build
            add_entry = index.add_entry_from_context
            index.add_entry_from_context = lambda page: self.pages.index(page, add_entry, index.entries)
        return context

    def on_page_markdown(self, markdown, page, config, files):
        markdown = drop_unavailable_tabs(markdown, set(self.unavailable))
        expanded = expand_page(markdown, page.file.src_uri, self.snippets, self.outcomes)
        self._warn(expanded.problems, page, config)
        self.embedded |= expanded.snippets_used
        return expanded.markdown

    def on_page_content(self, html, page, config, files):
        if page.file.src_uri.endswith(".md"):  # notebook pages show snippet code, never page prose
            self._warn(unexpanded_references(html, page.file.content_string, self.snippets), page, config)
        elif page.file.src_uri in {notebook_uri(name) for name in self.snippets}:
            # An executed notebook repeats its page's code and output: keep it out of search results.
            page.meta["search"] = {"exclude": True}
            # Slimmed here, before the search plugin and the theme each pass over the page's content:
            # its inlined stylesheets (about 600 KB a page) made notebook pages the slowest part of
            # a rebuild. on_post_page still slims whatever the theme adds around it.
            return self._slim_notebook(html, page, config)
        return html

    def _warn(self, problems, page, config) -> None:
        for problem in problems:
            log.warning(f"gradbook: {Path(config.docs_dir).name}/{page.file.src_uri}:{problem.line}: {problem.message}")

    def on_post_page(self, output, page, config):
        if page.file.src_uri not in {notebook_uri(name) for name in self.snippets}:
            return output
        return self._slim_notebook(output, page, config)

    def _slim_notebook(self, html, page, config) -> str:
        html, stylesheets = slim_notebook_page(html, page.url)
        for path, css in stylesheets.items():
            target = Path(config.site_dir) / path
            if not target.exists():
                write_atomically(target, css)
        return html

    def on_post_build(self, config):
        if not self.serving:  # a serve session keeps them: its background runs may still ask
            self.rendered.forget_unused()
            self.pages.forget_unused()
        self.pages.remember_used_only()
        log.info(f"gradbook: {self.pages.hits} pages reused, {self.pages.misses} converted; "
                 f"theme output of {self.pages.theme_hits} reused, {self.pages.theme_misses} rendered")
        for name in sorted(set(self.snippets) - self.embedded):
            log.warning(f"gradbook: {self.config.snippets_dir}/{name}.py is not embedded by any page; add '@snippet {name}' to one")

    def on_serve(self, server, config, builder):
        if self.execute:
            self.runner.prewarm()  # an author's first edit should not wait for TensorFlow to import
        server.watch(str(self.snippets_dir))
        self._landing_signal.parent.mkdir(parents=True, exist_ok=True)
        server.watch(str(self._landing_signal.parent))  # a snippet finished in the background
        helpers = self.project_root / "gradbook"
        if helpers.is_dir():
            server.watch(str(helpers))  # shared helpers the snippets import
        return server

    def on_shutdown(self):
        if self.runner is not None:
            self.runner.close()


# Notebook pages as mkdocs-jupyter last rendered them in this process, by notebook copy: (version,
# content, toc, title). A `mkdocs serve` rebuild reused them instead of reading and parsing each
# page's 600 KB cache entry again, and then slimming new copies of the same content.
_RENDERED_NOTEBOOKS: dict[Path, tuple] = {}

