"""Claims of docs/reference/bibliography.md: the timeline snippet and the page list the same papers."""

import re

import pytest

from tests.conftest import CLAIM_SEEDS, PROJECT_ROOT

PAGE = PROJECT_ROOT / "docs" / "reference" / "bibliography.md"
# One entry per paper: a list item that opens with the bold "Authors (year)" lead.
ENTRY = re.compile(r"^- \*\*.+? \((\d{4})\)\*\*", re.MULTILINE)


def page_years() -> list[int]:
    return sorted(int(year) for year in ENTRY.findall(PAGE.read_text(encoding="utf-8")))


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_timeline_counts_every_entry_of_the_page(published, seed):
    # The figure and the quoted count must describe the list the reader sees, whatever the seed.
    values = published("bibliography_timeline", seed)
    years = page_years()
    assert values["paper_count"] == len(years) >= 16  # the 16 primary papers at the very least
    assert [int(year) for year in values["years"].split(",")] == years
    assert (values["first_year"], values["last_year"]) == (years[0], years[-1])
    assert values["papers_since_2010"] == sum(year >= 2010 for year in years)


def test_every_entry_carries_an_arxiv_id_or_doi_or_venue():
    # A bibliography entry must let a reader find the paper: an arXiv id, a DOI, or (for the
    # thesis and proceedings without either) the institution or proceedings volume.
    text = PAGE.read_text(encoding="utf-8")
    starts = [match.start() for match in ENTRY.finditer(text)] + [len(text)]
    for start, end in zip(starts, starts[1:]):
        entry = text[start:end]
        assert re.search(r"arXiv:\d{4}\.\d{4,5}|doi:10\.\d{4,}/|PMLR|München|ICML", entry), entry[:80]
