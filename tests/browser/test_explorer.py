"""The gradient-flow explorer (docs/explore.md) in a real browser: every control redraws the plot,
rewrites the read-out and the address, a shared address restores the view, nothing leaves
localhost, both palettes stay legible, and axe finds nothing serious at desktop or phone width."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe

PAGE = "/explore/"
LOADED = "document.querySelectorAll('#gx-plot svg').length === 3"
# (control id, how to change it): every control of configuration A, the compare switch, and B's.
CONTROLS = [
    ("gx-a-activation", "tanh"), ("gx-a-init", "he_normal"), ("gx-a-depth", "50"), ("gx-a-norm", "batch"),
    ("gx-a-residual", "check"), ("gx-compare", "check"),
    ("gx-b-activation", "selu"), ("gx-b-init", "orthogonal"), ("gx-b-depth", "5"), ("gx-b-norm", "layer"),
    ("gx-b-residual", "check"),
]
COMPARING = "?a=sigmoid.glorot_uniform.20.none.off&b=relu.he_normal.20.none.off"


def open_explorer(browser, site_url, query="", **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(site_url + PAGE + query, wait_until="networkidle")
    page.wait_for_function(LOADED)
    return context, page, requests, errors


def view(page):
    return {
        "plot": page.inner_html("#gx-plot"),
        "readout": page.inner_text("#gx-readout"),
        "url": page.url,
    }


@pytest.mark.parametrize("control, change", CONTROLS)
def test_each_control_changes_the_plot_the_readout_and_the_address(browser, site_url, control, change):
    query = COMPARING if control.startswith("gx-b-") else ""
    context, page, _, errors = open_explorer(browser, site_url, query)
    before = view(page)
    if change == "check":
        page.check("#" + control)
    else:
        page.select_option("#" + control, change)
    after = view(page)
    context.close()
    assert errors == []
    assert after["plot"] != before["plot"]
    assert after["readout"] != before["readout"]
    assert after["url"] != before["url"]


def test_a_select_changes_from_the_keyboard(browser, site_url):
    context, page, _, _ = open_explorer(browser, site_url)
    before = view(page)
    page.focus("#gx-a-depth")
    page.keyboard.press("ArrowDown")  # a focused closed <select> steps to the next option
    after = view(page)
    labelled = page.evaluate("""() => Array.from(document.querySelectorAll('#gradient-explorer select, #gradient-explorer input'))
        .every(control => control.labels.length === 1 && control.labels[0].textContent.trim().length > 0)""")
    context.close()
    assert parse_qs(urlparse(after["url"]).query)["a"] == ["sigmoid.glorot_uniform.50.none.off"]
    assert after["plot"] != before["plot"]
    assert labelled


def test_a_shared_address_restores_the_view(browser, site_url):
    context, page, _, _ = open_explorer(browser, site_url)
    page.select_option("#gx-a-activation", "tanh")
    page.select_option("#gx-a-init", "standard_normal")
    page.check("#gx-compare")
    page.select_option("#gx-b-norm", "batch")
    page.check("#gx-b-residual")
    shared, seen = page.url, view(page)
    context.close()
    assert parse_qs(urlparse(shared).query) == {
        "a": ["tanh.standard_normal.20.none.off"], "b": ["relu.he_normal.20.batch.on"]}

    context, page, _, _ = open_explorer(browser, site_url, "?" + urlparse(shared).query)
    restored = view(page)
    controls = page.evaluate("""() => ({
        activation: document.getElementById('gx-a-activation').value,
        init: document.getElementById('gx-a-init').value,
        compare: document.getElementById('gx-compare').checked,
        bHidden: document.getElementById('gx-b').hidden,
        bNorm: document.getElementById('gx-b-norm').value,
        bResidual: document.getElementById('gx-b-residual').checked})""")
    context.close()
    assert restored == seen
    assert controls == {"activation": "tanh", "init": "standard_normal", "compare": True, "bHidden": False,
                        "bNorm": "batch", "bResidual": True}


def test_the_readout_states_the_ratio_and_links_the_explaining_page(browser, site_url):
    context, page, _, _ = open_explorer(browser, site_url, COMPARING)
    text = page.inner_text("#gx-readout")
    links = page.eval_on_selector_all("#gx-readout a", "links => links.map(a => a.getAttribute('href'))")
    page.select_option("#gx-a-norm", "batch")
    page.check("#gx-b-residual")
    links_after = page.eval_on_selector_all("#gx-readout a", "links => links.map(a => a.getAttribute('href'))")
    page.click("#gradient-explorer summary")
    rows = page.eval_on_selector_all("#gx-table tbody tr", "rows => rows.length")
    context.close()
    assert "the first layer receives" in text and "× 10⁻" in text and "mean field predicts" in text
    assert links == ["../vanishing/depth-sweep/", "../remedies/initialisation/"]
    assert links_after == ["../remedies/normalisation/", "../remedies/residual-connections/"]
    assert rows == 21  # a header row and one per layer


def test_the_data_file_is_fetched_once_and_nothing_leaves_localhost(browser, site_url):
    context, page, requests, errors = open_explorer(browser, site_url)
    for depth in ("5", "10", "50"):
        page.select_option("#gx-a-depth", depth)
    page.check("#gx-compare")
    context.close()
    assert errors == []
    assert [url for url in requests if urlparse(url).hostname != "127.0.0.1" and not url.startswith("data:")] == []
    assert sum(url.endswith("/data/explore_grid.json") for url in requests) == 1
    assert sum(url.endswith("/javascripts/explore.js") for url in requests) == 1


def _contrast(page):
    """Contrast ratio of each configuration's line, and of the axis text, against the page background."""
    return page.evaluate("""() => {
      const rgb = text => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
      const luminance = ([r, g, b]) => {
        const [R, G, B] = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * R + 0.7152 * G + 0.0722 * B;
      };
      const ratio = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
      const background = rgb(getComputedStyle(document.body).backgroundColor);
      const stroke = selector => rgb(getComputedStyle(document.querySelector(selector)).stroke);
      return {
        a: ratio(stroke('.gx-line-a'), background),
        b: ratio(stroke('.gx-line-b'), background),
        text: ratio(rgb(getComputedStyle(document.querySelector('#gx-plot text')).fill), background),
      };
    }""")


