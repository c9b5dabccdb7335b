"""Related papers: for every archived paper, the archived papers most similar in content.

Computed at build time over the whole archive, with no MkDocs import, so the site
plugin (or anything else) calls it with the papers it has read:

    from generator.website.related import RelatedDoc, related_for_archive
    index = related_for_archive(docs, config, docs_dir)      # reads the embedding cache if configured
    index.of("2501.01234")  # -> (Neighbour(arxiv_id="2412.04321", similarity=0.412), ...)

Two engines, same output:

- TF-IDF (the default: no network, no key): title, abstract and AI summary text of
  every paper (generator/ranking/similarity.py), cosine similarity, top `count` per paper
  by chunked sparse products and argpartition.
- Cached embeddings (config `related.embeddings`): the vectors the generator stored
  under docs/data/embeddings/ (generator/ranking/embeddings.py), used only when EVERY paper
  has one for its current version and the configured model; otherwise TF-IDF, and
  the index's `note` (logged once by `related_for_archive`) says why.

Neighbours with no similarity at all (no shared word) are left out, so a paper may
have fewer than `count`; similarities are rounded to 3 decimals.

The site build runs the engine in a worker process (`BackgroundRelated`): spawned
before the archive is read, it imports NumPy, SciPy and scikit-learn (1.3 s of CPU)
while the build reads the records, computes while the build goes on, and hands back
an index of plain lists (cheap to pickle; the build's process never imports NumPy).
Importing this module is cheap: the engine's libraries load when it first runs.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import pickle
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.config import Config
from generator.errors import GeneratorError

if TYPE_CHECKING:
    import numpy as np

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
    """AI summary as plain text, Markdown, or a v1 summary kept as HTML ("" when there is none)."""


@dataclass(frozen=True)
class Neighbour:
    """A related paper and how similar it is (cosine, in [0, 1] for TF-IDF)."""

    arxiv_id: str
    similarity: float


@dataclass(frozen=True)
class RelatedIndex:
    """Every paper's related papers, and which engine found them.

    Stored as flat lists (`count` slots per paper, in `ids` order; slot -1 is empty), so
    the index of 50,000 papers crosses a process boundary in milliseconds; `of` makes
    one paper's `Neighbour`s when a page asks for them.
    """

    engine: str
    """`tfidf` or `embeddings`."""
    note: str
    """One line for the build log: the engine and, for TF-IDF with embeddings configured, why."""
    ids: tuple[str, ...] = ()
    """The papers, in the order of the slots."""
    count: int = 0
    """Slots per paper."""
    slots: tuple[int, ...] = ()
    """Positions in `ids` of each paper's related papers, most similar first (-1: none)."""
    similarities: tuple[float, ...] = ()
    """Their similarities, rounded to 3 decimals."""

    @functools.cached_property
    def _rows(self) -> dict[str, int]:
        return {arxiv_id: row for row, arxiv_id in enumerate(self.ids)}

    def of(self, arxiv_id: str) -> tuple[Neighbour, ...]:
        """The paper's related papers, most similar first (() for a paper the index does not hold)."""
        row = self._rows.get(arxiv_id)
        if row is None:
            return ()
        start = row * self.count
        return tuple(
            Neighbour(self.ids[slot], similarity)
            for slot, similarity in zip(self.slots[start : start + self.count], self.similarities[start : start + self.count])
            if slot >= 0
        )


def _summary_words(summary: str) -> str:
    """A summary's text for TF-IDF: Markdown as it is (its marks are not words), a v1 summary kept as HTML without its tags."""
    from generator.text.markdown import html_text, is_html_body, sanitize_html

    return html_text(sanitize_html(summary)) if is_html_body(summary) else summary


def compute_related(
    docs: Sequence[RelatedDoc], *, count: int = 5, vectors: np.ndarray | None = None, engine_note: str | None = None
) -> RelatedIndex:
    """Related papers of every doc: by `vectors` (one row per doc, e.g. embeddings) when given, else TF-IDF."""
    from generator.ranking.similarity import normalize_rows, paper_text, tfidf_vectors, top_k

    if vectors is not None:
        if len(vectors) != len(docs):
            raise ValueError(f"{len(vectors)} vectors for {len(docs)} papers")
        matrix = normalize_rows(vectors)
        engine = "embeddings"
    else:
        matrix = tfidf_vectors([paper_text(d.title, d.abstract, _summary_words(d.summary)) for d in docs])
        engine = "tfidf"
    indices, sims = top_k(matrix, count)
    sims = sims.astype("float64").round(3)  # float64: 0.255, not 0.2549999952316284
    indices[sims <= 0] = -1  # no shared word: not related
    note = engine_note or f"related papers: {engine} over {len(docs)} papers"
    return RelatedIndex(
        engine, note, tuple(d.arxiv_id for d in docs), indices.shape[1], tuple(indices.ravel().tolist()), tuple(sims.ravel().tolist())
    )


@dataclass(frozen=True)
class RelatedPlan:
    """Which engine finds the archive's related papers, decided before it runs (the About page says it)."""

    engine: str
    """`tfidf` or `embeddings`."""
    note: str
    """One line for the build log: the engine and, for TF-IDF with embeddings configured, why."""
    model: str | None = None
    """The embedding model (engine `embeddings`, or TF-IDF standing in for it), else None."""
    papers: int = 0
    """Papers compared."""
    reason: str | None = None
    """Why TF-IDF stands in for the configured embeddings (None otherwise)."""


