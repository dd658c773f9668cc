"""Slim the notebook pages mkdocs-jupyter renders: shared stylesheets, no scripts from other hosts.

nbconvert inlines about 600 KB of JupyterLab CSS into every notebook page and adds MathJax and
Mermaid loaders that fetch from a CDN. The CSS moves to one content-addressed file every notebook
page links (the browser downloads it once); scripts that reach other hosts, or load nothing, go;
scrolling code cells become keyboard-focusable.
"""

from __future__ import annotations

import hashlib
import re

from mkdocs.utils import get_relative_url

from gradbook.engine.bounded_memo import BoundedMemo

SHARED_STYLE_MIN_CHARS = 2000  # smaller <style> blocks are page-specific tweaks: leave them inline
STYLE = re.compile(r"<style[^>]*>(?P<css>.*?)</style>", re.S)
SCRIPT = re.compile(r"<script(?P<attributes>[^>]*)>(?P<body>.*?)</script>", re.S)
REMOTE = re.compile(r"https?://(?!www\.w3\.org/)")
STYLESHEET_DIR = "assets/notebook"


# Recent results by input, so a `mkdocs serve` rebuild does not scan the same 600 KB pages again.
_SLIMMED_KEPT = 512  # about two results (content, then the whole page) for each notebook page
_SLIMMED: dict[tuple[str, str], tuple[str, dict[str, str]]] = BoundedMemo(_SLIMMED_KEPT)


# The last input of each kind per page, kept with its key: a serve rebuild that hands over the very
# same string object (a notebook page's content reused from memory) skips hashing its 600 KB.
_SAME_OBJECT: dict[tuple[str, int], tuple[str, tuple[str, str]]] = BoundedMemo(_SLIMMED_KEPT)


def slim_notebook_page(html: str, page_url: str) -> tuple[str, dict[str, str]]:
    """Return the page's new HTML and the stylesheets it now links, as {site path: css}."""
    same = _SAME_OBJECT.get((page_url, len(html)))
    key = same[1] if same is not None and same[0] is html else (hashlib.sha256(html.encode()).hexdigest(), page_url)
    _SAME_OBJECT[(page_url, len(html))] = (html, key)
    if key not in _SLIMMED:
        _SLIMMED[key] = _slim(html, page_url)
    html, stylesheets = _SLIMMED[key]
    return html, dict(stylesheets)


def _slim(html: str, page_url: str) -> tuple[str, dict[str, str]]:
    stylesheets: dict[str, str] = {}

    def link_shared(match: re.Match) -> str:
        css = match["css"]
        if len(css) < SHARED_STYLE_MIN_CHARS:
            return match[0]
        path = f"{STYLESHEET_DIR}/{hashlib.sha256(css.encode()).hexdigest()[:16]}.css"
        stylesheets[path] = css
        return f'<link rel="stylesheet" href="{get_relative_url(path, page_url)}">'

    def drop_useless(match: re.Match) -> str:
        attributes, body = match["attributes"], match["body"]
        loads_nothing = 'src=""' in attributes
        reaches_out = REMOTE.search(attributes + body) is not None
        mathjax_config = "text/x-mathjax-config" in attributes  # MathJax itself is never loaded
        return "" if loads_nothing or reaches_out or mathjax_config else match[0]

    html = SCRIPT.sub(drop_useless, STYLE.sub(link_shared, html))
    # Code cells scroll sideways; a keyboard user must be able to focus them to scroll.
    html = html.replace('<div class="highlight-ipynb', '<div tabindex="0" class="highlight-ipynb')
    return html, stylesheets
