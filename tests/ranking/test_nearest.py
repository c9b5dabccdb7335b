"""Related papers that stay put (generator/ranking/nearest.py): a night adds, and adds exactly what a build from scratch finds.

Real titles and abstracts from the recordings (benchmarks.synth.load_sources). The vocabulary is
the archive's own (fitted by the night on its oldest papers, as docs/data/vocabulary.json), or,
for an archive without one, fitted on every paper at each build.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from benchmarks.synth import load_sources
from generator.ranking.nearest import NearestState, PaperKey, update_nearest
from generator.ranking.similarity import fit_vocabulary, paper_text, words


@pytest.fixture(scope="module")
def papers():
    """(key, words) of the recorded real papers, one a day in id order."""
    out = []
    for i, source in enumerate(load_sources()):
        key = PaperKey(f"2501.{i:05d}", 1, f"r{i}", f"2025-{1 + i // 28:02d}-{1 + i % 28:02d}")
        out.append((key, words(paper_text(source.title, source.abstract))))
    return out


def run(items, previous=None, count=5, vocabulary=None):
    texts = {key.arxiv_id: w for key, w in items}
    read = []
    state, changed = update_nearest(
        [k for k, _ in items],
        lambda key: (read.append(key.arxiv_id), texts[key.arxiv_id])[1],
        count=count,
        previous=previous,
        vocabulary=vocabulary,
    )
    return state, changed, read


def same_lists(a: NearestState, b: NearestState) -> bool:
    return a.ids == b.ids and np.array_equal(a.slots, b.slots) and np.array_equal(a.sims, b.sims)


def test_a_night_adds_what_a_build_from_scratch_finds(papers):
    vocabulary = fit_vocabulary(w for _, w in papers[:128])  # the archive's, fitted on its oldest 128 papers
    night1 = papers[:130]
    before, _, _ = run(night1, vocabulary=vocabulary)
    # Night 2: 40 new papers (the basis stays 128: 170 < 256), one paper's abstract changed, one page deleted.
    changed_key, changed_words = papers[7]
    edited = (dataclasses.replace(changed_key, record="r7-v2"), changed_words[::-1][:60])
    night2 = [item for item in papers[:170] if item[0].arxiv_id not in (papers[7][0].arxiv_id, papers[99][0].arxiv_id)] + [edited]
    warm, changed, read = run(night2, before, vocabulary=vocabulary)
    cold, _, _ = run(night2, vocabulary=vocabulary)
    assert same_lists(warm, cold)
    # Only the new and the changed papers were read again; the rest kept their vectors.
    assert sorted(read) == sorted([k.arxiv_id for k, _ in papers[130:170]] + [papers[7][0].arxiv_id])
    # An old paper's list changed only where a new or changed paper entered it, or where it lost the two that changed.
    touched = {k.arxiv_id for k, _ in papers[130:170]} | {papers[7][0].arxiv_id, papers[99][0].arxiv_id}
    for row, arxiv_id in enumerate(warm.ids):
        if arxiv_id in changed and arxiv_id not in touched:
            old = dict(before.shown(before.ids.index(arxiv_id)))
            new = dict(warm.shown(row))
            assert set(new) - set(old) <= touched or set(old) & touched, arxiv_id
    assert len(changed) < len(warm.ids)  # most pages keep their list
    # Exactly the papers whose shown list (ids, rounded similarities) differs, or that are new.
    old_rows = {arxiv_id: row for row, arxiv_id in enumerate(before.ids)}
    differs = {a for row, a in enumerate(warm.ids) if a not in old_rows or before.shown(old_rows[a]) != warm.shown(row)}
    assert changed == differs


def test_a_new_vocabulary_or_none_recomputes_every_list_as_from_scratch(papers):
    small, large = fit_vocabulary(w for _, w in papers[:64]), fit_vocabulary(w for _, w in papers[:128])
    before, _, _ = run(papers[:120], vocabulary=small)
    warm, _, read = run(papers[:140], before, vocabulary=large)  # the archive doubled: the night refitted its vocabulary
    assert same_lists(warm, run(papers[:140], vocabulary=large)[0]) and len(read) == 140  # every vector made again
    assert warm.basis != before.basis
    # Without a vocabulary of the archive's own, it is fitted on every paper: a night changes it, and every list is redone.
    before, _, _ = run(papers[:120])
    warm, _, read = run(papers[:140], before)
    assert same_lists(warm, run(papers[:140])[0]) and len(set(read)) == 140  # every paper read (streamed: once to fit, once for its vector)


def test_the_state_survives_its_file(papers, tmp_path):
    vocabulary = fit_vocabulary(w for _, w in papers[:64])
    state, _, _ = run(papers[:100], vocabulary=vocabulary)
    state.save(tmp_path / "nearest.npz")
    loaded = NearestState.load(tmp_path / "nearest.npz")
    assert same_lists(state, loaded) and loaded.vocabulary.terms == state.vocabulary.terms and loaded.basis == state.basis
    assert (loaded.vectors != state.vectors).nnz == 0
    warm, changed, read = run(papers[:100], loaded, vocabulary=vocabulary)
    assert read == [] and changed == set() and same_lists(warm, state)
    (tmp_path / "broken.npz").write_bytes(b"not a state")
    assert NearestState.load(tmp_path / "broken.npz") is None and NearestState.load(tmp_path / "missing.npz") is None


def test_embeddings_too(papers):
    rng = np.random.default_rng(7)
    vectors = {key.arxiv_id: rng.normal(size=16).astype(np.float32) for key, _ in papers}
    keys = [k for k, _ in papers]
    before, _ = update_nearest(keys[:150], lambda key: [], count=5, engine="embeddings:m", dense=vectors)
    warm, changed = update_nearest(keys[:190], lambda key: [], count=5, engine="embeddings:m", previous=before, dense=vectors)
    cold, _ = update_nearest(keys[:190], lambda key: [], count=5, engine="embeddings:m", dense=vectors)
    assert warm.ids == cold.ids and np.array_equal(warm.slots, cold.slots) and np.allclose(warm.sims, cold.sims)
