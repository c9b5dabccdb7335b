"""One build of the site, phase by phase; the plugin's events (generator/website/plugin.py) call these phases.

1. `prepare` (MkDocs' on_pre_build): open the build cache (generator/website/buildcache.py). A warm build
   sets the folders it writes itself aside, so MkDocs' emptying of the site folder costs nothing; a cold
   build forgets what an earlier one left but the search index's bundles (each segment is checked by its
   fingerprint).
2. `gather` (on_files): read the records. Each record file's content hash tells whether it changed since the
   last build; an unchanged paper comes from the cache as lists show it (`ListedPaper`), a changed one is
   parsed (and its whole record kept for this build's pages). Its search document goes to the spool of search
   documents by year (outputs/documents.py: a year none of whose papers changed keeps the last build's file).
   The related-papers worker starts on the papers (it reads the text of those it does not know itself); the
   search segments are planned from every paper's id, announcement day and document fingerprint, and those
   whose fingerprint changed are rebuilt from their year's documents, one Pagefind process each (outputs/search.py).
   Then the context (topics, days), the nav pages MkDocs renders, the feeds, the sitemap and the theme's
   fingerprinted scripts.
3. `write` (on_post_build): bring the kept folders back, write every page outside the nav whose fingerprint
   (what it shows: its record, the records it lists, its related papers) changed or whose file is missing,
   paper pages last (they wait for the related papers), remove the pages that are gone, wait for the search
   index, save the build's state and make it the current one.

A paper's whole record is read from docs/ only when a page shows it (its own page, its day's entries, a
feed item, a search document): no phase holds every paper's record, page or search document at once.
"""

from __future__ import annotations

import datetime as dt
import gc
import gzip
import hashlib
import json
import logging
import os
import pickle
import shutil
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.archive import paths
from generator.archive.runs import freshness_meta
from generator.archive.store import Archive
from generator.errors import ArchiveError
from generator.website import buildcache
from generator.website.buildcache import BuildCache, RecordFile, State
from generator.website.catalog import Catalog, DayEntry, PaperEntry, day_entry, paper_entry
from generator.website.context import Context, TopicPage, build_context, topic_pages
from generator.website.listed import ListedPaper
from generator.website.outputs.documents import FOLDER as SPOOL
from generator.website.outputs.documents import DocumentSpool
from generator.website.outputs.documents import documents as spooled_documents
from generator.website.outputs.feeds import derived_feeds
from generator.website.outputs.search import SEGMENT_PAPERS, SegmentedIndex, SegmentReport, plan_segments
from generator.website.outputs.sitemap import sitemap_documents
from generator.website.related import BackgroundRelated, RelatedIndex, RelatedPlan, RelatedSource, plan_related
from generator.website.render import Renderer, SitePage
from generator.website.sitesize import report_size

log = logging.getLogger("mkdocs.plugins.archive")

FRESHNESS_VALUES = "assets/javascripts/freshness-values.js"
"""The staleness banner's values (issue 13), written at each build; the banner's code is freshness.js."""


def _page_fingerprint(*parts: object) -> str:
    return hashlib.sha1(json.dumps(parts, separators=(",", ":"), default=str).encode("utf-8")).hexdigest()[:16]


@dataclass
class Timings:
    """Phase -> seconds, for the closing log lines."""

    values: dict[str, float] = field(default_factory=dict)

    def lap(self, phase: str, since: float) -> float:
        now = time.monotonic()
        self.values[phase] = self.values.get(phase, 0.0) + now - since
        return now

    def __getitem__(self, phase: str) -> float:
        return self.values.get(phase, 0.0)


