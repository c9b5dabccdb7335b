"""Keep, score and rank the day's announcements. Pure: no network, no disk.

Scoring is the original bot's rule, so scores stay comparable: +1 for each keyword
found in the title or abstract, +0.5 more when it is in the title, each keyword's
contribution multiplied by its weight. Unlike the original, a plain keyword
matches only at the start of a word (`\\bRL` matches "RLHF" but not "world").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .config import Config, Keyword
from .models import Announcement, Score
from .texclean import fold

TITLE_BONUS = 0.5


@dataclass(frozen=True)
class Candidate:
    """An announcement that passed the filters, with its score."""

    announcement: Announcement
    score: Score


@dataclass(frozen=True)
class Selection:
    """What the day's announcements became."""

    listed: tuple[Candidate, ...]
    """New papers to list, best first, at most max_papers."""
    matched: int
    """Candidates that passed every filter (before dedupe and the cap)."""
    replacements: tuple[Announcement, ...]
    """New versions of papers already in the archive (their pages get updated)."""
    skipped_archived: int
    """Matching papers not listed because an earlier day already lists them."""


def score(announcement: Announcement, keywords: Iterable[Keyword]) -> tuple[float, tuple[str, ...]]:
    """The original bot's score with whole-word matching and weights."""
    total = 0.0
    matched = []
    for keyword in keywords:
        in_title = keyword.pattern.search(announcement.title) is not None
        if in_title or keyword.pattern.search(announcement.abstract):
            total += keyword.weight * (1.0 + (TITLE_BONUS if in_title else 0.0))
            matched.append(keyword.name)
    return round(total, 4), tuple(matched)


def _author_matches(wanted: Iterable[str], authors: Iterable[str]) -> tuple[str, ...]:
    """Config names found among the authors: full name, or surname when one word is given."""
    folded = [fold(a) for a in authors]
    surnames = {name.split()[-1] for name in folded if name.split()}
    hits = []
    for name in wanted:
        key = fold(name).strip()
        if (" " in key and key in folded) or (" " not in key and key in surnames):
            hits.append(name)
    return tuple(hits)


def followed_authors(config: Config, announcement: Announcement) -> tuple[str, ...]:
    """Names from config `authors.include` that wrote this paper."""
    return _author_matches(config.authors_include, announcement.authors)


def evaluate(announcement: Announcement, config: Config) -> Score | None:
    """Score one announcement, or None when a filter rejects it."""
    if announcement.announce_type not in config.announce_types:
        return None
    if _author_matches(config.authors_exclude, announcement.authors):
        return None
    followed = followed_authors(config, announcement)
    if not followed:
        text = f"{announcement.title} {announcement.abstract}"
        if any(k.pattern.search(text) for k in config.exclude_keywords):
            return None
    value, matched = score(announcement, config.keywords)
    if followed:
        # Papers by followed authors are kept whatever their score.
        return Score(value, matched, followed)
    if config.keywords and not matched:
        return None
    if value < config.min_score:
        return None
    return Score(value, matched)


def rank_key(score: Score, arxiv_id: str) -> tuple:
    """Followed authors first, then score, then arXiv id (stable, reproducible order)."""
    return (-len(score.matched_authors), -score.value, arxiv_id)


def select(announcements: Iterable[Announcement], config: Config, archived: Mapping[str, dt.date], day: dt.date) -> Selection:
    """Filter, score, dedupe against the archive and cap the day's announcements.

    `archived` maps the ids of papers already in the archive (among these
    announcements) to the day they were first listed. A paper first listed on
    `day` itself is this day's own (a rerun) and is listed again, identically.
    """
    candidates: list[Candidate] = []
    replacements: list[Announcement] = []
    skipped = 0
    for ann in announcements:
        first_listed = archived.get(ann.arxiv_id)
        if first_listed is not None and first_listed != day:
            if ann.announce_type in ("replace", "replace-cross"):
                replacements.append(ann)
            else:
                skipped += 1
            continue
        verdict = evaluate(ann, config)
        if verdict is not None:
            candidates.append(Candidate(ann, verdict))
    candidates.sort(key=lambda c: rank_key(c.score, c.announcement.arxiv_id))
    return Selection(
        listed=tuple(candidates[: config.max_papers]),
        matched=len(candidates),
        replacements=tuple(replacements),
        skipped_archived=skipped,
    )
