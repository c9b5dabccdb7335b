"""What a page says about itself to search engines, link previews and other sites: pure, no HTML.

- Every page has its own `<meta name="description">` (which is also its Open Graph
  description, overrides/main.html): a paper the start of its abstract, a day its date
  and its first titles, a category or tag its size and latest titles, each page of the
  nav what it is for. At most DESCRIPTION_LENGTH characters, plain text (arXiv's TeX as
  readable text, generator/text/tex/; escaped where printed), cut by the one prose cutter
  (generator/text/cut.py: between words, never inside math).
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.text.cut import cut_pieces, cut_plain
from generator.text.tex import plain_pieces
from generator.website.catalog import DayEntry, PaperEntry
from generator.website.context import plural

DESCRIPTION_LENGTH = 150
"""Characters of a page's description: what search engines and link previews show."""
TITLES_IN_DESCRIPTION = 3


def _titles(papers: Sequence[PaperEntry]) -> list[tuple[bool, str]]:
    """The first titles, `; `-separated, as (is math, readable text) pieces: a cut never falls inside a title's math."""
    pieces: list[tuple[bool, str]] = []
    for number, paper in enumerate(papers[:TITLES_IN_DESCRIPTION]):
        if number:
            pieces.append((False, "; "))
        pieces += plain_pieces(paper.title)
    return pieces


def paper_description(paper: PaperEntry) -> str:
    """The start of the paper's abstract."""
    return cut_pieces(plain_pieces(paper.abstract), DESCRIPTION_LENGTH)


def day_description(day: DayEntry, papers: Sequence[PaperEntry]) -> str:
    """`2026-09-24: 12 papers. The Drift Contract; Title two; …`."""
    if not papers:
        what = "no announcements (a weekend or a holiday)" if day.counts.fetched == 0 else "no paper matched the keywords"
        return cut_plain(f"{day.date.isoformat()}: {what}.", DESCRIPTION_LENGTH)
    return cut_pieces([(False, f"{day.date.isoformat()}: {plural(len(papers), 'paper')}. "), *_titles(papers)], DESCRIPTION_LENGTH)


def topic_description(title: str, count: int, papers: Sequence[PaperEntry], site_title: str) -> str:
    """A category's or tag's page (or one of its listing pages): how many papers, its newest titles."""
    return cut_pieces([(False, f"{title}: {plural(count, 'paper')} in {site_title}. Latest: "), *_titles(papers)], DESCRIPTION_LENGTH)


NAV_DESCRIPTIONS = {
    "home": "{description}",
    "archive": "Every day of {site}: {papers} on {days}, by year and month.",
    "categories": "The arXiv categories of the papers in {site}, with their papers and feeds.",
    "tags": "The keywords and followed authors of the papers in {site}, with their papers and feeds.",
    "stats": "Charts of {site}: papers per day, per month, per category and per tag.",
    "feeds": "RSS and Atom feeds of {site}: all papers, each category, each tag.",
    "search": "Search the {papers} of {site} by title, author, arXiv id, abstract or summary.",
    "about": "What {site} follows and how: its arXiv categories, keywords, ranking and AI summaries.",
    "runs": "What each nightly run of {site} did and what its AI summaries cost.",
    "reading-list": "Your reading list of papers from {site}: kept in this browser, exported as BibTeX or arXiv ids.",
}
"""What each page of the nav is for; {site}, {description}, {papers} and {days} are filled in."""


def nav_description(kind: str, *, site: str, description: str, papers: int, days: int) -> str:
    text = NAV_DESCRIPTIONS[kind].format(
        site=site, description=description or site, papers=plural(papers, "paper"), days=plural(days, "day")
    )
    return cut_plain(text, DESCRIPTION_LENGTH)