class SiteBuild:
    """Everything one build shares between events (a new one per build: `mkdocs serve` rebuilds)."""

    def __init__(self, *, docs: Path, site_dir: Path, site, archive_config, renderer: Renderer, url: Callable[[PurePosixPath], str],
                 cache: BuildCache | None, related: bool, search: bool, segment_papers: int = SEGMENT_PAPERS):  # fmt: skip
        self.docs = Path(docs)
        self.site_dir = Path(site_dir)
        self.site = site
        self.archive_config = archive_config
        self.renderer = renderer
        self.url = url
        self.cache = cache
        self.with_related = related
        self.with_search = search
        self.segment_papers = segment_papers
        self.previous: State | None = None
        self.timings = Timings()
        self.catalog: Catalog | None = None
        self.ctx: Context | None = None
        self.files: dict[PurePosixPath, RecordFile] = {}
        self.changed: dict[str, PaperEntry] = {}
        """Whole records read this build (the changed papers of a warm build), by id."""
        self.day_shas: dict[PurePosixPath, str] = {}
        self.changed_days: set[PurePosixPath] = set()
        """Day records read this build (in a warm build: new or changed)."""
        self.removed_papers: set[str] = set()
        """Papers the last build had and this one has not (a warm build then fingerprints every page)."""
        self.related_worker: BackgroundRelated | None = None
        self.related_plan: RelatedPlan | None = None
        self.related_changed: frozenset[str] | None = None
        self.indexer: SegmentedIndex | None = None
        self.spool: DocumentSpool | None = None
        self.parsed = _ParsedRecords()
        self.documents: dict[str, str] = {}
        """Every paper's search document's fingerprint, by arXiv id: what the search segments are planned from."""
        self._scratch: Path | None = None
        """A temporary folder for the search documents of a build without a cache."""
        self.counts = {"read": 0, "hashed": 0, "written": 0, "kept": 0, "removed": 0}

    # -- 1. before MkDocs empties the site folder ----------------------------------------------------

    def prepare(self) -> None:
        self.previous = self.cache.load() if self.cache is not None else None
        gc.freeze()  # the last build's state lives as long as this build: the cycle collector need not walk it again
        if self.previous is None:
            # Cold: nothing an earlier build left is trusted but the search bundles, each segment's fingerprint
            # saying whether it is current (outputs/search.py); a killed build may have left them set aside.
            buildcache.bring_back(self.site_dir, names=(buildcache.SEARCH_FOLDER,))
            buildcache.forget_site(self.site_dir)
            if self.with_search:
                buildcache.set_aside(self.site_dir, names=(buildcache.SEARCH_FOLDER,))
        else:
            (self.site_dir / buildcache.MARKER).unlink(missing_ok=True)  # a killed build leaves no valid marker: the next one is cold
            buildcache.set_aside(self.site_dir)
        if self.cache is not None:
            self.cache.start()

    @property
    def warm(self) -> bool:
        return self.previous is not None

    # -- 2. the records ------------------------------------------------------------------------------

    def read(self) -> None:
        """Scan docs/, parse what changed, and start the related papers' and the search index's work."""
        start = time.monotonic()
        # MkDocs has emptied the site folder: the search bundles go back at once, the segments being planned from them.
        buildcache.bring_back(self.site_dir, names=(buildcache.SEARCH_FOLDER,))
        if self.with_related and (self.docs / "papers").is_dir():
            self.related_worker = BackgroundRelated()  # loads its libraries while the records are read
        previous = self.previous
        if self.with_search:
            counts: dict[int, int] = {}
            if previous is not None:
                for paper in previous.papers.values():
                    if paper.arxiv_id in previous.documents:
                        counts[paper.announced.year] = counts.get(paper.announced.year, 0) + 1
            if self.cache is not None:
                folder = self.cache.next / SPOOL
            else:  # no build cache: the documents live as long as this build
                self._scratch = Path(tempfile.mkdtemp(prefix="archive-search-"))
                folder = self._scratch / SPOOL
            self.spool = DocumentSpool(folder, self.cache.spool if previous is not None else None, counts)
        spool = self.spool
        known = previous.files if previous is not None else {}
        old_documents = previous.documents if previous is not None else {}
        listed: dict[str, ListedPaper] = {}
        days: list[DayEntry] = []
        renderer = self.renderer
        documents = self.documents

        def on_paper(rel: PurePosixPath, sha: str, data: bytes | None) -> None:
            if data is None:  # unchanged: as the last build listed it
                paper = previous.papers[rel]
                listed[paper.arxiv_id] = paper
                if spool is None:
                    return
                year = paper.announced.year
                document = old_documents.get(paper.arxiv_id)
                if document is not None and spool.can_keep(year):
                    spool.keep(year, paper.arxiv_id)
                    documents[paper.arxiv_id] = document
                    return
                entry = self.entry(paper)
            else:
                entry = paper_entry(_text(data, rel), rel)
                paper = ListedPaper.of(entry.record, sha, rel)
                listed[paper.arxiv_id] = paper
                if previous is not None:
                    self.changed[paper.arxiv_id] = entry
                else:  # a cold build: every record; its day page and its own page read it back from disk
                    self.parsed.add(entry)
                self.counts["read"] += 1
            if spool is not None:
                url = "/" + self.url(rel)
                documents[paper.arxiv_id] = spool.add(paper.announced.year, paper.arxiv_id, sha, url, renderer.search_document(entry))

        def on_day(rel: PurePosixPath, sha: str, data: bytes | None) -> None:
            self.day_shas[rel] = sha
            if data is not None:
                self.changed_days.add(rel)
            record = previous.days[rel] if data is None else day_entry(_text(data, rel), rel).record
            days.append(DayEntry(record, rel))

        try:
            self.files = self._scan(known, on_paper, on_day)
        finally:
            if spool is not None:
                spool.close()
        days.sort(key=lambda d: d.date)
        if previous is not None:
            self.removed_papers = {p.arxiv_id for p in previous.papers.values()} - set(listed)
        self.catalog = Catalog(listed, tuple(days), self.entry)
        if spool is not None:
            documents.update(spool.finish(self._render_document))
        gc.freeze()  # the catalog lives as long as the build: the cycle collector need not walk it again
        self.timings.lap("read", start)
        self._start_related()
        self._start_search()

    def _render_document(self, arxiv_id: str) -> tuple[str, str, str]:
        """A paper's search document rendered again (the last build's spool lacked it): record hash, URL, HTML."""
        paper = self.catalog.papers[arxiv_id]
        return paper.record, "/" + self.url(paper.path), self.renderer.search_document(self.entry(paper))

    def _scan(self, known, on_paper, on_day) -> dict[PurePosixPath, RecordFile]:
        files: dict[PurePosixPath, RecordFile] = {}
        previous = self.previous
        for kind, handle in (("paper", on_paper), ("day", on_day)):
            for page in Archive(self.docs).pages(kind):
                path, rel = page.path, page.relpath
                status = path.stat()
                before = known.get(rel)
                cached = (previous.papers if kind == "paper" else previous.days) if previous is not None else {}
                if before is not None and before.size == status.st_size and before.mtime_ns == status.st_mtime_ns and rel in cached:
                    files[rel] = before
                    handle(rel, before.sha, None)
                    continue
                try:
                    data = path.read_bytes()
                except OSError as exc:
                    raise ArchiveError(f"{path}: cannot be read ({exc})", fix=f"restore the page with `git checkout -- {path}`") from None
                self.counts["hashed"] += 1
                sha = buildcache.content_hash(data)
                files[rel] = RecordFile(status.st_size, status.st_mtime_ns, sha)
                handle(rel, sha, None if (before is not None and before.sha == sha and rel in cached) else data)
        return files

    def entry(self, paper: ListedPaper | PaperEntry) -> PaperEntry:
        """A paper's whole record: read this build, or read now from docs/ (not kept: pages are written one at a time)."""
        if isinstance(paper, PaperEntry):
            return paper
        found = self.changed.get(paper.arxiv_id) or self.parsed.get(paper.arxiv_id)
        if found is not None:
            return found
        path = self.docs.joinpath(*paper.path.parts)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ArchiveError(f"{path}: cannot be read ({exc})", fix=f"restore the page with `git checkout -- {path}`") from None
        return paper_entry(_text(data, paper.path), paper.path)

    def _start_related(self) -> None:
        start = time.monotonic()
        papers = list(self.catalog.papers.values())
        if not self.with_related:
            return
        self.related_plan = plan_related([(p.arxiv_id, p.version) for p in papers], self.archive_config, self.docs)
        worker = self.related_worker
        if worker is None:
            return
        if not papers:
            worker.close()
            self.related_worker = None
            return
        sources = [RelatedSource(p.arxiv_id, p.version, p.record, p.announced.isoformat()) for p in papers]
        previous = self.previous.nearest if self.previous is not None else None
        save = self.cache.next / "nearest.npz" if self.cache is not None else None
        worker.start(sources, self.archive_config, self.docs, self.related_plan, previous, save)
        self.timings.lap("related papers handed over", start)

    def _start_search(self) -> None:
        """Plan the search segments and start rebuilding those whose fingerprint changed (outputs/search.py), each
        from its year's documents (outputs/documents.py): Pagefind runs on the other core while the pages are written."""
        if self.spool is None:
            return
        papers = self.catalog.papers
        plans = plan_segments(((i, papers[i].announced, d) for i, d in self.documents.items() if i in papers), cap=self.segment_papers)
        folder = self.spool.folder
        self.indexer = SegmentedIndex(self.site_dir)
        self.indexer.start(plans, lambda plan: spooled_documents(folder, plan))

    # -- 2b. what MkDocs renders, and the generated files --------------------------------------------

    def context(self) -> Context:
        self.ctx = self.renderer.ctx = build_context(self.catalog, self.site)
        return self.ctx

    def generated(self, runs) -> dict[str, str | bytes]:
        """The feeds, the sitemap and the staleness banner's values (MkDocs writes them with the theme's files)."""
        start = time.monotonic()
        out: dict[str, str | bytes] = {FRESHNESS_VALUES: freshness_values(runs)}
        out.update((str(p), body) for p, body in derived_feeds(self.ctx, self.renderer.feed_item).items())
        start = self.timings.lap("feeds", start)
        return out

    def sitemap(self, nav_pages: list[SitePage]) -> dict[str, bytes]:
        entries = [(self.url(page.path), page.lastmod) for page in nav_pages]
        entries += [(self.url(path), lastmod) for path, _, lastmod, _ in self.renderer.shell_plan()]
        out = {}
        for name, body in sitemap_documents(self.site.url, entries).items():
            out[name] = body
            if name == "sitemap.xml":
                out["sitemap.xml.gz"] = gzip.compress(body, mtime=0)
        return out

    # -- 3. the pages outside the nav --------------------------------------------------------------

    def write(self, fill: Callable[[SitePage], str]) -> None:
        start = time.monotonic()
        if self.warm:
            buildcache.bring_back(self.site_dir)
        renderer = self.renderer
        old_pages = self.previous.pages if self.previous is not None else {}
        pages: dict[str, str] = {}
        site = os.fspath(self.site_dir) + os.sep
        related_done = not self.with_related or self.related_worker is None
        for path, kind, _, item in sorted(renderer.shell_plan(), key=lambda planned: planned[1] == "paper"):
            if kind == "paper" and not related_done:
                start = self.timings.lap("pages outside the nav", start)
                renderer.related = self._related_index()
                related_done = True
                start = self.timings.lap("waiting for the related papers", start)
            url = self.url(path)
            target = site + (url + "index.html" if url.endswith("/") or not url else url)  # a string: 200,000 Paths cost seconds
            old_fp = old_pages.get(url)
            if old_fp is not None and self._unchanged(kind, item) and os.path.isfile(target):
                pages[url] = old_fp  # nothing it shows changed: not even its fingerprint is computed
                self.counts["kept"] += 1
                continue
            page_fp = self._fingerprint(kind, item)
            pages[url] = page_fp
            if old_fp == page_fp and os.path.isfile(target):
                self.counts["kept"] += 1
                continue
            page = renderer.render(kind, self.entry(item) if kind == "paper" else item)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as out:
                out.write(fill(page).encode("utf-8"))
            if kind == "paper":
                renderer.forget_summary(item)
            self.counts["written"] += 1
        for url in set(old_pages) - set(pages):
            target = self.site_dir / (url + "index.html" if url.endswith("/") or not url else url)
            target.unlink(missing_ok=True)
            self.counts["removed"] += 1
            _remove_empty_parents(target.parent, self.site_dir)
        start = self.timings.lap("pages outside the nav", start)
        indexed = self._finish_search()
        self.timings.lap("waiting for the search index", start)
        if self.cache is not None:
            papers_by_path = {p.path: p for p in self.catalog.papers.values()}
            days_by_path = {d.path: d.record for d in self.catalog.days}
            self.cache.save(self.files, papers_by_path, days_by_path, pages, self.documents)
            self.cache.commit()
        self._drop_scratch()
        self._log(indexed)
        report_size(self.site_dir, len(self.catalog.papers))

    def _unchanged(self, kind: str, item) -> bool:
        """True when nothing a paper or day page shows can have changed since the last build: its record, its related
        papers and the records they show, the interest paper it names, a day's listed papers. Its fingerprint is then
        the last build's (computing every page's would cost a warm night at 200,000 papers a minute)."""
        if not self.warm or self.removed_papers:
            return False
        changed = self.changed
        if kind == "paper":
            if item.arxiv_id in changed or item.arxiv_id in (self.related_changed or ()):
                return False
            related = self.renderer.related
            if related is not None and any(n.arxiv_id in changed for n in related.of(item.arxiv_id)):
                return False
            nearest = item.interest.nearest if item.interest is not None else None
            return nearest is None or nearest not in changed
        if kind == "day":
            return item.path not in self.changed_days and not any(i in changed for i in (*item.papers, *item.updated))
        return False

    def _fingerprint(self, kind: str, item) -> str:
        """What a page outside the nav shows, as a hash: a page whose fingerprint is the last build's is not written again."""
        papers = self.catalog.papers
        if kind == "paper":
            related = self.renderer.related_papers(item) or ()
            interest = item.interest
            near = None
            if interest is not None:
                near = (interest.nearest, papers[interest.nearest].record if interest.nearest in papers else None)
            return _page_fingerprint(kind, item.record, [(p.arxiv_id, p.record, round(sim, 3)) for p, sim in related], near)
        if kind == "day":
            listed = [papers[i].record for i in item.papers if i in papers] + [papers[i].record for i in item.updated if i in papers]
            return _page_fingerprint(kind, self.day_shas.get(item.path), listed)
        page: TopicPage = item
        if page.chunk is not None:  # one month of a topic (topic-month.html): its papers and its neighbours, no totals
            newer, older = page.neighbours()
            return _page_fingerprint(
                kind, page.path.as_posix(), page.title, page.topic.index.as_posix(), [p.record for p in page.papers],
                [(str(n[0]), n[1].label) if n else None for n in (newer, older)],
            )  # fmt: skip
        return _page_fingerprint(
            kind, page.path.as_posix(), page.title, [p.record for p in page.papers],
            [(c.label, len(c.papers)) for _, c in page.chunks], len(page.topic.papers), page.topic.primary_count,
        )  # fmt: skip

    def _related_index(self) -> RelatedIndex:
        worker, self.related_worker = self.related_worker, None
        result = worker.result()
        log.info("archive: %s", result.index.note)
        self.related_changed = result.changed
        self.timings.values.update(
            {"related worker": result.seconds, "related worker CPU": result.cpu_seconds, "related worker MB": result.peak_mb}
        )
        return result.index

    def _finish_search(self) -> SegmentReport | None:
        if self.indexer is None:
            return None
        indexer, self.indexer = self.indexer, None
        return indexer.finish()

    def close(self) -> None:
        """The build failed: stop the workers, drop this build's state (the last good one stays)."""
        self._drop_scratch()
        if self.spool is not None:
            self.spool.close()
        if self.indexer is not None:
            self.indexer.close()
            self.indexer = None
        if self.related_worker is not None:
            self.related_worker.close()
            self.related_worker = None
        if self.cache is not None:
            self.cache.abandon()
            buildcache.forget_site(self.site_dir)

    def _drop_scratch(self) -> None:
        """What lives only as long as the build: parsed records, a cacheless build's documents, the frozen objects."""
        self.parsed.close()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
        gc.unfreeze()

    def _log(self, search: SegmentReport | None) -> None:
        t, c = self.timings, self.counts
        log.info(
            "archive: %s build: %d papers and %d days (%d records read, %d hashed) in %.1f s; pages outside the nav: %d written, "
            "%d unchanged, %d removed (%.1f s); feeds %.1f s; search index of %d papers done %.1f s after the pages",
            "warm" if self.warm else "cold", len(self.catalog.papers), len(self.catalog.days), c["read"], c["hashed"], t["read"],
            c["written"], c["kept"], c["removed"], t["pages outside the nav"], t["feeds"], search.papers if search else 0,
            t["waiting for the search index"],
        )  # fmt: skip
        if search is not None:
            log.info("archive: %s", search.summary())
        if "related worker" in t.values:
            log.info(
                "archive: related papers (%s) computed in %.1f s by a worker process (CPU %.1f s, peak %.0f MB), %d lists changed; "
                "the build spent %.2f s handing the papers over and %.2f s waiting for them",
                self.renderer.related.engine, t["related worker"], t["related worker CPU"], t["related worker MB"],
                len(self.related_changed or ()), t["related papers handed over"], t["waiting for the related papers"],
            )  # fmt: skip


