"""Figure scraper: every open matplotlib figure becomes an SVG with a title and alt text."""

from __future__ import annotations

import io

from matplotlib.figure import Figure


def figure_title(figure: Figure) -> str:
    if figure.get_suptitle():
        return figure.get_suptitle()
    titles = [axes.get_title() for axes in figure.axes if axes.get_title()]
    return "; ".join(titles)


def alt_text(figure: Figure, description: str) -> str:
    """Alt text from the figure's title and the snippet's declared description."""
    parts = [figure_title(figure), description]
    return ". ".join(part.rstrip(".") for part in parts if part) or "Figure drawn by the snippet"


def figure_svg(figure: Figure) -> str:
    buffer = io.StringIO()
    # No date metadata: two runs of the same snippet give byte-identical SVG.
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()
