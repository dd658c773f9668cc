"""Claims of docs/reference/bibliography.md: the timeline snippet and the page list the same works.

That the page lists every work the site cites, and that each entry can be found, is checked in
tests/test_bibliography_complete.py (it reads the pages, not published values).
"""

import re

import pytest

from tests.conftest import CLAIM_SEEDS, PROJECT_ROOT

PAGE = PROJECT_ROOT / "docs" / "reference" / "bibliography.md"
# One entry per work: a list item that opens with the bold "Authors (year)" lead.
ENTRY = re.compile(r"^- \*\*(\S+?),?(?: .+?)? \((\d{4})[a-z]?\)\*\*", re.MULTILINE)


def page_works() -> list[tuple[str, int]]:
    """(first author's surname, year) of every entry, sorted."""
    return sorted((surname, int(year)) for surname, year in ENTRY.findall(PAGE.read_text(encoding="utf-8")))


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_timeline_counts_every_entry_of_the_page(published, seed):
    # The figure and the quoted counts must describe the list the reader sees, whatever the seed:
    # the same works (first author and year), hence the same count, span and post-2010 share.
    values = published("bibliography_timeline", seed)
    works = page_works()
    years = sorted(year for _, year in works)
    timeline = sorted((label.split()[0], int(label.rsplit(" ", 1)[1])) for label in values["works"].split(";"))
    assert timeline == works
    assert values["paper_count"] == len(works)
    assert values["topic_count"] == len(re.findall(r"^## ", PAGE.read_text(encoding="utf-8"), re.MULTILINE))
    assert (values["first_year"], values["last_year"]) == (years[0], years[-1])
    assert values["papers_since_2010"] == sum(year >= 2010 for year in years)
