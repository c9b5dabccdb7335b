"""A day's relevance (generator/ranking/relevance.py) on TF-IDF and on embeddings from a loopback endpoint.

The day is real: the recorded arXiv papers of benchmarks/relevance/labels.yml; the reader
works on flaky tests and regression testing in CI (three of their papers are the interests).
The embeddings come from tests/loopback.py's FakeLLM (`POST /v1/embeddings`): deterministic
vectors of hashed words, not a model's, enough to show that the vectors, not TF-IDF,
rank the day, that they go through the cache, and what happens when they cannot be had.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest
import yaml

from benchmarks.relevance.measure import LABELS, announcement, load_pool
from generator.archive.models import InterestPaper
from generator.config import EmbeddingsConfig
from generator.ranking import learned
from generator.ranking.embeddings import EmbeddingCache, EmbedText, embed_for_ranking, embed_missing, profile_key
from generator.ranking.relevance import MIN_POSITIVES, interest_similarities, rank_day
from tests.loopback import EMBEDDING_DIMENSIONS, FakeLLM, Reply

CI_READER = ("2101.09077", "2501.11550", "2405.13786")
INTERMITTENT = "2005.06826"  # flaky tests under another name ("intermittently failing tests")
MORI_DREAM = "1304.8005"  # algebraic geometry
PROFILE = "I work on regression testing in continuous integration: test selection and prioritisation, and flaky tests."
KEY = "sk-embed-test"
MODEL = "fake-embedder"


@pytest.fixture(scope="module")
def pool():
    return load_pool(yaml.safe_load(LABELS.read_text(encoding="utf-8"))["pool"])


@pytest.fixture(scope="module")
def day(pool):
    return [announcement(p) for p in pool if p.arxiv_id not in CI_READER]


def reader(pool, ids=CI_READER) -> list[InterestPaper]:
    by_id = {p.arxiv_id: p for p in pool}
    return [InterestPaper(i, 1, by_id[i].title, ("A. Reader",), by_id[i].abstract) for i in ids]


def settings(url: str, batch: int = 64) -> EmbeddingsConfig:
    return EmbeddingsConfig(MODEL, url, "TEST_EMBED_KEY", 10.0, 0, batch)


def test_the_learned_ranker_ranks_the_day_and_keeps_the_archives_similarity(pool, day):
    result = rank_day(day, reader(pool))
    assert (result.method, result.features) == ("classifier", "tfidf") and "learned ranker (TF-IDF)" in result.note
    interest = result.interests[INTERMITTENT]
    assert interest.method == "classifier" and interest.features == "tfidf" and interest.nearest in CI_READER
    assert interest.relevance >= 0.5 > result.interests[MORI_DREAM].relevance
    ranked = sorted(result.interests, key=lambda i: -result.interests[i].relevance)
    assert INTERMITTENT in ranked[:10] and MORI_DREAM not in ranked[:50]
    # `similarity` is what the archive kept before the ranker: the TF-IDF cosine to the nearest interest paper.
    cosines = interest_similarities(day, reader(pool))
    row = next(i for i, a in enumerate(day) if a.arxiv_id == INTERMITTENT)
    assert interest.similarity == round(float(cosines[row].max()), 3) and interest.nearest == CI_READER[int(cosines[row].argmax())]


def test_too_few_positive_examples_fall_back_to_the_cosine_and_say_so(pool, day):
    one = rank_day(day, reader(pool, CI_READER[:1]))
    assert MIN_POSITIVES == 2 and one.method == "cosine"
    assert "1 interest paper, fewer than 2 positive examples for the learned ranker" in one.note
    for interest in one.interests.values():
        assert interest.relevance == round(float(learned.cosine_relevance(interest.similarity)), 3)
        assert interest.method == "cosine" and interest.nearest == CI_READER[0]
    # The old min_similarity reads as the relevance it maps to: the same papers pass either way.
    threshold = float(learned.cosine_relevance(0.12))
    assert threshold == pytest.approx(0.5) and learned.similarity_for_relevance(0.5) == pytest.approx(0.12)
    clear = {i: x for i, x in one.interests.items() if abs(x.similarity - 0.05) > 0.001}  # away from rounding at the boundary
    by_relevance = {i for i, x in clear.items() if x.relevance >= learned.cosine_relevance(0.05)}
    assert by_relevance == {i for i, x in clear.items() if x.similarity >= 0.05} and 0 < len(by_relevance) < len(clear)
    # One paper and a profile are two positive examples: the classifier.
    assert rank_day(day, reader(pool, CI_READER[:1]), profile=PROFILE).method == "classifier"
    # A profile alone: the cosine to it, and no interest paper to be close to.
    alone = rank_day(day, [], profile=PROFILE)
    assert alone.method == "cosine" and "the profile alone" in alone.note
    assert all(x.nearest == "" for x in alone.interests.values()) and alone.interests[INTERMITTENT].similarity > 0
    # Nothing to rank by.
    assert rank_day(day, []).method == "none" and rank_day(day, []).interests == {}


def test_a_new_version_of_the_readers_own_paper_is_not_close_to_itself(pool, day):
    own = announcement(next(p for p in pool if p.arxiv_id == CI_READER[0]))
    result = rank_day([*day[:50], own], reader(pool))
    assert result.interests[own.arxiv_id].nearest != own.arxiv_id
    alone = rank_day([*day[:50], own], reader(pool, CI_READER[:1]))
    assert alone.interests[own.arxiv_id].similarity == 0.0


def test_interests_and_the_day_are_embedded_through_the_cache(tmp_path, pool, day):
    docs = tmp_path / "docs"
    interests = reader(pool)
    warnings: list[str] = []
    with FakeLLM() as llm:
        env = {"TEST_EMBED_KEY": KEY}
        first = embed_for_ranking(day, interests, PROFILE, settings(llm.base_url), docs, environ=env, warn=warnings.append)
        assert warnings == [] and first is not None
        sent = [text for request in llm.embedding_requests for text in request.inputs]
        assert len(sent) == len(day) + 3 + 1 and len(llm.embedding_requests) == 4  # 251 + 3 + the profile, 64 a request
        assert all(r.model == MODEL and r.authorization == f"Bearer {KEY}" for r in llm.embedding_requests)
        assert first.vectors.announcements.shape == (len(day), EMBEDDING_DIMENSIONS) and first.vectors.interests.shape == (3, 64)
        assert first.vectors.profile is not None and first.requests == 4 and first.cached == 0

        # The ranking runs on the vectors: their features, their similarity.
        result = rank_day(day, interests, profile=PROFILE, vectors=first.vectors)
        assert (result.method, result.features) == ("classifier", MODEL) and MODEL in result.note
        assert result.interests[INTERMITTENT].features == MODEL
        assert result.interests[INTERMITTENT].relevance > result.interests[MORI_DREAM].relevance
        unit = first.vectors.announcements / np.linalg.norm(first.vectors.announcements, axis=1, keepdims=True)
        mine = first.vectors.interests / np.linalg.norm(first.vectors.interests, axis=1, keepdims=True)
        row = next(i for i, a in enumerate(day) if a.arxiv_id == INTERMITTENT)
        assert result.interests[INTERMITTENT].similarity == pytest.approx(float((unit[row] @ mine.T).max()), abs=0.001)

        # The night caches what it wrote (here 10 papers), the interest papers and the profile; the rest of the day is not kept.
        written = [EmbedText(a.arxiv_id, a.version, a.title, a.abstract) for a in day[:10]]
        keep = {k: v for k, v in first.fresh.items() if k in {w.key for w in written} or k[0] in CI_READER or k == profile_key(PROFILE)}
        report = embed_missing(written, settings(llm.base_url), docs, environ=env, warn=warnings.append, known=keep)
        assert report.embedded == 14 and report.requests == 0 and len(llm.embedding_requests) == 4
        assert EmbeddingCache(docs, MODEL).keys() == set(keep)

        # The next night: interests, profile and the 10 written papers from the cache; only the others are sent.
        second = embed_for_ranking(day, interests, PROFILE, settings(llm.base_url), docs, environ=env, warn=warnings.append)
        assert second.cached == 14 and len([t for r in llm.embedding_requests[4:] for t in r.inputs]) == len(day) - 10
        # Vectors go through float16 whether fresh or cached, so the ranking is the same.
        again = rank_day(day, interests, profile=PROFILE, vectors=second.vectors)
        assert again.interests == result.interests
    assert warnings == []


def test_one_interest_paper_on_embeddings_is_anchored_on_the_day(tmp_path, pool, day):
    with FakeLLM() as llm:
        got = embed_for_ranking(
            day, reader(pool, CI_READER[:1]), "", settings(llm.base_url), tmp_path, environ={"TEST_EMBED_KEY": KEY}, warn=print
        )
    result = rank_day(day, reader(pool, CI_READER[:1]), vectors=got.vectors)
    assert (result.method, result.features) == ("cosine", MODEL)
    relevance = np.array([x.relevance for x in result.interests.values()])
    assert np.median(relevance) == pytest.approx(0.05, abs=0.002) and relevance.max() == pytest.approx(0.95, abs=0.002)


def test_without_the_vectors_the_day_is_ranked_on_tfidf_after_one_warning(tmp_path, pool, day):
    interests = reader(pool)
    warnings: list[str] = []
    with FakeLLM() as llm:
        assert embed_for_ranking(day, interests, PROFILE, settings(llm.base_url), tmp_path, environ={}, warn=warnings.append) is None
        assert llm.embedding_requests == [] and warnings == [
            f"embeddings: TEST_EMBED_KEY is not set, so the day is ranked on TF-IDF, not on {MODEL}"
        ]
    with FakeLLM(embedding_script=lambda r: Reply(status=400, error=f"bad input, key {KEY}")) as llm:
        warnings.clear()
        got = embed_for_ranking(
            day, interests, PROFILE, settings(llm.base_url), tmp_path, environ={"TEST_EMBED_KEY": KEY}, warn=warnings.append
        )
        assert got is None and len(warnings) == 1 and "HTTP 400" in warnings[0] and "ranked on TF-IDF" in warnings[0]
    calls = []

    def shorter_later(request):
        calls.append(request)
        if len(calls) > 1:
            return Reply(
                raw=b'{"object":"list","data":['
                + b",".join(b'{"index":%d,"embedding":[1.0,2.0]}' % i for i in range(len(request.inputs)))
                + b"]}"
            )
        return None

    with FakeLLM(embedding_script=shorter_later) as llm:
        warnings.clear()
        got = embed_for_ranking(
            day, interests, PROFILE, settings(llm.base_url), tmp_path, environ={"TEST_EMBED_KEY": KEY}, warn=warnings.append
        )
        assert got is None and "vectors of another length" in warnings[0]


def test_dates_do_not_matter_to_the_ranking(pool, day):
    # The same announcements on another day rank the same (nothing in the ranking reads the date).
    moved = [dataclasses.replace(a, announced=dt.date(2030, 1, 1)) for a in day]
    assert rank_day(moved, reader(pool)).interests == rank_day(day, reader(pool)).interests
