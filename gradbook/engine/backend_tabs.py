"""Leave out the content tabs whose code could not run here: a backend that is not installed.

A page shows one tab per Keras backend (`=== "JAX"` in pymdownx.tabbed's syntax). When a build
lacks a backend, its snippets do not run, and a tab showing them would show code that never ran;
this drops each tab whose body names such a snippet, before the directives are expanded.
"""

from __future__ import annotations

import re

TAB = re.compile(r'^(?P<indent>[ \t]*)===[+!]? +"[^"]*"')
FENCE = re.compile(r"^[ \t]*(```|~~~)")
NAMED_SNIPPET = re.compile(r"@(?:snippet|figure)\s+(?P<directive>[\w-]+)|\{\{\s*(?P<value>[\w-]+)\.")


def drop_unavailable_tabs(markdown: str, unavailable: set[str]) -> str:
    """The page without each tab that names a snippet in `unavailable`."""
    if not unavailable:
        return markdown
    lines = markdown.split("\n")
    kept, index, fenced = [], 0, False
    while index < len(lines):
        if FENCE.match(lines[index]):
            fenced = not fenced  # a tab shown as an example inside fenced code is text, not a tab
        start = None if fenced else TAB.match(lines[index])
        if start is None:
            kept.append(lines[index])
            index += 1
            continue
        end = _tab_end(lines, index, len(start["indent"]))
        body = "\n".join(lines[index + 1:end])
        names = {match["directive"] or match["value"] for match in NAMED_SNIPPET.finditer(body)}
        if names & unavailable:
            index = end
            # One blank line already separates what came before from what follows.
            while index < len(lines) and not lines[index].strip() and kept and not kept[-1].strip():
                index += 1
            continue
        kept.extend(lines[index:end])
        index = end
    return "\n".join(kept)


def _tab_end(lines: list[str], start: int, indent: int) -> int:
    """The index just past a tab's body: its lines are blank or indented deeper than its marker."""
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    # Trailing blank lines belong to the gap after the tab, not to the tab.
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return end
