"""Build-time execution of Keras snippets: one code path for the MkDocs plugin, the CLI and pytest.

Data flows one way: load snippets -> compute each one's cache key -> run the misses in one warm
worker -> capture figures and published values -> render them into pages.
"""

from gradbook.engine.results import FigureCapture, SnippetFailure, SnippetRun
from gradbook.engine.runner import SnippetRunner
from gradbook.engine.snippet import Snippet, load_snippet

__all__ = ["FigureCapture", "Snippet", "SnippetFailure", "SnippetRun", "SnippetRunner", "load_snippet"]
