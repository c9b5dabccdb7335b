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
import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.archive import paths, records
from generator.archive.models import DayCounts, DayRecord, Paper
from generator.errors import ArchiveError
from generator.text.clean import split_prose_math
from generator.text.markdown import html_text, is_html_body, render_summary_html
from generator.text.tex import tex_plain

_FENCE = re.compile(r"^ {0,3}(?:```|~~~).*$", re.MULTILINE)
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]*", re.MULTILINE)
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+", re.MULTILINE)
_QUOTE = re.compile(r"^ {0,3}>[ \t]?", re.MULTILINE)
_TABLE_RULE = re.compile(r"^[ \t|:-]*-[ \t|:-]*$", re.MULTILINE)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*{1,3}|(?<!\w)_{1,3})(?=\S)(.+?)(?<=\S)\1")
_MARKS = re.compile(r"`+|\|")


def math_as_text(source: str) -> str:
    """A math span as readable text, escaped (`math_html` for feeds, lists and the search index)."""
    return html.escape(tex_plain(source), quote=False)


def summary_text(markdown_text: str) -> str:
    """The words of a summary's Markdown without its syntax (for the search index: no need to render it).

    Math becomes readable text (generator.text.tex.tex_plain: `$\\times$` -> ×), as in the rest of the index.
    A body kept as HTML (generator.text.markdown.is_html_body) is sanitized and its text taken.
    """
    if is_html_body(markdown_text):
        return html_text(render_summary_html(markdown_text, math_html=math_as_text))
    out = []
    for is_math, chunk in split_prose_math(markdown_text):
        if is_math:
            chunk = tex_plain(chunk)
        else:  # each pattern only where its mark can be: 1.2 s instead of 1.8 s for the 5,000 summaries of the 10,000-paper benchmark
            if "```" in chunk or "~~~" in chunk:
                chunk = _FENCE.sub("", chunk)
            if "-" in chunk:
                chunk = _TABLE_RULE.sub("", chunk)
            if "#" in chunk:
                chunk = _HEADING.sub("", chunk)
            chunk = _LIST_ITEM.sub("", chunk)
            if ">" in chunk:
                chunk = _QUOTE.sub("", chunk)
            if "](" in chunk:
                chunk = _LINK.sub(r"\1", chunk)
            if "*" in chunk or "_" in chunk:
                chunk = _EMPHASIS.sub(r"\2", chunk)
            if "`" in chunk or "|" in chunk:
                chunk = _MARKS.sub(" ", chunk)
        out.append(chunk)
    return "".join(out)


def render_summary(paper: Paper, *, for_feed: bool = False) -> str | None:
    """The paper's AI summary (the Markdown its page stores) as sanitized HTML, or None.

    On a page, math is marked for KaTeX; in a feed (`for_feed`: readers typeset no math), it
    is readable text (generator.text.tex.tex_plain).
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
        """Relevance to the reader and the nearest interest paper (generator.archive.models.Interest), or None."""
        return self.record.interest

    @property
    def judgement(self):
        """The judge's rating and reason (generator.archive.models.Judgement), or None."""
        return self.record.judgement

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
    """Every paper and day of one archive."""

    papers: dict[str, PaperEntry]
    """By arXiv id."""
    days: tuple[DayEntry, ...]
    """Oldest first."""

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


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{path}: cannot be read ({exc})", fix=f"restore the page with `git checkout -- {path}`") from None


def _pages(docs: Path, folder: str, pattern: str) -> list[tuple[Path, PurePosixPath]]:
    root = docs / folder
    if not root.is_dir():
        return []
    # Hidden files are a killed run's temp files (generator.archive.store writes through `.tmp-*`).
    return [
        (file, PurePosixPath(file.relative_to(docs).as_posix())) for file in sorted(root.glob(pattern)) if not file.name.startswith(".")
    ]


def read_catalog(docs: Path, on_paper: Callable[[PaperEntry], None] | None = None) -> Catalog:
    """Read every paper and day page under docs/ (an empty or missing docs/ gives an empty catalog).

    `on_paper` sees each paper as soon as it is read (the site hands it to the search
    indexer, which then works while the rest is read).
    """
    docs = Path(docs)
    papers: dict[str, PaperEntry] = {}
    for file, rel in _pages(docs, "papers", "**/*.md"):
        entry = paper_entry(_read(file), rel)
        papers[entry.arxiv_id] = entry
        if on_paper is not None:
            on_paper(entry)
    days = [day_entry(_read(file), rel) for file, rel in _pages(docs, "days", "*/*.md")]
    days.sort(key=lambda d: d.date)
    return Catalog(papers, tuple(days))
