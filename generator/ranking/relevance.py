"""How relevant each of the day's announcements is to the reader: the ranker applied to a day. Pure: no network, no disk.

The positives are the reader's interest papers (config `interests.papers`, a BibTeX
library) and the profile paragraph (`interests.profile`); the negatives are the day's
announcements themselves, all of them, before any filter (a random sample of the
reader's categories: BENCHMARKS.md, "Relevance", (c) and (c2), measured that the
archive of earlier listings, which holds the reader's own topics, makes worse negatives).

Each announcement gets an `Interest`:

- `similarity` and `nearest`: its cosine similarity to the nearest interest paper, as
  the archive has always kept them (TF-IDF of title and abstract, unigrams, fitted on
  the day plus the interest papers: `interest_similarities`), or the cosine of the
  embeddings when they are given. A new version of one of the reader's own papers is
  compared with the others, never with itself. With a profile and no interest
  paper, the similarity is to the profile and `nearest` is empty.
- `relevance`, from 0 to 1, and `method`:
  - `classifier` (the learned ranker, learned.py) from MIN_POSITIVES positive examples
    on (interest papers, the profile counting as one): a linear SVM on TF-IDF unigrams
    and bigrams, or on the embeddings, calibrated on the same night: 0.05 at the day's
    typical paper, 0.95 at the reader's own papers held out, 0.5 halfway;
  - `cosine` below that (one interest paper, or only a profile): today's similarity,
    read as a relevance by learned.cosine_relevance (0.5 at a TF-IDF similarity of 0.12,
    the old `min_similarity` default, so the old threshold keeps its meaning). On
    embeddings, whose cosines live on another scale, the same night anchors it instead:
    0.05 at the day's median cosine, 0.95 at the day's highest, 0.5 halfway (a rule of
    thumb, not measured: no embedding model runs offline here).
- `features`: `tfidf`, or the embedding model's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from generator.archive.models import Announcement, Interest, InterestPaper

MIN_POSITIVES = 2
"""Fewer positive examples than this (interest papers, the profile counting as one): the cosine fallback (learned.MIN_INTEREST_PAPERS)."""


@dataclass(frozen=True)
class DayVectors:
    """Embeddings of one day's ranking: the announcements, the interest papers and the profile."""

    model: str
    """The embedding model (the relevance's `features`)."""
    announcements: np.ndarray
    """One row per announcement, in the announcements' order."""
    interests: np.ndarray
    """One row per interest paper, in their order."""
    profile: np.ndarray | None = None
    """The profile paragraph's vector, when there is a profile."""


@dataclass(frozen=True)
class DayRelevance:
    """What the ranker made of one day."""

    method: str
    """`classifier`, `cosine` (too few positives) or `none` (nothing to rank by)."""
    features: str
    """`tfidf` or the embedding model."""
    note: str
    """One line for the run report: what ran and why."""
    interests: dict[str, Interest] = field(default_factory=dict)
    """Each announcement's Interest (similarity, nearest interest paper, relevance), by arXiv id."""


def interest_similarities(announcements: Sequence[Announcement], interests: Sequence[InterestPaper]) -> np.ndarray:
    """Cosine similarities (announcements × interest papers) of TF-IDF unigrams: the archive's `similarity` since it had one."""
    # NumPy, SciPy and scikit-learn load only for archives that configure interests.
    from generator.ranking.similarity import cross_similarity, paper_text, tfidf_vectors

    texts = [paper_text(a.title, a.abstract) for a in announcements] + [paper_text(p.title, p.abstract) for p in interests]
    # Every word counts here (a day is small; a word in most of its papers still tells its field).
    vectors = tfidf_vectors(texts, min_df=1, max_df=1.0)
    return cross_similarity(vectors[: len(announcements)], vectors[len(announcements) :]).astype(np.float64)


def rank_day(
    announcements: Sequence[Announcement],
    interests: Sequence[InterestPaper],
    *,
    profile: str = "",
    vectors: DayVectors | None = None,
) -> DayRelevance:
    """Each announcement's relevance to the reader (see the module docstring)."""
    from generator.ranking import learned
    from generator.ranking.similarity import normalize_rows, paper_text

    announcements = list(announcements)
    interests = list(interests)
    profile = " ".join(profile.split())
    features = vectors.model if vectors is not None else "tfidf"
    if not announcements or not (interests or profile):
        return DayRelevance("none", features, "no interest papers and no profile" if announcements else "no announcements")
    if vectors is not None:
        unit = normalize_rows(vectors.announcements).astype(np.float64)
        if interests:
            cosines = unit @ normalize_rows(vectors.interests).astype(np.float64).T
        else:
            cosines = unit @ normalize_rows(vectors.profile.reshape(1, -1)).astype(np.float64).T
    elif interests:
        cosines = interest_similarities(announcements, interests)
    else:
        cosines = interest_similarities(announcements, [InterestPaper("", 1, "", (), profile)])
    index = {p.arxiv_id: column for column, p in enumerate(interests)}
    for row, ann in enumerate(announcements):
        if ann.arxiv_id in index:
            cosines[row, index[ann.arxiv_id]] = -1.0  # a new version of one of the reader's own papers is not "close to" itself
    nearest = cosines.argmax(axis=1)
    # Rounded as the page keeps it, so that the fallback's relevance is the stored similarity's.
    similarity = np.round(np.clip(cosines[np.arange(len(announcements)), nearest], 0.0, 1.0), 3)

    positives = len(interests) + int(bool(profile))
    options = learned.RankerOptions(min_interest_papers=MIN_POSITIVES)
    if positives >= MIN_POSITIVES:
        if vectors is not None:
            ranking = learned.rank_vectors(vectors.announcements, vectors.interests, profile=vectors.profile, options=options)
        else:
            ranking = learned.rank_texts(
                [paper_text(a.title, a.abstract) for a in announcements],
                [paper_text(p.title, p.abstract) for p in interests],
                profile=profile,
                options=options,
            )
        method, relevance = "classifier", ranking.relevance
        note = f"learned ranker ({'TF-IDF' if vectors is None else features}): {ranking.note}"
    else:
        method = "cosine"
        what = f"{len(interests)} interest paper" if interests else "the profile alone"
        if vectors is None:
            relevance = learned.cosine_relevance(similarity)
        else:
            typical, best = float(np.median(similarity)), float(similarity.max())
            relevance = learned.anchored(similarity, typical, max(best, typical + learned.MIN_SPAN))
        note = (
            f"cosine similarity ({'TF-IDF' if vectors is None else features}): {what}, fewer than {MIN_POSITIVES} positive examples "
            "for the learned ranker (add interest papers or interests.profile)"
        )
    out = {}
    for row, ann in enumerate(announcements):
        paper = interests[int(nearest[row])] if interests else None
        out[ann.arxiv_id] = Interest(
            round(float(similarity[row]), 3),
            paper.arxiv_id if paper else "",
            paper.title if paper else "",
            relevance=round(float(relevance[row]), 3),
            method=method,
            features=features,
        )
    return DayRelevance(method, features, note, out)
