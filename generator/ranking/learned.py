"""The learned ranker: how relevant each of the day's papers is to the reader's own papers. Pure: no network, no disk.

A prototype of issue 22's ranker core, not wired into the night yet (select.py still
ranks by the maximum TF-IDF cosine). Measured on hand-labelled recorded papers by
`python -m benchmarks.relevance` (BENCHMARKS.md, "Relevance: ranking by meaning").

- Features: TF-IDF over each paper's title and abstract (similarity.paper_text), with
  similarity.words' tokens (ASCII-folded, stop words and abstract boilerplate out)
  plus the bigrams of consecutive kept tokens, sublinear term frequency, words in
  fewer than 2 papers or more than half of them dropped, rows L2-normalized. Fitted on
  every text given (interest papers, profile, background, candidates): unsupervised,
  so the candidates' words count without their labels. Or precomputed vectors
  (embeddings) instead, through `rank_vectors`.
- Classifier: a linear SVM (scikit-learn's LinearSVC, C = 0.1, class-weighted so the
  few positives weigh as much as the many negatives), as arxiv-sanity-lite trains
  one per tag. Positives: the interest papers and, when given, the reader's profile
  paragraph. Negatives: the background (papers that are not the reader's, such as
  the day's other announcements) and the candidates themselves.
- The candidates as negatives: a relevant paper of the day is labelled negative while
  the classifier learns. `folds` cross-fits (the candidates are split into folds, each
  scored by a classifier that did not see it) and `candidate_weight` lowers their
  weight; on the benchmark neither changed the ranking: with class weights a negative
  weighs n_positives / n_negatives of a positive (1/84 with 3 interest papers and 251
  papers), and C = 0.1 keeps the model from fitting single papers. Default: one fold,
  weight 1.
- Calibration ("anchored", the default): relevance is a logistic of the decision value
  placed between two anchors measured the same night: the median candidate's decision
  value (a typical paper of the day: relevant papers are a few percent of a day) maps
  to 0.05, and the median decision value of the reader's own papers, each scored by a
  classifier trained without it (leave one out: how a paper like the reader's scores
  when the classifier has not seen it) maps to 0.95; halfway is 0.5. So
  `min_relevance: 0.5` reads "closer to the reader's own papers than to a typical
  paper of the day", whatever the size of the day, the library or C. The plain margin
  mapping (`calibration="margin"`: 0.05 at d = -1, 0.5 at 0, 0.95 at +1) was measured
  first and rejected: with C = 0.1 and a few positives, new relevant papers land at
  d of about -0.4, so nothing reached 0.5. Nothing is fitted to labels: there are too
  few positives per night to fit a Platt scaling, and a fit on the benchmark's labels
  would carry its base rate into every reader's threshold.
- Fallback: with fewer than MIN_INTEREST_PAPERS positive examples (interest papers,
  the profile counting as one) there is nothing to leave out for the calibration, and
  the classifier gains little over the cosine (benchmark: with 1 interest paper, mean
  average precision 0.62 against 0.61; with 2, 0.72 against 0.63), so the ranking is
  today's maximum cosine to an interest paper; its relevance is the logistic of
  (cosine - COSINE_BOUNDARY) / COSINE_SCALE, so that the old `min_similarity` default
  of 0.12 maps to relevance 0.5.
- Every candidate also gets its nearest interest paper by cosine (for "close to: ...").
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from generator.ranking.similarity import cross_similarity, normalize_rows, words

MIN_INTEREST_PAPERS = 2
"""Fewer positive examples (interest papers, the profile counting as one) than this: maximum cosine (see BENCHMARKS.md)."""
MIN_SPAN = 0.05
"""Smallest distance, in margin units, between the two calibration anchors."""
SLOPE = math.log(19.0)
"""Relevance = logistic(SLOPE * d): d = -1 -> 0.05, d = 0 -> 0.5, d = +1 -> 0.95."""
COSINE_BOUNDARY = 0.12
"""Fallback: the cosine that maps to relevance 0.5 (the old min_similarity default)."""
COSINE_SCALE = 0.06
"""Fallback: cosine distance from the boundary that counts as one margin unit (0.06 -> 0.05, 0.18 -> 0.95)."""


@dataclass(frozen=True)
class RankerOptions:
    """How the ranker learns; the defaults are the ones BENCHMARKS.md recommends."""

    classifier: str = "svm"
    """"svm" (LinearSVC) or "logistic" (LogisticRegression); both class-weighted."""
    C: float = 0.1
    """Inverse regularization strength."""
    folds: int = 1
    """Cross-fitting folds over the candidates (1: every candidate is also a training negative)."""
    candidate_weight: float = 1.0
    """Sample weight of the candidates as negatives."""
    background_weight: float = 1.0
    """Sample weight of the background papers as negatives."""
    profile_weight: float = 1.0
    """Sample weight of the profile paragraph as a positive."""
    min_interest_papers: int = MIN_INTEREST_PAPERS
    """Fewer interest papers than this: maximum cosine."""
    bigrams: bool = True
    """Add the bigrams of consecutive kept words to the TF-IDF features."""
    calibration: str = "anchored"
    """"anchored" (the day's typical paper and the reader's held-out papers) or "margin" (a fixed logistic of d)."""


@dataclass(frozen=True)
class Ranking:
    """The relevance of each candidate, in the candidates' order."""

    method: str
    """"classifier" or "cosine" (the fallback)."""
    note: str
    """One line for the run report: what ran and why."""
    relevance: np.ndarray
    """Calibrated relevance in [0, 1] (float64), one per candidate."""
    decision: np.ndarray
    """The classifier's decision value (margin units), or the maximum cosine in the fallback."""
    nearest: np.ndarray
    """Index of each candidate's most similar interest paper (int), for "close to"."""


