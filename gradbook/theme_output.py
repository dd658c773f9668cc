"""Give MkDocs the theme's output for a page from the page cache, and keep compiled templates.

After a one-line edit, rendering every page through Material's templates was the largest cost of a
rebuild (each page renders the whole navigation), and MkDocs compiles those templates again on
every `mkdocs serve` rebuild. MkDocs asks its Jinja environment for each page's template just
before rendering it; `ThemeOutputCache.install` answers that question with a template whose
`render` looks the output up in the page cache (`PageCache.theme_output`) and renders only on a
miss. Everything the templates read beyond the page itself is digested once per build: the
navigation (every entry's kind, title and URL, in order), the files in the theme's `custom_dir`,
and `site_url`; `mkdocs.yml` and the package versions are in the page cache's own digest.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2

from gradbook.page_cache import PageCache

# Templates rendered without a page whose output depends only on the navigation and the config.
PAGELESS_TEMPLATES = ("404.html",)


class ThemeOutputCache:
    def __init__(self, env: jinja2.Environment, config, nav, pages: PageCache):
        self.env, self.config, self.nav, self.pages = env, config, nav, pages
        self._get_template = env.get_template
        self._site_inputs: list | None = None

    def install(self) -> None:
        self.env.get_template = self.get_template
        if self.env.bytecode_cache is None:
            self.env.bytecode_cache = COMPILED_TEMPLATES

    def get_template(self, name, parent=None, globals=None):
        template = self._get_template(name, parent, globals)
        if parent is not None:  # Jinja's own `extends` and `include`: they need the real template
            return template
        page = self.config._current_page
        if page is not None and name == page.meta.get("template", "main.html"):
            return _CachedRender(template, lambda context: self.pages.theme_output(template, context, self.site_inputs(), page))
        if page is None and name in PAGELESS_TEMPLATES:
            return _CachedRender(template, lambda context: self.pages.theme_output(template, context, self.site_inputs()))
        return template

    def site_inputs(self) -> list:
        # Made at the first render: by then every page is converted and its title known.
        if self._site_inputs is None:
            self._site_inputs = [_nav_outline(self.nav.items), _custom_dir_digest(self.config), self.config.site_url]
        return self._site_inputs


class _CachedRender:
    """Stands in for a Jinja template where MkDocs only calls `render(context)`."""

    def __init__(self, template, render):
        self.name = template.name
        self.render = render


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory for the next build in the same process (`mkdocs serve`).
    Jinja checks each entry against its template's source checksum, so an edited template compiles again."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


def _nav_outline(items) -> list:
    """Every nav entry's kind, title and URL, in order: what the theme's navigation shows."""
    return [
        [type(item).__name__, item.title, getattr(item, "url", None), _nav_outline(getattr(item, "children", None) or [])]
        for item in items
    ]


def _custom_dir_digest(config) -> str:
    custom_dir = config.theme.custom_dir
    if not custom_dir or not Path(custom_dir).is_dir():
        return ""
    digest = hashlib.sha256()
    for path in sorted(path for path in Path(custom_dir).rglob("*") if path.is_file()):
        digest.update(str(path.relative_to(custom_dir)).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
