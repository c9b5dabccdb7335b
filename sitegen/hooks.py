"""MkDocs hooks of the archive site: settings, escaping, <head> tags, sitemap, search index.

Registered in mkdocs.yml (`hooks:`). Each hook is a thin adapter; the work is in
the pure modules next to this one.

- on_config: site name, URL and description come from config.yml ($ARCHIVE_CONFIG),
  HTML-escaped, because MkDocs templates print them without autoescaping (the URL
  only for `mkdocs build`: `mkdocs serve` keeps its own).
- on_page_markdown: every page's front-matter `title` (raw arXiv text on paper
  pages) and the other keys Material prints raw (description, author, subtitle)
  are HTML-escaped for the templates; raw HTML blocks are set aside so that the
  Markdown parser does not walk through them (sitegen.rawhtml).
- on_page_content: the blocks come back, their `.md` links resolved like MkDocs
  resolves Markdown links; paper pages get their Pagefind markup (indexed body,
  title weight, the citation block left out of the index).
- on_page_context: citation_*, feed and search meta tags for overrides/main.html.
- on_nav: on a large archive, worker processes start building shares of the paper
  pages on the other cores (sitegen.parallel).
- on_post_page: indentation is collapsed (a third of a Material page's bytes);
  paper pages go to the background Pagefind indexer as they are written.
- on_post_build: the workers are waited for; sitemap.xml of every page; the
  search index is written.
"""

from __future__ import annotations

import datetime as dt
import gzip
import html
import logging
import posixpath
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the repository is not an installed package
    sys.path.insert(0, str(ROOT))

from markupsafe import Markup
from mkdocs.exceptions import PluginError

from generator import records
from generator.errors import GeneratorError
from sitegen import head, layout, parallel
from sitegen.catalog import PaperEntry, paper_entry
from sitegen.postprocess import BODY_END, collapse_indentation, search_document
from sitegen.rawhtml import resolve_md_links, restore, set_aside
from sitegen.search import BackgroundIndexer
from sitegen.settings import SiteInfo, load_site_config, site_info
from sitegen.sitemap import sitemap_documents

log = logging.getLogger("mkdocs.sitegen")

# Front-matter keys Material for MkDocs prints into HTML without escaping.
RAW_PRINTED_KEYS = ("title", "description", "author", "subtitle")
_TITLE_H1 = '<h1 class="paper-title'
_CITE = '<details class="quote paper-cite">'
_META_LIST = '<ul class="paper-meta">'


@dataclass
class BuildState:
    """What the hooks share during one build (reset by on_pre_build for `mkdocs serve`)."""

    site: SiteInfo | None = None
    papers: dict[str, PaperEntry] = field(default_factory=dict)
    """Paper records by page src_uri (raw front matter, before escaping)."""
    regions: dict[str, list[str]] = field(default_factory=dict)
    """Pre-rendered HTML regions set aside, by page src_uri."""
    raw_titles: dict[str, str] = field(default_factory=dict)
    """Front-matter titles before escaping, by page src_uri (for attributes escaped later)."""
    files: Any = None
    indexer: Any = None
    """The BackgroundIndexer (main process) or a WorkerDocuments (worker process)."""
    sharded: parallel.ShardedBuild | None = None
    command: str = "build"
    dirty: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    """Build phase -> time.monotonic() when it began, for the closing log line."""


STATE = BuildState()


def _escaped(value: Any) -> Any:
    return Markup(html.escape(str(value), quote=True)) if isinstance(value, str) and not isinstance(value, Markup) else value


def on_startup(command, dirty):
    STATE.command, STATE.dirty = command, dirty


def on_config(config):
    try:
        archive_config = load_site_config(Path(config.config_file_path).parent)
    except GeneratorError as err:
        raise PluginError(str(err)) from None
    STATE.site = site_info(archive_config, directory_urls=config.use_directory_urls)
    parallel.install()
    config.site_name = _escaped(archive_config.site.title)
    config.site_description = _escaped(archive_config.site.description)
    if STATE.command != "serve":  # a preview keeps the address it is served at
        config.site_url = STATE.site.url
    return config


def on_pre_build(config):
    kept = STATE.site, STATE.command, STATE.dirty
    STATE.__init__()
    STATE.site, STATE.command, STATE.dirty = kept
    STATE.timings["start"] = time.monotonic()
    if STATE.dirty:  # `--dirty` rebuilds only changed pages: an index of those alone would lose the rest
        log.info("sitegen: a --dirty build keeps the search index of the last full build")
    else:
        STATE.indexer = BackgroundIndexer(Path(config.site_dir))


