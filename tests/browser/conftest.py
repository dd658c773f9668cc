"""Serve the built site on localhost and drive Debian's Chromium with Playwright."""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import os
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The flags a closed network needs: no background connections to Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]


@pytest.fixture(scope="session")
def site_url(built_site):
    site, _ = built_site
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = "browser tests need Debian's chromium: apt-get install chromium (.ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def site_pages(site: Path) -> list[str]:
    """Every page of the built site, as a URL path."""
    pages = []
    for index in sorted(site.rglob("index.html")):
        relative = index.parent.relative_to(site).as_posix()
        pages.append("/" if relative == "." else f"/{relative}/")
    return pages


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site as static hosts such as GitHub Pages do: text compressed with gzip."""

    COMPRESSED = (".html", ".svg", ".css", ".js", ".json", ".ipynb", ".py", ".xml")

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts_gzip and path.suffix in self.COMPRESSED and path.is_file()):
            return super().send_head()
        body = _compressed(path, path.stat().st_mtime_ns)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format, *args):
        pass


@functools.lru_cache(maxsize=None)
def _compressed(path: Path, modified_ns: int) -> bytes:
    """A file's gzip bytes, made once per version: every visit fetches the theme's scripts and
    stylesheets again, and compressing them anew repeated the same work on each visit."""
    return gzip.compress(path.read_bytes())
