"""The bibliography lists every work the site cites, and every entry lets a reader find the work.

The citation convention these tests read is the one docs/about/writing-a-page.md ("Citing a
paper") gives authors:

- In prose, a work is cited by its authors' surnames and its year: `Glorot & Bengio (2010)`,
  `Pascanu, Mikolov & Bengio (2013)`, `He et al. (2015)`, `Hochreiter (1991)`, or inside
  parentheses `(He et al. 2015)`, `(see Nocedal & Wright 2006, ch. 3)`. Two works with the same
  authors and year carry a letter: `He et al. (2016a)`.
- A page's "References" section lists each work as `- Initials Surname, Initials Surname. Title.
  *Venue* year. arXiv:… or doi:…`.
- docs/reference/bibliography.md has one entry per work, opening with a bold lead that names the
  authors (up to four, else `First et al.`) and the year: `- **Glorot & Bengio (2010)**. …`.

A capitalised word followed by a year is read as a citation unless it is in STOP_WORDS (write
"In 2015, …" freely). Code blocks, inline code and link targets are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs"
SNIPPETS = PROJECT_ROOT / "snippets"
BIBLIOGRAPHY = DOCS / "reference" / "bibliography.md"

LETTER = r"[^\W\d_]"
# A surname: capitalised, with at least one lower-case letter (so venues such as ICML are not
# names), optionally hyphenated or with a particle (van Merriënboer), optionally possessive.
NAME = rf"(?:(?:van|von|de|der|du) )?[A-Z]{LETTER}*[a-z]{LETTER}*(?:-[A-Z]?{LETTER}+)*"
AUTHORS = rf"(?P<authors>{NAME}(?: et al\.|(?:, {NAME})*,? (?:&|and) {NAME})?)(?P<possessive>['’]s)?"
YEAR = r"\(?(?P<year>(?:1[89]|20)\d\d)(?P<suffix>[a-z]?)(?![\d.]\d)\)?"
CITATION = re.compile(rf"(?<![\w.]){AUTHORS} {YEAR}")
STOP_WORDS = {
    "In", "By", "Since", "Until", "From", "Before", "After", "Around", "About", "Circa", "Of", "On",
    "At", "To", "And", "The", "As", "Through", "Between", "During", "Up", "Only", "Also", "Early",
    "Late", "Mid", "Summer", "Spring", "Autumn", "Winter", "January", "February", "March", "April",
    "May", "June", "July", "August", "September", "October", "November", "December",
}
REFERENCES_SECTION = re.compile(r"^#+ References[ \t]*$(.*?)(?=^#|\Z)", re.MULTILINE | re.DOTALL)
LIST_ITEM = re.compile(r"^- (.*?)(?=^- |^\S|\Z)", re.MULTILINE | re.DOTALL)
# "K. He, X. Zhang, …", "D.-A. Clevert, …", "P. Micikevicius et al. …": initials, then the surname.
REFERENCE_AUTHOR = re.compile(rf"^(?:[A-Z]{LETTER}?\.(?:-[A-Z]\.)? ?)+(?P<surname>(?:(?:van|von|de) )?[A-Z][^,.]*?)(?: et al)?[,.]")
# One author of a reference item, then what follows it: another author, "et al." or the title.
REFERENCE_NEXT = re.compile(rf"(?:[A-Z]{LETTER}?\.(?:-[A-Z]\.)? ?)+?(?P<surname>(?:(?:van|von|de) )?[A-Z][^,.]+?)(?P<end>,? et al\.|,|\.)")
ENTRY_LEAD = re.compile(r"^- \*\*(?P<authors>.+?) \((?P<year>\d{4})(?P<suffix>[a-z]?)\)\*\*", re.MULTILINE)


@dataclass(frozen=True)
class Citation:
    where: str
    authors: tuple[str, ...]  # the surnames named, in order; one when cited as "First et al."
    years: tuple[int, ...]  # one in prose; a reference item may give two ("NIPS 1991 (1992)")
    suffix: str
    text: str
    # True when the citation names every author ("Hanin (2018)", "B. Hanin, D. Rolnick. …"), so
    # it must not match an entry with more authors ("Hanin & Rolnick (2018)"); False for "et al."
    complete: bool = False


@dataclass(frozen=True)
class Entry:
    authors: tuple[str, ...]
    et_al: bool
    year: int
    suffix: str
    text: str

    def matches(self, citation: Citation) -> bool:
        if self.year not in citation.years or (citation.suffix or self.suffix) != self.suffix:
            return False
        named, cited = self.authors, citation.authors
        # "He et al." cites any entry led by He; an entry led "Micikevicius et al." covers a
        # citation that names more of its authors.
        shorter = min(len(named), len(cited))
        if citation.complete and not self.et_al and len(named) != len(cited):
            return False
        return named[:shorter] == cited[:shorter] and (len(named) >= len(cited) or self.et_al)


def surnames(authors: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in re.split(r", | & | and ", authors.replace(" et al.", "")) if name.strip())


def readable_text(path: Path) -> str:
    """The prose a reader sees: no code blocks, inline code or link targets."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        # Snippets are shown on the pages; their comments and docstrings cite too.
        return re.sub(r"^\s*# ?", "", text, flags=re.MULTILINE)
    text = re.sub(r"^ *(```|~~~).*?^ *\1", "", text, flags=re.MULTILINE | re.DOTALL)
    text = re.sub(r"`[^`\n]*(?:\n[^`\n]*)?`", "", text)  # inline code may wrap onto a second line
    return re.sub(r"\]\([^)]*\)", "]", text)


