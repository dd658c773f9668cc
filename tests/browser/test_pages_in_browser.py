"""Pages in a real browser, in both palettes: images load, nothing leaves localhost, no console
errors, and axe-core finds no serious or critical accessibility issue. Every Markdown page is
visited; of the executed-notebook pages, one template filled a hundred times, a sample, and every
one is checked without a browser."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import zlib
from concurrent.futures import ProcessPoolExecutor
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, site_pages

PALETTES = ("light", "dark")
# A Markdown page with two figures, without the theme's shared assets, in bytes transferred from a
# host that compresses text (as GitHub Pages does; the test server does the same).
PAGE_WEIGHT_LIMIT = 150 * 1024

# Figures load lazily (the other palette's variant is never fetched): scroll each shown image into
# view, as a reader would, then report whether it decoded.
SHOWN_IMAGES_AFTER_SCROLLING = """async () => {
  const shown = Array.from(document.images).filter(image => image.offsetParent !== null);
  for (const image of shown) {
    image.scrollIntoView();
    await image.decode().catch(() => null);
  }
  return shown.map(image => [image.getAttribute('src'), image.complete && image.naturalWidth > 0]);
}"""
# Bytes this page made the browser fetch, leaving out what every page shares: the theme's assets
# (assets/, including the notebooks' shared stylesheet), the site's stylesheets and the search index.
OWN_BYTES = """() => {
  const shared = /\\/(assets|stylesheets|search)\\//;
  const [navigation] = performance.getEntriesByType('navigation');
  return performance.getEntriesByType('resource')
    .filter(entry => !shared.test(new URL(entry.name).pathname))
    .reduce((total, entry) => total + entry.encodedBodySize, navigation.encodedBodySize);
}"""
# Every rule, but details only of violations: axe then skips serialising every passing node.
AXE_OPTIONS = {"resultTypes": ["violations"]}
# Back at the top Material shows its tabs again and fades them in: wait two frames for the
# transitions to start, then until none is running, so axe does not measure the contrast of text
# caught mid-transition. (A fixed half-second pause cost a quarter of each visit.)
TRANSITIONS_STARTED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
TRANSITIONS_SETTLED = "() => document.getAnimations().every(animation => animation.playState !== 'running')"
# Pages whose components (tabs, admonitions, tables, the explorer's controls) are visited and
# checked by axe in both palettes, whatever the hash below says.
BOTH_PALETTES = ("/", "/about/writing-a-page/", "/explore/", "/troubleshooting/gradients-on-every-backend/")
# Material's search worker fetches and indexes the whole search index (1.3 MB) on every page load: a
# second busy process beside axe's. The script is the same on every page, so the pages above load
# the real index, test_search_finds_what_readers_type searches it, and the other visits are handed
# an index with the same settings and no entries.
SEARCH_INDEX = "**/search/search_index.json"
# One executed-notebook page in this many is visited in the browser (see sampled_notebooks).
NOTEBOOK_SHARE = 8
SEARCHES = {"clipping": "gradient-clipping", "He initialization": "initialisation", "LSTM": "gated-recurrent-units"}


@pytest.fixture(scope="session")
def page_reports(browser, site_url, built_site):
    """Visit the pages (see visits) and record what a reader's browser saw.

    One process per palette, each with its own Chromium, side by side where there are two cores or
    more. One process alone kept 1.2 of two idle cores busy (the page's scripts, axe and the browser
    wait on each other); two kept 1.8 busy and took 115 s where one took 175 s. (When the engine
    tests still imported TensorFlow in every fresh worker, the cores were busy without the visits,
    and two processes were slower than one.)
    """
    site, _ = built_site
    processes = min(len(PALETTES), len(os.sched_getaffinity(0)))
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as processes:
        empty_index = empty_search_index(site)
        visits = [processes.submit(visit_pages, site_url, site_pages(site), palette, empty_index) for palette in PALETTES]
        return {key: report for visit in visits for key, report in visit.result().items()}


def empty_search_index(site) -> str:
    """The site's search index with its settings (language, separator) and no entries."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return json.dumps({**index, "docs": []})


def palette_of(path: str) -> str:
    """The palette a page is checked in when it is checked in one: a stable hash of its path."""
    return PALETTES[zlib.crc32(path.encode()) % len(PALETTES)]


def visits(path: str, palette: str, notebooks: set[str]) -> bool:
    """Each Markdown page once, in the palette its hash picks, and a few component-rich pages in
    both; the executed-notebook pages of the sample (passed as notebooks, from sampled_notebooks)
    once. Every visit runs axe.

    axe's colour-contrast rule is most of a visit's time. The palettes' colours come from shared
    stylesheets, so a contrast failure shows on every page with that component: checking half the
    pages in each palette, and the pages that show every component in both, covers each palette
    on dozens of pages of every kind. What a page holds for the other palette, its figures' dark or
    light variants, is checked on every page without a browser (test_every_image_has_alt_text_and_a_file),
    and the switch itself by test_palette_toggle_swaps_the_figure.
    """
    if path.startswith("/notebooks/"):
        return path in notebooks and palette_of(path) == palette
    return path in BOTH_PALETTES or palette_of(path) == palette


