"""How a night ranks each announcement day by relevance to the reader: the ranker, its embeddings, the judge.

For one day (`DayRanking.rank`, called by day.py before the selection):

1. the vectors, when config `embeddings` is set: the day's announcements, the interest
   papers and the profile, from the embedding cache or the endpoint
   (generator.ranking.embeddings.embed_for_ranking; a failure is one warning and TF-IDF);
2. the ranker (generator.ranking.relevance.rank_day): the learned classifier from two
   positive examples on (interest papers, the profile counting as one), below that the
   cosine fallback, which the run report says;
3. the judge, when config `ranking.judge` is on (generator.ranking.judge): the day's
   candidates rated from the cache in docs/data/judge/, the rest asked in batches; its
   new ratings are staged with the night's pages, so a rerun sends nothing. A failure or
   the budget leaves the day to the ranker, with one warning.

What ran goes into the run report (a row saying the method, and the judge's rows) and
the run record (`ranking`, `judge`: generator.archive.runs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from generator.archive.models import Announcement, InterestPaper, Judgement
from generator.archive.runs import RankingFigures
from generator.archive.store import Archive
from generator.config import Config
from generator.night.progress import Progress
from generator.night.report import RunReport
from generator.ranking.selection import day_relevance, judge_candidates, ranking_policy

if TYPE_CHECKING:
    import numpy as np

    from generator.ranking.judge import Judge
    from generator.ranking.relevance import DayRelevance


JudgeFactory = Callable[[Sequence[str]], "Judge | None"]
"""Makes the run's judge from the interest papers' titles (functools.partial of judge.create_judge)."""


@dataclass
class DayRanking:
    """Ranks the announcement days of one run (see the module docstring)."""

    config: Config
    archive: Archive
    progress: Progress
    report: RunReport
    make_judge: JudgeFactory | None = None
    """Makes the judge from the interest papers' titles (judge.create_judge), when config ranking.judge is on."""
    judge: Judge | None = None
    """The judge, once made (None: off, or it cannot run: no key, nothing to brief it with)."""
    vectors: dict[tuple[str, int], np.ndarray] = field(default_factory=dict)
    """Vectors embedded for the ranking this run (not cached yet): the night caches those worth keeping."""
    _warned: set[str] = field(default_factory=set)

    def rank(
        self, day: dt.date, announcements: Sequence[Announcement], archived: Mapping[str, dt.date], interests: Sequence[InterestPaper]
    ) -> tuple[DayRelevance | None, dict[str, Judgement]]:
        """The day's relevance (None without interest papers and profile) and the judge's ratings by arXiv id."""
        policy = ranking_policy(self.config)
        if not announcements or not (interests or policy.profile):
            return None, {}
        vectors = self._vectors(announcements, interests, policy.profile)
        with self.progress.task(f"Ranking {len(announcements)} papers by relevance"):
            relevance = day_relevance(announcements, self.config, interests, vectors=vectors)
        if relevance is None:
            return None, {}
        self.report.ranking = RankingFigures(relevance.method, relevance.features, len(interests), bool(policy.profile), relevance.note)
        return relevance, self._judge(day, announcements, archived, interests, relevance)

    def _vectors(self, announcements: Sequence[Announcement], interests: Sequence[InterestPaper], profile: str):
        settings = self.config.embeddings
        if settings is None:
            return None
        from generator.ranking.embeddings import embed_for_ranking  # NumPy and openai: only for archives with embeddings

        with self.progress.task(f"Embedding the day for the ranking ({settings.model})"):
            got = embed_for_ranking(announcements, interests, profile, settings, self.archive.docs, warn=self._warn_once)
        if got is None:
            return None
        self.vectors.update(got.fresh)
        if got.requests:
            self.report.extra["embedding requests (ranking)"] = int(self.report.extra.get("embedding requests (ranking)", 0)) + got.requests
        return got.vectors

    def _judge(
        self,
        day: dt.date,
        announcements: Sequence[Announcement],
        archived: Mapping[str, dt.date],
        interests: Sequence[InterestPaper],
        relevance: DayRelevance,
    ) -> dict[str, Judgement]:
        if self.make_judge is not None:
            # Made on the first day it rates, from the interest papers the run loaded; a failure to make it is one warning.
            self.judge = self.make_judge([p.title for p in interests])
            self.make_judge = None
            if self.judge is not None:
                self.report.judge = self.judge.stats
        judge = self.judge
        if judge is None:
            return {}
        from generator.ranking.judge import cache_path, dump_cache, read_cache

        candidates = judge_candidates(announcements, self.config, archived, day, relevance, judge.settings.max_candidates)
        if not candidates:
            return {}
        cached = read_cache(self.archive.docs, day)
        with self.progress.task(f"Judging {len(candidates)} candidates with {judge.settings.model}"):
            outcome = judge.rate(day, candidates, cached)
        if outcome.new:
            # Staged with the night's pages: the ratings are kept only if the night commits.
            self.archive.stage({cache_path(day): dump_cache([*cached.values(), *outcome.new])})
        return outcome.judgements

    def _warn_once(self, message: str) -> None:
        # One warning per run for the embeddings: a catch-up of five days without a key is one line.
        if message not in self._warned:
            self._warned.add(message)
            self.report.warn(message)


def keep_vectors(
    vectors: Mapping[tuple[str, int], np.ndarray],
    written: Sequence[tuple[str, int]],
    interests: Sequence[InterestPaper],
    profile: str,
) -> dict[tuple[str, int], np.ndarray]:
    """The ranking's vectors the embedding cache should keep: the written papers', the interest papers' and the profile's."""
    if not vectors:  # no embeddings configured: NumPy and the embeddings module are not loaded
        return {}
    from generator.ranking.embeddings import profile_key

    wanted = set(written) | {(p.arxiv_id, p.version) for p in interests}
    if profile.strip():
        wanted.add(profile_key(profile))
    return {key: vector for key, vector in vectors.items() if key in wanted}
