"""Related papers: for every archived paper, the archived papers most similar in content.

Computed at build time over the whole archive, with no MkDocs import. Two engines, same output:

- TF-IDF (the default: no network, no key): the words of each paper's title, abstract and AI
  summary (generator/ranking/similarity.py), weighed by a vocabulary fitted on the archive's
  oldest papers (`similarity.basis_size`: all of a small archive, else the largest power of two
  not above its size), each paper cut to its heaviest words; cosine similarity.
- Cached embeddings (config `related.embeddings`): the vectors the generator stored under
  docs/data/embeddings/ (generator/ranking/embeddings.py), used only when EVERY paper has one
  for its current version and the configured model; otherwise TF-IDF, and the index's `note`
  says why.

**Related papers that stay put.** A paper's vector depends only on its own text and the
vocabulary, and the vocabulary changes only when the archive doubles, so the similarity of two
archived papers does not change from one night to the next. A night therefore only adds: the
new papers' lists are computed, and an old paper's list changes only when a new (or changed)
paper enters its top `count` (`update_related`). The lists, the vectors and the vocabulary are
kept between builds in the build cache (`RelatedState`), and a build from scratch computes the
same lists: equal similarities are ordered by arXiv id, and a sparse dot product sums its
terms in the same order whichever side it is computed from.

Neighbours with no similarity at all (no shared word) are left out, so a paper may have fewer
than `count`; similarities are shown rounded to 3 decimals.

The site build runs the engine in a worker process (`BackgroundRelated`): spawned before the
archive is read, it imports NumPy, SciPy and scikit-learn while the build reads the records,
reads the records whose text it does not know yet from docs/ itself (streamed), computes while
the build goes on, and hands back an index of plain lists (cheap to pickle; the build's process
never imports NumPy). Importing this module is cheap: the engine's libraries load when it first
runs.
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
    """Related papers of every doc, from scratch: by `vectors` (one row per doc, e.g. embeddings) when given, else TF-IDF."""
    from generator.ranking.nearest import PaperKey, update_nearest
    from generator.ranking.similarity import normalize_rows

    texts = {d.arxiv_id: paper_words(d) for d in docs}
    keys = [PaperKey(d.arxiv_id, d.version, d.arxiv_id, "") for d in docs]
    dense = None
    if vectors is not None:
        if len(vectors) != len(docs):
            raise ValueError(f"{len(vectors)} vectors for {len(docs)} papers")
        dense = dict(zip((d.arxiv_id for d in docs), normalize_rows(vectors)))
    engine = "embeddings" if vectors is not None else "tfidf"
    state, _ = update_nearest(keys, lambda key: texts[key.arxiv_id], count=count, engine=engine, dense=dense)
    return index_of(state, engine_note or f"related papers: {engine} over {len(docs)} papers")


def index_of(state, note: str) -> RelatedIndex:
    """The index a build's pages read, from the engine's state (generator.ranking.nearest.NearestState)."""
    slots, sims = state.shown_arrays()
    return RelatedIndex(
        state.engine.split(":")[0], note, tuple(state.ids), slots.shape[1], tuple(slots.ravel().tolist()), tuple(sims.ravel().tolist())
    )


def paper_words(doc: RelatedDoc) -> list[str]:
    """The words a paper is compared by (generator/ranking/similarity.py: title twice, abstract, summary)."""
    from generator.ranking.similarity import paper_text, words

    return words(paper_text(doc.title, doc.abstract, _summary_words(doc.summary)))


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
    """Related papers of these papers, from scratch, with the planned engine (`plan_related` when not given); logs which engine ran."""
    plan = plan or plan_related([(d.arxiv_id, d.version) for d in docs], config, docs_dir)
    vectors = None
    if plan.engine == "embeddings":
        vectors = _embeddings(docs_dir, plan, [(d.arxiv_id, d.version) for d in docs])
    index = compute_related(docs, count=config.related.count, vectors=vectors, engine_note=plan.note)
    log.info("%s", index.note)
    return index


def _embeddings(docs_dir: Path, plan: RelatedPlan, keys: list[tuple[str, int]]):
    from generator.ranking.embeddings import EmbeddingCache

    vectors, missing = EmbeddingCache(docs_dir, plan.model).vectors(keys)
    if vectors is None:  # the cache changed since the plan
        raise GeneratorError(
            f"related papers: {missing} papers lost their cached embedding of {plan.model} during the build",
            fix="build again once `python -m generator embed` or the nightly run is done",
        )
    return vectors


@dataclass(frozen=True)
class RelatedSource:
    """One archived paper as the build hands it to the engine: enough to tell whether it changed, and where to read it."""

    arxiv_id: str
    version: int
    record: str
    """The record's content hash."""
    announced: str
    """ISO date of its first announcement."""


