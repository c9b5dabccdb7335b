"""The archive's MkDocs plugin (`plugins: - archive` in mkdocs.yml): the site, rendered from the records.

Registered as the `archive` entry point of the `mkdocs.plugins` group (pyproject.toml).
Each event is a thin adapter; the work is in the pure modules next to this one
(catalog → pages → render → shell, feeds, sitemap, search). What happens when
(ARCHITECTURE.md, "The site build", has the whole picture):

- on_startup: remember the command (`serve` keeps its own URL) and `--dirty`.
- on_config: the site's name, URL and description come from config.yml (the plugin's
  `config` option, $ARCHIVE_CONFIG in mkdocs.yml), escaped for Material's templates,
  which print them raw. MkDocs' own sitemap template is dropped (it lists the nav only).
- on_pre_build: a fresh `ArchiveBuild` (for `mkdocs serve`, every rebuild starts clean);
  the search index's segments are set aside before MkDocs empties the site folder.
- on_files: the records are read (the one read of the archive); the search segments whose
  papers changed start building (Pagefind, on another core) while the rest is
  built; the paper and day pages leave MkDocs' file list (the plugin writes them); the
  derived pages of the nav (home, archive, ...) come in as small generated pages, and
  the feeds, sitemap and the empty sitemaps of the feed folders as generated files.
- on_page_content / on_page_context: a nav page's content is the plugin's template
  output, with a table of contents from its headings; <head> gets feed links.
- on_nav / on_env: the nav and the theme's Jinja environment are kept for the shells.
- on_post_build: every page outside the nav (papers, days, categories, tags) is written
  into its shell (generator.website.shell); then the search index is waited for.
- on_build_error: Pagefind is stopped.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import jinja2
import rjsmin
from markdown.extensions.toc import slugify
from markupsafe import escape
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.toc import get_toc

from generator.archive import paths
from generator.archive.records import front_matter
from generator.archive.runs import freshness_meta
from generator.archive.store import Archive
from generator.config.addresses import OK, check_addresses, effective_site_url, github_repository, is_placeholder_site_url
from generator.errors import GeneratorError
from generator.website.assets import Fingerprints, fingerprint, fingerprinted
from generator.website.catalog import Catalog, PaperEntry, read_catalog
from generator.website.context import build_context
from generator.website.outputs.feeds import derived_feeds
from generator.website.outputs.search import SEGMENT_PAPERS, SegmentedIndex, keep_for_next_build, pagefind_release, plan_segments
from generator.website.outputs.sitemap import sitemap_documents
from generator.website.related import BackgroundRelated, RelatedDoc, RelatedPlan, plan_related
from generator.website.render import Renderer, SitePage, environment, template_error, toc_tokens
from generator.website.settings import SiteInfo, load_site_config, site_info
from generator.website.shell import Shell, page_values, render_shell, render_toc, shell_key, tidy

log = logging.getLogger("mkdocs.plugins.archive")

# Material's files the site does not serve: lunr (its search, replaced by Pagefind)
# and source maps (three of them over 1 MB). Its search worker stays: its bundle
# still refers to it.
UNUSED_THEME_FILES = ("assets/javascripts/lunr/",)
OWN_SCRIPTS = "assets/javascripts/"
"""The site's own scripts in the theme's custom_dir (overrides/), minified at build."""
ARCHIVE_FOLDERS = ("papers/", "days/")
"""Pages in these folders are records: the plugin renders them, MkDocs does not."""


class ArchivePluginConfig(Config):
    config = c.Type(str, default="config.yml")
    """The archive's config.yml (site title and URL, categories, keywords), relative to mkdocs.yml."""
    related = c.Type(bool, default=True)
    """Related papers on paper pages (generator/website/related.py); `false` builds without them (benchmarks/site_build.py measures their cost so)."""
    search_segment_papers = c.Type(int, default=SEGMENT_PAPERS)
    """Papers a search segment holds at most (generator/website/outputs/search.py): a year over it is indexed in halves."""


