"""A paper as lists show it: the few fields of its record that every listing, day, topic, related list and
the sitemap need, small enough to keep 200,000 of them in memory and in the build cache.

A build holds one `ListedPaper` per archived paper (`generator.website.catalog.Catalog.papers`) and reads a
paper's whole record (`PaperEntry`: abstract, summary, links...) only to write the pages that show it: its
own page, its search document, its day's entries, a feed item. Templates read the same attribute names
from both, so a list's template works on either.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from generator.archive import paths
from generator.archive.models import Interest, Paper

AUTHORS_KEPT = 4
"""Names kept: lists show three and say "et al." when there are more."""


@dataclass(frozen=True)
class SummaryMark:
    """That a paper has an AI summary, and by which model (its text is in the record)."""

    model: str


@dataclass(frozen=True)
class ListedPaper:
    """One archived paper as lists show it (see the module docstring); text fields are raw: templates escape them."""

    arxiv_id: str
    version: int
    path: PurePosixPath
    """The record inside docs/ (`papers/2504/2504.18298.md`): its page's URL follows from it."""
    title: str
    authors: tuple[str, ...]
    """The first AUTHORS_KEPT names."""
    announced: dt.date
    updated: dt.date | None
    primary_category: str
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    matched_keywords: tuple[str, ...]
    matched_authors: tuple[str, ...]
    score: float
    announce_type: str
    summary: SummaryMark | None
    interest: Interest | None
    record: str
    """The record's content hash: what changes when anything on its page may."""

    @property
    def last_changed(self) -> dt.date:
        return self.updated or self.announced

    @classmethod
    def of(cls, paper: Paper, record: str, path: PurePosixPath | None = None) -> ListedPaper:
        ann = paper.announcement
        return cls(
            ann.arxiv_id, ann.version, path or paths.paper_path(ann.arxiv_id), ann.title, tuple(ann.authors[:AUTHORS_KEPT]),
            paper.announced, paper.updated, ann.primary_category, tuple(ann.categories), tuple(paper.tags),
            tuple(paper.score.matched_keywords), tuple(paper.score.matched_authors), paper.score.value, paper.announce_type,
            SummaryMark(paper.summary.model) if paper.summary is not None else None, paper.interest, record,
        )  # fmt: skip

    # -- in the build cache (JSON: no pickle, a cache file is data) -------------------------------

    def to_row(self) -> list[Any]:
        return [
            self.arxiv_id, self.version, self.path.as_posix(), self.title, list(self.authors), self.announced.isoformat(),
            self.updated.isoformat() if self.updated else None, self.primary_category, list(self.categories), list(self.tags),
            list(self.matched_keywords), list(self.matched_authors), self.score, self.announce_type,
            self.summary.model if self.summary else None,
            {name: getattr(self.interest, name) for name in _INTEREST_FIELDS} if self.interest else None, self.record,
        ]  # fmt: skip

    @classmethod
    def from_row(cls, row: list[Any], path: PurePosixPath | None = None) -> ListedPaper:
        """The paper of a cached row; `path`, the row's own path already made (the cache keys its rows by it)."""
        (arxiv_id, version, row_path, title, authors, announced, updated, primary, categories, tags, keywords, followed, score,
         announce_type, model, interest, record) = row  # fmt: skip
        return cls(
            arxiv_id, version, path or PurePosixPath(row_path), title, tuple(authors), dt.date.fromisoformat(announced),
            dt.date.fromisoformat(updated) if updated else None, primary, tuple(categories), tuple(tags), tuple(keywords),
            tuple(followed), score, announce_type, SummaryMark(model) if model is not None else None,
            _interest(interest) if interest else None, record,
        )  # fmt: skip


_INTEREST_FIELDS = tuple(f.name for f in dataclasses.fields(Interest))


def _interest(fields: dict[str, Any]) -> Interest:
    """An Interest from its cached fields (a field added since the cache was written takes its default)."""
    return Interest(**{name: value for name, value in fields.items() if name in _INTEREST_FIELDS})