def on_build_error(error):
    if STATE.sharded is not None:
        STATE.sharded.abort()
        STATE.sharded = parallel.ACTIVE["build"] = None
    if STATE.indexer is not None:
        STATE.indexer.close()
        STATE.indexer = None


class WorkerDocuments:
    """In a worker process: search documents go to the main process in batches."""

    BATCH = 50

    def __init__(self, connection):
        self.connection = connection
        self.batch: list[tuple[str, str]] = []

    def add(self, url: str, document: str) -> None:
        self.batch.append((url, document))
        if len(self.batch) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self.connection.send_bytes(parallel.pickle.dumps(("documents", self.batch)))
            self.batch = []


def _worker_setup(connection):
    STATE.indexer = WorkerDocuments(connection)
    STATE.sharded = parallel.ACTIVE["build"] = None

    def finish(files) -> dict:
        STATE.indexer.flush()
        return {f.page.url: page_lastmod(f.page) for f in files}

    return finish


def on_nav(nav, config, files):
    pages = files.documentation_pages()
    papers = [f for f in pages if f.src_uri.startswith("papers/") and f.inclusion.is_not_in_nav()]
    workers = parallel.worker_count(STATE.command, STATE.dirty, len(papers))
    if workers:
        STATE.sharded = parallel.ShardedBuild.start(papers, config, files, nav, workers + 1, _worker_setup)
        parallel.ACTIVE["build"] = STATE.sharded
        STATE.sharded.listen(STATE.indexer.add)
    return nav


def _kind(page) -> str:
    meta = page.meta or {}
    if isinstance(meta.get("sitegen"), dict):
        return str(meta["sitegen"].get("kind", ""))
    src = page.file.src_uri
    if src.startswith("papers/") and "arxiv_id" in meta:
        return "paper"
    if src.startswith("days/") and "date" in meta:
        return "day"
    return ""


def on_page_markdown(markdown, page, config, files):
    meta = page.meta
    kind = _kind(page)
    try:
        if kind == "paper":
            # The page is a record: its layout is rendered here, from the record.
            paper = records.read_paper(page.file.content_string, f"docs/{page.file.src_uri}")
            STATE.papers[page.file.src_uri] = paper_entry(paper, PurePosixPath(page.file.src_uri))
            markdown = layout.paper_body(paper)
        elif kind == "day":
            record = records.read_day(page.file.content_string, f"docs/{page.file.src_uri}")
            markdown = layout.day_body(record, layout.listed_papers(Path(config.docs_dir), record))
    except GeneratorError as err:
        raise PluginError(str(err)) from None
    if kind == "paper":
        abstract = STATE.papers[page.file.src_uri].abstract
        meta["description"] = abstract if len(abstract) <= 160 else abstract[:159].rsplit(" ", 1)[0] + "…"
    if isinstance(meta.get("title"), str):
        STATE.raw_titles[page.file.src_uri] = meta["title"]
    for key in RAW_PRINTED_KEYS:
        if key in meta:
            meta[key] = _escaped(meta[key])
    markdown, regions = set_aside(markdown)
    STATE.regions[page.file.src_uri] = regions
    return markdown


def _md_link_resolver(page, files):
    folder = posixpath.dirname(page.file.src_uri)

    def resolve(target: str) -> str | None:
        found = files.get_file_from_path(posixpath.normpath(posixpath.join(folder, target)))
        return found.url_relative_to(page.file) if found is not None else None

    def report(target: str) -> None:
        log.warning(f"Doc file '{page.file.src_uri}' contains a link '{target}', but the target is not found among documentation files.")

    return resolve, report


def on_page_content(content, page, config, files):
    content = restore(content, STATE.regions.pop(page.file.src_uri, []))
    if ".md" in content:
        content = resolve_md_links(content, *_md_link_resolver(page, files))
    if page.file.src_uri in STATE.papers:
        # Index the paper, not the page around it; titles count most; BibTeX repeats the title.
        content = content.replace(_TITLE_H1, '<h1 data-pagefind-weight="10" class="paper-title', 1)
        content = content.replace(_CITE, '<details class="quote paper-cite" data-pagefind-ignore="all">', 1)
        # The metadata list would fill excerpts with "announced ... as new. Categories ...";
        # categories, tags and dates are filters, the arXiv id is added to the indexed document.
        content = content.replace(_META_LIST, '<ul class="paper-meta" data-pagefind-ignore>', 1)
        content = f"<div data-pagefind-body>\n{content}\n{BODY_END}"
    return content


