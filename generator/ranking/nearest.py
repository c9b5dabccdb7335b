"""The nearest papers of every paper, kept between builds so that a night only adds to them.

Pure (NumPy, SciPy; no network, no disk but the state's own file). The site's related papers
(generator/website/related.py) are its main user. Two engines, one procedure:

- TF-IDF: a paper's words (generator/ranking/similarity.py) weighed by a vocabulary, each paper cut
  to its heaviest terms. A paper's vector depends only on its own terms and the vocabulary. The
  vocabulary is given (the archive's own, docs/data/vocabulary.json, which the night fits on the
  oldest papers and refits only when the archive doubles: `generator.ranking.vocabulary`), or, for
  an archive without one, fitted on every paper at each build (any change then recomputes all).
- Embeddings: the vectors given by the caller (dense, one per paper).

`update_nearest` starts from the previous state (`NearestState`, saved as one .npz): a new or
changed paper gets its list from scratch and joins an unchanged paper's list when it beats that
list's last entry; an unchanged paper whose list held a paper that changed or left is recomputed.
From scratch (no state, another engine or vocabulary) the lists are the same:
equal similarities are ordered by arXiv id (`similarity.best_first`), and a sparse dot product sums
its terms in the same order whichever of the two papers it is computed from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class PaperKey:
    """One paper as the caller knows it before reading its text: enough to tell whether it changed."""

    arxiv_id: str
    version: int
    record: str
    """The record's content hash: a paper whose record did not change keeps its vector."""
    announced: str
    """ISO date of its first announcement: the oldest papers are the vocabulary's basis."""


@dataclass
class NearestState:
    """Every paper's related papers and what they were computed from, kept between builds (the build cache).

    Papers are in arXiv id order; `slots[i]` holds the rows of paper i's related papers, best first (-1: none).
    """

    engine: str
    """`tfidf`, or `embeddings:<model>`."""
    count: int
    ids: list[str]
    records: list[str]
    """Record hashes, as `RelatedSource.record`."""
    texts: list[str]
    """Hash of the words each vector was made from (TF-IDF), or the embedded version (embeddings)."""
    slots: np.ndarray
    sims: np.ndarray
    basis: str = ""
    """The vocabulary's fingerprint, or "all <hash of every paper's words>" when it was fitted on all of them (TF-IDF)."""
    vocabulary: object = None
    """generator.ranking.vocabulary.Vocabulary (TF-IDF)."""
    vectors: object = None
    """scipy CSR matrix, one row per paper (TF-IDF; embeddings are re-read from docs/data/)."""

    def shown_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(slots, similarities) as pages show them: similarities rounded to 3 decimals, -1 where none (nothing shared)."""
        sims = self.sims.astype("float64").round(3)  # float64: 0.255, not 0.2549999952316284
        return np.where(sims > 0, self.slots, -1), sims

    def shown(self, row: int) -> tuple:
        """What a page shows of a paper's related papers: ids and rounded similarities."""
        return tuple((self.ids[slot], round(float(sim), 3)) for slot, sim in zip(self.slots[row], self.sims[row]) if slot >= 0 and sim > 0)

    # -- on disk (the build cache): one .npz, no pickle -------------------------------------

    def save(self, path: Path) -> None:
        arrays = {"slots": self.slots, "sims": self.sims}
        meta = {"engine": self.engine, "count": self.count, "basis": self.basis}
        arrays["ids"] = np.frombuffer("\n".join(self.ids).encode("utf-8"), dtype=np.uint8)
        arrays["records"] = np.frombuffer("\n".join(self.records).encode("ascii"), dtype=np.uint8)
        arrays["texts"] = np.frombuffer("\n".join(self.texts).encode("ascii"), dtype=np.uint8)
        if self.vocabulary is not None:
            arrays["terms"] = np.frombuffer("\n".join(self.vocabulary.terms).encode("utf-8"), dtype=np.uint8)
            arrays["df"] = np.array(self.vocabulary.df, dtype=np.int64)
            meta["vocabulary_papers"] = self.vocabulary.papers
        if self.vectors is not None:
            arrays.update(
                indptr=self.vectors.indptr, indices=self.vectors.indices, data=self.vectors.data, shape=np.array(self.vectors.shape)
            )
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
        with open(path, "wb") as handle:
            np.savez(handle, **arrays)

    @classmethod
    def load(cls, path: Path) -> NearestState | None:
        """The state saved at `path`, or None when it is missing or unreadable (a cold start, never an error)."""
        from scipy import sparse

        from generator.ranking.vocabulary import Vocabulary

        try:
            with np.load(path, allow_pickle=False) as saved:
                text = lambda name: saved[name].tobytes().decode("utf-8")  # noqa: E731
                lines = lambda name: text(name).split("\n") if saved[name].size else []  # noqa: E731
                meta = json.loads(text("meta"))
                vocabulary = None
                if "terms" in saved:
                    vocabulary = Vocabulary(tuple(lines("terms")), tuple(saved["df"].tolist()), meta["vocabulary_papers"])
                vectors = None
                if "indptr" in saved:
                    vectors = sparse.csr_matrix((saved["data"], saved["indices"], saved["indptr"]), shape=tuple(saved["shape"]))
                state = cls(meta["engine"], meta["count"], lines("ids"), lines("records"), lines("texts"), saved["slots"].copy(),
                            saved["sims"].copy(), meta["basis"], vocabulary, vectors)  # fmt: skip
        except (OSError, ValueError, KeyError, EOFError, UnicodeDecodeError):
            return None
        if not (len(state.ids) == len(state.records) == len(state.texts) == state.slots.shape[0]):
            return None
        return state


