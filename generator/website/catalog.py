"""The archive as the site sees it: every paper and day record, read once per build.

`read_catalog(docs)` is the only I/O here: it reads every page under docs/papers and
docs/days through generator.archive.records (the one owner of the format) into typed records
(generator.archive.models.Paper, DayRecord) and wraps each paper in a small view that the
templates, feeds, sitemap and search index read. The only text of a page body the
site shows is what a person or a model wrote (the AI summary, a day's note), rendered
from Markdown (or, for a v1 summary `migrate` kept as HTML, from that HTML) and
sanitized here (generator.text.markdown.render_summary_html).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.archive import paths, records
from generator.archive.models import DayCounts, DayRecord, Paper
from generator.archive.store import Archive
from generator.errors import ArchiveError
from generator.text.markdown import math_as_text, render_summary_html
from generator.website.listed import ListedPaper


def render_summary(paper: Paper, *, for_feed: bool = False) -> str | None:
    """The paper's AI summary (the Markdown its page stores) as sanitized HTML, or None.

    On a page, math is marked for KaTeX; in a feed (`for_feed`: readers typeset no math), it
    is readable text (generator.text.markdown.math_as_text).
    """
    if paper.summary is None:
        return None
    if for_feed:
        return render_summary_html(paper.summary.markdown, math_html=math_as_text)
    return render_summary_html(paper.summary.markdown)


@dataclass(frozen=True)
class PaperEntry:
    """One archived paper: its record, where its page lives, and the fields the site shows.

    Text fields are raw (arXiv's text as stored): templates escape them.
    """

    record: Paper
    """The record, as generator.archive.store reads it."""
    path: PurePosixPath
    """The page inside docs/."""
    links: dict[str, str] = field(hash=False, compare=False)
    """abs, pdf, html and doi (when known) URLs."""

    @classmethod
    def of(cls, record: Paper, path: PurePosixPath | None = None) -> PaperEntry:
        return cls(record, path or paths.paper_path(record.arxiv_id), records.paper_links(record))

    @property
    def arxiv_id(self) -> str:
        return self.record.announcement.arxiv_id

    @property
    def version(self) -> int:
        return self.record.announcement.version

    @property
    def title(self) -> str:
        return self.record.announcement.title

    @property
    def authors(self) -> tuple[str, ...]:
        return self.record.announcement.authors

    @property
    def affiliations(self) -> dict[str, tuple[str, ...]]:
        return dict(self.record.announcement.affiliations)

    @property
    def categories(self) -> tuple[str, ...]:
        return self.record.announcement.categories

    @property
    def primary_category(self) -> str:
        return self.record.announcement.primary_category

    @property
    def abstract(self) -> str:
        return self.record.announcement.abstract

    @property
    def comment(self) -> str | None:
        return self.record.announcement.comment

    @property
    def journal_ref(self) -> str | None:
        return self.record.announcement.journal_ref

    @property
    def doi(self) -> str | None:
        return self.record.announcement.doi

    @property
    def announced(self) -> dt.date:
        return self.record.announced

    @property
    def announce_type(self) -> str:
        return self.record.announce_type

    @property
    def updated(self) -> dt.date | None:
        return self.record.updated

    @property
    def score(self) -> float:
        return self.record.score.value

    @property
    def matched_keywords(self) -> tuple[str, ...]:
        return self.record.score.matched_keywords

    @property
    def matched_authors(self) -> tuple[str, ...]:
        return self.record.score.matched_authors

    @property
    def tags(self) -> tuple[str, ...]:
        return self.record.tags

    @property
    def summary(self):
        """The summary's provenance (model, input, version, created), or None."""
        return self.record.summary

    @property
    def interest(self):
        """Similarity to the nearest of the reader's interest papers (generator.archive.models.Interest), or None."""
        return self.record.interest

    @property
    def last_changed(self) -> dt.date:
        return self.updated or self.announced

    def link(self, kind: str) -> str | None:
        return self.links.get(kind)


@dataclass(frozen=True)
class DayEntry:
    """One announcement day: its record and where its page lives."""

    record: DayRecord
    path: PurePosixPath

    @property
    def date(self) -> dt.date:
        return self.record.date

    @property
    def title(self) -> str:
        return self.record.title

    @property
    def papers(self) -> tuple[str, ...]:
        """Listed paper ids, best first."""
        return self.record.papers

    @property
    def counts(self) -> DayCounts:
        return self.record.counts

    @property
    def updated(self) -> tuple[str, ...]:
        """Archived papers that got a new version that day."""
        return self.record.updated

    @property
    def source(self) -> str | None:
        """`api` for a day filled from the arXiv API."""
        return self.record.source

    @property
    def note(self) -> str:
        """Free text a person wrote on the day's page (Markdown), if any."""
        return self.record.note

    @property
    def fetched(self) -> int:
        return self.counts.fetched

    @property
    def listed(self) -> int:
        return self.counts.listed


@dataclass(frozen=True)
class Catalog:
    """Every paper and day of one archive.

    `papers` holds each paper's whole record (`read_catalog`), or, in the site build, each paper as lists
    show it (generator.website.listed.ListedPaper), with `loader` giving the whole record of one paper when a
    page shows it (generator.website.build.SiteBuild.entry). Templates read the same names from both.
    """

    papers: dict[str, PaperEntry | ListedPaper]
    """By arXiv id."""
    days: tuple[DayEntry, ...]
    """Oldest first."""
    loader: Callable[[ListedPaper], PaperEntry] | None = field(default=None, compare=False)

    def entry(self, paper: PaperEntry | ListedPaper) -> PaperEntry:
        """A paper's whole record (its page, its day's entries, its feed item and search document show it)."""
        if isinstance(paper, PaperEntry):
            return paper
        assert self.loader is not None, "a catalog of listed papers needs a loader"
        return self.loader(paper)

    def newest_first(self, papers: Iterable[PaperEntry] | None = None) -> list[PaperEntry]:
        """Papers by announcement day, newest first; within a day, best score first."""
        chosen = self.papers.values() if papers is None else papers
        return sorted(chosen, key=lambda p: (-p.announced.toordinal(), -p.score, p.arxiv_id))


def paper_entry(text: str, path: PurePosixPath) -> PaperEntry:
    """A PaperEntry from a paper page; ArchiveError names the file, the key and the fix."""
    record = records.read_paper(text, f"docs/{path}")
    if paths.paper_path(record.arxiv_id) != path:
        raise ArchiveError(
            f"docs/{path}: arxiv_id {record.arxiv_id!r} does not belong at this path",
            fix=f"restore the page with `git checkout -- docs/{path}`",
        )
    return PaperEntry.of(record, path)


def day_entry(text: str, path: PurePosixPath) -> DayEntry:
    """A DayEntry from a day page."""
    return DayEntry(records.read_day(text, f"docs/{path}"), path)


def read_catalog(docs: Path, on_paper: Callable[[PaperEntry], None] | None = None) -> Catalog:
    """Read every paper and day page under docs/ (an empty or missing docs/ gives an empty catalog).

    `on_paper` sees each paper as soon as it is read (the site hands it to the search
    indexer, which then works while the rest is read).
    """
    archive = Archive(Path(docs))  # its lister says which files are pages (never a killed run's temp files)
    papers: dict[str, PaperEntry] = {}
    for page in archive.pages("paper"):
        entry = paper_entry(page.read_text(), page.relpath)
        papers[entry.arxiv_id] = entry
        if on_paper is not None:
            on_paper(entry)
    days = [day_entry(page.read_text(), page.relpath) for page in archive.pages("day")]
    days.sort(key=lambda d: d.date)
    return Catalog(papers, tuple(days))