def notebook_backend(path: str) -> str:
    return next((backend for backend in ("jax", "torch") if path.rstrip("/").endswith(f"_{backend}")), "tensorflow")


def sampled_notebooks(paths: list[str]) -> set[str]:
    """The executed-notebook pages visited in the browser: one in NOTEBOOK_SHARE by a stable hash of
    the path, and the first page of any backend the hash left out.

    Every notebook page is one template filled with a snippet's code, printed output and figures,
    and visiting each (axe took four seconds on each) was a third of the browser tests' time. What
    differs from page to page is checked on every page without a browser: each image has alt text
    and its file exists (test_every_image_has_alt_text_and_a_file), nothing is loaded from another
    host (test_no_page_loads_from_another_host).
    """
    notebooks = sorted(path for path in paths if path.startswith("/notebooks/"))
    # adler32, not the crc32 that picks the palette: a crc32 sample would all share one palette.
    chosen = {path for path in notebooks if zlib.adler32(path.encode()) % NOTEBOOK_SHARE == 0}
    for backend in ("tensorflow", "jax", "torch"):
        if not any(notebook_backend(path) == backend for path in chosen):
            chosen.update([path for path in notebooks if notebook_backend(path) == backend][:1])
    return chosen


def visit_pages(site_url: str, paths: list[str], palette: str, empty_index: str) -> dict:
    from playwright.sync_api import sync_playwright

    axe = Axe()
    notebooks = sampled_notebooks(paths)
    reports = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(color_scheme=palette, viewport={"width": 1280, "height": 900})
        for path in (path for path in paths if visits(path, palette, notebooks)):
            page = context.new_page()  # a fresh page per visit: its listeners go with it
            seen = {"requests": [], "errors": []}
            page.on("request", lambda request: seen["requests"].append(request.url))
            page.on("console", lambda message: message.type == "error" and seen["errors"].append(message.text))
            page.on("pageerror", lambda error: seen["errors"].append(str(error)))
            if path not in BOTH_PALETTES:
                page.route(SEARCH_INDEX, lambda route: route.fulfill(body=empty_index, content_type="application/json"))
            page.goto(site_url + path, wait_until="networkidle")
            seen["images"] = page.evaluate(SHOWN_IMAGES_AFTER_SCROLLING)
            seen["own_bytes"] = page.evaluate(OWN_BYTES)
            page.evaluate("window.scrollTo(0, 0)")
            page.evaluate(TRANSITIONS_STARTED)
            page.wait_for_function(TRANSITIONS_SETTLED)
            seen["scheme"] = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
            violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
            seen["axe"] = [(v["id"], v["impact"], len(v["nodes"])) for v in violations if v["impact"] in ("serious", "critical")]
            reports[(palette, path)] = seen
            page.close()
        browser.close()
    return reports


def test_every_page_was_checked_in_its_palettes(page_reports, built_site):
    site, _ = built_site
    pages = site_pages(site)
    notebooks = sampled_notebooks(pages)
    assert len(pages) >= 5
    assert set(page_reports) == {(palette, path) for palette in PALETTES for path in pages if visits(path, palette, notebooks)}
    markdown = [path for path in pages if not path.startswith("/notebooks/")]
    for palette in PALETTES:  # each palette on a third of the Markdown pages at least
        assert sum(visits(path, palette, notebooks) for path in markdown) >= len(markdown) / 3
    # Notebook pages of every backend, an eighth of them, split between the palettes.
    assert {notebook_backend(path) for path in notebooks} == {"tensorflow", "jax", "torch"}
    assert len(notebooks) >= sum(path.startswith("/notebooks/") for path in pages) / NOTEBOOK_SHARE - 3
    for palette in PALETTES:
        assert sum(visits(path, palette, notebooks) for path in notebooks) >= len(notebooks) / 4
    assert {report["scheme"] for (palette, _), report in page_reports.items() if palette == "dark"} == {"slate"}
    assert {report["scheme"] for (palette, _), report in page_reports.items() if palette == "light"} == {"default"}


def test_every_image_loads(page_reports):
    broken = {key: [src for src, ok in report["images"] if not ok] for key, report in page_reports.items()}
    assert {key: srcs for key, srcs in broken.items() if srcs} == {}


def test_every_shown_figure_follows_the_palette(page_reports):
    # Each figure exists in a light and a dark variant; a reader sees only their palette's, on
    # Markdown and executed-notebook pages alike.
    wrong = {}
    for (palette, path), report in page_reports.items():
        figures = [src for src, _ in report["images"] if src.endswith((".svg#only-light", ".svg#only-dark"))]
        wrong[(palette, path)] = [src for src in figures if src.endswith("-dark.svg#only-dark") != (palette == "dark")]
    assert sum(1 for (_, path) in page_reports if path.startswith("/notebooks/")) >= 6
    for palette in PALETTES:  # and figures seen in each palette
        assert any(figure for (seen_in, _), report in page_reports.items() if seen_in == palette for figure, _ in report["images"])
    assert {key: srcs for key, srcs in wrong.items() if srcs} == {}