def update_nearest(
    sources: Sequence[PaperKey],
    read_words: Callable[[PaperKey], list[str]],
    *,
    count: int,
    engine: str = "tfidf",
    previous: NearestState | None = None,
    dense: Mapping[str, np.ndarray] | None = None,
    vocabulary: object = None,
) -> tuple[NearestState, set[str]]:
    """Every paper's related papers, computed from `previous` where it still holds: (the new state, the ids whose shown
    list changed).

    `read_words(source)` gives a paper's words (it is called only for papers whose record changed, and for every
    paper when there is no `vocabulary` (generator.ranking.vocabulary.Vocabulary) to keep: it is then fitted on all
    of them); `dense` gives the vectors of the embeddings engine, by id. A
    new or changed paper gets its list from scratch, and joins an unchanged paper's list when it beats its last
    entry; an unchanged paper whose list held a paper that changed or left is recomputed. A build from scratch
    (`previous` None, another engine, count or vocabulary) gives the same lists.
    """
    from generator.ranking.similarity import fit_vocabulary, normalize_rows, vectorize

    ordered = sorted(sources, key=lambda s: s.arxiv_id)
    ids = [s.arxiv_id for s in ordered]
    if previous is not None and (previous.engine != engine or previous.count != count):
        previous = None
    known = {} if previous is None else {arxiv_id: row for row, arxiv_id in enumerate(previous.ids)}

    def same(source: PaperKey) -> bool:
        row = known.get(source.arxiv_id)
        return row is not None and previous.records[row] == source.record

    # A paper read this build: with a vocabulary given, its vector, made as it is read (in batches), so that no
    # step holds every paper's terms (200,000 papers' words and bigrams are gigabytes); without one (a young
    # archive, under similarity's MIN_BASIS papers), its terms, which the vocabulary is then fitted on.
    fresh_words: dict[str, list[str]] = {}
    fresh_rows = _Rows(vocabulary)
    texts: list[str] = []
    for source in ordered:
        if engine != "tfidf":
            texts.append(str(source.version))
        elif same(source):
            texts.append(previous.texts[known[source.arxiv_id]])
        else:
            words = read_words(source)
            texts.append(hashlib.sha1("\n".join(words).encode("utf-8")).hexdigest())
            if vocabulary is None:
                fresh_words[source.arxiv_id] = words
            else:
                fresh_rows.add(source.arxiv_id, words)
    touched = [row for row, arxiv_id in enumerate(ids) if arxiv_id not in known or previous.texts[known[arxiv_id]] != texts[row]]

    vectors, basis = None, ""
    if engine == "tfidf":
        if vocabulary is None:  # fitted on every paper: the basis is every paper's words
            basis = "all " + hashlib.sha1("".join(f"{i} {t}\n" for i, t in zip(ids, texts)).encode("utf-8")).hexdigest()
        else:
            basis = vocabulary.fingerprint
        if previous is None or previous.basis != basis or previous.vectors is None:
            if vocabulary is None:
                vocabulary = fit_vocabulary(_words(s, fresh_words, read_words) for s in ordered)
                vectors = vectorize((_words(s, fresh_words, read_words) for s in ordered), vocabulary)
            else:
                for source in ordered:  # the papers not read yet (unchanged, under another vocabulary): read now
                    if source.arxiv_id not in fresh_rows:
                        fresh_rows.add(source.arxiv_id, read_words(source))
                vectors = fresh_rows.matrix(ids)
            previous, known, touched = None, {}, list(range(len(ids)))
        else:
            vocabulary = previous.vocabulary
            new_rows = fresh_rows.matrix([ids[row] for row in touched]) if touched else None
            vectors = _assemble(previous.vectors, [known.get(arxiv_id, -1) for arxiv_id in ids], touched, new_rows)
        matrix = vectors
    else:
        matrix = normalize_rows(np.stack([dense[arxiv_id] for arxiv_id in ids])) if ids else np.zeros((0, 0), np.float32)

    slots, sims = _lists(matrix, count, ids, previous, known, touched)
    state = NearestState(engine, count, ids, [s.record for s in ordered], texts, slots, sims, basis, vocabulary, vectors)
    return state, _changed(state, previous, known)