def terms(text: str, *, bigrams: bool = True) -> list[str]:
    """The TF-IDF terms of a text: similarity.words, then the bigrams of consecutive kept words."""
    kept = words(text)
    if not bigrams:
        return kept
    return kept + [f"{a} {b}" for a, b in itertools.pairwise(kept)]


def tfidf(texts: Sequence[str], *, bigrams: bool = True, min_df: int = 2, max_df: float = 0.5) -> sparse.csr_matrix:
    """L2-normalized TF-IDF rows (float64 CSR) of `terms`, sublinear tf; all-zero rows for texts with no kept term."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(texts)
    if n < 20:
        # A handful of texts (tests, a tiny archive): every term counts, or nothing would be left.
        min_df, max_df = 1, 1.0
    vectorizer = TfidfVectorizer(analyzer=lambda text: terms(text, bigrams=bigrams), min_df=min_df, max_df=max_df, sublinear_tf=True)
    try:
        return vectorizer.fit_transform(texts).tocsr()
    except ValueError:
        # "empty vocabulary": no text has a term that survives the filters.
        return sparse.csr_matrix((n, 0))


def calibrate(decision: np.ndarray, slope: float = SLOPE) -> np.ndarray:
    """Relevance in [0, 1] from decision values in margin units (the module docstring says why this mapping).

    A logistic regression's decision value is already a log-odds: its slope is 1.
    """
    return 1.0 / (1.0 + np.exp(-slope * np.asarray(decision, dtype=np.float64)))


def rank_texts(
    candidates: Sequence[str],
    interests: Sequence[str],
    *,
    profile: str = "",
    background: Sequence[str] = (),
    options: RankerOptions = RankerOptions(),
) -> Ranking:
    """Rank candidate texts by relevance to the interest texts (and profile), learning against the background."""
    texts = [*interests, *([profile] if profile.strip() else []), *background, *candidates]
    matrix = tfidf(texts, bigrams=options.bigrams)
    return _rank(matrix, len(interests), bool(profile.strip()), len(background), len(candidates), options)


def rank_vectors(
    candidates: np.ndarray,
    interests: np.ndarray,
    *,
    profile: np.ndarray | None = None,
    background: np.ndarray | None = None,
    options: RankerOptions = RankerOptions(),
) -> Ranking:
    """The same ranking on precomputed vectors (embeddings), one row per paper; rows are L2-normalized here."""
    dims = np.asarray(interests).shape[1] if len(interests) else np.asarray(candidates).shape[1]
    parts = [np.asarray(interests, dtype=np.float64).reshape(-1, dims)]
    if profile is not None:
        parts.append(np.asarray(profile, dtype=np.float64).reshape(1, dims))
    background = np.zeros((0, dims)) if background is None else np.asarray(background, dtype=np.float64).reshape(-1, dims)
    candidates = np.asarray(candidates, dtype=np.float64).reshape(-1, dims)
    matrix = normalize_rows(np.vstack([*parts, background, candidates])).astype(np.float64)
    return _rank(matrix, len(parts[0]), profile is not None, len(background), len(candidates), options)


def _rank(matrix, n_interests: int, has_profile: bool, n_background: int, n_candidates: int, options: RankerOptions) -> Ranking:
    """Rows of `matrix`: interests, [profile], background, candidates."""
    n_pos = n_interests + int(has_profile)
    cand = matrix[n_pos + n_background : n_pos + n_background + n_candidates]
    if n_candidates == 0:
        empty = np.zeros(0)
        return Ranking("none", "no candidates", empty, empty, np.zeros(0, dtype=int))
    if n_interests == 0:
        zeros = np.zeros(n_candidates)
        return Ranking("none", "no interest papers", np.zeros(n_candidates), zeros, np.full(n_candidates, -1, dtype=int))
    cosines = cross_similarity(cand, matrix[:n_interests]).astype(np.float64)
    nearest = cosines.argmax(axis=1)
    if n_pos < options.min_interest_papers:
        best = cosines.max(axis=1)
        relevance = calibrate((best - COSINE_BOUNDARY) / COSINE_SCALE)
        papers = f"{n_interests} interest paper{'s' if n_interests != 1 else ''}"
        note = f"{papers} (fewer than {options.min_interest_papers}): maximum cosine similarity"
        return Ranking("cosine", note, relevance, best, nearest)
    positives = matrix[:n_pos]
    pos_weights = np.array([1.0] * n_interests + [options.profile_weight] * int(has_profile))
    background = matrix[n_pos : n_pos + n_background]
    decision = np.zeros(n_candidates)
    folds = max(1, min(options.folds, n_candidates))
    for fold in range(folds):
        scored = np.arange(n_candidates) % folds == fold
        # The candidates of other folds are negatives too; with one fold, every candidate is.
        trained = ~scored if folds > 1 else np.ones(n_candidates, dtype=bool)
        model = _fit(positives, pos_weights, background, cand[np.flatnonzero(trained)], options)
        decision[scored] = model.decision_function(cand[np.flatnonzero(scored)])
    how = f"{folds}-fold cross-fitted " if folds > 1 else ""
    note = f"{how}{options.classifier} on {n_interests} interest papers{' and the profile' if has_profile else ''}"
    if options.calibration == "margin" or n_pos < 2:  # leaving one out needs a second positive
        return Ranking("classifier", note, calibrate(decision, SLOPE if options.classifier == "svm" else 1.0), decision, nearest)
    # Anchors: a typical paper of the day (the median candidate: relevant papers are a few percent of a day)
    # and the reader's own papers as a classifier that has not seen them scores them (leave one out).
    typical = float(np.median(decision))
    own = []
    for i in range(n_interests):
        keep = np.flatnonzero(np.arange(n_pos) != i)
        model = _fit(positives[keep], pos_weights[keep], background, cand, options)
        own.append(float(model.decision_function(positives[i : i + 1])[0]))
    mine = float(np.median(own))
    span = mine - typical
    if span < MIN_SPAN:
        # The reader's held-out papers score like any paper of the day: the classifier cannot tell them apart.
        note += f"; its held-out interest papers score like a typical paper (span {span:.2f}), relevance is not meaningful"
        span = MIN_SPAN
    return Ranking("classifier", note, anchored(decision, typical, typical + span), decision, nearest)


def anchored(decision: np.ndarray, typical: float, own: float) -> np.ndarray:
    """Relevance 0.05 at the day's typical decision value, 0.95 at the reader's held-out papers', 0.5 halfway."""
    position = 2.0 * (np.asarray(decision, dtype=np.float64) - typical) / (own - typical) - 1.0
    return calibrate(position)


def _fit(positives, pos_weights: np.ndarray, background, candidates, options: RankerOptions):
    negatives = _stack([background, candidates])
    x = _stack([positives, negatives])
    y = np.r_[np.ones(positives.shape[0]), np.zeros(negatives.shape[0])]
    weights = np.r_[
        pos_weights, np.full(background.shape[0], options.background_weight), np.full(candidates.shape[0], options.candidate_weight)
    ]
    model = _classifier(options)
    model.fit(x, y, sample_weight=weights)
    return model


def _classifier(options: RankerOptions):
    # Imported here: scikit-learn costs about a second to import and a night without interests never needs it.
    if options.classifier == "svm":
        from sklearn.svm import LinearSVC

        # random_state: liblinear shuffles its coordinate descent; fixed, two runs on the same day agree.
        return LinearSVC(C=options.C, class_weight="balanced", max_iter=10000, tol=1e-6, random_state=0)
    if options.classifier == "logistic":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=options.C, class_weight="balanced", max_iter=10000)
    raise ValueError(f"unknown classifier {options.classifier!r}: use 'svm' or 'logistic'")


def _stack(blocks):
    if any(sparse.issparse(b) for b in blocks):
        return sparse.vstack(blocks).tocsr()
    return np.vstack(blocks)
