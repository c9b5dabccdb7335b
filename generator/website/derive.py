"""The whole site as Markdown files, without MkDocs: for site generators that run no plugins.

`derive(docs, site, theme_dirs)` reads the records once and yields every page the
archive plugin builds, as a Markdown file whose front matter holds the title and whose
body is the page's HTML from the same templates (overrides/archive/), plus the feed
files. Written into a folder (`python -m generator.website derive --out DIR`), that folder is a
docs/ from which any Markdown site generator (Zensical, MkDocs without the plugin)
builds the whole site: raw HTML passes through Markdown unchanged, and the links
between pages are the URLs those generators give with directory URLs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

from generator.archive.records import front_matter
from generator.archive.store import Archive
from generator.errors import GeneratorError
from generator.website.catalog import read_catalog
from generator.website.context import build_context
from generator.website.outputs.feeds import derived_feeds
from generator.website.render import Renderer, SitePage, environment
from generator.website.settings import SiteInfo

log = logging.getLogger("mkdocs.plugins.archive")


class DeriveError(GeneratorError):
    """The derived site cannot be written where it was asked."""


def markdown_page(page: SitePage) -> str:
    """A rendered page as Markdown: front matter (title, Material's `hide`), then its HTML in one block."""
    meta: dict = {"title": page.title} if page.title else {}
    if page.hide:
        meta["hide"] = list(page.hide)
    if page.description:
        meta["description"] = page.description
    body = '<div class="archive-page" markdown="0">\n' + str(page.content).strip("\n") + "\n</div>\n"
    return front_matter(meta) + "\n" + body if meta else body


def derive(docs: Path, site: SiteInfo, theme_dirs: Sequence[Path]) -> Iterator[tuple[PurePosixPath, str | bytes]]:
    """Every page (as Markdown) and feed file of the archive in `docs`, by its path in the site's docs folder."""
    started = time.monotonic()
    catalog = read_catalog(docs)
    renderer = Renderer(environment(theme_dirs), build_context(catalog, site))
    for page in renderer.nav_pages(Archive(docs).read_run_records()):
        yield page.path, markdown_page(page)
    count = 0
    for path, kind, _, item in renderer.shell_plan():
        yield path, markdown_page(renderer.render(kind, item))
        count += 1
    yield from derived_feeds(renderer.ctx, renderer.feed_item).items()
    log.info(
        "archive: %d papers and %d days rendered into %d pages in %.1f s",
        len(catalog.papers),
        len(catalog.days),
        count,
        time.monotonic() - started,
    )


def write_files(files: Iterator[tuple[PurePosixPath, str | bytes]], out: Path, docs: Path) -> int:
    """Write derived files under `out` (never the archive folder: the rendered papers would replace the records)."""
    out, docs = Path(out), Path(docs)
    if out.resolve() == docs.resolve() or docs.resolve() in out.resolve().parents:
        raise DeriveError(
            f"--out {out} is the archive folder or inside it: rendered paper pages would replace the records",
            fix="write into another folder, e.g. --out site-docs",
        )
    written = 0
    for relpath, content in files:
        target = out.joinpath(*relpath.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        written += 1
    return written