def _changed(state: NearestState, previous: NearestState | None, known: dict[str, int]) -> set[str]:
    """The papers whose shown list (ids and rounded similarities) differs from the last build's, compared as arrays."""
    ids = state.ids
    if previous is None:
        return set(ids)
    new_slots, new_sims = state.shown_arrays()
    old_slots, old_sims = previous.shown_arrays()
    if new_slots.shape[1] != old_slots.shape[1]:  # another list length (an archive of a handful of papers)
        return {a for row, a in enumerate(ids) if a not in known or previous.shown(known[a]) != state.shown(row)}
    position = {arxiv_id: row for row, arxiv_id in enumerate(ids)}
    old_to_new = np.array([position.get(arxiv_id, -2) for arxiv_id in previous.ids] + [-1], dtype=np.int64)  # [-1]: no slot
    rows = np.array([known.get(arxiv_id, -1) for arxiv_id in ids], dtype=np.int64)
    new_paper = rows < 0
    before = old_to_new[old_slots[np.maximum(rows, 0)]]  # a slot of -1 reads the last entry: -1; a paper gone since: -2
    differs = new_paper | (before != new_slots).any(axis=1) | (old_sims[np.maximum(rows, 0)] != new_sims).any(axis=1)
    return {ids[row] for row in np.flatnonzero(differs).tolist()}


class _Rows:
    """Papers' TF-IDF rows over a given vocabulary, made in batches as their terms arrive (the terms are not kept)."""

    BATCH = 2048

    def __init__(self, vocabulary):
        self.vocabulary = vocabulary
        self.pending: list[tuple[str, list[str]]] = []
        self.pending_ids: set[str] = set()
        self.batches: list = []
        self.row: dict[str, int] = {}
        self.made = 0

    def __contains__(self, arxiv_id: str) -> bool:
        return arxiv_id in self.row or arxiv_id in self.pending_ids

    def add(self, arxiv_id: str, words: list[str]) -> None:
        self.pending.append((arxiv_id, words))
        self.pending_ids.add(arxiv_id)
        if len(self.pending) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        from generator.ranking.similarity import vectorize

        if not self.pending:
            return
        self.batches.append(vectorize([words for _, words in self.pending], self.vocabulary))
        for arxiv_id, _ in self.pending:
            self.row[arxiv_id] = self.made
            self.made += 1
        self.pending, self.pending_ids = [], set()

    def matrix(self, arxiv_ids: Sequence[str]):
        """The rows of these papers, in this order (CSR)."""
        from scipy import sparse

        self._flush()
        if not self.batches:
            return sparse.csr_matrix((0, len(self.vocabulary.terms)), dtype=np.float32)
        stacked = self.batches[0] if len(self.batches) == 1 else sparse.vstack(self.batches, format="csr")
        self.batches = [stacked]
        if list(arxiv_ids) == sorted(self.row, key=self.row.get):
            return stacked
        picked = stacked[np.array([self.row[arxiv_id] for arxiv_id in arxiv_ids], dtype=np.int64)]
        picked.sort_indices()
        return picked


def _words(key: PaperKey, fresh: dict[str, list[str]], read_words: Callable[[PaperKey], list[str]]) -> list[str]:
    """A paper's words: read this build already, or read now (streamed: the caller does not keep them)."""
    found = fresh.get(key.arxiv_id)
    return found if found is not None else read_words(key)


def _assemble(old, old_rows: list[int], touched: list[int], new_rows):
    """The TF-IDF matrix of the papers in id order: kept rows from `old`, the touched ones from `new_rows`."""
    from scipy import sparse

    if not old_rows:
        return sparse.csr_matrix((0, old.shape[1]), dtype=np.float32)
    source = np.array(old_rows, dtype=np.int64)  # row of `old`, or (touched) old.shape[0] + its row of `new_rows`
    if touched:
        source[np.array(touched, dtype=np.int64)] = old.shape[0] + np.arange(len(touched))
        old = sparse.vstack([old, new_rows], format="csr", dtype=np.float32)
    matrix = old[source].astype(np.float32)  # one fancy index: a row at a time took 16 s at 200,000 papers
    matrix.sort_indices()
    return matrix