def plan_related(keys: Sequence[tuple[str, int]], config: Config, docs_dir: Path) -> RelatedPlan:
    """The engine for these paper versions: embeddings when every one has a cached vector of the model, else TF-IDF.

    Reads only the cache's index files (the vectors load in `related_for_archive`).
    """
    settings = config.related.embeddings
    if settings is None:
        return RelatedPlan("tfidf", f"related papers: tfidf over {len(keys)} papers", None, len(keys))
    from generator.ranking.embeddings import EmbeddingCache

    shards = EmbeddingCache(docs_dir, settings.model).shards()
    cached = {key for shard in shards for key in shard.keys}
    missing = sum(1 for key in keys if key not in cached)
    dimensions = {shard.dimensions for shard in shards}
    if missing:
        why = f"{missing} of them have no cached embedding for {settings.model} (run `python -m generator embed` to fill the cache)"
    elif len(dimensions) > 1:
        why = (
            f"the cached embeddings of {settings.model} have different dimensions {sorted(dimensions)} "
            "(delete the cache and run `python -m generator embed`)"
        )
    else:
        return RelatedPlan(
            "embeddings", f"related papers: embeddings of {settings.model} over {len(keys)} papers", settings.model, len(keys)
        )
    return RelatedPlan("tfidf", f"related papers: TF-IDF over {len(keys)} papers, because {why}", settings.model, len(keys), why)


def related_for_archive(docs: Sequence[RelatedDoc], config: Config, docs_dir: Path, plan: RelatedPlan | None = None) -> RelatedIndex:
    """Related papers of the archive with the planned engine (`plan_related` when not given); logs which engine ran (one line)."""
    plan = plan or plan_related([(d.arxiv_id, d.version) for d in docs], config, docs_dir)
    vectors = None
    if plan.engine == "embeddings":
        from generator.ranking.embeddings import EmbeddingCache

        vectors, missing = EmbeddingCache(docs_dir, plan.model).vectors([(d.arxiv_id, d.version) for d in docs])
        if vectors is None:  # the cache changed since the plan
            raise GeneratorError(
                f"related papers: {missing} papers lost their cached embedding of {plan.model} during the build",
                fix="build again once `python -m generator embed` or the nightly run is done",
            )
    index = compute_related(docs, count=config.related.count, vectors=vectors, engine_note=plan.note)
    log.info("%s", index.note)
    return index


# -- in a worker process, during the site build ---------------------------------------


@dataclass(frozen=True)
class WorkerResult:
    """What the worker hands back: the index, or the one-line error that stopped it, and what it cost."""

    index: RelatedIndex | None
    error: str | None
    seconds: float
    """Wall time of the computation in the worker."""
    cpu_seconds: float
    """CPU time of the worker process, its imports included."""
    peak_mb: float
    """Peak resident memory of the worker process."""


def _warm_up() -> None:
    """Load the engine's libraries (the worker's first task, while the archive is read)."""
    import sklearn.feature_extraction.text  # noqa: F401

    import generator.ranking.embeddings  # noqa: F401
    import generator.ranking.similarity  # noqa: F401


def _compute(rows: list[tuple[str, int, str, str, str]], config: Config, docs_dir: str, plan: RelatedPlan) -> WorkerResult:
    started = time.perf_counter()
    try:
        index, error = related_for_archive([RelatedDoc(*row) for row in rows], config, Path(docs_dir), plan), None
    except GeneratorError as err:  # its subclasses do not all survive pickling: send the line
        index, error = None, str(err)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return WorkerResult(index, error, time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def serve() -> None:
    """The worker process: load the libraries, read one pickled job on stdin, write the pickled result on stdout."""
    _warm_up()
    job = pickle.load(sys.stdin.buffer)
    pickle.dump(_compute(*job), sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.flush()


class BackgroundRelated:
    """`related_for_archive` in a worker process, overlapping the rest of the build.

    A new interpreter (`python -c "...serve()"`), not a fork: the build runs threads
    (Pagefind's pipe readers) whose locks a fork would copy, and not multiprocessing's
    spawn either, which would import the build's own main module again. The worker
    starts loading its libraries at once; `start` hands it the papers (plain tuples,
    pickled, written to its stdin by a thread while the build goes on), `result`
    reads its answer, `close` ends it (at once on a failed build). Its errors go to the
    build's stderr.
    """

    def __init__(self) -> None:
        package_root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([package_root, *filter(None, [os.environ.get("PYTHONPATH")])])}
        self._process = subprocess.Popen(
            [sys.executable, "-c", "from generator.website.related import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self._writer: threading.Thread | None = None

    def start(self, docs: Sequence[RelatedDoc], config: Config, docs_dir: Path, plan: RelatedPlan) -> None:
        rows = [(d.arxiv_id, d.version, d.title, d.abstract, d.summary) for d in docs]
        payload = pickle.dumps((rows, config, str(docs_dir), plan), protocol=pickle.HIGHEST_PROTOCOL)
        self._writer = threading.Thread(target=self._write, args=(payload,), name="related-papers-input", daemon=True)
        self._writer.start()

    def _write(self, payload: bytes) -> None:
        try:
            self._process.stdin.write(payload)
            self._process.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # the worker died: result() says so

    def result(self) -> WorkerResult:
        """The worker's answer (waits for it); GeneratorError when it failed."""
        assert self._writer is not None, "start() first"
        try:
            answer = self._process.stdout.read()
            code = self._process.wait()
        finally:
            self.close()
        if code != 0 or not answer:
            raise GeneratorError(
                f"related papers: the worker process ended without an answer (exit code {code}; its error is above)",
                fix="rerun the build; if it fails again, check free memory",
            )
        result = pickle.loads(answer)
        if result.error is not None:
            raise GeneratorError(result.error)
        return result

    def close(self) -> None:
        """End the worker (at once if it is still working: the build failed or has no papers)."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        for pipe in (self._process.stdin, self._process.stdout):
            with contextlib.suppress(OSError):
                pipe.close()
        if self._writer is not None:
            self._writer.join()
