"""Figure scraper: every open matplotlib figure becomes an SVG with a title and alt text.

Each figure is drawn twice: as the snippet styled it (shown in the light palette) and recoloured
for the dark palette: transparent background, light text and axes, lines lightened for contrast.
"""

from __future__ import annotations

import io

from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.collections import Collection
from matplotlib.text import Text

DARK_EDGE = "#b9bcc8"  # spines, ticks and grid on Material's slate background
DARK_LEGEND = "#2b2f3a"


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


def dark_figure_svg(figure: Figure) -> str:
    """Recolour the figure in place for a dark page and return its SVG (call after the light one)."""
    figure.patch.set_alpha(0)
    for text in figure.findobj(Text):
        text.set_color(_on_dark(text.get_color()))
    for axes in figure.axes:
        axes.patch.set_alpha(0)
        for spine in axes.spines.values():
            spine.set_edgecolor(DARK_EDGE)
        axes.tick_params(which="both", colors=DARK_EDGE, labelcolor=_on_dark("black"))
        legend = axes.get_legend()
        if legend is not None:
            legend.get_frame().set_facecolor(DARK_LEGEND)
            legend.get_frame().set_edgecolor(DARK_EDGE)
    for line in figure.findobj(Line2D):
        line.set_color(_on_dark(line.get_color()))
        line.set_markerfacecolor(_on_dark(line.get_markerfacecolor()))
        line.set_markeredgecolor(_on_dark(line.get_markeredgecolor()))
    for patch in figure.findobj(Patch):
        if patch is not figure.patch and patch not in [axes.patch for axes in figure.axes]:
            patch.set_edgecolor(_on_dark(patch.get_edgecolor()))
            if not _is_legend_frame(patch, figure):
                patch.set_facecolor(_on_dark(patch.get_facecolor()))
    for collection in figure.findobj(Collection):
        collection.set_facecolors([_on_dark(color) for color in collection.get_facecolors()])
        collection.set_edgecolors([_on_dark(color) for color in collection.get_edgecolors()])
    return figure_svg(figure)


def _on_dark(color):
    """Greys are mirrored (black text becomes near-white); dark hues are lightened; alpha is kept."""
    if isinstance(color, str) and color in ("none", "auto"):
        return color
    red, green, blue, alpha = to_rgba(color)
    if max(red, green, blue) - min(red, green, blue) < 0.08:  # a grey
        level = min(0.9, 1.0 - (red + green + blue) / 3 + 0.05)
        return (level, level, level, alpha)
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    if luminance >= 0.45:
        return (red, green, blue, alpha)
    mix = 0.35  # toward white: keeps the hue, lifts contrast on the dark background
    return (red + (1 - red) * mix, green + (1 - green) * mix, blue + (1 - blue) * mix, alpha)


def _is_legend_frame(patch, figure: Figure) -> bool:
    return any(axes.get_legend() is not None and patch is axes.get_legend().get_frame() for axes in figure.axes)
