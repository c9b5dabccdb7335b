"""The caches a night keeps beside its pages, in docs/data/: the interest papers, the embeddings, the vocabulary.

- The interest papers (config `interests`, generator.ranking.interests) are loaded once per
  run, from the cache or with one API request when the configured list changed; a new list
  is staged with the night's pages, so a failed night changes nothing.
- The embeddings (config `related.embeddings`, generator.ranking.embeddings) of the paper
  versions the night wrote are made after its commit: they are a cache of committed pages,
  so a failure costs only the cache (`python -m generator embed` fills it), never the night.
- The related papers' vocabulary (generator.ranking.vocabulary) is fitted again after the
  commit when the archive has doubled, on its oldest papers; a failure is a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from generator.archive.models import InterestPaper, Paper
from generator.archive.store import Archive
from generator.arxiv.api import ApiClient
from generator.config import Config
from generator.errors import ArchiveError
from generator.night.progress import Progress
from generator.night.report import RunReport
from generator.ranking.interests import InterestCache, cache_file, dump_cache, load_interests

log = logging.getLogger(__name__)


@dataclass
class InterestPapers:
    """The reader's interest papers for one run."""

    config: Config
    archive: Archive
    client: ApiClient
    progress: Progress
    report: RunReport
    papers: tuple[InterestPaper, ...] | None = None
    """Loaded on first use (None until then)."""
    new_cache: InterestCache | None = None
    """Interest papers fetched this run, stored with the run's commit."""

    def __call__(self) -> tuple[InterestPaper, ...]:
        """The interest papers (cache, or one API request when the configured list changed)."""
        if self.papers is None:
            self.papers = ()
            if self.config.interests.configured:
                with self.progress.task("Reading the interest papers"):
                    self.papers, self.new_cache = load_interests(self.config, self.archive.docs, self.client, self.report.warn)
        return self.papers

    def stage(self) -> None:
        """Stage the interest papers fetched this run: they are committed with the night (a failed night changes nothing)."""
        if self.new_cache is not None:
            relpath = PurePosixPath(cache_file(self.archive.docs).relative_to(self.archive.docs).as_posix())
            self.archive.stage({relpath: dump_cache(self.new_cache)})
            self.new_cache = None


def embed_written(config: Config, archive: Archive, progress: Progress, report: RunReport, written: Iterable[Paper]) -> None:
    """Embed the paper versions this run wrote that the embedding cache lacks (related.embeddings), after the commit."""
    settings = config.related.embeddings
    written = list(written)
    if settings is None or not written:
        return
    from generator.ranking.embeddings import EmbedText, embed_missing  # NumPy loads only for archives that configure embeddings

    papers = [EmbedText(p.arxiv_id, p.announcement.version, p.announcement.title, p.announcement.abstract) for p in written]
    with progress.task(f"Embedding up to {len(papers)} papers"):
        result = embed_missing(papers, settings, archive.docs, warn=report.warn)
    if result.requests:
        report.extra["embedding requests"] = result.requests
        report.extra["papers embedded"] = result.embedded


def refresh_vocabulary_after(archive: Archive, report: RunReport) -> None:
    """After the commit: fit the related papers' vocabulary again when the archive has doubled (generator.ranking.vocabulary).

    The vocabulary is fitted on committed pages, so it waits for the commit; a failure costs a warning (the pages are
    in, the site fits a vocabulary of its own, and the next night tries again).
    """
    from generator.ranking.vocabulary import refresh_vocabulary  # the tokenizer loads only when a night wrote pages

    try:
        vocabulary = refresh_vocabulary(archive.docs)
    except ArchiveError as err:
        report.warn(f"related papers' vocabulary not refitted: {err.message} ({err.fix})")
        return
    if vocabulary is not None:
        log.info("Related papers' vocabulary fitted on the archive's %d oldest papers (%d terms)", vocabulary.papers, len(vocabulary.terms))
