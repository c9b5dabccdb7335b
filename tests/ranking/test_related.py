"""Related papers (generator/website/related.py) and the embedding cache (generator/ranking/embeddings.py).

TF-IDF runs on the titles and abstracts of recorded real arXiv papers; embeddings
come from the real `openai` client talking to a loopback OpenAI-compatible
/v1/embeddings server (tests/loopback.py FakeLLM), during real `update` runs against
loopback arXiv recordings.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import generator.ranking.similarity as similarity
from benchmarks.synth import load_sources
from generator.archive.records import split_front_matter
from generator.config import load_config
from generator.ranking.embeddings import EmbeddingCache, model_folder
from generator.ranking.similarity import paper_text, tfidf_vectors, top_k
from generator.website.related import RelatedDoc, compute_related, related_for_archive
from tests.conftest import fixture_bytes, serve_empty_api
from tests.loopback import EMBEDDING_DIMENSIONS, FakeLLM, Reply, fake_embedding

QUANT_PH = "rss_quant-ph_2025-04-28.xml"
KEY = "sk-embed-test-8f3a9c2e1d"
MODEL = "fake-embed/v1"


@pytest.fixture(scope="module")
def real_docs():
    return [RelatedDoc(f"2501.{i:05d}", 1, s.title, s.abstract) for i, s in enumerate(load_sources())]


def test_top_k_is_the_brute_force_answer(real_docs):
    matrix = tfidf_vectors([paper_text(d.title, d.abstract) for d in real_docs])
    dense = (matrix @ matrix.T).toarray()
    np.fill_diagonal(dense, -1)
    best = -np.sort(-dense, axis=1)[:, :5]
    indices, sims = top_k(matrix, 5, terms_per_paper=None)
    assert np.allclose(sims, best, atol=1e-6)
    assert (indices != np.arange(len(real_docs))[:, None]).all()  # never itself
    # Dense input (embeddings) takes the other path to the same answer.
    dense_indices, dense_sims = top_k(matrix.toarray(), 5)
    assert np.allclose(dense_sims, sims, atol=1e-6)


def test_chunks_do_not_change_the_answer(real_docs, monkeypatch):
    matrix = tfidf_vectors([paper_text(d.title, d.abstract) for d in real_docs])
    whole = top_k(matrix, 5)
    monkeypatch.setattr(similarity, "CHUNK_FLOATS", 7 * matrix.shape[0])  # 7 rows per chunk
    chunked = top_k(matrix, 5)
    assert (whole[0] == chunked[0]).all() and np.allclose(whole[1], chunked[1])


def test_keeping_the_heaviest_words_keeps_nearly_all_the_similarity(real_docs):
    matrix = tfidf_vectors([paper_text(d.title, d.abstract) for d in real_docs])
    dense = (matrix @ matrix.T).toarray()
    np.fill_diagonal(dense, -1)
    exact_indices, exact_sims = top_k(matrix, 5, terms_per_paper=None)
    pruned_indices, _ = top_k(matrix, 5)  # the default: 32 words per paper
    found = np.take_along_axis(dense, np.maximum(pruned_indices, 0), axis=1)
    # The neighbours found through 32 words are nearly as similar (exact cosine) as the best ones.
    assert found.sum() >= 0.9 * exact_sims.sum()


def test_related_papers_of_real_abstracts(real_docs):
    index = compute_related(real_docs, count=5)
    assert index.engine == "tfidf"
    for doc in real_docs:
        related = index.of(doc.arxiv_id)
        assert len(related) <= 5 and doc.arxiv_id not in {n.arxiv_id for n in related}
        sims = [n.similarity for n in related]
        assert sims == sorted(sims, reverse=True) and all(0 < s <= 1 for s in sims)
    # Two real papers on group testing for DNA/genetic screening (same authors' two versions) find each other.
    titles = {d.arxiv_id: d.title for d in real_docs}
    genetic = next(d for d in real_docs if d.title.startswith("Efficient Two-Stage Group Testing Algorithms for Genetic"))
    assert titles[index.of(genetic.arxiv_id)[0].arxiv_id].startswith("Efficient Two-Stage Group Testing Algorithms for DNA")


def test_tiny_archives():
    assert compute_related([]).of("2501.00001") == ()
    one = [RelatedDoc("2501.00001", 1, "Quantum error correction", "Surface codes.")]
    assert compute_related(one).of("2501.00001") == ()
    two = one + [RelatedDoc("2501.00002", 1, "Decoding surface codes", "Quantum error correction with neural decoders.")]
    index = compute_related(two)
    assert [n.arxiv_id for n in index.of("2501.00001")] == ["2501.00002"]
    # No shared word: not related at all.
    three = two + [RelatedDoc("2501.00003", 1, "Pasta recipes", "Tomato sauce.")]
    assert compute_related(three).of("2501.00003") == ()


def test_vectors_given_are_used(real_docs):
    vectors = np.array([fake_embedding(paper_text(d.title, d.abstract)) for d in real_docs], dtype=np.float32)
    index = compute_related(real_docs, vectors=vectors)
    assert index.engine == "embeddings"
    normalized = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    first = real_docs[0].arxiv_id
    sims = normalized[1:] @ normalized[0]
    assert index.of(first)[0].arxiv_id == real_docs[1 + int(sims.argmax())].arxiv_id


# -- the embedding cache, filled by real runs ---------------------------------------


def embedding_config(write_config, base_url: str, **extra):
    return write_config(
        categories=["quant-ph"], keywords=["quantum", "entanglement", "noise", "qubit"], min_score=1.5, max_papers=12,
        related={"count": 5, "embeddings": {
            "model": MODEL, "base_url": base_url, "api_key_env": "TEST_EMBED_KEY", "max_retries": 0, "timeout": 5, "batch_size": 5,
        }},
        **extra,
    )  # fmt: skip


def archive_docs(docs) -> list[RelatedDoc]:
    out = []
    for page in sorted((docs / "papers").rglob("*.md")):
        meta, _ = split_front_matter(page.read_text(encoding="utf-8"), str(page))
        out.append(RelatedDoc(str(meta["arxiv_id"]), int(meta["version"]), meta["title"], meta["abstract"]))
    return out


def serve_day(server) -> None:
    server.expect_request("/rss/quant-ph").respond_with_data(fixture_bytes(QUANT_PH), content_type="application/rss+xml")
    serve_empty_api(server)


def all_files_text(folder) -> str:
    return "".join(p.read_bytes().decode("latin-1") for p in folder.rglob("*") if p.is_file())


def test_the_night_embeds_what_it_wrote_once_and_the_build_uses_the_cache(tmp_path, arxiv_env, write_config, run_cli, monkeypatch):
    serve_day(arxiv_env)
    monkeypatch.setenv("TEST_EMBED_KEY", KEY)
    docs = tmp_path / "docs"
    with FakeLLM() as llm:
        config_path = embedding_config(write_config, llm.base_url)
        code, err = run_cli("update", "--config", config_path, "--docs", docs)
        assert code == 0, err
        assert [len(r.inputs) for r in llm.embedding_requests] == [5, 5, 2]  # 12 papers, batches of 5
        assert all(r.model == MODEL and r.authorization == f"Bearer {KEY}" for r in llm.embedding_requests)
        folder = docs / "data" / "embeddings" / model_folder(MODEL)
        shards = sorted(p.name for p in folder.iterdir())
        assert len(shards) == 2 and shards[0].endswith(".npy") and shards[1].endswith(".tsv")
        index_lines = (folder / shards[1]).read_text(encoding="utf-8").splitlines()
        assert index_lines[0] == f"# model: {MODEL}; dimensions: {EMBEDDING_DIMENSIONS}; rows: 12; vectors: {shards[0]}"
        papers = archive_docs(docs)
        assert sorted(index_lines[1:]) == sorted(f"{d.arxiv_id}\t{d.version}" for d in papers)
        # Round trip: what the endpoint answered is what the cache gives back (float16 precision).
        config = load_config(config_path, environ={})
        vectors, missing = EmbeddingCache(docs, MODEL).vectors([(d.arxiv_id, d.version) for d in papers])
        assert missing == 0
        expected = np.array([fake_embedding(paper_text(d.title, d.abstract)) for d in papers], dtype=np.float32)
        assert np.allclose(vectors, expected, rtol=1e-3)
        index = related_for_archive(papers, config, docs)
        assert index.engine == "embeddings" and f"embeddings of {MODEL} over 12 papers" in index.note
        assert KEY not in err and KEY not in all_files_text(docs)

        # A rerun embeds nothing (each paper version once) and adds no shard.
        code, err = run_cli("update", "--config", config_path, "--docs", docs)
        assert code == 0 and len(llm.embedding_requests) == 3
        assert sorted(p.name for p in folder.iterdir()) == shards

        # `embed` fills the cache for the whole archive: after losing the shards, all 12 come back.
        for shard in folder.iterdir():
            shard.unlink()
        code, err = run_cli("embed", "--config", config_path, "--docs", docs)
        assert code == 0, err
        assert "papers embedded" in err and len(llm.embedding_requests) == 6
        assert EmbeddingCache(docs, MODEL).keys() == {(d.arxiv_id, d.version) for d in papers}
        code, err = run_cli("embed", "--config", config_path, "--docs", docs)
        assert code == 0 and len(llm.embedding_requests) == 6 and len(list(folder.iterdir())) == 2


def test_an_unreachable_endpoint_is_a_warning_and_related_papers_use_tfidf(tmp_path, arxiv_env, write_config, run_cli, monkeypatch):
    serve_day(arxiv_env)
    monkeypatch.setenv("TEST_EMBED_KEY", KEY)
    docs = tmp_path / "docs"
    config_path = embedding_config(write_config, "http://127.0.0.1:9/v1")  # nothing listens on port 9
    code, err = run_cli("update", "--config", config_path, "--docs", docs)
    assert code == 0, err
    warnings = [line for line in err.splitlines() if "related.embeddings" in line]
    assert len(warnings) == 1 and "cannot connect to http://127.0.0.1:9/v1" in warnings[0] and "12 papers not embedded" in warnings[0]
    assert not (docs / "data" / "embeddings").exists()
    papers = archive_docs(docs)
    assert len(papers) == 12  # the night went on
    index = related_for_archive(papers, load_config(config_path, environ={}), docs)
    assert index.engine == "tfidf"
    assert index.note == (
        f"related papers: TF-IDF over 12 papers, because 12 of them have no cached embedding for {MODEL} "
        "(run `python -m generator embed` to fill the cache)"
    )


def test_a_key_echoed_by_a_failing_endpoint_is_never_shown(tmp_path, arxiv_env, write_config, run_cli, monkeypatch):
    serve_day(arxiv_env)
    monkeypatch.setenv("TEST_EMBED_KEY", KEY)
    docs = tmp_path / "docs"

    def half_then_fail(request):
        # The first batch is embedded; the second is refused with the key in the error body.
        return None if len(llm.embedding_requests) == 1 else Reply(status=401, error=f"Incorrect API key provided: {KEY}")

    with FakeLLM(embedding_script=half_then_fail) as llm:
        code, err = run_cli("update", "--config", embedding_config(write_config, llm.base_url), "--docs", docs)
    assert code == 0, err
    assert KEY not in err and "[redacted]" in err and "HTTP 401" in err
    assert KEY not in all_files_text(docs)
    # The vectors made before the failure are kept; the others wait for the next run.
    assert len(EmbeddingCache(docs, MODEL).keys()) == 5
    assert "7 papers not embedded" in err


def test_a_missing_key_is_one_warning_and_embed_refuses_to_run(tmp_path, arxiv_env, write_config, run_cli, monkeypatch):
    serve_day(arxiv_env)
    monkeypatch.delenv("TEST_EMBED_KEY", raising=False)
    docs = tmp_path / "docs"
    config_path = embedding_config(write_config, "http://127.0.0.1:9/v1")
    code, err = run_cli("update", "--config", config_path, "--docs", docs)
    assert code == 0 and "related.embeddings: TEST_EMBED_KEY is not set, so 12 papers were not embedded" in err
    code, err = run_cli("embed", "--config", config_path, "--docs", docs)
    assert code == 2 and err.strip().splitlines() == [
        "error: environment variable TEST_EMBED_KEY: is not set; fix: export TEST_EMBED_KEY=<key of http://127.0.0.1:9/v1> "
        "(related.embeddings.api_key_env names it)"
    ]


def test_a_newer_version_without_a_vector_means_tfidf(tmp_path):
    docs = tmp_path / "docs"
    cache = EmbeddingCache(docs, MODEL)
    cache.add([("2501.00001", 1), ("2501.00002", 1)], np.eye(2, 4, dtype=np.float32), dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    assert cache.vectors([("2501.00001", 1), ("2501.00002", 1)])[1] == 0
    # 2501.00002 was replaced by v2: its v1 vector is not its vector.
    vectors, missing = cache.vectors([("2501.00001", 1), ("2501.00002", 2)])
    assert vectors is None and missing == 1
    # A later shard holding v2 completes it.
    cache.add([("2501.00002", 2)], np.array([[0, 0, 1, 0]], dtype=np.float32), dt.datetime(2026, 1, 6, tzinfo=dt.UTC))
    vectors, missing = cache.vectors([("2501.00001", 1), ("2501.00002", 2)])
    assert missing == 0 and vectors.tolist() == [[1, 0, 0, 0], [0, 0, 1, 0]]
    # An index whose vectors file is gone is not a shard.
    next(cache.folder.glob("20260106*.npy")).unlink()
    assert cache.vectors([("2501.00002", 2)])[1] == 1