@pytest.mark.parametrize("palette, scheme", [("light", "default"), ("dark", "slate")])
def test_both_palettes_are_legible_and_axe_finds_nothing_serious(browser, site_url, palette, scheme):
    context, page, _, errors = open_explorer(browser, site_url, COMPARING, color_scheme=palette)
    page.click("#gradient-explorer summary")  # the table too
    contrast = _contrast(page)
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == scheme
    violations = Axe().run(page).response["violations"]
    context.close()
    assert errors == []
    assert min(contrast.values()) >= 3, contrast  # WCAG 1.4.11: graphical objects need 3:1
    assert [(v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")] == []


def test_usable_at_phone_width(browser, site_url):
    context, page, _, _ = open_explorer(browser, site_url, COMPARING, viewport={"width": 390, "height": 844})
    layout = page.evaluate("""() => ({
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        plots: Array.from(document.querySelectorAll('#gx-plot svg')).map(svg => svg.getBoundingClientRect().right),
        controls: Array.from(document.querySelectorAll('#gradient-explorer select')).map(s => s.getBoundingClientRect().right),
        fontSize: parseFloat(getComputedStyle(document.querySelector('#gx-plot text')).fontSize)})""")
    violations = Axe().run(page).response["violations"]
    context.close()
    assert layout["overflow"] <= 0
    assert max(layout["plots"] + layout["controls"]) <= 390
    assert layout["fontSize"] >= 11  # drawn at the panel's own width, not scaled down from a desktop one
    assert [(v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")] == []
