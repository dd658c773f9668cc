"""Page directives expand to the right Markdown, and every bad reference names the page line."""

from gradbook.engine.directives import expand_page
from gradbook.engine.results import FigureCapture, SnippetFailure, SnippetRun
from gradbook.engine.snippet import load_snippet
from gradbook.engine.unexpanded import unexpanded_references
from gradbook.engine.value_format import format_value, scientific

SOURCE = 'SEED = 0\nprint("hi")\n# %%\nimport matplotlib.pyplot as plt\nresults = {"ratio": 3.1e-7}\n'


def make_site(tmp_path, outcome="run"):
    path = tmp_path / "demo.py"
    path.write_text(SOURCE)
    snippet = load_snippet(path)
    run = SnippetRun(
        name="demo", seed=0, values={"ratio": 3.1e-7, "label": "sigmoid"}, cell_outputs={1: "hi\n", 2: ""},
        figures=[FigureCapture(svg="<svg/>", svg_dark="<svg/>", title="A title", alt="A title. Alt", cell=2)],
        device="CPU", versions={"tensorflow": "2.21.0", "keras": "3.15.1"}, seconds=1.25,
    )
    failure = SnippetFailure("demo", "snippets/demo.py", 4, "ZeroDivisionError: division by zero", "trace")
    return {"demo": snippet}, {"demo": {"run": run, "failure": failure, "off": None}[outcome]}


def test_values_figures_and_code_expand(tmp_path):
    snippets, outcomes = make_site(tmp_path)
    page = expand_page(
        "Ratio {{ demo.ratio | sci }} for {{ demo.label }}.\n\n@figure demo\n\n@snippet demo:1\n",
        "topic/page.md", snippets, outcomes,
    )
    assert page.problems == []
    assert "Ratio 3.1 × 10<sup>−7</sup> for sigmoid." in page.markdown
    assert "![A title. Alt](../figures/demo-1.svg#only-light)" in page.markdown
    assert "![A title. Alt](../figures/demo-1-dark.svg#only-dark)" in page.markdown
    assert "Ran on CPU with TensorFlow 2.21.0 and Keras 3.15.1 in 1.2 s" in page.markdown
    assert 'title="demo.py, cell 1"' in page.markdown and "hi" in page.markdown
    assert page.snippets_used == {"demo"}


def test_whole_snippet_links_downloads_relative_to_the_page(tmp_path):
    snippets, outcomes = make_site(tmp_path)
    markdown = expand_page("@snippet demo.py", "a/b/page.md", snippets, outcomes).markdown
    assert "(../../snippets/demo.py){ download }" in markdown
    assert "(../../notebooks/demo.ipynb)" in markdown and "(../../downloads/demo.ipynb){ download }" in markdown
    assert SOURCE.rstrip("\n") in markdown


def test_bad_references_are_reported_with_their_line(tmp_path):
    snippets, outcomes = make_site(tmp_path)
    text = "fine\n@snippet nope\n@snippet demo:9\n@figure demo:2\nsee {{ demo.missing }} and {{ demo.ratio | zz }}\n"
    problems = expand_page(text, "page.md", snippets, outcomes).problems
    assert [(p.line, p.message.split(" (")[0]) for p in problems] == [
        (2, "no snippet named 'nope' in snippets/"),
        (3, "snippet 'demo' has no cell 9"),
        (4, "snippet 'demo' drew 1 figure(s); there is no figure 2"),
        (5, "snippet 'demo' publishes no value 'missing'"),
        (5, "{{ demo.ratio }}: 'zz' is not a known format"),
    ]


def test_code_blocks_and_code_spans_are_left_alone(tmp_path):
    snippets, outcomes = make_site(tmp_path)
    text = "```\n@snippet nope\n{{ nope.x }}\n```\nwrite `{{ NAME.key }}` here\n"
    page = expand_page(text, "page.md", snippets, outcomes)
    assert page.problems == [] and page.markdown == text


def test_failed_and_unexecuted_snippets_say_so_instead_of_showing_output(tmp_path):
    snippets, outcomes = make_site(tmp_path, "failure")
    markdown = expand_page("@figure demo\n{{ demo.ratio }}", "page.md", snippets, outcomes).markdown
    assert '!!! failure "This snippet failed: snippets/demo.py:4"' in markdown and "[snippet failed]" in markdown
    snippets, outcomes = make_site(tmp_path, "off")
    markdown = expand_page("@figure demo\n{{ demo.ratio }}", "page.md", snippets, outcomes).markdown
    assert '!!! note "Not executed"' in markdown and "[not executed]" in markdown


def test_indented_directives_keep_their_indentation(tmp_path):
    snippets, outcomes = make_site(tmp_path)
    markdown = expand_page('=== "Tab"\n\n    @figure demo\n', "page.md", snippets, outcomes).markdown
    assert '    <figure class="gradbook-figure" markdown="span">' in markdown


def test_value_formats():
    assert scientific(9.996e-5) == "1.0 × 10<sup>−4</sup>"
    assert format_value(0.5**10, "pct") == "0.0977 %"
    assert format_value(1.5**10, "x") == "57.7×"
    assert format_value(0.25, None) == "0.25"
    assert format_value(2.9e-7, None) == "2.9 × 10<sup>−7</sup>"
    assert format_value(0.123456, ".3f") == "0.123"
    assert format_value(7, None) == "7"


def test_references_to_real_snippets_expand_inside_inline_code_as_plain_text(tmp_path):
    snippets, outcomes = make_site(tmp_path)
    text = "use `threshold={{ demo.ratio | sci }}` or `{{ demo.label }}`, not `{{ NAME.key }}`\n"
    page = expand_page(text, "page.md", snippets, outcomes)
    assert page.problems == []
    assert page.markdown == "use `threshold=3.1e-7` or `sigmoid`, not `{{ NAME.key }}`\n"
    problems = expand_page("`{{ demo.nothing }}`", "page.md", snippets, outcomes).problems
    assert [p.message.split(" (")[0] for p in problems] == ["snippet 'demo' publishes no value 'nothing'"]


def test_a_reference_left_in_the_rendered_html_is_a_problem_on_its_source_line():
    source = "# Title\n\nfine {{ demo.ratio }}\n\n```\nx = {{ demo.ratio }}\n```\nsyntax: {{ NAME.key }}\n"
    html = "<p>fine 3.1</p><pre><code>x = {{ demo.ratio }}</code></pre><p>syntax: {{ NAME.key }}</p>"
    problems = unexpanded_references(html, source, {"demo"})
    assert [(p.line, "reached the rendered page unexpanded" in p.message) for p in problems] == [(6, True)]
    split = "fine {{ demo.ratio }}\n\nthe {{\ndemo.label }} here\n"
    problems = unexpanded_references("<p>the {{\ndemo.label }} here</p>", split, {"demo"})
    assert [p.line for p in problems] == [3]


def test_negative_values_print_a_minus_sign_in_prose_and_a_hyphen_in_code():
    assert format_value(-4.61, ".2f") == "\u22124.61"
    assert format_value(-0.5, None) == "\u22120.5"
    from gradbook.engine.value_format import format_code_value

    assert format_code_value(-4.61, ".2f") == "-4.61"
