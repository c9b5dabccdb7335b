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
from typing import Any


from generator import paths
from generator.archive import split_front_matter
from generator.errors import ArchiveError
from generator.render import extract_summary_html


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


def parse_front_matter(text: str, source: str) -> dict[str, Any]:
    """The YAML front matter of a page (generator.archive reads pages the same way)."""
    return split_front_matter(text, source)[0]


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def paper_entry(meta: dict[str, Any], path: PurePosixPath) -> PaperEntry:
    """A PaperEntry from a paper page's front matter; ArchiveError names the missing key."""
    try:
        summary = meta.get("summary") or {}
        links = meta.get("links") or {}
        arxiv_id = str(meta["arxiv_id"])
        if paths.paper_path(arxiv_id) != path:
            raise ValueError(f"arxiv_id {arxiv_id!r} does not belong at this path")
        return PaperEntry(
            arxiv_id=arxiv_id,
            version=int(meta["version"]),
            title=str(meta["title"]),
            authors=tuple(str(a) for a in meta.get("authors") or ()),
            categories=tuple(str(c) for c in meta.get("categories") or ()),
            primary_category=str(meta.get("primary_category") or ""),
            announced=_date(meta["announced"]),
            announce_type=str(meta["announce_type"]),
            score=float(meta.get("score") or 0),
            tags=tuple(str(t) for t in meta.get("tags") or ()),
            abstract=str(meta.get("abstract") or ""),
            links=tuple((str(k), str(v)) for k, v in links.items()),
            doi=str(meta["doi"]) if meta.get("doi") else None,
            updated=_date(meta["updated"]) if meta.get("updated") else None,
            summary_model=str(summary["model"]) if summary.get("model") else None,
            summary_input=str(summary.get("input")) if summary.get("model") else None,
            path=path,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ArchiveError(f"docs/{path}: front matter lacks or garbles {exc}", fix=f"restore the page with `git checkout -- docs/{path}`") from None


def day_entry(meta: dict[str, Any], path: PurePosixPath) -> DayEntry:
    """A DayEntry from a day page's front matter."""
    try:
        counts = meta.get("counts") or {}
        return DayEntry(
            date=_date(meta["date"]),
            title=str(meta.get("title") or meta["date"]),
            papers=tuple(str(i) for i in meta.get("papers") or ()),
            fetched=int(counts.get("fetched", 0)),
            matched=int(counts.get("matched", 0)),
            listed=int(counts.get("listed", 0)),
            summarized=int(counts.get("summarized", 0)),
            updated=tuple(str(i) for i in meta.get("updated") or ()),
            path=path,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ArchiveError(f"docs/{path}: front matter lacks or garbles {exc}", fix=f"restore the page with `git checkout -- docs/{path}`") from None


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
        entry = paper_entry(parse_front_matter(_read(file), f"docs/{rel}"), rel)
        papers[entry.arxiv_id] = entry
    days = []
    for file in sorted((docs / "days").glob("*/*.md")) if (docs / "days").is_dir() else ():
        if file.name.startswith("."):
            continue
        rel = PurePosixPath(file.relative_to(docs).as_posix())
        days.append(day_entry(parse_front_matter(_read(file), f"docs/{rel}"), rel))
    days.sort(key=lambda d: d.date)
    return Catalog(papers, tuple(days))


def summary_html(docs: Path, paper: PaperEntry) -> str | None:
    """The sanitized summary HTML stored in a paper's page body, or None."""
    if paper.summary_model is None:
        return None
    return extract_summary_html(_read(Path(docs).joinpath(*paper.path.parts)))