def on_page_context(context, page, config, nav):
    site = STATE.site
    here = PurePosixPath(page.file.src_uri)
    meta = page.meta or {}
    topic = None
    sitegen_meta = meta.get("sitegen") if isinstance(meta.get("sitegen"), dict) else {}
    if sitegen_meta.get("kind") in ("category", "tag"):
        topic = (sitegen_meta["kind"], str(sitegen_meta["key"]), STATE.raw_titles.get(page.file.src_uri, str(sitegen_meta["key"])))
    parts = [head.feed_links(here, site.title, topic, site.directory_urls)]
    paper = STATE.papers.get(page.file.src_uri)
    if paper is not None:
        parts.append(head.citation_tags(paper))
    context["archive_head"] = Markup("\n".join(parts))
    context["page_kind"] = _kind(page)
    # Outside the nav (no active item), the navigation of pages in one folder is the same HTML.
    context["nav_cache_key"] = posixpath.dirname(page.url.rstrip("/")) if page.file.inclusion.is_not_in_nav() else None
    return context


# Material's files the site does not serve: lunr (its search, replaced by Pagefind)
# and source maps (three of them over 1 MB). Its search worker stays: its bundle
# still refers to it.
_UNUSED_THEME_FILES = re.compile(r"^assets/javascripts/lunr/|\.map$")


def on_files(files, config):
    STATE.timings["pages"] = time.monotonic()  # derived pages are in (gen-files ran first)
    for file in [f for f in files if _UNUSED_THEME_FILES.search(f.src_uri) and not Path(config.docs_dir, f.src_uri).exists()]:
        files.remove(file)
    return files


def on_env(env, config, files):
    STATE.timings["templates"] = time.monotonic()  # every page is read and converted
    STATE.files = files
    fragments: dict[str, str] = {}

    def cached_fragment(key: str, caller) -> str:
        """A Jinja call block rendered once per key (see overrides/main.html)."""
        if key not in fragments:
            fragments[key] = caller()
        return Markup(fragments[key])

    env.globals["cached_fragment"] = cached_fragment
    return env


def on_post_page(output, page, config):
    output = collapse_indentation(output)
    paper = STATE.papers.get(page.file.src_uri)
    if paper is not None and STATE.indexer is not None:
        document = search_document(output, head.search_tags(paper), head.search_text(paper))
        if document is None:
            raise PluginError(f"sitegen: {page.file.src_uri} lost its data-pagefind-body markers; check overrides/main.html")
        STATE.indexer.add("/" + page.url, document)
    return output


def page_lastmod(page) -> dt.date | None:
    meta = page.meta or {}
    for key in ("updated", "announced", "date"):
        value = meta.get(key)
        if isinstance(value, dt.date) and not isinstance(value, list):
            return value if not isinstance(value, dt.datetime) else value.date()
    return None


def on_post_build(config):
    STATE.timings["finish"] = time.monotonic()
    site_dir = Path(config.site_dir)
    lastmods: dict[str, dt.date | None] = {}
    sharded, STATE.sharded = STATE.sharded, None
    parallel.ACTIVE["build"] = None
    deferred = 0
    if sharded is not None:
        errors, warnings, lastmods = sharded.finish()
        STATE.timings["workers"] = time.monotonic()
        if errors:
            raise PluginError("a worker process failed to build paper pages:\n" + "\n".join(errors))
        if warnings:
            log.warning(f"{warnings} warning(s) while building paper pages in worker processes (printed above)")
        # Every paper is in the index: Pagefind writes it while the other pages are built.
        try:
            STATE.indexer.start_writing()
        except GeneratorError as err:
            raise PluginError(str(err)) from None
        deferred = sharded.build_deferred()
    entries = [
        (f.page.url, lastmods[f.page.url] if f.page.url in lastmods else page_lastmod(f.page))
        for f in STATE.files.documentation_pages()
        if f.page is not None
    ]
    for name, content in sitemap_documents(STATE.site.url, entries).items():
        (site_dir / name).write_bytes(content)
        if name == "sitemap.xml":
            (site_dir / "sitemap.xml.gz").write_bytes(gzip.compress(content, mtime=0))
    indexing = time.monotonic()
    indexer, STATE.indexer = STATE.indexer, None
    try:
        count = indexer.finish() if indexer is not None else 0
    except GeneratorError as err:
        raise PluginError(str(err)) from None
    t = STATE.timings
    waited = t.get("workers", t["finish"]) - t["finish"]
    log.info(
        "sitegen: %d pages (derived pages %.1f s, Markdown %.1f s, templates %.1f s, waiting for workers %.1f s, "
        "%d pages after the papers %.1f s); search index of %d papers finished %.1f s later",
        len(entries), t["pages"] - t["start"], t["templates"] - t["pages"], t["finish"] - t["templates"], waited,
        deferred, indexing - t["finish"] - waited, count, time.monotonic() - indexing,
    )  # fmt: skip
