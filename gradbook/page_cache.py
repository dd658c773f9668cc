"""Converted pages and their search entries, kept between builds: an unchanged page is not converted
or indexed again.

MkDocs converts every page's Markdown to HTML on every build, and Material's search plugin parses
every page's HTML into its index: together three fifths of a `mkdocs serve` rebuild after a one-line
edit to one page (profiled). Both are functions of inputs that can be digested: the conversion of
the page's final Markdown (after the directives are expanded), its path, every page's URL (relative
links), `mkdocs.yml` and the versions of the converting packages; the entries of the page's HTML,
URL, table of contents and metadata. Each result is stored under a digest of those, so any change
makes a new entry rather than reusing a stale one.

The theme's output for each page is kept the same way (gradbook/theme_output.py says what it is
keyed on): an edit that changes no title renders one page again, one that renames a page renders
them all, since every page shows the navigation.

What a conversion logs (a broken link, a missing anchor) is stored with it and logged again on a
hit, so `mkdocs build --strict` fails on a warm cache as it does on a cold one. A file that cannot
be read back is a miss, converted again: a damaged cache never reaches the site. Entries read in one
build stay in memory for the next, so a `mkdocs serve` rebuild does not read them from disk again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from importlib import metadata
from pathlib import Path

from mkdocs.structure.toc import AnchorLink, TableOfContents

from gradbook.engine.atomic_write import write_atomically

# The packages whose code turns Markdown into HTML or HTML into search entries, and this module.
CONVERTERS = ("mkdocs", "markdown", "pymdown-extensions", "pygments", "mkdocs-material")
MODULE_DIGEST = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def _digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


# Digests of page HTML by the text itself: a page served from memory keeps the same string object
# from build to build, whose hash Python keeps, so a `mkdocs serve` rebuild digests only new HTML.
_TEXT_DIGESTS: dict[str, str] = {}


def _text_digest(text: str | None) -> str | None:
    if text is None:
        return None
    if text not in _TEXT_DIGESTS:
        if len(_TEXT_DIGESTS) > 4096:  # several builds' worth of pages: start again
            _TEXT_DIGESTS.clear()
        _TEXT_DIGESTS[text] = hashlib.sha256(text.encode()).hexdigest()
    return _TEXT_DIGESTS[text]


# Entries read or written by the last build in this process (a `mkdocs serve` session), by path. A
# path names its content (it is a digest of the inputs), so an entry in memory is never stale.
_REMEMBERED: dict[Path, dict] = {}


class PageCache:
    """One build's view of the cache: `convert(page, render)` and `index(page, add_entry)`."""

    def __init__(self, root: Path, config_file: Path, files):
        self.root = Path(root)
        versions = {name: metadata.version(name) for name in CONVERTERS}
        urls = sorted((file.src_uri, file.dest_uri, file.url) for file in files)
        self.site_digest = _digest(MODULE_DIGEST, versions, Path(config_file).read_bytes().decode("utf-8", "replace"), urls)
        self.used: set[Path] = set()
        self.hits = self.misses = 0
        self.theme_hits = self.theme_misses = 0
        self._theme_digest: str | None = None  # needs every page's title: made at the first render

    def convert(self, page, render, config, files) -> None:
        """page.render(config, files), or its stored result when the page's Markdown is unchanged."""
        path = self.root / f"{_digest(self.site_digest, 'page', page.file.src_uri, page.markdown)}.json"
        self.used.add(path)
        stored = self._read(path, ("content", "toc", "title", "anchors", "links", "log"))
        if stored is not None:
            self.hits += 1
            page.content = stored["content"]
            page.toc = TableOfContents([_anchor(item) for item in stored["toc"]])
            page._title_from_render = stored["title"]
            page.present_anchor_ids = set(stored["anchors"])
            page.links_to_anchors = _links_from_uris(stored["links"], files)
            for name, level, message in stored["log"]:
                logging.getLogger(name).log(level, message)
            return
        self.misses += 1
        with _CapturedLog() as captured:
            render(config, files)
        self._write(path, {
            "content": page.content,
            "toc": [_plain(item) for item in page.toc],
            "title": page._title_from_render,
            "anchors": sorted(page.present_anchor_ids or ()),
            "links": _links_to_uris(page.links_to_anchors),
            "log": captured.records,
        })

    def index(self, page, add_entry, entries: list) -> None:
        """add_entry(page), or the entries it made last time for the same HTML, TOC and metadata."""
        key = _digest(self.site_digest, "search", page.url, _text_digest(page.content), [_plain(item) for item in page.toc], page.meta, page.title)
        path = self.root / f"{key}.json"
        self.used.add(path)
        stored = self._read(path, ("entries",))
        if stored is not None:
            entries.extend(stored["entries"])
            return
        before = len(entries)
        add_entry(page)
        self._write(path, {"entries": entries[before:]})

    def theme_output(self, template, context, site_inputs: list, page=None) -> str:
        """template.render(context) for a page (or a page-less template such as 404.html), or what it
        gave last time for the same inputs. `site_inputs`: what every page's output depends on."""
        if self._theme_digest is None:  # once per build
            self._theme_digest = _digest(self.site_digest, site_inputs)
        page_inputs = None if page is None else [
            page.url, page.file.src_uri, _text_digest(page.content), [_plain(item) for item in page.toc], page.meta,
            page.title, page.edit_url, page.canonical_url, getattr(page, "nb_url", None),
        ]
        path = self.root / f"{_digest(self._theme_digest, 'theme', template.name, page_inputs)}.json"
        self.used.add(path)
        stored = self._read(path, ("output",))
        if stored is not None and isinstance(stored["output"], str):
            self.theme_hits += 1
            return stored["output"]
        self.theme_misses += 1
        output = template.render(context)
        self._write(path, {"output": output})
        return output

    def forget_unused(self) -> None:
        """Delete what this build did not ask for (older versions of edited pages)."""
        for path in self.root.glob("*.json"):
            if path not in self.used:
                path.unlink(missing_ok=True)

    def remember_used_only(self) -> None:
        """Keep in memory, for the next build in this process, only what this build used."""
        for path in set(_REMEMBERED) - self.used:
            del _REMEMBERED[path]

    @staticmethod
    def _write(path: Path, entry: dict) -> None:
        write_atomically(path, json.dumps(entry))
        _REMEMBERED[path] = entry

    @staticmethod
    def _read(path: Path, fields: tuple[str, ...]) -> dict | None:
        if path in _REMEMBERED:
            return _REMEMBERED[path]
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(stored, dict) and all(field in stored for field in fields):
                _REMEMBERED[path] = stored
                return stored
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, ValueError):
            pass
        logging.getLogger("mkdocs.plugins.gradbook").info(f"gradbook: unreadable page cache entry {path} ignored; the page is converted again")
        return None