@dataclass
class ArchiveBuild:
    """Everything one build shares between events (a new one per build: `mkdocs serve` rebuilds)."""

    catalog: Catalog | None = None
    renderer: Renderer | None = None
    nav_pages: dict[str, SitePage] = field(default_factory=dict)
    """Derived pages MkDocs builds, by src_uri."""
    indexer: SegmentedIndex | None = None
    """The search index's segments, built in the background until the pages are written."""
    related: BackgroundRelated | None = None
    """The related-papers worker, until its answer is in the renderer."""
    related_plan: RelatedPlan | None = None
    nav: object = None
    env: object = None
    files: Files | None = None
    shells: dict[tuple, Shell] = field(default_factory=dict)
    fingerprints: Fingerprints = field(default_factory=lambda: Fingerprints({}, {}))
    """The addresses of the theme's scripts and stylesheets, with their content's fingerprint."""
    tocs: dict[str, str] = field(default_factory=dict)
    """Material's table of contents, by the headings it lists (day and listing pages share a few)."""
    urls: dict[PurePosixPath, str] = field(default_factory=dict)
    """Page URLs from the site root, by path in docs/."""
    timings: dict[str, float] = field(default_factory=dict)
    """Phase -> seconds, for the closing log line."""
    started: float = field(default_factory=time.monotonic)

    def lap(self, phase: str, since: float) -> float:
        now = time.monotonic()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - since
        return now


