"""Where the build puts what the engine produces, relative to the site root (and docs_dir)."""

FIGURES_DIR = "figures"
SOURCES_DIR = "snippets"
NOTEBOOKS_DIR = "notebooks"  # rendered by mkdocs-jupyter as pages
DOWNLOADS_DIR = "downloads"  # the same notebooks as plain files to download
VALUES_FILE = "values.json"
DATA_DIR = "data"  # each snippet's `site_data`, for pages that draw in the browser


def figure_uri(snippet_name: str, number: int, dark: bool = False) -> str:
    return f"{FIGURES_DIR}/{snippet_name}-{number}{'-dark' if dark else ''}.svg"


def source_uri(snippet_name: str) -> str:
    return f"{SOURCES_DIR}/{snippet_name}.py"


def notebook_uri(snippet_name: str) -> str:
    return f"{NOTEBOOKS_DIR}/{snippet_name}.ipynb"


def download_uri(snippet_name: str) -> str:
    return f"{DOWNLOADS_DIR}/{snippet_name}.ipynb"


def data_uri(snippet_name: str) -> str:
    return f"{DATA_DIR}/{snippet_name}.json"