def prose_citations(path: Path) -> list[Citation]:
    text = readable_text(path)
    prose = " ".join(REFERENCES_SECTION.sub("", text).split())
    found = []
    for match in CITATION.finditer(prose):
        authors = surnames(match["authors"])
        if authors[0] in STOP_WORDS:
            continue
        complete = "et al." not in match["authors"]
        found.append(Citation(_where(path), authors, (int(match["year"]),), match["suffix"], match[0], complete))
    return found


def reference_list_citations(path: Path) -> list[Citation]:
    """Items of a page's References section that name authors (standards and API docs do not)."""
    found = []
    for section in REFERENCES_SECTION.findall(readable_text(path)):
        for item in LIST_ITEM.findall(section):
            item = " ".join(item.split())
            author = REFERENCE_AUTHOR.match(item)
            if not author:
                continue
            # The year of publication; identifiers such as arXiv:2003.04887 are not years.
            years = re.findall(r"(?<![\d.\-:])(?:1[89]|20)\d\d(?![\d.]\d)", re.sub(r"(arXiv|doi):\S+", "", item))
            suffix = re.search(r"\((?:1[89]|20)\d\d([a-z])\)", item)
            years = tuple(dict.fromkeys(map(int, years)))
            authors, complete = reference_authors(item)
            found.append(Citation(_where(path), authors, years, suffix[1] if suffix else "", item, complete))
    return found


def reference_authors(item: str) -> tuple[tuple[str, ...], bool]:
    """The surnames a reference item names, and whether it names them all (no "et al.", and no
    author the pattern cannot read, such as "OpenAI Dota Team" or "Ł. Kaiser")."""
    names, position = [], 0
    while match := REFERENCE_NEXT.match(item, position):
        names.append(match["surname"])
        if match["end"] != ",":
            return tuple(names), match["end"] == "."
        position = match.end() + 1
    return tuple(names), False


