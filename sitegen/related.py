"""Related papers: for every archived paper, the archived papers most similar in content.

Computed at build time over the whole archive, with no MkDocs import, so the site
plugin (or anything else) calls it with the papers it has read:

    from sitegen.related import RelatedDoc, related_for_archive
    index = related_for_archive(docs, config, docs_dir)      # reads the embedding cache if configured
    index.of("2501.01234")  # -> (Neighbour(arxiv_id="2412.04321", similarity=0.412), ...)

Two engines, same output:

- TF-IDF (the default: no network, no key): title, abstract and AI summary text of
  every paper (generator/similarity.py), cosine similarity, top `count` per paper
  by chunked sparse products and argpartition.
- Cached embeddings (config `related.embeddings`): the vectors the generator stored
  under docs/data/embeddings/ (generator/embeddings.py), used only when EVERY paper
  has one for its current version and the configured model; otherwise TF-IDF, and
  the index's `note` (logged once by `related_for_archive`) says why.

Neighbours with no similarity at all (no shared word) are left out, so a paper may
have fewer than `count`; similarities are rounded to 3 decimals.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from generator.config import Config
from generator.embeddings import EmbeddingCache
from generator.similarity import normalize_rows, paper_text, tfidf_vectors, top_k

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RelatedDoc:
    """One archived paper, as the related engine reads it."""

    arxiv_id: str
    version: int
    """Current version (cached embeddings are per version)."""
    title: str
    abstract: str
    summary: str = ""
    """AI summary as plain text or Markdown ("" when there is none)."""


@dataclass(frozen=True)
class Neighbour:
    """A related paper and how similar it is (cosine, in [0, 1] for TF-IDF)."""

    arxiv_id: str
    similarity: float


@dataclass(frozen=True)
class RelatedIndex:
    """Every paper's related papers, and which engine found them."""

    engine: str
    """`tfidf` or `embeddings`."""
    note: str
    """One line for the build log: the engine and, for TF-IDF with embeddings configured, why."""
    neighbours: Mapping[str, tuple[Neighbour, ...]] = field(default_factory=dict)
    """arXiv id -> related papers, most similar first."""

    def of(self, arxiv_id: str) -> tuple[Neighbour, ...]:
        return self.neighbours.get(arxiv_id, ())


def compute_related(
    docs: Sequence[RelatedDoc], *, count: int = 5, vectors: np.ndarray | None = None, engine_note: str | None = None
) -> RelatedIndex:
    """Related papers of every doc: by `vectors` (one row per doc, e.g. embeddings) when given, else TF-IDF."""
    if vectors is not None:
        if len(vectors) != len(docs):
            raise ValueError(f"{len(vectors)} vectors for {len(docs)} papers")
        matrix = normalize_rows(vectors)
        engine = "embeddings"
    else:
        matrix = tfidf_vectors([paper_text(d.title, d.abstract, d.summary) for d in docs])
        engine = "tfidf"
    indices, sims = top_k(matrix, count)
    neighbours: dict[str, tuple[Neighbour, ...]] = {}
    for row, doc in enumerate(docs):
        neighbours[doc.arxiv_id] = tuple(
            Neighbour(docs[int(i)].arxiv_id, round(float(s), 3)) for i, s in zip(indices[row], sims[row]) if i >= 0 and s > 0
        )
    note = engine_note or f"related papers: {engine} over {len(docs)} papers"
    return RelatedIndex(engine, note, neighbours)


def related_for_archive(docs: Sequence[RelatedDoc], config: Config, docs_dir: Path) -> RelatedIndex:
    """Related papers of the archive with the configured engine; logs which engine ran (one line)."""
    count = config.related.count
    settings = config.related.embeddings
    vectors = None
    note = None
    if settings is not None:
        vectors, missing = EmbeddingCache(docs_dir, settings.model).vectors([(d.arxiv_id, d.version) for d in docs])
        if vectors is None:
            note = (
                f"related papers: TF-IDF over {len(docs)} papers, because {missing} of them have no cached embedding "
                f"for {settings.model} (run `python -m generator embed` to fill the cache)"
            )
        else:
            note = f"related papers: embeddings of {settings.model} over {len(docs)} papers"
    index = compute_related(docs, count=count, vectors=vectors, engine_note=note)
    log.info("%s", index.note)
    return index
