"""Keep, score and rank the day's announcements. Pure: no network, no disk.

Scoring is the original bot's rule, so scores stay comparable: +1 for each keyword
found in the title or abstract, +0.5 more when it is in the title, each keyword's
contribution multiplied by its weight. Unlike the original, a plain keyword
matches only at the start of a word (`\\bRL` matches "RLHF" but not "world").

With `interests` configured (the reader's own papers and profile, see interests.py):

- Relevance: each announcement's relevance to the reader, from 0 to 1, by the learned
  ranker (relevance.py: a linear classifier trained each night on the interest papers
  and the profile against the day's announcements, calibrated on the same night), or,
  with fewer than two positive examples, by its cosine similarity to the nearest
  interest paper (0.5 at a similarity of 0.12). The paper keeps both, with the method,
  in its front matter `interest`.
- With the judge (`ranking.judge`, judge.py), a rated paper's relevance is the mean of
  the ranker's and the judge's (rating / 10): `combined_relevance`.
- Listed when it passes the keyword rule (a matching keyword and `min_score`) OR its
  relevance reaches `interests.min_relevance` (0.5: closer to the reader's own papers
  than to a typical paper of the day). With `keywords: []`, relevance alone selects.
- Ranked by `score + interests.weight × relevance` (followed authors still first);
  with `keywords: []` the score is 0 and relevance alone ranks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.archive.models import Announcement, Interest, InterestPaper, Judgement, Score
from generator.config import Config, Keyword
from generator.text.clean import fold

if TYPE_CHECKING:
    from generator.ranking.relevance import DayRelevance

TITLE_BONUS = 0.5


@dataclass(frozen=True)
class Candidate:
    """An announcement that passed the filters, with its score."""

    announcement: Announcement
    score: Score
    interest: Interest | None = None
    """Relevance to the reader's interest papers and profile (None without interests)."""
    by_similarity: bool = False
    """Kept only for its relevance to the reader (its keywords alone would not list it)."""
    judgement: Judgement | None = None
    """The judge's rating and reason (None when the judge is off, failed or did not rate it)."""


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

    relevance: DayRelevance | None = None
    """How the day was ranked by relevance (None without interests)."""

    @property
    def listed_for_similarity(self) -> int:
        """Listed papers kept only for their relevance to the reader."""
        return sum(1 for c in self.listed if c.by_similarity)


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


def _screen(announcement: Announcement, config: Config) -> tuple[str, ...] | None:
    """None when a filter rejects the paper (announce type, excluded author or keyword); else its followed authors."""
    if announcement.announce_type not in config.announce_types:
        return None
    if _author_matches(config.authors_exclude, announcement.authors):
        return None
    followed = followed_authors(config, announcement)
    if not followed:
        text = f"{announcement.title} {announcement.abstract}"
        if any(k.pattern.search(text) for k in config.exclude_keywords):
            return None
    return followed


def passes_filters(announcement: Announcement, config: Config) -> bool:
    """Whether the announce type, excluded authors and excluded keywords let a paper through (a followed author passes the last)."""
    return _screen(announcement, config) is not None


def _keywords_pass(value: float, matched: tuple[str, ...], config: Config) -> bool:
    if not config.keywords:
        # No keywords: with interests, similarity alone selects; without, min_score alone (the original rule).
        return not config.interests.configured and value >= config.min_score
    return bool(matched) and value >= config.min_score


def evaluate(announcement: Announcement, config: Config) -> Score | None:
    """Score one announcement by keywords and followed authors, or None when they do not keep it."""
    followed = _screen(announcement, config)
    if followed is None:
        return None
    value, matched = score(announcement, config.keywords)
    if followed:
        # Papers by followed authors are kept whatever their score.
        return Score(value, matched, followed)
    if not _keywords_pass(value, matched, config):
        return None
    return Score(value, matched)


@dataclass(frozen=True)
class RankingPolicy:
    """The config keys that rank a day by relevance."""

    weight: float
    """Ranking value = keyword score + weight x relevance."""
    min_relevance: float
    """A paper whose relevance reaches this is listed whatever its keywords."""
    profile: str
    """The reader's research profile (a paragraph), one more positive example."""


def ranking_policy(config: Config) -> RankingPolicy:
    """The relevance settings of a config (an old `interests.min_similarity` arrives read as min_relevance: config/model.py)."""
    interests = config.interests
    return RankingPolicy(interests.weight, interests.min_relevance, " ".join(interests.profile.split()))


def relevance_of(interest: Interest | None, judgement: Judgement | None = None) -> float:
    """A paper's relevance to the reader, from 0 to 1: the ranker's, averaged with the judge's rating when rated.

    A page written before the learned ranker holds only a similarity: it reads as the
    cosine fallback would (learned.cosine_relevance).
    """
    if interest is None:
        ranker = 0.0
    elif interest.relevance is not None:
        ranker = interest.relevance
    else:
        from generator.ranking.learned import cosine_relevance

        ranker = float(cosine_relevance(interest.similarity))
    if judgement is None:
        return ranker
    return (ranker + judgement.rating / 10.0) / 2.0


