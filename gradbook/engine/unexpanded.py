"""Find value references that reached a rendered page unexpanded.

The directive expander works line by line on the Markdown, so a reference it cannot see (split
across lines, inside a fenced block or a raw HTML attribute) would reach the reader as raw
`{{ name.key }}` text. This checks the rendered HTML for references to real snippets and names
the source line each one came from, so that `mkdocs build --strict` fails on them.
"""

from __future__ import annotations

import html

from gradbook.engine.directives import FENCE, INLINE, PageProblem


def unexpanded_references(rendered_html: str, source: str, snippet_names) -> list[PageProblem]:
    problems = []
    for match in INLINE.finditer(html.unescape(rendered_html)):
        if match["name"] not in snippet_names:
            continue  # documentation of the syntax (`{{ NAME.key }}`), not a reference
        reference = f"{match['name']}.{match['key']}"
        problems.append(
            PageProblem(
                _source_line(source, match["name"], match["key"]),
                f"the value reference {{{{ {reference} }}}} reached the rendered page unexpanded; "
                "write it on one line, outside fenced code and HTML attributes",
            )
        )
    return problems


def _source_line(source: str, name: str, key: str) -> int:
    """The line the reference came from: one the expander skips (fenced code) or cannot read whole
    (split across lines); failing that, the first line that mentions it."""
    fence, first = None, 0
    lines = source.split("\n")
    for number, line in enumerate(lines, start=1):
        opening = FENCE.match(line)
        if opening and (fence is None or line.strip().startswith(fence)):
            fence = None if fence else opening["fence"]
            continue
        joined = " ".join(lines[number - 1 : number + 1])
        if "{{" not in line or name not in joined:
            continue
        whole = any(m["name"] == name and m["key"] == key for m in INLINE.finditer(line))
        if fence is not None and whole:
            return number
        if not whole and key in joined:
            return number
        first = first or (number if whole else 0)
    return first