def freshness_values(runs) -> str:
    """assets/javascripts/freshness-values.js: the values the staleness banner (freshness.js) reads.

    Data, not code: the last successful night and the build time, which change every night, so they
    are kept out of the fingerprinted scripts and out of the pages (a page changes only when what it
    shows changes). The build time is $SOURCE_DATE_EPOCH when set (reproducible builds), else now.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    built = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch.isdigit() else dt.datetime.now(dt.UTC)
    values = json.dumps(freshness_meta(list(runs), built), sort_keys=True)
    origin = "/* Written by the archive plugin (generator/website/build.py) at each build; freshness.js reads it. */"
    return f"{origin}\nwindow.archiveFreshnessValues = {values};\n"


class _ParsedRecords:
    """The records a cold build parsed, kept on disk rather than in memory (pickled and compressed, in a temporary
    file): each paper is parsed once, and its day page and its own page read it back (the YAML of a record costs
    about 0.6 ms to read, this about a tenth of that), while memory stays flat at 200,000 papers."""

    def __init__(self):
        self.file = None
        self.at: dict[str, tuple[int, int]] = {}

    def add(self, entry: PaperEntry) -> None:
        if self.file is None:
            self.file = tempfile.TemporaryFile()  # noqa: SIM115 (open for the whole build; close() closes it)
        data = zlib.compress(pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL), 1)
        self.file.seek(0, os.SEEK_END)
        self.at[entry.arxiv_id] = (self.file.tell(), len(data))
        self.file.write(data)

    def get(self, arxiv_id: str) -> PaperEntry | None:
        found = self.at.get(arxiv_id)
        if found is None or self.file is None:
            return None
        self.file.seek(found[0])
        return pickle.loads(zlib.decompress(self.file.read(found[1])))

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
        self.at = {}


def _text(data: bytes, rel: PurePosixPath) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArchiveError(f"docs/{rel}: cannot be read ({exc})", fix=f"restore the page with `git checkout -- docs/{rel}`") from None


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


__all__ = ["Archive", "SiteBuild", "paths", "topic_pages"]
