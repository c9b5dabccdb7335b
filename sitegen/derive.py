"""Everything the build adds to the archive: derived pages and feed files, from docs/.

`derive(docs, site)` reads the catalog (the one read of the whole archive) and
returns {path inside docs/: content}. The gen-files script hands these to
MkDocs as virtual files; `python -m sitegen derive` writes them to a folder, for
site generators that run no plugins (Zensical) and for inspection.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path, PurePosixPath

from generator import paths
from generator.archive import Archive
from generator.records import front_matter
from generator.runs import RunRecord, render_run_history

from .catalog import Catalog, read_catalog, summary_html
from .feeds import derived_feeds
from .pages import build_context, derived_pages
from .settings import SiteInfo

log = logging.getLogger("mkdocs.sitegen")


def derive_from_catalog(catalog: Catalog, docs: Path, site: SiteInfo) -> dict[PurePosixPath, str | bytes]:
    files: dict[PurePosixPath, str | bytes] = dict(derived_pages(catalog, site))
    files.update(derived_feeds(build_context(catalog, site), lambda paper: summary_html(docs, paper)))
    files[paths.RUNS_PATH] = run_history_page(Archive(docs).read_run_records())
    return files


def run_history_page(records: list[RunRecord]) -> str:
    """The run-history page: what every nightly run did and what its summaries cost."""
    return front_matter({"title": "Run history", "sitegen": {"kind": "runs"}}) + "\n" + render_run_history(records)


def derive(docs: Path, site: SiteInfo) -> dict[PurePosixPath, str | bytes]:
    """Derived pages and feeds for the archive in `docs`."""
    started = time.monotonic()
    catalog = read_catalog(docs)
    read = time.monotonic()
    files = derive_from_catalog(catalog, docs, site)
    log.info(
        "sitegen: %d papers and %d days read in %.1f s; %d derived files computed in %.1f s",
        len(catalog.papers), len(catalog.days), read - started, len(files), time.monotonic() - read,
    )  # fmt: skip
    return files


def write_files(files: dict[PurePosixPath, str | bytes], out: Path) -> None:
    """Write derived files under `out` (which may be docs/ itself)."""
    for relpath, content in files.items():
        target = Path(out).joinpath(*relpath.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