def _where(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def bibliography_entries() -> list[Entry]:
    text = BIBLIOGRAPHY.read_text(encoding="utf-8")
    starts = [match.start() for match in ENTRY_LEAD.finditer(text)] + [len(text)]
    entries = []
    for start, end in zip(starts, starts[1:]):
        lead = ENTRY_LEAD.match(text, start)
        entries.append(
            Entry(surnames(lead["authors"]), "et al." in lead["authors"], int(lead["year"]), lead["suffix"], text[start:end])
        )
    return entries


def cited_works() -> list[Citation]:
    pages = [path for path in sorted(DOCS.rglob("*.md")) if path != BIBLIOGRAPHY]
    citations = [citation for path in pages for citation in prose_citations(path) + reference_list_citations(path)]
    return citations + [citation for path in sorted(SNIPPETS.glob("*.py")) for citation in prose_citations(path)]


def test_every_work_cited_on_a_page_or_in_a_snippet_has_a_bibliography_entry():
    entries = bibliography_entries()
    missing = {}
    for citation in cited_works():
        if not any(entry.matches(citation) for entry in entries):
            missing.setdefault(f"{' & '.join(citation.authors)} {'/'.join(map(str, citation.years))}{citation.suffix}", citation)
    report = [f"{key}  ({citation.where}: {citation.text[:70]!r})" for key, citation in missing.items()]
    assert not missing, "cited but not in docs/reference/bibliography.md:\n" + "\n".join(report)


def test_the_parser_reads_each_form_of_the_convention(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "As Glorot & Bengio (2010) and Pascanu, Mikolov & Bengio (2013) showed (He et al. 2015; see\n"
        "Nocedal & Wright 2006, ch. 3), and Hochreiter's 1991 thesis. He et al. (2016b) too.\n"
        "In 2015, `Keras 2015` and [a link](Fake 2000.md) are not citations.\n\n"
        "```python\nZhang 2019\n```\n\n## References\n\n- K. He, X. Zhang, S. Ren, J. Sun. Identity mappings.\n"
        "  *ECCV* 2016 (2016b). arXiv:1603.05027\n- IEEE Standard 754-2019. doi:10.1109/IEEESTD.2019.8766229\n",
        encoding="utf-8",
    )
    prose = [(c.authors, c.years, c.suffix) for c in prose_citations(page)]
    assert prose == [
        (("Glorot", "Bengio"), (2010,), ""),
        (("Pascanu", "Mikolov", "Bengio"), (2013,), ""),
        (("He",), (2015,), ""),
        (("Nocedal", "Wright"), (2006,), ""),
        (("Hochreiter",), (1991,), ""),
        (("He",), (2016,), "b"),
    ]
    assert [(c.authors, c.years, c.suffix, c.complete) for c in reference_list_citations(page)] == [
        (("He", "Zhang", "Ren", "Sun"), (2016,), "b", True)
    ]


def test_an_entry_matches_only_its_own_authors_year_and_letter():
    resnet = Entry(("He", "Zhang", "Ren", "Sun"), False, 2016, "a", "")
    fixup = Entry(("Zhang", "Dauphin", "Ma"), False, 2019, "", "")
    mixed = Entry(("Micikevicius",), True, 2018, "", "")
    cite = lambda authors, year, suffix="": Citation("", authors, (year,), suffix, "")  # noqa: E731
    assert resnet.matches(cite(("He",), 2016)) and resnet.matches(cite(("He",), 2016, "a"))
    assert not resnet.matches(cite(("He",), 2016, "b")) and not resnet.matches(cite(("He",), 2015))
    assert fixup.matches(cite(("Zhang", "Dauphin", "Ma"), 2019)) and not fixup.matches(cite(("Zhang", "Ma"), 2019))
    assert mixed.matches(cite(("Micikevicius", "Narang"), 2018))
    # A citation naming all its authors matches only an entry with those authors (or "First et al.").
    pair = Entry(("Hanin", "Rolnick"), False, 2018, "", "")
    single = Entry(("Hanin",), False, 2018, "", "")
    complete = lambda authors: Citation("", authors, (2018,), "", "", True)  # noqa: E731
    assert not pair.matches(complete(("Hanin",))) and pair.matches(complete(("Hanin", "Rolnick")))
    assert single.matches(complete(("Hanin",))) and not single.matches(complete(("Hanin", "Rolnick")))
    assert pair.matches(cite(("Hanin",), 2018)) and mixed.matches(complete(("Micikevicius", "Narang")))


def test_the_bibliography_has_no_duplicate_entries():
    keys = [(entry.authors, entry.year, entry.suffix) for entry in bibliography_entries()]
    assert len(keys) == len(set(keys)), sorted(key for key in keys if keys.count(key) > 1)


def test_every_entry_lead_names_up_to_four_surnames_or_the_first_et_al():
    # The author guide: "up to four surnames, otherwise **First et al. (year)**".
    too_long = [entry.text.split("**")[1] for entry in bibliography_entries() if len(entry.authors) > 4]
    mixed = [entry.text.split("**")[1] for entry in bibliography_entries() if entry.et_al and len(entry.authors) > 1]
    assert not too_long and not mixed, too_long + mixed


@pytest.mark.parametrize("entry", bibliography_entries(), ids=lambda entry: f"{entry.authors[0]}{entry.year}{entry.suffix}")
def test_every_entry_carries_an_arxiv_id_or_doi_or_venue(entry):
    # A reader must be able to find the work: an arXiv id, a DOI, a web address, or the
    # proceedings, journal, publisher or institution set in italics or named after the title.
    body = entry.text.split("*Used on:*")[0]
    identifier = re.search(r"arXiv:\d{4}\.\d{4,5}|doi:10\.\d{4,}/\S+|https?://\S+", body)
    venue = re.search(r"\*[^*]{3,}\*", body.split("**", 2)[-1])
    assert identifier or venue, body[:120]
    assert str(entry.year) in body.split("**", 2)[-1], f"the citation itself must give the year: {body[:120]}"


def test_every_entry_names_exactly_the_pages_that_cite_it():
    # "*Used on:*" lists the pages (outside docs/about/) whose prose or References cite the work;
    # a standard (IEEE 754) is cited by its number.
    pages = [path for path in sorted(DOCS.rglob("*.md")) if path != BIBLIOGRAPHY and path.parent.name != "about"]
    citations = {path: prose_citations(path) + reference_list_citations(path) for path in pages}
    problems = []
    for entry in bibliography_entries():
        used_on = entry.text.split("*Used on:*")[-1] if "*Used on:*" in entry.text else ""
        listed = {(BIBLIOGRAPHY.parent / target).resolve() for target in re.findall(r"\]\(([^)#]+)", used_on)}
        citing = {
            path.resolve()
            for path in pages
            if any(entry.matches(c) for c in citations[path])
            or (entry.authors[0] == "IEEE" and f"754-{entry.year}" in path.read_text(encoding="utf-8"))
        }
        lead = entry.text.split("**")[1]
        problems += [f"{lead}: add {path.relative_to(DOCS)} to Used on" for path in sorted(citing - listed)]
        problems += [f"{lead}: {path} is listed under Used on but does not cite it" for path in sorted(listed - citing)]
    assert not problems, "\n".join(problems)


def test_a_work_without_an_entry_is_reported(tmp_path):
    # The completeness check must be able to fail: a made-up citation matches no entry.
    page = tmp_path / "page.md"
    page.write_text("As Nobody & Somebody (1999) showed, and (Glorot & Bengio 2010).\n", encoding="utf-8")
    entries = bibliography_entries()
    found = {citation.authors[0]: any(entry.matches(citation) for entry in entries) for citation in prose_citations(page)}
    assert found == {"Nobody": False, "Glorot": True}