def test_pages_with_up_to_two_figures_stay_light(page_reports, built_site):
    site, _ = built_site
    checked = {}
    for (palette, path), report in page_reports.items():
        html = (site / path.strip("/") / "index.html").read_text()
        if not path.startswith("/notebooks/") and html.count('class="gradbook-figure"') <= 2:
            checked[(palette, path)] = report["own_bytes"]
    assert len(checked) >= 10
    assert {key: size for key, size in checked.items() if size > PAGE_WEIGHT_LIMIT} == {}


def test_notebook_pages_share_their_stylesheets(built_site):
    site, _ = built_site
    pages = sorted((site / "notebooks").glob("*/index.html"))
    assert pages
    for page in pages:
        inline = re.findall(r"<style[^>]*>(.*?)</style>", page.read_text(), re.S)
        assert max(map(len, inline), default=0) < 20_000, page


def test_every_image_has_alt_text_and_a_file(built_site):
    # On every page, notebooks included, without a browser: axe's image-alt rule, and the figure
    # file a browser would load. The notebook pages left unvisited differ in their figures above all.
    site, _ = built_site
    wrong, notebook_images = {}, 0
    for path in site_pages(site):
        images = re.findall(r"<img\b[^>]*>", (site / path.strip("/") / "index.html").read_text(encoding="utf-8"))
        wrong[path] = [image for image in images if not re.search(r'\balt="[^"]*\S[^"]*"', image) or not _image_file(site, path, image).is_file()]
        notebook_images += len(images) if path.startswith("/notebooks/") else 0
    assert notebook_images >= 10
    assert {path: images for path, images in wrong.items() if images} == {}


def _image_file(site, path: str, image: str):
    source = re.search(r'\bsrc="([^"#?]*)', image).group(1)
    return (site / path.strip("/") / source).resolve() if not source.startswith("/") else site / source.lstrip("/")


def test_no_page_loads_from_another_host(built_site):
    # What a browser would fetch by itself: scripts, stylesheets, images, fonts, frames. Links a
    # reader may follow, and the canonical address, are not fetched and may point anywhere.
    site, _ = built_site
    fetched = re.compile(r'<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc="(https?:)?//|<link\b(?=[^>]*\brel="(?:stylesheet|preload|modulepreload|icon|preconnect|manifest)")[^>]*\bhref="(https?:)?//|url\((["\']?)(https?:)?//')
    pages = {path: (site / path.strip("/") / "index.html").read_text(encoding="utf-8") for path in site_pages(site)}
    assert fetched.search('<link rel="stylesheet" href="https://fonts.example/a.css">')  # what it looks for
    assert {path: fetched.findall(html) for path, html in pages.items() if fetched.search(html)} == {}


def test_no_request_leaves_localhost(page_reports):
    outside = {
        key: [url for url in report["requests"] if urlparse(url).hostname not in ("127.0.0.1", None) and not url.startswith("data:")]
        for key, report in page_reports.items()
    }
    assert {key: urls for key, urls in outside.items() if urls} == {}


def test_no_console_errors(page_reports):
    assert {key: report["errors"] for key, report in page_reports.items() if report["errors"]} == {}


def test_axe_finds_nothing_serious_or_critical(page_reports, built_site):
    site, _ = built_site
    pages = site_pages(site)
    markdown = {path for path in pages if not path.startswith("/notebooks/")}
    checked = {(palette, path) for (palette, path), report in page_reports.items() if report["axe"] is not None}
    assert checked == set(page_reports)
    assert {path for _, path in checked} == markdown | sampled_notebooks(pages)
    assert {(palette, path) for palette in PALETTES for path in BOTH_PALETTES} <= checked
    assert {key: report["axe"] for key, report in page_reports.items() if report["axe"]} == {}


def test_palette_toggle_swaps_the_figure(browser, site_url):
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    page.goto(site_url + "/vanishing/why-sigmoid-gradients-vanish/", wait_until="networkidle")
    visible = "Array.from(document.querySelectorAll('.gradbook-figure img')).filter(i => i.offsetParent !== null).map(i => i.getAttribute('src'))"
    before = page.evaluate(visible)
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    after = page.evaluate(visible)
    context.close()
    assert before and all(src.endswith(".svg#only-light") for src in before)
    assert after and all(src.endswith("-dark.svg#only-dark") for src in after)
    assert len(before) == len(after)


@pytest.mark.parametrize("query, expected", SEARCHES.items())
def test_search_finds_what_readers_type(browser, site_url, query, expected):
    context = browser.new_context()
    page = context.new_page()
    page.goto(site_url + "/", wait_until="networkidle")
    page.locator(".md-search__input").click()
    page.keyboard.type(query)  # Material searches on key events, as a reader types
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    links = page.eval_on_selector_all(".md-search-result__item a", "links => links.map(a => a.getAttribute('href'))")
    context.close()
    assert any(expected in link for link in links), links
