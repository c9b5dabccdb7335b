"""Typed records that flow through the pipeline: fetch → select → summarize → write.

Every stage takes and returns these frozen dataclasses; none of them touches the
network or the disk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")


@dataclass(frozen=True)
class Announcement:
    """One paper as arXiv announced it (feed item or API result)."""

    arxiv_id: str
    """Base identifier without version: `2609.26811` or `hep-th/9901001`."""
    version: int
    """Version number announced (the `3` of `v3`)."""
    title: str
    """Title, TeX accents turned into Unicode, math kept as written."""
    abstract: str
    """Abstract on one line, math (`$...$`, `\\(...\\)`) kept as written."""
    authors: tuple[str, ...]
    """Author names in order, as Unicode."""
    categories: tuple[str, ...]
    """All categories, primary first."""
    primary_category: str
    """The paper's primary category."""
    announce_type: str
    """One of `new`, `cross`, `replace`, `replace-cross`."""
    announced: dt.date
    """The announcement day this record belongs to."""
    doi: str | None = None
    """DOI of the published version, if the authors gave one."""
    journal_ref: str | None = None
    """Journal reference, if any."""
    comment: str | None = None
    """Authors' comment (pages, figures, venue), from the API."""
    affiliations: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(author, affiliations) pairs for authors with known affiliations, from the API."""
    license: str | None = None
    """License URL as announced."""


@dataclass(frozen=True)
class Score:
    """Why a paper was kept: its relevance score and what produced it."""

    value: float
    """Sum of keyword contributions (the original bot's rule, weights applied)."""
    matched_keywords: tuple[str, ...]
    """Names of the keywords found in the title or abstract, in config order."""
    matched_authors: tuple[str, ...] = ()
    """Followed authors (config `authors.include`) found among the paper's authors."""


@dataclass(frozen=True)
class Summary:
    """An AI summary and its provenance (the cache key is id, version, model, prompt)."""

    model: str
    """Model name as sent to the endpoint."""
    input: str
    """`fulltext` when the PDF text was used, `abstract` otherwise."""
    prompt_sha256: str
    """SHA-256 of the rendered prompt (language filled in) plus the paper-message template; never of the paper text."""
    created: str
    """ISO 8601 UTC timestamp of the LLM answer."""
    version: int
    """Paper version that was summarized."""
    markdown: str
    """The summary as Markdown, cleaned of raw HTML (generator.text.markdown.clean_summary_markdown); for a v1 summary
    `migrate` could not turn back into Markdown, its sanitized v1 HTML (generator.text.markdown.is_html_body)."""


@dataclass(frozen=True)
class Interest:
    """How close a paper is to the reader's own papers (config `interests`)."""

    similarity: float
    """Interest similarity in [0, 1] (see select.py for how it is computed)."""
    nearest: str
    """arXiv id of the closest interest paper."""
    nearest_title: str
    """Title of that paper, to explain the listing ("close to: ...")."""
    relevance: float | None = None
    """The ranker's calibrated relevance in [0, 1] (generator/ranking/relevance.py); None on pages written before it."""
    method: str | None = None
    """How the relevance was computed: `classifier` (the learned ranker) or `cosine` (too few interest papers)."""
    features: str | None = None
    """What the papers were compared by: `tfidf`, or the embedding model's name."""


@dataclass(frozen=True)
class Judgement:
    """The judge's rating of a paper against the reader's profile (config `ranking.judge`)."""

    rating: float
    """From 0 (unrelated) to 10 (exactly the reader's topic)."""
    reason: str
    """One short sentence, plain text as the model wrote it (cleaned, cut; escaped where shown)."""
    model: str
    """The model that rated it."""


@dataclass(frozen=True)
class InterestPaper:
    """One of the reader's own papers, as the arXiv API describes it."""

    arxiv_id: str
    """Base id, no version."""
    version: int
    """Latest version when it was fetched."""
    title: str
    """Title (TeX accents as Unicode)."""
    authors: tuple[str, ...]
    """Author names in order."""
    abstract: str
    """Abstract on one line."""


@dataclass(frozen=True)
class Paper:
    """An archived paper: what arXiv said, why we kept it, and its summary."""

    announcement: Announcement
    """The latest announcement of this paper."""
    score: Score
    """Score and matched keywords for the latest version."""
    announced: dt.date
    """Day the paper was first listed in this archive (never changes)."""
    announce_type: str
    """Announce type of that first listing."""
    updated: dt.date | None = None
    """Day a replacement (new version) was last announced, if any."""
    summary: Summary | None = None
    """AI summary, when one was made."""
    interest: Interest | None = None
    """Similarity to the reader's interest papers, when `interests` are configured."""
    judgement: Judgement | None = None
    """The judge's rating and reason, when `ranking.judge` rated it."""

    @property
    def arxiv_id(self) -> str:
        return self.announcement.arxiv_id

    @property
    def tags(self) -> tuple[str, ...]:
        """Tags shown on the site: the matched keywords, then followed authors."""
        return self.score.matched_keywords + self.score.matched_authors


@dataclass(frozen=True)
class DayCounts:
    """How one announcement day went through the pipeline."""

    fetched: int = 0
    """Unique papers in the day's announcements for the configured categories."""
    matched: int = 0
    """Papers that passed the type, exclusion, keyword and min_score filters."""
    listed: int = 0
    """Papers listed on the day page (matched, new to the archive, capped at max_papers)."""
    summarized: int = 0
    """Listed papers that carry an AI summary."""


@dataclass(frozen=True)
class Day:
    """One announcement day: the ranked papers listed and the archived papers updated."""

    date: dt.date
    """Announcement date (arXiv's mailing date in US Eastern time)."""
    papers: tuple[Paper, ...]
    """Listed papers, best first."""
    counts: DayCounts
    """Pipeline counts for the day."""
    updated: tuple[Paper, ...] = field(default=())
    """Archived papers whose new version was announced this day."""
    source: str | None = None
    """`api` when the day was filled from the arXiv API instead of the announcement feed."""


DAY_SOURCES = ("feed", "api")


@dataclass(frozen=True)
class DayRecord:
    """A day page as stored: what the archive keeps of one announcement day."""

    date: dt.date
    """Announcement date."""
    title: str
    """Page title (`Thursday, 24 September 2026`)."""
    papers: tuple[str, ...]
    """Listed paper ids, best first."""
    counts: DayCounts
    """Pipeline counts (listed ≤ matched ≤ fetched)."""
    updated: tuple[str, ...] = ()
    """Ids of archived papers whose new version was announced this day."""
    source: str | None = None
    """`api` for a day filled from the arXiv API, `feed` or None for the announcement feed."""
    note: str = ""
    """Free text a person wrote on the day page (Markdown); the generator keeps it."""
