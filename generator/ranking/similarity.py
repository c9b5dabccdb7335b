"""How alike two papers are: TF-IDF vectors and cosine top-k. Pure: no network, no disk.

Used twice: at night, to compare the day's announcements with the reader's own papers
(config `interests`, see select.py), and at build time, to find each archived paper's
related papers (generator/website/related.py). Both compare papers by their words:

- A paper's text is its title (twice, so the title weighs more than one abstract
  sentence), its abstract and, when there is one, its AI summary.
- Words: the text folded to ASCII (accents dropped: "Hajdušek" is "hajdusek"; other
  scripts dropped, so a Chinese AI summary contributes the English technical terms
  it keeps), lower-cased, split at anything but letters and digits; words of one
  character, words that start with a digit, English stop words and the boilerplate of
  abstracts ("we propose", "results show") are left out. This is a byte-level
  tokenizer (str.translate, split) because a regular expression over 10,000 abstracts
  took most of the build-time budget.
- TF-IDF (scikit-learn's TfidfVectorizer): sublinear term frequency, words in fewer
  than `min_df` papers or in more than `max_df` of them dropped (a word in half the
  archive says nothing about a topic). Rows are L2-normalized, so a dot product is
  the cosine similarity, in [0, 1].
- Related papers over a whole archive (`top_k` with `terms_per_paper`): each paper
  keeps only its `TERMS_PER_PAPER` heaviest words (renormalized) before the all-pairs
  products. Those words carry most of a paper's cosine mass, and frequent light words
  are what makes an all-pairs sparse product slow (8x faster at 10,000 papers).
- Top-k in row chunks: each chunk's similarities to every paper are one sparse
  product, cut per row with `argpartition` (dense vectors such as embeddings: one
  dense float32 product per chunk), so memory stays at `chunk × n` floats whatever
  the archive size.
"""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

# Words every abstract uses whatever its topic; without them "we propose a novel
# method and show results" would make unrelated papers look alike.
ABSTRACT_BOILERPLATE = frozenset([
    "paper", "papers", "propose", "proposed", "proposes", "present", "presents", "presented", "introduce", "introduces",
    "introduced", "show", "shows", "shown", "showing", "demonstrate", "demonstrates", "demonstrated", "result", "results",
    "approach", "approaches", "method", "methods", "based", "using", "use", "used", "uses", "new", "novel", "work", "works",
    "study", "studies", "studied", "also", "however", "well", "first", "second", "provide", "provides", "provided",
    "achieve", "achieves", "achieved", "existing", "significantly", "furthermore", "moreover", "respectively", "et", "al",
    "via", "can", "may", "paper's", "address", "addresses", "addressed", "experiments", "experimental", "experiment",
    "evaluate", "evaluated", "evaluation", "outperform", "outperforms", "state", "art", "recent", "recently", "problem",
    "problems", "task", "tasks", "performance", "improve", "improves", "improved", "different", "various", "several",
    "including", "include", "includes", "given", "allows", "enable", "enables",
])  # fmt: skip
# scikit-learn is imported when TF-IDF is first needed, not with this module: importing
# it costs more CPU time than computing a small day (about 1.2 s here, most of it SciPy's
# statistics module), and a nightly run without `interests` never needs it.