def _plain(item: AnchorLink) -> dict:
    return {"title": item.title, "id": item.id, "level": item.level, "children": [_plain(child) for child in item.children]}


def _anchor(plain: dict) -> AnchorLink:
    item = AnchorLink(plain["title"], plain["id"], plain["level"])
    item.children = [_anchor(child) for child in plain["children"]]
    return item


def _links_to_uris(links) -> dict | None:
    return None if links is None else {file.src_uri: anchors for file, anchors in links.items()}


def _links_from_uris(links, files) -> dict | None:
    if links is None:
        return None
    found = {uri: files.get_file_from_path(uri) for uri in links}
    return {found[uri]: anchors for uri, anchors in links.items() if found[uri] is not None}


class _CapturedLog(logging.Handler):
    """Records (logger, level, message) of every warning logged while a page converts."""

    # MkDocs's command line stops its "mkdocs" logger propagating to the root: listen on both.
    LOGGERS = ("", "mkdocs")

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, int, str]] = []
        self._seen: set[int] = set()

    def emit(self, record):
        if id(record) not in self._seen:  # a record that propagates reaches both
            self._seen.add(id(record))
            self.records.append((record.name, record.levelno, record.getMessage()))

    def __enter__(self):
        for name in self.LOGGERS:
            logging.getLogger(name).addHandler(self)
        return self

    def __exit__(self, *exc):
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self)
