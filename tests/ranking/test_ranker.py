"""The learned ranker (generator/ranking/learned.py) on recorded real arXiv papers.

The papers are the 254 real titles and abstracts of the recordings that
benchmarks/relevance/labels.yml lists (tests/fixtures/arxiv/); the reader's papers and
the papers expected near the top are named here by arXiv id, with what they are about.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from benchmarks.relevance.measure import LABELS, load_pool
from generator.ranking import learned as ranker
from generator.ranking.similarity import cross_similarity

# A reader working on flaky tests and regression testing in CI (three of their papers).
CI_READER = ("2101.09077", "2501.11550", "2405.13786")  # flaky tests in Python; pipeline-aware CI test selection; test prioritisation
INTERMITTENT = "2005.06826"  # "Intermittently failing tests in the embedded systems domain": flaky tests under another name
FLAKY_PREDICTION = "2302.09330"  # "Practical flaky test prediction"
MORI_DREAM = "1304.8005"  # "Examples of Mori dream spaces with Picard number two": algebraic geometry
CUPRATES = "cond-mat/0011267"  # electronic structure of cuprates
PROFILE = "I work on regression testing in continuous integration: test selection and prioritisation, and flaky tests."


@pytest.fixture(scope="module")
def pool():
    papers = load_pool(yaml.safe_load(LABELS.read_text(encoding="utf-8"))["pool"])
    assert len(papers) == 254
    return papers


@pytest.fixture(scope="module")
def day(pool):
    return [p for p in pool if p.arxiv_id not in CI_READER]


def texts(papers):
    return [p.text for p in papers]


def reader(pool, ids=CI_READER):
    by_id = {p.arxiv_id: p for p in pool}
    return [by_id[i].text for i in ids]


def position(day, arxiv_id):
    return next(i for i, p in enumerate(day) if p.arxiv_id == arxiv_id)


def test_relevant_papers_rank_above_unrelated_ones(pool, day):
    result = ranker.rank_texts(texts(day), reader(pool))
    assert result.method == "classifier"
    relevance = dict(zip((p.arxiv_id for p in day), result.relevance))
    assert relevance[INTERMITTENT] > relevance[MORI_DREAM] and relevance[INTERMITTENT] > relevance[CUPRATES]
    # The paper that never says "flaky" is among the day's ten most relevant of 251.
    top10 = [day[i].arxiv_id for i in np.argsort(-result.relevance, kind="stable")[:10]]
    assert INTERMITTENT in top10 and FLAKY_PREDICTION in top10
    assert MORI_DREAM not in top10


def test_relevance_is_calibrated_between_0_and_1_with_fixed_anchors(pool, day):
    result = ranker.rank_texts(texts(day), reader(pool))
    assert np.isfinite(result.relevance).all() and (result.relevance >= 0).all() and (result.relevance <= 1).all()
    # Anchored calibration: the median paper of the day sits at 0.05 (251 papers: the median is one of them).
    assert np.median(result.relevance) == pytest.approx(0.05, abs=1e-9)
    relevance = dict(zip((p.arxiv_id for p in day), result.relevance))
    assert relevance[INTERMITTENT] >= 0.5 > relevance[MORI_DREAM]
    # The decision values are the classifier's own, not the relevance: same order, different numbers.
    assert (np.argsort(result.decision, kind="stable") == np.argsort(result.relevance, kind="stable")).all()


def test_margin_calibration_maps_the_margin_to_0_05_0_5_0_95():
    assert ranker.calibrate(np.array([-1.0, 0.0, 1.0])) == pytest.approx([0.05, 0.5, 0.95])
    assert ranker.anchored(np.array([-0.8, -0.3, 0.2]), -0.8, 0.2) == pytest.approx([0.05, 0.5, 0.95])


def test_same_input_same_ranking(pool, day):
    first = ranker.rank_texts(texts(day), reader(pool), profile=PROFILE)
    second = ranker.rank_texts(texts(day), reader(pool), profile=PROFILE)
    assert np.array_equal(first.relevance, second.relevance) and np.array_equal(first.decision, second.decision)
    assert np.array_equal(first.nearest, second.nearest)
    crossfit = [ranker.rank_texts(texts(day), reader(pool), options=ranker.RankerOptions(folds=5)) for _ in range(2)]
    assert np.array_equal(crossfit[0].relevance, crossfit[1].relevance)


def test_one_interest_paper_falls_back_to_max_cosine(pool, day):
    one = reader(pool, CI_READER[:1])
    result = ranker.rank_texts(texts(day), one)
    assert result.method == "cosine"
    assert "1 interest paper (fewer than 2)" in result.note
    # The decision value is the cosine to the interest paper, in the ranker's own TF-IDF space.
    matrix = ranker.tfidf([*one, *texts(day)])
    assert result.decision == pytest.approx(cross_similarity(matrix[1:], matrix[:1]).ravel(), abs=1e-6)
    # Relevance 0.5 at the old min_similarity default of 0.12.
    assert ranker.calibrate((np.array([0.12, 0.06, 0.18]) - ranker.COSINE_BOUNDARY) / ranker.COSINE_SCALE) == pytest.approx(
        [0.5, 0.05, 0.95]
    )
    assert ((result.relevance >= 0.5) == (result.decision >= 0.12)).all()


def test_a_profile_counts_as_a_second_positive(pool, day):
    result = ranker.rank_texts(texts(day), reader(pool, CI_READER[:1]), profile=PROFILE)
    assert result.method == "classifier" and "and the profile" in result.note
    relevance = dict(zip((p.arxiv_id for p in day), result.relevance))
    assert relevance[INTERMITTENT] > relevance[MORI_DREAM]


def test_more_interest_papers_can_be_required(pool, day):
    result = ranker.rank_texts(texts(day), reader(pool), options=ranker.RankerOptions(min_interest_papers=5))
    assert result.method == "cosine" and "fewer than 5" in result.note


def test_no_interest_papers_and_no_candidates(pool, day):
    nothing = ranker.rank_texts(texts(day[:5]), [])
    assert nothing.method == "none" and (nothing.relevance == 0).all() and (nothing.nearest == -1).all()
    empty = ranker.rank_texts([], reader(pool))
    assert empty.method == "none" and empty.relevance.size == 0


def test_nearest_interest_paper_is_the_most_similar_one(pool, day):
    result = ranker.rank_texts(texts(day), reader(pool))
    matrix = ranker.tfidf([*reader(pool), *texts(day)])
    cosines = cross_similarity(matrix[3:], matrix[:3])
    assert (result.nearest == cosines.argmax(axis=1)).all()
    # Flaky test prediction (industrial CI histories) is closest to the pipeline-aware CI paper.
    assert result.nearest[position(day, FLAKY_PREDICTION)] == 1


def test_precomputed_vectors_rank_the_same_way(pool, day):
    # Dense vectors as embeddings would be: the TF-IDF of the same papers reduced to 100 dimensions (LSA).
    from sklearn.decomposition import TruncatedSVD

    matrix = ranker.tfidf([*reader(pool), *texts(day)])
    dense = TruncatedSVD(n_components=100, random_state=0).fit_transform(matrix)
    result = ranker.rank_vectors(dense[3:], dense[:3])
    assert result.method == "classifier" and (result.relevance >= 0).all() and (result.relevance <= 1).all()
    relevance = dict(zip((p.arxiv_id for p in day), result.relevance))
    assert relevance[INTERMITTENT] > relevance[MORI_DREAM] and relevance[FLAKY_PREDICTION] > relevance[CUPRATES]
    # float16 vectors, as the embeddings cache stores them, are accepted.
    half = ranker.rank_vectors(dense[3:].astype(np.float16), dense[:3].astype(np.float16), profile=dense[0].astype(np.float16))
    assert half.method == "classifier" and np.isfinite(half.relevance).all()
    # With one vector, the cosine fallback: the decision is the cosine of the normalized rows.
    single = ranker.rank_vectors(dense[3:], dense[:1])
    unit = dense / np.linalg.norm(dense, axis=1, keepdims=True)
    assert single.method == "cosine" and single.decision == pytest.approx(unit[3:] @ unit[0], abs=1e-6)


def test_bigrams_are_consecutive_kept_words():
    assert ranker.terms("Flaky tests in continuous integration") == [
        "flaky",
        "tests",
        "continuous",
        "integration",
        "flaky tests",
        "tests continuous",
        "continuous integration",
    ]
    assert ranker.terms("Flaky tests", bigrams=False) == ["flaky", "tests"]


def test_logistic_regression_and_unknown_classifier(pool, day):
    result = ranker.rank_texts(texts(day), reader(pool), options=ranker.RankerOptions(classifier="logistic", C=1.0))
    relevance = dict(zip((p.arxiv_id for p in day), result.relevance))
    assert relevance[INTERMITTENT] > relevance[MORI_DREAM]
    with pytest.raises(ValueError, match="unknown classifier 'forest'"):
        ranker.rank_texts(texts(day[:30]), reader(pool), options=ranker.RankerOptions(classifier="forest"))