@functools.cache
def stop_words() -> frozenset[str]:
    """English stop words (scikit-learn's list), abstract boilerplate, and every single letter."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS | ABSTRACT_BOILERPLATE | set("abcdefghijklmnopqrstuvwxyz"))


_SEPARATORS = bytes(c if (ord("0") <= c <= ord("9") or ord("a") <= c <= ord("z")) else ord(" ") for c in range(256))
CHUNK_FLOATS = 8_000_000
"""Similarities held at once (32 MB of float32 when dense): rows per chunk = this / papers."""
TERMS_PER_PAPER = 32
"""Heaviest words a paper keeps for the archive-wide related-papers products."""


def paper_text(title: str, abstract: str, summary: str = "") -> str:
    """The text a paper is compared by (title twice, abstract, AI summary as plain text)."""
    return f"{title}. {title}. {abstract} {summary}".strip()


def words(text: str) -> list[str]:
    """The words of a text that TF-IDF counts (see the module docstring)."""
    tokens = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").lower().translate(_SEPARATORS).decode("ascii").split()
    stop = stop_words()
    # w[0] > "9": not starting with a digit; one-letter words are stop words.
    return [w for w in tokens if w[0] > "9" and w not in stop]


def tfidf_vectors(texts: Sequence[str], *, min_df: int = 2, max_df: float = 0.5) -> sparse.csr_matrix:
    """L2-normalized TF-IDF rows (float32 CSR), one per text; all-zero rows for texts with no kept word."""
    n = len(texts)
    if n == 0:
        return sparse.csr_matrix((0, 0), dtype=np.float32)
    if n < 20:
        # A handful of papers (tests, a new archive, the interest papers and one small day):
        # every word counts, or nothing would be left to compare.
        min_df, max_df = 1, 1.0
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=words, min_df=min_df, max_df=max_df, sublinear_tf=True, dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:
        # "empty vocabulary": no text has a word that survives the filters.
        return sparse.csr_matrix((n, 0), dtype=np.float32)
    return matrix.tocsr()


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """Float32 copy of dense vectors with unit rows (zero rows stay zero)."""
    out = np.asarray(vectors, dtype=np.float32).copy()
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


def keep_heaviest(matrix: sparse.csr_matrix, terms: int) -> sparse.csr_matrix:
    """Each row's `terms` largest entries, the row L2-normalized again."""
    matrix = matrix.tocsr()
    lengths = np.diff(matrix.indptr)
    if lengths.size == 0 or lengths.max() <= terms:
        return matrix
    rows = np.repeat(np.arange(matrix.shape[0]), lengths)
    # One sort of all entries by (row, weight descending); weights are in [0, 1].
    order = np.argsort(rows * 2.0 + (1.0 - matrix.data), kind="stable")
    rank = np.arange(order.size) - np.repeat(matrix.indptr[:-1], lengths)
    keep = np.zeros(order.size, dtype=bool)
    keep[order[rank < terms]] = True
    pruned = sparse.csr_matrix((matrix.data * keep, matrix.indices.copy(), matrix.indptr.copy()), shape=matrix.shape)
    pruned.eliminate_zeros()
    norms = np.sqrt(np.asarray(pruned.multiply(pruned).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sparse.csr_matrix(sparse.diags(scale.astype(np.float32)) @ pruned, dtype=np.float32)


def top_k(
    matrix: sparse.csr_matrix | np.ndarray, k: int, *, exclude_self: bool = True, terms_per_paper: int | None = TERMS_PER_PAPER
) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the `k` most similar rows: (indices int32 n×k, similarities float32 n×k).

    `matrix` rows must be L2-normalized (sparse rows are first cut to their
    `terms_per_paper` heaviest entries; None keeps them whole). Best first, equal
    similarities in row order. Missing slots (fewer than k other rows, or rows that
    share nothing) hold index -1 and similarity 0.
    """
    n = matrix.shape[0]
    k = max(0, min(k, n - 1 if exclude_self else n))
    indices = np.full((n, k), -1, dtype=np.int32)
    sims = np.zeros((n, k), dtype=np.float32)
    if n == 0 or k == 0:
        return indices, sims
    if sparse.issparse(matrix):
        if terms_per_paper is not None:
            matrix = keep_heaviest(matrix, terms_per_paper)
        _top_k_sparse(matrix.tocsr(), k, exclude_self, indices, sims)
    else:
        _top_k_dense(np.asarray(matrix, dtype=np.float32), k, exclude_self, indices, sims)
    return indices, sims


def best_first(columns: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Positions (into `columns`/`values`) of the `k` largest values, best first, equal values by column: the same
    answer however the candidates were gathered (every value tied with the k-th is considered, not an arbitrary one)."""
    if values.size > k:
        kth = np.partition(values, values.size - k)[values.size - k]
        candidates = np.flatnonzero(values >= kth)
    else:
        candidates = np.arange(values.size)
    order = np.lexsort((columns[candidates], -values[candidates]))
    return candidates[order[:k]]


def _top_k_sparse(matrix: sparse.csr_matrix, k: int, exclude_self: bool, indices: np.ndarray, sims: np.ndarray) -> None:
    n = matrix.shape[0]
    transposed = matrix.T.tocsr()
    rows = max(1, min(n, CHUNK_FLOATS // n))
    for start in range(0, n, rows):
        block = (matrix[start : start + rows] @ transposed).tocsr()
        pointers, columns, values = block.indptr, block.indices, block.data
        for offset in range(block.shape[0]):
            row = start + offset
            cols = columns[pointers[offset] : pointers[offset + 1]]
            vals = values[pointers[offset] : pointers[offset + 1]]
            if exclude_self:
                others = cols != row
                cols, vals = cols[others], vals[others]
            order = best_first(cols, vals, k)
            indices[row, : order.size] = cols[order]
            sims[row, : order.size] = vals[order]


def _top_k_dense(matrix: np.ndarray, k: int, exclude_self: bool, indices: np.ndarray, sims: np.ndarray) -> None:
    n = matrix.shape[0]
    transposed = np.ascontiguousarray(matrix.T)
    rows = max(1, min(n, CHUNK_FLOATS // n))
    for start in range(0, n, rows):
        end = min(n, start + rows)
        block = matrix[start:end] @ transposed
        if exclude_self:
            block[np.arange(end - start), np.arange(start, end)] = -np.inf
        columns = np.arange(n)
        for offset in range(end - start):
            order = best_first(columns, block[offset], k)
            indices[start + offset] = order
            sims[start + offset] = block[offset][order]


# -- a vocabulary fixed for a while, so that old papers keep their vectors ----------------------------

MIN_BASIS = 1024
"""Below this many papers the vocabulary is fitted on every paper at each build (each night moves it a little)."""


def basis_size(papers: int) -> int:
    """How many of the oldest papers the archive's vocabulary is fitted on: the largest power of two not above the
    archive's size (0 below MIN_BASIS), so the vocabulary changes only when the archive doubles
    (ARCHITECTURE.md, "Related papers that stay put")."""
    if papers < MIN_BASIS:
        return 0
    return 1 << (papers.bit_length() - 1)


@dataclass(frozen=True)
class Vocabulary:
    """The words TF-IDF weighs, with their document frequencies in the `papers` papers it was fitted on."""

    terms: tuple[str, ...]
    df: tuple[int, ...]
    papers: int

    @functools.cached_property
    def idf(self) -> np.ndarray:
        """float32, one per term: ln((1 + n) / (1 + df)) + 1, scikit-learn's smoothed idf."""
        return (np.log((1.0 + self.papers) / (1.0 + np.array(self.df, dtype=np.float64))) + 1.0).astype(np.float32)

    @functools.cached_property
    def position(self) -> dict[str, int]:
        return {term: i for i, term in enumerate(self.terms)}

    @functools.cached_property
    def fingerprint(self) -> str:
        return hashlib.sha1(json.dumps([self.papers, self.terms, self.df]).encode("utf-8")).hexdigest()

    def to_json(self) -> str:
        return json.dumps({"papers": self.papers, "terms": self.terms, "df": self.df}, ensure_ascii=False, separators=(",", ":")) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Vocabulary:
        data = json.loads(text)
        terms, df = tuple(data["terms"]), tuple(int(n) for n in data["df"])
        if len(terms) != len(df) or not all(isinstance(t, str) for t in terms):
            raise ValueError("terms and df differ in length")
        return cls(terms, df, int(data["papers"]))


def fit_vocabulary(word_lists: Iterable[list[str]], *, min_df: int = 2, max_df: float = 0.5) -> Vocabulary:
    """The vocabulary of these papers' words (one list per paper), as `tfidf_vectors` fits it: words in fewer than
    `min_df` papers or in more than `max_df` of them are left out (all are kept below 20 papers)."""
    counts: dict[str, int] = {}
    n = 0
    for word_list in word_lists:
        n += 1
        for word in set(word_list):
            counts[word] = counts.get(word, 0) + 1
    if n < 20:
        min_df, max_df = 1, 1.0
    most = max_df * n
    terms = tuple(sorted(w for w, count in counts.items() if min_df <= count <= most))
    return Vocabulary(terms, tuple(counts[w] for w in terms), n)


def vectorize(word_lists: Iterable[list[str]], vocabulary: Vocabulary, terms_per_paper: int | None = TERMS_PER_PAPER) -> sparse.csr_matrix:
    """Rows of sublinear TF-IDF over `vocabulary` (words outside it count for nothing), L2-normalized, each cut to
    its `terms_per_paper` heaviest words and normalized again: a paper's vector depends only on its words and the
    vocabulary, never on the other papers of the night."""
    position = vocabulary.position
    indptr, indices, data = [0], [], []
    for word_list in word_lists:
        counts: dict[int, int] = {}
        for word in word_list:
            at = position.get(word)
            if at is not None:
                counts[at] = counts.get(at, 0) + 1
        columns = np.fromiter(sorted(counts), dtype=np.int32, count=len(counts))
        weights = (1.0 + np.log(np.array([counts[c] for c in columns], dtype=np.float32))) * vocabulary.idf[columns]
        norm = float(np.sqrt(np.dot(weights, weights)))
        if norm > 0:
            weights = weights / norm
        indices.append(columns)
        data.append(weights.astype(np.float32))
        indptr.append(indptr[-1] + columns.size)
    matrix = sparse.csr_matrix(
        (np.concatenate(data) if data else np.zeros(0, np.float32), np.concatenate(indices) if indices else np.zeros(0, np.int32), indptr),
        shape=(len(indptr) - 1, len(vocabulary.terms)),
        dtype=np.float32,
    )
    if terms_per_paper is not None:
        matrix = keep_heaviest(matrix, terms_per_paper)
    matrix.sort_indices()
    return matrix


def cross_similarity(rows: sparse.csr_matrix | np.ndarray, columns: sparse.csr_matrix | np.ndarray) -> np.ndarray:
    """Dense float32 cosine similarities of every row vector to every column vector (small sets only)."""
    product = rows @ columns.T
    dense = product.toarray() if sparse.issparse(product) else np.asarray(product)
    return dense.astype(np.float32, copy=False)
