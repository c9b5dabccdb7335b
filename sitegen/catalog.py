"""The archive as the site sees it: every paper's and day's front matter, read fast.

`read_catalog(docs)` is the only I/O here: it reads the front matter of every page
under docs/papers and docs/days (not the bodies: at 10,000 papers that is most of
the bytes) with libyaml, and turns each into a small frozen record. Everything the
derived pages, feeds and sitemap need is in these records; only the feeds go back
to a page body, for the AI summary of their latest few papers (`summary_html`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator import paths, records
from generator.errors import ArchiveError
from generator.models import DayRecord, Paper
from generator.sanitize import render_summary_html


@dataclass(frozen=True)
class PaperEntry:
    """One archived paper, from its page's front matter."""

    arxiv_id: str
    """Base id without version."""
    version: int
    """Latest version on the page."""
    title: str
    """Title as arXiv wrote it (raw, untrusted: escape before output)."""
    authors: tuple[str, ...]
    """Author names in order (raw)."""
    categories: tuple[str, ...]
    """All categories, primary first."""
    primary_category: str
    """Primary category."""
    announced: dt.date
    """Day the paper was first listed in this archive."""
    announce_type: str
    """Announce type of that listing (new, cross, ...)."""
    score: float
    """Relevance score."""
    tags: tuple[str, ...]
    """Tags shown on the site (matched keywords, then followed authors)."""
    abstract: str
    """Abstract (raw, with TeX math)."""
    links: tuple[tuple[str, str], ...]
    """(kind, URL) pairs: abs, pdf, html and doi when known."""
    doi: str | None
    """DOI of the published version, when known."""
    updated: dt.date | None
    """Day a new version was last announced, if any."""
    summary_model: str | None
    """Model that wrote the AI summary, None when the paper has none."""
    summary_input: str | None
    """`fulltext` or `abstract`: what the model read."""
    path: PurePosixPath
    """The page inside docs/."""

    def link(self, kind: str) -> str | None:
        return dict(self.links).get(kind)

    @property
    def last_changed(self) -> dt.date:
        return self.updated or self.announced


@dataclass(frozen=True)
class DayEntry:
    """One announcement day, from its page's front matter."""

    date: dt.date
    title: str
    papers: tuple[str, ...]
    """Listed paper ids, best first."""
    fetched: int
    matched: int
    listed: int
    summarized: int
    updated: tuple[str, ...]
    """Archived papers that got a new version that day."""
    path: PurePosixPath


@dataclass(frozen=True)
class Catalog:
    """Every paper and day of one archive."""

    papers: dict[str, PaperEntry]
    """By arXiv id."""
    days: tuple[DayEntry, ...]
    """Oldest first."""

    def newest_first(self, papers: Iterable[PaperEntry] | None = None) -> list[PaperEntry]:
        """Papers by announcement day, newest first; within a day, best score first."""
        chosen = self.papers.values() if papers is None else papers
        return sorted(chosen, key=lambda p: (-p.announced.toordinal(), -p.score, p.arxiv_id))


def paper_entry(paper: Paper, path: PurePosixPath) -> PaperEntry:
    """A PaperEntry from a paper's record; ArchiveError when the record is not at its own path."""
    if paths.paper_path(paper.arxiv_id) != path:
        raise ArchiveError(f"docs/{path}: arxiv_id {paper.arxiv_id!r} does not belong at this path", fix=f"restore the page with `git checkout -- docs/{path}`")
    ann = paper.announcement
    return PaperEntry(
        arxiv_id=paper.arxiv_id,
        version=ann.version,
        title=ann.title,
        authors=ann.authors,
        categories=ann.categories,
        primary_category=ann.primary_category,
        announced=paper.announced,
        announce_type=paper.announce_type,
        score=paper.score.value,
        tags=paper.tags,
        abstract=ann.abstract,
        links=tuple(records.paper_links(paper).items()),
        doi=ann.doi,
        updated=paper.updated,
        summary_model=paper.summary.model if paper.summary else None,
        summary_input=paper.summary.input if paper.summary else None,
        path=path,
    )


def day_entry(record: DayRecord, path: PurePosixPath) -> DayEntry:
    """A DayEntry from a day's record."""
    return DayEntry(
        date=record.date,
        title=record.title,
        papers=record.papers,
        fetched=record.counts.fetched,
        matched=record.counts.matched,
        listed=record.counts.listed,
        summarized=record.counts.summarized,
        updated=record.updated,
        path=path,
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{path}: cannot be read ({exc})", fix=f"restore the page with `git checkout -- {path}`") from None


def read_catalog(docs: Path) -> Catalog:
    """Read every paper and day page under docs/ (an empty or missing docs/ gives an empty catalog)."""
    docs = Path(docs)
    papers: dict[str, PaperEntry] = {}
    for file in sorted((docs / "papers").glob("**/*.md")) if (docs / "papers").is_dir() else ():
        if file.name.startswith("."):
            continue  # a generator temp file left by a killed run
        rel = PurePosixPath(file.relative_to(docs).as_posix())
        entry = paper_entry(records.read_paper(_read(file), f"docs/{rel}"), rel)
        papers[entry.arxiv_id] = entry
    days = []
    for file in sorted((docs / "days").glob("*/*.md")) if (docs / "days").is_dir() else ():
        if file.name.startswith("."):
            continue
        rel = PurePosixPath(file.relative_to(docs).as_posix())
        days.append(day_entry(records.read_day(_read(file), f"docs/{rel}"), rel))
    days.sort(key=lambda d: d.date)
    return Catalog(papers, tuple(days))


def summary_html(docs: Path, paper: PaperEntry) -> str | None:
    """A paper's AI summary as sanitized HTML (rendered from the Markdown its page stores), or None."""
    if paper.summary_model is None:
        return None
    record = records.read_paper(_read(Path(docs).joinpath(*paper.path.parts)), f"docs/{paper.path}")
    return render_summary_html(record.summary.markdown) if record.summary else None
