"""Keep, score and rank the day's announcements. Pure: no network, no disk.

Scoring is the original bot's rule, so scores stay comparable: +1 for each keyword
found in the title or abstract, +0.5 more when it is in the title, each keyword's
contribution multiplied by its weight. Unlike the original, a plain keyword
matches only at the start of a word (`\\bRL` matches "RLHF" but not "world").

With `interests` configured (the reader's own papers, see interests.py):

- Interest similarity: each announcement's TF-IDF cosine similarity (similarity.py,
  fitted on the day's announcements plus the interest papers) to each interest
  paper; the paper's interest similarity is the MAXIMUM over the interest papers,
  and the nearest interest paper is the one that gives it. The maximum, not a mean:
  a library spans several topics, and a paper close to one of them is relevant
  (a mean would punish it for being far from the others). It is rounded to 3
  decimals, in [0, 1].
- Listed when it passes the keyword rule (a matching keyword and `min_score`) OR
  its similarity reaches `interests.min_similarity`. With `keywords: []`, similarity
  alone selects.
- Ranked by `score + interests.weight × similarity` (followed authors still first),
  so with the default weight 20 a similarity of 0.15 counts as much as three
  abstract keywords; with `keywords: []` the score is 0 and similarity alone ranks.
- TF-IDF similarities of abstracts are small numbers: measured on recorded real
  papers (benchmarks/related_quality.py), a paper on the same topic as one of two
  interest papers has a median similarity of 0.07 and 19% of them reach 0.12, while
  0.8% of papers on other topics do; hence the default `min_similarity` of 0.12.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from generator.archive.models import Announcement, Interest, InterestPaper, Score
from generator.config import Config, Keyword
from generator.text.clean import fold

TITLE_BONUS = 0.5


@dataclass(frozen=True)
class Candidate:
    """An announcement that passed the filters, with its score."""

    announcement: Announcement
    score: Score
    interest: Interest | None = None
    """Similarity to the reader's interest papers (None without interests)."""
    by_similarity: bool = False
    """Kept only for its interest similarity (its keywords alone would not list it)."""


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

    @property
    def listed_for_similarity(self) -> int:
        """Listed papers kept only for their interest similarity."""
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


def interest_similarities(announcements: Iterable[Announcement], interests: Iterable[InterestPaper]) -> dict[str, Interest]:
    # NumPy, SciPy and scikit-learn load only for archives that configure interests.
    from generator.ranking.similarity import cross_similarity, paper_text, tfidf_vectors

    """Each announcement's similarity to its nearest interest paper (the maximum; see the module docstring)."""
    announcements = list(announcements)
    interests = list(interests)
    if not announcements or not interests:
        return {}
    texts = [paper_text(a.title, a.abstract) for a in announcements] + [paper_text(p.title, p.abstract) for p in interests]
    # Every word counts here (a day is small; a word in most of its papers still tells its field).
    vectors = tfidf_vectors(texts, min_df=1, max_df=1.0)
    sims = cross_similarity(vectors[: len(announcements)], vectors[len(announcements) :])
    out = {}
    for row, ann in enumerate(announcements):
        for column, paper in enumerate(interests):
            if paper.arxiv_id == ann.arxiv_id:
                sims[row, column] = -1.0  # a new version of one of the reader's own papers is not "close to" itself
        best = int(sims[row].argmax())
        similarity = max(0.0, round(float(sims[row, best]), 3))
        out[ann.arxiv_id] = Interest(similarity, interests[best].arxiv_id, interests[best].title)
    return out


def rank_value(score: Score, interest: Interest | None, weight: float) -> float:
    """Keyword score plus `weight` times the interest similarity (the day's ranking)."""
    return round(score.value + (weight * interest.similarity if interest is not None else 0.0), 4)


def rank_key(score: Score, arxiv_id: str, interest: Interest | None = None, weight: float = 0.0) -> tuple:
    """Followed authors first, then the ranking value, then arXiv id (stable, reproducible order)."""
    return (-len(score.matched_authors), -rank_value(score, interest, weight), arxiv_id)


def select(
    announcements: Iterable[Announcement],
    config: Config,
    archived: Mapping[str, dt.date],
    day: dt.date,
    interests: Iterable[InterestPaper] = (),
) -> Selection:
    """Filter, score, dedupe against the archive and cap the day's announcements.

    `archived` maps the ids of papers already in the archive (among these
    announcements) to the day they were first listed. A paper first listed on
    `day` itself is this day's own (a rerun) and is listed again, identically.
    `interests` are the reader's own papers (empty without config `interests`).
    """
    announcements = list(announcements)
    similarity = interest_similarities(announcements, interests)
    weight = config.interests.weight
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
        followed = _screen(ann, config)
        if followed is None:
            continue
        value, matched = score(ann, config.keywords)
        interest = similarity.get(ann.arxiv_id)
        by_keywords = bool(followed) or _keywords_pass(value, matched, config)
        by_similarity = interest is not None and interest.similarity >= config.interests.min_similarity
        if by_keywords or by_similarity:
            candidates.append(Candidate(ann, Score(value, matched, followed), interest, by_similarity and not by_keywords))
    candidates.sort(key=lambda c: rank_key(c.score, c.announcement.arxiv_id, c.interest, weight))
    return Selection(
        listed=tuple(candidates[: config.max_papers]),
        matched=len(candidates),
        replacements=tuple(replacements),
        skipped_archived=skipped,
    )
