"""`python -m generator migrate`: upgrade an archive to the current format, in place.

Format v1 (the first release) stored each page's finished layout: paper pages held
their metadata list, links, BibTeX block and the AI summary as sanitized HTML between
`<!-- ai-summary:begin/end -->` markers; day pages held their ranked list as Markdown.
Format v2 stores records only (generator.records). Upgrading a page reads its v1
record through generator.records, turns the summary HTML back into the Markdown the
model wrote (markdownify), and writes the v2 page.

- Lossless: every record field is kept (ids, versions, titles, authors, abstracts,
  scores, tags, links, summaries and their metadata, days' order and counts). Each
  upgraded page is read back and compared with the v1 record before anything is
  written, and each summary's Markdown must convert back to exactly the HTML v1
  stored; a summary that would not is kept as that HTML (which Markdown passes
  through, and the site sanitizes again), and the run says so.
- Atomic per page: each page is replaced with one `os.replace`; day pages are
  written after every paper page and the newest day last, so `update`, which checks
  the newest day page, refuses to run until a migration has finished.
- Idempotent: pages already in the current format are only read (to check they
  parse); a second run changes no byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from html import escape as escape_html
from pathlib import Path, PurePosixPath

from markdownify import markdownify

from . import paths, records
from .archive import TEMP_PREFIX, atomic_write
from .errors import ArchiveError
from .sanitize import render_summary_html, sanitize_html, summary_html


@dataclass
class MigrationReport:
    """What `migrate` found and did."""

    papers: int = 0
    """Paper pages upgraded (or, with --dry-run, that would be)."""
    days: int = 0
    """Day pages upgraded."""
    current: int = 0
    """Pages already in the current format."""
    summaries: int = 0
    """Summaries turned back into Markdown."""
    summaries_as_html: list[str] = field(default_factory=list)
    """Papers whose summary HTML had no exact Markdown form and was kept as HTML."""
    written: list[PurePosixPath] = field(default_factory=list)
    """Pages written, in order."""


def summary_markdown(html: str, kept_as_html: Callable[[], None] = lambda: None) -> str:
    """Markdown that renders to exactly `html` (v1's stored summary); `html` itself when there is none.

    The Markdown must render to the same HTML either the way v1 rendered it (Python-Markdown:
    the model's own Markdown comes back) or the way the site renders it now
    (`render_summary_html`, which keeps math as written where v1 read `\\|` in `$…$` as `|`).
    """
    for escape in (False, True):  # without escapes it reads as the model wrote it; with them `*` and `_` stay text
        text = markdownify(
            html, heading_style="ATX", bullets="-", escape_asterisks=escape, escape_underscores=escape, escape_misc=False
        ).strip()
        if _same_html(summary_html(text), html) or _same_html(render_summary_html(text, math_html=_math_as_text), html):
            return text
    kept_as_html()
    return sanitize_html(html)


def _math_as_text(source: str) -> str:
    """Math as v1 stored it: the TeX as written, escaped, in no element (the site marks it for KaTeX now)."""
    return escape_html(source, quote=False)


_BETWEEN_TAGS = re.compile(r">\s+<")


def _same_html(a: str, b: str) -> bool:
    return _BETWEEN_TAGS.sub("><", a.strip()) == _BETWEEN_TAGS.sub("><", b.strip())


def _pages(docs: Path, folder: str, pattern: str) -> list[Path]:
    root = docs / folder
    return sorted(p for p in root.glob(pattern) if not p.name.startswith(TEMP_PREFIX)) if root.is_dir() else []


def migrate(docs: Path, *, dry_run: bool = False) -> MigrationReport:
    """Upgrade every page of the archive in `docs` to the current format (see the module docstring)."""
    docs = Path(docs)
    report = MigrationReport()
    upgrades: list[tuple[PurePosixPath, str]] = []
    for path in _pages(docs, "papers", "**/*.md"):
        rel = PurePosixPath(path.relative_to(docs).as_posix())
        source = f"{docs.name}/{rel}"
        text = _read(path)
        meta, _ = records.split_front_matter(text, source)
        if records.page_format(meta, source) == records.FORMAT:
            records.read_paper(text, source)
            report.current += 1
            continue
        arxiv_id = str(meta.get("arxiv_id"))
        paper = records.read_paper_v1(
            text, source, partial(summary_markdown, kept_as_html=partial(report.summaries_as_html.append, arxiv_id))
        )
        if paths.paper_path(paper.arxiv_id) != rel:
            raise ArchiveError(
                f"{source}: arxiv_id {paper.arxiv_id!r} does not belong at this path",
                fix=f"move the page to docs/{paths.paper_path(paper.arxiv_id)}",
            )
        upgraded = records.paper_page(paper)
        if records.read_paper(upgraded, source) != paper:
            raise ArchiveError(
                f"{source}: the upgraded page would not hold the same record", fix="report this as a bug; nothing was written"
            )
        report.papers += 1
        report.summaries += paper.summary is not None and paper.arxiv_id not in report.summaries_as_html
        upgrades.append((rel, upgraded))
    day_upgrades = []
    for path in _pages(docs, "days", "*/*.md"):
        rel = PurePosixPath(path.relative_to(docs).as_posix())
        source = f"{docs.name}/{rel}"
        text = _read(path)
        meta, _ = records.split_front_matter(text, source)
        if records.page_format(meta, source) == records.FORMAT:
            records.read_day(text, source)
            report.current += 1
            continue
        record = records.read_day_v1(text, source)
        upgraded = records.day_page(record)
        if records.read_day(upgraded, source) != record:
            raise ArchiveError(
                f"{source}: the upgraded page would not hold the same record", fix="report this as a bug; nothing was written"
            )
        report.days += 1
        day_upgrades.append((record.date, rel, upgraded))
    upgrades += [(rel, text) for _, rel, text in sorted(day_upgrades)]  # the newest day last
    if not dry_run:
        for rel, text in upgrades:
            atomic_write(docs.joinpath(*rel.parts), text.encode("utf-8"))
            report.written.append(rel)
    return report


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{path}: cannot be read ({exc})", fix=f"restore the page with `git checkout -- {path}`") from None