def update_related(
    sources: Sequence[RelatedSource], config: Config, docs_dir: Path, plan: RelatedPlan, previous: Path | None, save: Path | None
) -> tuple[RelatedIndex, frozenset[str]]:
    """Every paper's related papers, from the state saved at `previous` where it still holds (generator.ranking.nearest):
    (the index, the ids whose shown list changed). The new state is saved at `save`. The words of a paper whose record
    changed are read from docs/ here, one record at a time; the archive's vocabulary (docs/data/vocabulary.json,
    generator.ranking.vocabulary) is used when it has one."""
    from generator.archive import paths, records
    from generator.ranking.nearest import NearestState, PaperKey, update_nearest
    from generator.ranking.vocabulary import read_vocabulary

    keys = [PaperKey(s.arxiv_id, s.version, s.record, s.announced) for s in sources]

    def read_words(key: PaperKey) -> list[str]:
        path = paths.paper_path(key.arxiv_id)
        paper = records.read_paper((docs_dir / path).read_text(encoding="utf-8"), f"docs/{path}")
        ann = paper.announcement
        return paper_words(RelatedDoc(ann.arxiv_id, ann.version, ann.title, ann.abstract, paper.summary.markdown if paper.summary else ""))

    engine, dense, vocabulary = "tfidf", None, None
    if plan.engine == "embeddings":
        engine = f"embeddings:{plan.model}"
        vectors = _embeddings(docs_dir, plan, [(s.arxiv_id, s.version) for s in sources])
        dense = {s.arxiv_id: row for s, row in zip(sources, vectors)}
    else:
        vocabulary = read_vocabulary(docs_dir)
    state = NearestState.load(previous) if previous is not None else None
    state, changed = update_nearest(
        keys, read_words, count=config.related.count, engine=engine, previous=state, dense=dense, vocabulary=vocabulary
    )
    if save is not None:
        state.save(save)
    return index_of(state, plan.note), frozenset(changed)


# -- in a worker process, during the site build ---------------------------------------


@dataclass(frozen=True)
class WorkerResult:
    """What the worker hands back: the index and the ids whose list changed, or the one-line error that stopped it, and what it cost."""

    index: RelatedIndex | None
    changed: frozenset[str]
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
    import generator.ranking.nearest  # noqa: F401
    import generator.ranking.similarity  # noqa: F401


def _compute(
    rows: list[tuple[str, int, str, str]], config: Config, docs_dir: str, plan: RelatedPlan, previous: str | None, save: str | None
) -> WorkerResult:
    started = time.perf_counter()
    try:
        sources = [RelatedSource(*row) for row in rows]
        index, changed = update_related(
            sources, config, Path(docs_dir), plan, Path(previous) if previous else None, Path(save) if save else None
        )
        error = None
    except GeneratorError as err:  # its subclasses do not all survive pickling: send the line
        index, changed, error = None, frozenset(), str(err)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return WorkerResult(index, changed, error, time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


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

    def start(self, sources: Sequence[RelatedSource], config: Config, docs_dir: Path, plan: RelatedPlan,
              previous: Path | None = None, save: Path | None = None) -> None:  # fmt: skip
        """Hand the worker the archive's papers (it reads the text of those it does not know from docs_dir itself)."""
        rows = [(s.arxiv_id, s.version, s.record, s.announced) for s in sources]
        job = (rows, config, str(docs_dir), plan, str(previous) if previous else None, str(save) if save else None)
        payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
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
