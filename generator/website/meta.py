"""What a page says about itself to search engines, link previews and other sites: pure, no HTML.

- Every page has its own `<meta name="description">` (which is also its Open Graph
  description, overrides/main.html): a paper the start of its abstract, a day its date
  and its first titles, a category or tag its size and latest titles, each page of the
  nav what it is for. At most DESCRIPTION_LENGTH characters, plain text (arXiv's TeX as
  readable text, generator/text/tex.py; escaped where printed).
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.text.tex import tex_plain
from generator.website.catalog import DayEntry, PaperEntry
from generator.website.context import plural

DESCRIPTION_LENGTH = 150
"""Characters of a page's description: what search engines and link previews show."""
TITLES_IN_DESCRIPTION = 3


def description_of(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """`text`, cut at a space to at most `limit` characters (with "…") when longer."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"


def _titles(papers: Sequence[PaperEntry]) -> str:
    return "; ".join(tex_plain(p.title) for p in papers[:TITLES_IN_DESCRIPTION])


def paper_description(paper: PaperEntry) -> str:
    return description_of(tex_plain(paper.abstract))


def day_description(day: DayEntry, papers: Sequence[PaperEntry]) -> str:
    """`2026-09-24: 12 papers. The Drift Contract…; Title two; …`."""
    if not papers:
        what = "no announcements (a weekend or a holiday)" if day.counts.fetched == 0 else "no paper matched the keywords"
        return description_of(f"{day.date.isoformat()}: {what}.")
    return description_of(f"{day.date.isoformat()}: {plural(len(papers), 'paper')}. {_titles(papers)}")


def topic_description(title: str, count: int, papers: Sequence[PaperEntry], site_title: str) -> str:
    """A category's or tag's page (or one of its listing pages): how many papers, its newest titles."""
    return description_of(f"{title}: {plural(count, 'paper')} in {site_title}. Latest: {_titles(papers)}")


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
    return description_of(text)