class ArchivePlugin(BasePlugin[ArchivePluginConfig]):
    """Renders the archive's pages, feeds, sitemap and search index from the records in docs/."""

    def __init__(self) -> None:
        self.command = "build"
        self.dirty = False
        self.site: SiteInfo | None = None
        self.archive_config = None
        """The archive's config.yml (generator.config.Config), with the site's effective address."""
        self.build: ArchiveBuild | None = None

    def on_startup(self, *, command, dirty) -> None:
        self.command, self.dirty = command, dirty

    def on_config(self, config):
        try:
            archive_config = load_site_config(Path(config.config_file_path).parent / self.config.config)
        except GeneratorError as err:
            raise PluginError(str(err)) from None
        archive_config = self._effective_address(archive_config)
        self.archive_config = archive_config
        self.site = site_info(archive_config, directory_urls=config.use_directory_urls)
        # Material prints these without escaping: escape them once, here.
        config.site_name = escape(archive_config.site.title)
        config.site_description = escape(archive_config.site.description)
        if self.command != "serve":  # a preview keeps the address it is served at
            config.site_url = self.site.url
        # MkDocs' sitemap lists the nav only; the plugin writes one of every page (on_files).
        config.theme.static_templates.discard("sitemap.xml")
        return config

    def _effective_address(self, archive_config):
        """site.url as the build uses it: in GitHub Actions the repository's Pages address replaces the placeholder.

        Outside Actions, a placeholder site.url is a WARNING (so `mkdocs build --strict`
        fails until it is set: feeds, canonical links, the sitemap and citations would
        point at someone else's address), in `python -m generator doctor`'s words.
        """
        url = archive_config.site.url
        if not (is_placeholder_site_url(url) or github_repository(os.environ)):
            return archive_config
        for finding in check_addresses(archive_config, os.environ):
            if finding.check == "site.url":
                line = finding.line().split(None, 1)[1]  # without doctor's level column: the log has its own
                (log.info if finding.level == OK else log.warning)("archive: %s", line)
        effective = effective_site_url(archive_config, os.environ)
        if effective == url:
            return archive_config
        return replace(archive_config, site=replace(archive_config.site, url=effective))

    def on_pre_build(self, *, config) -> None:
        self.build = ArchiveBuild()
        if not self.dirty:  # before MkDocs empties the site folder: unchanged search segments are kept (outputs/search.py)
            keep_for_next_build(Path(config.site_dir))

    def on_build_error(self, *, error) -> None:
        if self.build is not None and self.build.indexer is not None:
            self.build.indexer.close()
            self.build.indexer = None
        if self.build is not None and self.build.related is not None:
            self.build.related.close()
            self.build.related = None

    # -- gathering -------------------------------------------------------------------

    def on_files(self, files: Files, *, config) -> Files:
        try:
            return self._gather(files, config)
        except jinja2.TemplateError as err:
            raise PluginError(str(template_error(err))) from None

    def _gather(self, files: Files, config) -> Files:
        build = self.build
        docs = Path(config.docs_dir)
        start = time.monotonic()
        build.renderer = renderer = Renderer(environment(config.theme.dirs))
        if self.config.related and (docs / "papers").is_dir():  # loads its libraries while the archive is read
            build.related = BackgroundRelated()
        try:
            build.catalog = read_catalog(docs)
            runs = Archive(docs).read_run_records()
            if self.dirty:  # `--dirty` rebuilds only changed pages: an index of those alone would lose the rest
                log.info("archive: a --dirty build keeps the search index of the last full build")
            else:
                build.indexer = self._start_search_index(config)
            interests = self._interests(docs)
            start = build.lap("read", start)
            self._start_related(docs)
            start = build.lap("related papers handed over", start)
        except GeneratorError as err:
            raise PluginError(str(err)) from None
        renderer.ctx = ctx = build_context(build.catalog, self.site)
        generated: dict[str, str | bytes] = {}
        generated[FRESHNESS_VALUES] = self._freshness_values(runs)
        for page in renderer.nav_pages(runs, interests, build.related_plan):
            build.nav_pages[str(page.path)] = page
            # A small Markdown page MkDocs builds in the nav; its content comes from the template (on_page_content).
            generated[str(page.path)] = front_matter(
                {"title": page.title, "hide": list(page.hide)} if page.title else {"hide": list(page.hide)}
            )
        start = build.lap("nav pages", start)
        generated.update((str(p), body) for p, body in derived_feeds(ctx, renderer.feed_item).items())
        start = build.lap("feeds", start)
        entries = [(self._url(page.path), page.lastmod) for page in build.nav_pages.values()]
        entries += [(self._url(path), lastmod) for path, _, lastmod, _ in renderer.shell_plan()]
        for name, body in sitemap_documents(self.site.url, entries).items():
            generated[name] = body
            if name == "sitemap.xml":
                generated["sitemap.xml.gz"] = gzip.compress(body, mtime=0)
        build.lap("sitemap", start)
        kept = self._fingerprinted([f for f in files if f.src_uri not in generated and not self._dropped(f, config.docs_dir)], config)
        return Files(kept + [File.generated(config, name, content=body) for name, body in generated.items()])

    def _fingerprinted(self, files: list[File], config) -> list[File]:
        """The theme folder's scripts and stylesheets as served: the site's own scripts minified, every
        one under an address that carries its content's fingerprint (generator/website/assets.py)."""
        custom = config.theme.custom_dir
        own = {
            f.src_uri: f
            for f in files
            if custom and f.src_dir and Path(f.src_dir) == Path(custom) and f.src_uri.startswith("assets/") and fingerprinted(f.src_uri)
        }
        sources = {uri: _minified(uri, f.content_string) for uri, f in own.items()}
        self.build.fingerprints = prints = fingerprint(sources, known={PAGEFIND_SCRIPT: pagefind_release()})
        return [File.generated(config, f.src_uri, content=prints.contents[f.src_uri]) if f.src_uri in own else f for f in files]

    def _start_related(self, docs: Path) -> None:
        """Hand every paper to the related-papers worker (generator/website/related.py): it computes while the build goes on."""
        build = self.build
        papers = build.catalog.papers.values()
        if not self.config.related:
            return
        build.related_plan = plan_related([(p.arxiv_id, p.version) for p in papers], self.archive_config, docs)
        if build.related is None:
            return
        if not papers:
            build.related.close()
            build.related = None
            return
        docs_in = [
            RelatedDoc(p.arxiv_id, p.version, p.title, p.abstract, p.record.summary.markdown if p.record.summary else "") for p in papers
        ]
        build.related.start(docs_in, self.archive_config, docs, build.related_plan)

    def _interests(self, docs: Path):
        """The cached interest papers (docs/data/interests.yml) for the About page, or None."""
        if not self.archive_config.interests.configured:
            return None
        from generator.ranking.interests import read_cache  # loads the arXiv client: only archives with interests need it

        return read_cache(docs)

    def _freshness_values(self, runs) -> str:
        """assets/javascripts/freshness-values.js: the values the staleness banner (freshness.js) reads.

        Data, not code: the last successful night and the build time, which change every
        night, so they are kept out of the fingerprinted scripts and out of the pages (a page
        changes only when what it shows changes). The build time is $SOURCE_DATE_EPOCH when
        set (reproducible builds), else now.
        """
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        built = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch.isdigit() else dt.datetime.now(dt.UTC)
        values = json.dumps(freshness_meta(list(runs), built), sort_keys=True)
        return f"/* Written by the archive plugin (generator/website/plugin.py) at each build: overrides/assets/javascripts/freshness.js reads it. */\nwindow.archiveFreshnessValues = {values};\n"

    @staticmethod
    def _dropped(file: File, docs_dir: str) -> bool:
        """Records (the plugin renders them) and theme files the site does not serve."""
        src = file.src_uri
        if src.endswith(".md") and src.startswith(ARCHIVE_FOLDERS):
            return True
        return (src.startswith(UNUSED_THEME_FILES) or src.endswith(".map")) and file.src_dir != docs_dir

    def _start_search_index(self, config) -> SegmentedIndex:
        """Plan the search segments and start building those that changed; Pagefind runs while the pages are written.

        A paper's document fingerprint is its rendered search document's, so any change to what
        Pagefind would index (the record, the template, the text policy) rebuilds its segment.
        """
        renderer, papers = self.build.renderer, self.build.catalog.papers

        def document(paper: PaperEntry) -> tuple[str, str]:
            return "/" + self._url(paper.path), renderer.search_document(paper)

        def fingerprint(paper: PaperEntry) -> str:
            return hashlib.sha256("\n".join(document(paper)).encode("utf-8")).hexdigest()

        plans = plan_segments(((p.arxiv_id, p.announced, fingerprint(p)) for p in papers.values()), cap=self.config.search_segment_papers)
        index = SegmentedIndex(Path(config.site_dir))
        index.start(plans, lambda plan: (document(papers[arxiv_id]) for arxiv_id in plan.ids))
        return index

    def _url(self, path: PurePosixPath) -> str:
        """A page's URL from the site root (generator.archive.paths), computed once per page per build."""
        url = self.build.urls.get(path)
        if url is None:
            url = self.build.urls[path] = paths.page_url(path, self.site.directory_urls)
        return url

    def on_nav(self, nav, *, config, files):
        self.build.nav = nav
        return nav

    def on_env(self, env, *, config, files):
        self.build.env, self.build.files = env, files
        return env

    # -- pages MkDocs builds -------------------------------------------------------------

    def on_page_content(self, html: str, *, page, config, files) -> str:
        derived = self.build.nav_pages.get(page.file.src_uri)
        if derived is None:
            return html
        page.toc = get_toc(toc_tokens(derived.content))
        return str(derived.content)

    def on_page_context(self, context, *, page, config, nav):
        derived = self.build.nav_pages.get(page.file.src_uri)
        if derived is not None:
            context["archive_head"], context["page_kind"] = derived.head, derived.kind
        else:  # a page of the user's own in docs/
            context["archive_head"], context["page_kind"] = self.build.renderer.head(PurePosixPath(page.file.src_uri)), ""
        return context

    def on_post_page(self, output: str, *, page, config) -> str:
        return self.build.fingerprints.html(tidy(output))

    def on_post_template(self, output_content: str, *, template_name: str, config) -> str:
        """Material's 404 page, like every other: whole, valid, with fingerprinted addresses."""
        return self.build.fingerprints.html(tidy(output_content)) if template_name.endswith(".html") else output_content

    # -- pages the plugin builds ------------------------------------------------------------

    def on_post_build(self, *, config) -> None:
        try:
            self._write_pages(config)
        except jinja2.TemplateError as err:
            raise PluginError(str(template_error(err))) from None
        except GeneratorError as err:
            raise PluginError(str(err)) from None

    def _write_pages(self, config) -> None:
        build = self.build
        start = time.monotonic()
        site_dir = Path(config.site_dir)
        renderer = build.renderer
        count = 0
        # Paper pages last: they wait for the related papers, computed meanwhile by the worker.
        for path, kind, _, item in sorted(renderer.shell_plan(), key=lambda planned: planned[1] == "paper"):
            if kind == "paper" and build.related is not None:
                start = build.lap("pages outside the nav", start)
                renderer.related = self._related_index()
                start = build.lap("waiting for the related papers", start)
            page = renderer.render(kind, item)
            url = self._url(path)
            target = site_dir / (url + "index.html" if url.endswith("/") or not url else url)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self._fill(config, page).encode("utf-8"))
            if kind == "paper":
                renderer.forget_summary(item)
            count += 1
        start = build.lap("pages outside the nav", start)
        search = None
        if build.indexer is not None:
            indexer, build.indexer = build.indexer, None
            try:
                search = indexer.finish()
            except GeneratorError as err:
                raise PluginError(str(err)) from None
        build.lap("waiting for the search index", start)
        t = build.timings
        log.info(
            "archive: %d papers and %d days read in %.1f s; %d pages written (%.1f s), derived pages %.1f s, feeds %.1f s; "
            "search index of %d papers done %.1f s after the pages",
            len(build.catalog.papers), len(build.catalog.days), t["read"], count, t["pages outside the nav"], t["nav pages"], t["feeds"],
            search.papers if search else 0, t["waiting for the search index"],
        )  # fmt: skip
        if search is not None:
            log.info("archive: %s", search.summary())
        if "related worker" in t:
            log.info(
                "archive: related papers (%s) computed in %.1f s by a worker process (CPU %.1f s, peak %.0f MB); "
                "the build spent %.2f s handing the papers over and %.2f s waiting for them",
                renderer.related.engine, t["related worker"], t["related worker CPU"], t["related worker MB"],
                t["related papers handed over"], t["waiting for the related papers"],
            )  # fmt: skip

    def _related_index(self):
        """The worker's related papers (waits for them), logged."""
        build = self.build
        worker, build.related = build.related, None
        result = worker.result()
        log.info("archive: %s", result.index.note)
        build.timings.update(
            {"related worker": result.seconds, "related worker CPU": result.cpu_seconds, "related worker MB": result.peak_mb}
        )
        return result.index

    def _fill(self, config, page: SitePage) -> str:
        build = self.build
        key = (page.kind, *shell_key(page.path))
        shell = build.shells.get(key)
        if shell is None:
            shell = render_shell(build.env, config, build.nav, build.files, page.kind, shell_key(page.path))
            shell = build.shells[key] = Shell(tuple(build.fingerprints.html(piece) for piece in shell.pieces), shell.slots)
        skip = "abstract" if page.kind == "paper" else _anchor(page.title)
        toc = ""
        if page.kind != "paper":  # days and listings keep Material's table of contents (papers have none)
            tokens = toc_tokens(page.content)
            key = repr(tokens)
            if key not in build.tocs:
                build.tocs[key] = render_toc(build.env, config, tokens)
            toc = build.tocs[key]
        return shell.fill(page_values(
            title=page.title, description=page.description if page.description is not None else self.site.description,
            canonical=self.site_url(config) + self._url(page.path), head=page.head, skip=skip, content=page.content, toc=toc,
        ))  # fmt: skip

    def site_url(self, config) -> str:
        url = config.site_url or ""
        return url if url.endswith("/") else url + "/"


FRESHNESS_VALUES = "assets/javascripts/freshness-values.js"
"""The staleness banner's values (issue 13), written at each build; the banner's code is freshness.js."""
PAGEFIND_SCRIPT = "pagefind/pagefind.js"
"""Pagefind's search script (search.js imports it), written by Pagefind: the same for one Pagefind release."""


def _minified(uri: str, text: str) -> str:
    """The site's own scripts (overrides/assets/javascripts/), served without comments and indentation.

    Every page loads several of them: minified, a day page's script stays within its budget
    (150 KB with Material's bundle; tests/browser/test_tex_site.py). `/*!` comments (licence notices) stay.
    """
    if uri.startswith(OWN_SCRIPTS) and uri.endswith(".js"):
        return rjsmin.jsmin(text, keep_bang_comments=True)
    return text


def _anchor(title: str) -> str:
    return slugify(title, "-")