def rank_value(score: Score, interest: Interest | None, weight: float, judgement: Judgement | None = None) -> float:
    """Keyword score plus `weight` times the relevance (the day's ranking)."""
    if interest is None and judgement is None:
        return round(score.value, 4)
    return round(score.value + weight * relevance_of(interest, judgement), 4)


def rank_key(
    score: Score, arxiv_id: str, interest: Interest | None = None, weight: float = 0.0, judgement: Judgement | None = None
) -> tuple:
    """Followed authors first, then the ranking value, then arXiv id (stable, reproducible order)."""
    return (-len(score.matched_authors), -rank_value(score, interest, weight, judgement), arxiv_id)


def _screened(
    announcements: list[Announcement],
    config: Config,
    archived: Mapping[str, dt.date],
    day: dt.date,
    relevance: DayRelevance | None,
    judgements: Mapping[str, Judgement],
    min_relevance: float,
) -> tuple[list[tuple[Candidate, bool]], list[Announcement], int]:
    """(every announcement the filters keep, with whether it is listed; replacements; papers skipped as archived)."""
    by_id = relevance.interests if relevance is not None else {}
    kept: list[tuple[Candidate, bool]] = []
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
        followed = _screen(ann, config)
        if followed is None:
            continue
        value, matched = score(ann, config.keywords)
        interest = by_id.get(ann.arxiv_id)
        judgement = judgements.get(ann.arxiv_id)
        by_keywords = bool(followed) or _keywords_pass(value, matched, config)
        by_relevance = interest is not None and relevance_of(interest, judgement) >= min_relevance
        candidate = Candidate(ann, Score(value, matched, followed), interest, by_relevance and not by_keywords, judgement)
        kept.append((candidate, by_keywords or by_relevance))
    return kept, replacements, skipped


def day_relevance(announcements: Iterable[Announcement], config: Config, interests: Iterable[InterestPaper] = (), vectors=None):
    """The day's relevance to the reader (relevance.rank_day), or None without interest papers and profile."""
    interests = list(interests)
    policy = ranking_policy(config)
    if not interests and not policy.profile:
        return None
    from generator.ranking.relevance import rank_day  # NumPy and scikit-learn: only for archives with interests

    return rank_day(list(announcements), interests, profile=policy.profile, vectors=vectors)


def select(
    announcements: Iterable[Announcement],
    config: Config,
    archived: Mapping[str, dt.date],
    day: dt.date,
    interests: Iterable[InterestPaper] = (),
    *,
    relevance: DayRelevance | None = None,
    judgements: Mapping[str, Judgement] | None = None,
) -> Selection:
    """Filter, score, dedupe against the archive and cap the day's announcements.

    `archived` maps the ids of papers already in the archive (among these
    announcements) to the day they were first listed. A paper first listed on
    `day` itself is this day's own (a rerun) and is listed again, identically.
    `interests` are the reader's own papers (empty without config `interests`);
    `relevance` is the day's ranking by them when already computed (`day_relevance`:
    the night computes it once, for the judge and for this); `judgements` the judge's
    ratings by arXiv id.
    """
    announcements = list(announcements)
    policy = ranking_policy(config)
    if relevance is None:
        relevance = day_relevance(announcements, config, interests)
    kept, replacements, skipped = _screened(announcements, config, archived, day, relevance, judgements or {}, policy.min_relevance)
    candidates = [c for c, listed in kept if listed]
    candidates.sort(key=lambda c: rank_key(c.score, c.announcement.arxiv_id, c.interest, policy.weight, c.judgement))
    return Selection(
        listed=tuple(candidates[: config.max_papers]),
        matched=len(candidates),
        replacements=tuple(replacements),
        skipped_archived=skipped,
        relevance=relevance,
    )


def judge_candidates(
    announcements: Iterable[Announcement],
    config: Config,
    archived: Mapping[str, dt.date],
    day: dt.date,
    relevance: DayRelevance | None,
    limit: int,
) -> list[Announcement]:
    """What the judge rates: the keyword matches and the ranker's top `limit`, at most `limit` in all, best first.

    Only papers the day could list (the filters keep them, no earlier day lists them),
    ordered by the ranking value before the judge (keyword score + weight x relevance).
    """
    policy = ranking_policy(config)
    kept, _, _ = _screened(list(announcements), config, archived, day, relevance, {}, policy.min_relevance)
    by_relevance = sorted(kept, key=lambda item: (-relevance_of(item[0].interest), item[0].announcement.arxiv_id))
    top = {c.announcement.arxiv_id for c, _ in by_relevance[:limit] if c.interest is not None}
    wanted = [
        c
        for c, _ in kept
        if c.announcement.arxiv_id in top or c.score.matched_authors or _keywords_pass(c.score.value, c.score.matched_keywords, config)
    ]
    wanted.sort(key=lambda c: rank_key(c.score, c.announcement.arxiv_id, c.interest, policy.weight))
    return [c.announcement for c in wanted[:limit]]
