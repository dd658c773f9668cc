"""Expand a page's snippet directives into Markdown.

    @snippet NAME.py       the whole snippet: code (copy button), downloads, printed output
                           (the `.py` is optional in every block directive)
    @snippet NAME:3        cell 3 only (cells are counted from 1, `# %%` markers split them)
    @figure NAME           every figure the snippet drew, with alt text and a caption
    @figure NAME:2         the second figure only
    {{ NAME.key }}         a published value in prose; `{{ NAME.key | sci }}` formats it

Inside inline code a reference to a known snippet is expanded as plain text (`clipnorm=1.0`);
one whose name is no snippet is shown as written, so pages can document the syntax itself.
Directives inside fenced code blocks are left alone. A directive may be indented (inside an
admonition or a content tab); its expansion keeps the indentation.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from gradbook.engine.backends import run_environment
from gradbook.engine.results import SnippetFailure, SnippetPending, SnippetRun
from gradbook.engine.site_paths import download_uri, figure_uri, notebook_uri, source_uri
from gradbook.engine.snippet import Snippet
from gradbook.engine.value_format import ValueFormatError, format_code_value, format_value

BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)@(?P<kind>snippet|figure)[ \t]+(?P<name>[\w-]+)(?:\.py)?(?::(?P<number>\d+))?[ \t]*$"
)
INLINE = re.compile(r"\{\{\s*(?P<name>[\w-]+)\.(?P<key>\w+)\s*(?:\|\s*(?P<format>[^}]*?)\s*)?\}\}")
CODE_SPAN = re.compile(r"(`+[^`]*?`+)")
FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})")


@dataclass(frozen=True)
class PageProblem:
    line: int
    message: str


@dataclass
class ExpandedPage:
    markdown: str
    problems: list[PageProblem] = field(default_factory=list)
    snippets_used: set[str] = field(default_factory=set)


def expand_page(markdown: str, page_uri: str, snippets: dict[str, Snippet], outcomes: dict) -> ExpandedPage:
    page = ExpandedPage("")
    expander = _Expander(page, posixpath.dirname(page_uri), snippets, outcomes)
    lines, fence = [], None
    for number, line in enumerate(markdown.split("\n"), start=1):
        opening = FENCE.match(line)
        if fence is None and opening:
            fence = opening["fence"]
        elif fence is not None and line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
            fence = None
            lines.append(line)
            continue
        if fence is not None:
            lines.append(line)
            continue
        block = BLOCK.match(line)
        lines.append(expander.block(block, number) if block else expander.inline(line, number))
    page.markdown = "\n".join(lines)
    return page


class _Expander:
    def __init__(self, page: ExpandedPage, page_dir: str, snippets: dict, outcomes: dict):
        self.page, self.page_dir, self.snippets, self.outcomes = page, page_dir, snippets, outcomes

    def problem(self, line: int, message: str) -> str:
        self.page.problems.append(PageProblem(line, message))
        return f'!!! failure "Page error"\n    {message}'

    def link(self, uri: str) -> str:
        return posixpath.relpath(uri, self.page_dir or ".")

    def lookup(self, name: str, line: int):
        if name not in self.snippets:
            known = ", ".join(sorted(self.snippets)) or "none"
            return None, self.problem(line, f"no snippet named '{name}' in snippets/ (known: {known})")
        self.page.snippets_used.add(name)
        return self.outcomes.get(name), None

    def block(self, match: re.Match, line: int) -> str:
        name, number = match["name"], int(match["number"]) if match["number"] else None
        outcome, error = self.lookup(name, line)
        if error is None:
            render = self.snippet_block if match["kind"] == "snippet" else self.figure_block
            error = render(self.snippets[name], outcome, number, line)
        return _indent(error, match["indent"])

    def snippet_block(self, snippet: Snippet, outcome, number: int | None, line: int) -> str:
        if number is not None:
            if number not in {cell.index for cell in snippet.cells}:
                return self.problem(line, f"snippet '{snippet.name}' has no cell {number} (it has {len(snippet.cells)})")
            cell = snippet.cell(number)
            code, title, outputs = cell.source, f"{snippet.name}.py, cell {number}", [number]
        else:
            code, title, outputs = snippet.source, f"snippets/{snippet.name}.py", [c.index for c in snippet.cells]
        parts = [_code_block(code, title)]
        if number is None:
            parts.append(self.downloads(snippet, outcome))
        parts.append(_status_or_output(snippet, outcome, outputs))
        return "\n\n".join(part for part in parts if part)

    def downloads(self, snippet: Snippet, outcome) -> str:
        links = [f"[:material-language-python: {snippet.name}.py]({self.link(source_uri(snippet.name))}){{ download }}"]
        if isinstance(outcome, SnippetRun):
            links.append(f"[:material-notebook: executed notebook]({self.link(notebook_uri(snippet.name))})")
            links.append(f"[:material-download: .ipynb]({self.link(download_uri(snippet.name))}){{ download }}")
        return " · ".join(links) + f" · run it yourself from a clone of this site: `python snippets/{snippet.name}.py`"

    def figure_block(self, snippet: Snippet, outcome, number: int | None, line: int) -> str:
        if not isinstance(outcome, SnippetRun):
            return _status_or_output(snippet, outcome, [])
        count = len(outcome.figures)
        if number is not None and not 1 <= number <= count:
            return self.problem(line, f"snippet '{snippet.name}' drew {count} figure(s); there is no figure {number}")
        numbers = [number] if number is not None else range(1, count + 1)
        if not numbers:
            return self.problem(line, f"snippet '{snippet.name}' drew no figure")
        return "\n\n".join(self.figure(snippet, outcome, n) for n in numbers)

    def figure(self, snippet: Snippet, run: SnippetRun, number: int) -> str:
        figure = run.figures[number - 1]
        light = self.link(figure_uri(snippet.name, number))
        dark = self.link(figure_uri(snippet.name, number, dark=True))
        alt = figure.alt.replace("[", "(").replace("]", ")").replace("\n", " ")
        caption = f"{figure.title}. " if figure.title else ""
        caption += (
            f"Ran on {run_environment(run)} in {run.seconds:.1f} s ({snippet.name}.py)."
        )
        # Material shows `#only-light` images in the light palette and `#only-dark` in the dark one;
        # lazy loading keeps the browser from downloading the variant it does not show.
        return (
            f'<figure class="gradbook-figure" markdown="span">\n'
            f'  [![{alt}]({light}#only-light){{ loading=lazy }}]({light} "Open the figure full size")\n'
            f'  [![{alt}]({dark}#only-dark){{ loading=lazy }}]({dark} "Open the figure full size")\n'
            f"  <figcaption>{_html_escape(caption)}</figcaption>\n</figure>"
        )

    def inline(self, text: str, line: int) -> str:
        # Odd-numbered pieces are inline code spans: only references to real snippets expand there.
        pieces = CODE_SPAN.split(text)
        return "".join(
            INLINE.sub(lambda match: self.code_value(match, line), piece)
            if index % 2
            else INLINE.sub(lambda match: self.value(match, line), piece)
            for index, piece in enumerate(pieces)
        )

    def code_value(self, match: re.Match, line: int) -> str:
        if match["name"] not in self.snippets:
            return match[0]  # `{{ NAME.key }}` documenting the syntax
        return self.value(match, line, format_code_value)

    def value(self, match: re.Match, line: int, formatter=format_value) -> str:
        name, key, spec = match["name"], match["key"], match["format"]
        outcome, error = self.lookup(name, line)
        if error is not None:
            return "**[unknown snippet]**"
        if outcome is None:
            return "*[not executed]*"
        if isinstance(outcome, SnippetPending):
            return "*[running]*"
        if isinstance(outcome, SnippetFailure):
            return "**[snippet failed]**"
        if key not in outcome.values:
            known = ", ".join(sorted(outcome.values)) or "nothing"
            self.page.problems.append(
                PageProblem(line, f"snippet '{name}' publishes no value '{key}' (it publishes: {known})")
            )
            return "**[unknown value]**"
        try:
            return formatter(outcome.values[key], spec)
        except ValueFormatError as problem:
            self.page.problems.append(PageProblem(line, f"{{{{ {name}.{key} }}}}: {problem}"))
            return "**[bad format]**"


def _status_or_output(snippet: Snippet, outcome, cells: list[int]) -> str:
    if outcome is None:
        return (
            '!!! note "Not executed"\n    Execution is off for this build and no cached run matches '
            "this snippet, so no output is shown."
        )
    if isinstance(outcome, SnippetPending):
        return (
            f'!!! info "Running in the background: {outcome.done} of {outcome.total} snippets done"\n'
            f"    `{snippet.name}.py` has not finished yet; its figures and numbers appear here, and the "
            "page reloads, when it does."
        )
    if isinstance(outcome, SnippetFailure):
        details = _indent(_code_block(outcome.details or outcome.message, ""), "    ")
        return f'!!! failure "This snippet failed: {outcome.location}"\n    {_html_escape(outcome.message)}\n\n{details}'
    printed = "".join(outcome.cell_outputs.get(index, "") for index in cells).rstrip()
    if not printed:
        return ""
    return '??? info "Printed output"\n' + _indent(_code_block(printed, "", language="text"), "    ")


def _code_block(code: str, title: str, language: str = "python") -> str:
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    attributes = f' title="{title}"' if title else ""
    return f"{fence}{language}{attributes}\n{code}\n{fence}"


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line.strip() else line for line in text.split("\n"))


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