def _lists(matrix, count: int, ids: list[str], previous: NearestState | None, known: dict[str, int], touched: list[int]):
    """(slots, sims) of every paper: from scratch for the touched papers and for those whose list held a paper that
    changed or left; the others keep their list, merged with the touched papers that now beat its last entry."""
    from generator.ranking.similarity import best_first

    n = len(ids)
    k = max(0, min(count, n - 1))
    slots = np.full((n, k), -1, dtype=np.int32)
    sims = np.zeros((n, k), dtype=np.float32)
    if k == 0:
        return slots, sims
    redo = set(touched)
    kept = np.zeros(0, dtype=np.int64)  # rows whose last list holds: its papers (in this build's rows) and similarities
    kept_slots = kept_sims = np.zeros((0, k))
    if previous is not None:  # as arrays: a Python loop over 200,000 lists took 12 s of a warm night
        position = {arxiv_id: row for row, arxiv_id in enumerate(ids)}
        old_to_new = np.array([position.get(arxiv_id, -1) for arxiv_id in previous.ids], dtype=np.int64)
        is_touched = np.zeros(n, dtype=bool)
        is_touched[touched] = True
        rows = np.flatnonzero(~is_touched)
        old = np.array([known[ids[row]] for row in rows.tolist()], dtype=np.int64)
        old_slots, old_sims = previous.slots[old], previous.sims[old]
        present = old_slots >= 0
        mapped = np.where(present, old_to_new[np.maximum(old_slots, 0)], -1)
        lost = (present & ((mapped < 0) | is_touched[np.maximum(mapped, 0)])).any(axis=1)  # held a paper that left or changed
        redo.update(rows[lost].tolist())
        kept, kept_slots, kept_sims = rows[~lost], mapped[~lost], old_sims[~lost]
    else:
        redo = set(range(n))
    for row, columns, values in _rows_against_all(matrix, sorted(redo)):
        order = best_first(columns, values, k)
        slots[row, : order.size] = columns[order]
        sims[row, : order.size] = values[order]
    if kept.size:
        candidates = _columns_of(matrix, touched) if touched else {}
        if kept_slots.shape[1] == k:  # a kept list stays as it is unless a touched paper may enter it
            slots[kept], sims[kept] = kept_slots, kept_sims
            merge = [i for i, row in enumerate(kept.tolist()) if row in candidates]
        else:  # another list length (an archive of a handful of papers): every kept list sorted again
            merge = range(kept.size)
        for i in merge:
            row, present = int(kept[i]), kept_slots[i] >= 0
            extra = candidates.get(row, [])
            columns = np.concatenate([kept_slots[i][present], np.array([c for c, _ in extra], dtype=np.int64)])
            values = np.concatenate([kept_sims[i][present], np.array([v for _, v in extra], dtype=np.float32)]).astype(np.float32)
            order = best_first(columns, values, k)
            slots[row], sims[row] = -1, 0
            slots[row, : order.size] = columns[order]
            sims[row, : order.size] = values[order]
    return slots, sims


def _rows_against_all(matrix, rows: list[int]):
    """(row, columns, similarities) of each given row against every other paper (not itself), in row chunks."""
    from scipy import sparse

    from generator.ranking.similarity import CHUNK_FLOATS

    n = matrix.shape[0]
    step = max(1, min(len(rows) or 1, CHUNK_FLOATS // max(1, n)))
    if sparse.issparse(matrix):
        transposed = matrix.T.tocsr()
        for start in range(0, len(rows), step):
            chunk = rows[start : start + step]
            block = (matrix[chunk] @ transposed).tocsr()
            block.sort_indices()
            for offset, row in enumerate(chunk):
                columns = block.indices[block.indptr[offset] : block.indptr[offset + 1]].astype(np.int64)
                values = block.data[block.indptr[offset] : block.indptr[offset + 1]]
                keep = columns != row
                yield row, columns[keep], values[keep]
    else:
        transposed = np.ascontiguousarray(matrix.T)
        everyone = np.arange(n)
        for start in range(0, len(rows), step):
            chunk = rows[start : start + step]
            block = matrix[chunk] @ transposed
            for offset, row in enumerate(chunk):
                keep = everyone != row
                yield row, everyone[keep], block[offset][keep]


def _columns_of(matrix, touched: list[int]) -> dict[int, list[tuple[int, float]]]:
    """For every paper, the touched papers it is similar to, with the similarity, as the touched rows give it."""
    out: dict[int, list[tuple[int, float]]] = {}
    for row, columns, values in _rows_against_all(matrix, touched):
        for column, value in zip(columns.tolist(), values.tolist()):
            if value > 0 or not _is_sparse(matrix):
                out.setdefault(column, []).append((row, value))
    return out


def _is_sparse(matrix) -> bool:
    from scipy import sparse

    return sparse.issparse(matrix)
