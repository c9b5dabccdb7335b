"""The archive's MkDocs plugin (`plugins: - archive` in mkdocs.yml): the site, rendered from the records.

Registered as the `archive` entry point of the `mkdocs.plugins` group (pyproject.toml). Each event is
a thin adapter: the build's phases are in generator/website/build.py (`SiteBuild`), the work in the
pure modules beside it (catalog → context → render → shell, outputs/: feeds, sitemap, search). What
happens when (ARCHITECTURE.md, "The site build", has the whole picture):

- on_startup: remember the command (`serve` keeps its own URL and builds from scratch) and `--dirty`.
- on_config: the site's name, URL and description come from config.yml (the plugin's `config`
  option, $ARCHIVE_CONFIG in mkdocs.yml), escaped for Material's templates, which print them raw.
  MkDocs' own sitemap template is dropped (it lists the nav only).
- on_pre_build: a new `SiteBuild`; its build cache (the `cache` option) decides whether the build is
  warm (the folders the plugin writes are set aside before MkDocs empties the site folder) or cold
  (only the search index's bundles are set aside: each segment's fingerprint says whether it is current).
- on_files: the records are read (only the changed ones, on a warm build), the related papers and the
  search segments whose papers changed start on other processes, the paper and day records leave MkDocs' file list (the
  plugin writes their pages), the derived pages of the nav come in as small generated pages, and the
  feeds, sitemap and the theme's fingerprinted scripts and stylesheets as generated files.
- on_page_content / on_page_context: a nav page's content is the plugin's template output, with a
  table of contents from its headings; <head> gets feed links.
- on_nav / on_env: the nav and the theme's Jinja environment are kept for the shells.
- on_post_build: every page outside the nav (papers, days, categories, tags) whose content changed
  is written into its shell (generator.website.shell); the search index is waited for; the build's
  state is saved for the next build.
- on_build_error: the workers are stopped and the build's state dropped (the next build is cold).
"""

from __future__ import annotations

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
from generator.archive.store import Archive
from generator.config.addresses import OK, check_addresses, effective_site_url, github_repository, is_placeholder_site_url
from generator.errors import GeneratorError
from generator.website import buildcache
from generator.website.assets import Fingerprints, fingerprint, fingerprinted
from generator.website.build import SiteBuild
from generator.website.buildcache import BuildCache
from generator.website.outputs.search import SEGMENT_PAPERS, pagefind_release
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
    """Related papers on paper pages (generator/website/related.py); `false` builds without them.

    benchmarks/site_build.py measures their cost so.
    """
    cache = c.Type(str, default=".cache/archive-build")
    """The build cache folder (generator/website/buildcache.py), relative to mkdocs.yml; "" builds from scratch every time."""
    search_segment_papers = c.Type(int, default=SEGMENT_PAPERS)
    """Papers a search segment holds at most (generator/website/outputs/search.py): a year over it is indexed in halves."""


@dataclass
class ArchiveBuild:
    """What the plugin's events share in one build (a new one per build: `mkdocs serve` rebuilds)."""

    site_build: SiteBuild | None = None
    nav_pages: dict[str, SitePage] = field(default_factory=dict)
    """Derived pages MkDocs builds, by src_uri."""
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

    @property
    def renderer(self) -> Renderer:
        return self.site_build.renderer


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
        self.build = build = ArchiveBuild()
        cache = None
        if self.config.cache and self.command == "build" and not self.dirty:
            root = Path(config.config_file_path).parent / self.config.cache
            archive_config_file = Path(config.config_file_path).parent / self.config.config
            print_ = buildcache.fingerprint(
                theme_dirs=[Path(d) for d in config.theme.dirs], files=[Path(config.config_file_path), archive_config_file],
                options={"related": self.config.related, "site_url": self.site.url, "directory_urls": config.use_directory_urls},
            )  # fmt: skip
            cache = BuildCache(root, Path(config.docs_dir), Path(config.site_dir), print_)
        build.site_build = SiteBuild(
            docs=Path(config.docs_dir), site_dir=Path(config.site_dir), site=self.site, archive_config=self.archive_config,
            renderer=Renderer(environment(config.theme.dirs)), url=self._url, cache=cache, related=self.config.related,
            search=not self.dirty, segment_papers=self.config.search_segment_papers,
        )  # fmt: skip
        build.site_build.prepare()

    def on_build_error(self, *, error) -> None:
        if self.build is not None and self.build.site_build is not None:
            self.build.site_build.close()

    # -- gathering -------------------------------------------------------------------

    def on_files(self, files: Files, *, config) -> Files:
        try:
            return self._gather(files, config)
        except jinja2.TemplateError as err:
            raise PluginError(str(template_error(err))) from None

    def _gather(self, files: Files, config) -> Files:
        build = self.build
        site_build = build.site_build
        docs = Path(config.docs_dir)
        if self.dirty:  # `--dirty` rebuilds only changed pages: an index of those alone would lose the rest
            log.info("archive: a --dirty build keeps the search index of the last full build")
        try:
            site_build.read()
            runs = Archive(docs).read_run_records()
            interests = self._interests(docs)
        except GeneratorError as err:
            raise PluginError(str(err)) from None
        start = time.monotonic()
        site_build.context()
        generated: dict[str, str | bytes] = {}
        for page in build.renderer.nav_pages(runs, interests, site_build.related_plan):
            build.nav_pages[str(page.path)] = page
            # A small Markdown page MkDocs builds in the nav; its content comes from the template (on_page_content).
            generated[str(page.path)] = front_matter(
                {"title": page.title, "hide": list(page.hide)} if page.title else {"hide": list(page.hide)}
            )
        site_build.timings.lap("nav pages", start)
        try:
            generated.update(site_build.generated(runs))
        except GeneratorError as err:
            raise PluginError(str(err)) from None
        start = time.monotonic()
        generated.update(site_build.sitemap(list(build.nav_pages.values())))
        site_build.timings.lap("sitemap", start)
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

    def _interests(self, docs: Path):
        """The cached interest papers (docs/data/interests.yml) for the About page, or None."""
        if not self.archive_config.interests.configured:
            return None
        from generator.ranking.interests import read_cache  # loads the arXiv client: only archives with interests need it

        return read_cache(docs)

    @staticmethod
    def _dropped(file: File, docs_dir: str) -> bool:
        """Records (the plugin renders them) and theme files the site does not serve."""
        src = file.src_uri
        if src.endswith(".md") and src.startswith(ARCHIVE_FOLDERS):
            return True
        return (src.startswith(UNUSED_THEME_FILES) or src.endswith(".map")) and file.src_dir != docs_dir

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
            self.build.site_build.write(lambda page: self._fill(config, page))
        except jinja2.TemplateError as err:
            raise PluginError(str(template_error(err))) from None
        except GeneratorError as err:
            raise PluginError(str(err)) from None

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
