"""`python -m generator migrate`: upgrade an archive to the current format, in place.

Format v1 (the first release) stored each page's finished layout: paper pages held
their metadata list, links, BibTeX block and the AI summary as sanitized HTML between
`<!-- ai-summary:begin/end -->` markers; day pages held their ranked list as Markdown.
Format v2 stores records only (generator.archive.records). Upgrading a page reads its v1
record through generator.archive.records, turns the summary HTML back into the Markdown the
model wrote (markdownify), and writes the v2 page.

- Lossless: every record field is kept (ids, versions, titles, authors, abstracts,
  scores, tags, links, summaries and their metadata, days' order and counts). Each
  upgraded page is read back and compared with the v1 record before anything is
  written. A summary becomes Markdown only when that Markdown converts back to exactly
  the HTML v1 stored; one that would not is kept as that HTML (sanitized again), which
  the site renders as HTML by the same allow-list (generator.text.markdown.is_html_body),
  and the run names it.
- Shown, not only stored: whatever body it picks, each summary is rendered by the
  site's own renderer (`render_summary_html`) and must show the text v1 showed (the
  same letters and digits, in order, and not none). A page whose summary would not
  stops the run with one line naming the file and the fix, before anything is written.
- Atomic per page: each page is replaced with one `os.replace`; day pages are
  written after every paper page and the newest day last, so `update`, which checks
  the newest day page, refuses to run until a migration has finished.
- Idempotent: pages already in the current format are only read (to check they
  parse); a second run changes no byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape as escape_html
from pathlib import Path, PurePosixPath

from markdownify import markdownify

from generator.archive import paths, records
from generator.archive.store import Archive, atomic_write
from generator.archive.v1_summary import render_v1_summary
from generator.errors import ArchiveError
from generator.text.markdown import html_text, is_html_body, render_summary_html, sanitize_html


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
    """Papers whose summary HTML had no exact Markdown form and was kept as HTML (the site renders it as HTML)."""
    written: list[PurePosixPath] = field(default_factory=list)
    """Pages written, in order."""


def summary_body(html: str) -> tuple[str, bool]:
    """The body a v2 page stores for v1's summary `html`, and whether it is that HTML kept as HTML.

    Markdown when one renders to exactly `html`, either the way v1 rendered it
    (Python-Markdown, generator.archive.v1_summary: the model's own Markdown comes back) or the way the site renders it
    now (`render_summary_html`, which keeps math as written where v1 read `\\|` in `$…$`
    as `|`); otherwise `html` itself, sanitized (the site renders it as HTML).
    """
    for escape in (False, True):  # without escapes it reads as the model wrote it; with them `*` and `_` stay text
        text = markdownify(
            html, heading_style="ATX", bullets="-", escape_asterisks=escape, escape_underscores=escape, escape_misc=False
        ).strip()
        if _same_html(render_v1_summary(text), html) or _same_html(render_summary_html(text, math_html=_math_as_text), html):
            return text, False
    return sanitize_html(html), True


def shown_text(body: str) -> str:
    """What the site shows of a stored summary body: the text of `render_summary_html`, as on a paper page."""
    return html_text(render_summary_html(body))


def check_summary_shown(body: str, v1_html: str, source: str, arxiv_id: str) -> None:
    """ArchiveError unless the site would show `body` with the text v1 showed of `v1_html` (same letters and digits, in order)."""
    expected = html_text(sanitize_html(v1_html))
    shown = shown_text(body)
    if _letters(shown) == _letters(expected) and _letters(shown):
        return
    if not _letters(expected):
        raise ArchiveError(
            f"{source}: front matter key `summary` names a summary, but the page holds no summary text between its ai-summary markers",
            fix=f"remove the `summary:` key from {source} and rerun `python -m generator migrate` "
            f"(then `python -m generator resummarize --id {arxiv_id} --force` makes a new one); nothing was written",
        )
    missing = [word for word in _WORD.findall(expected) if word not in set(_WORD.findall(shown))]
    lost = f"{len(missing)} of its {len(_WORD.findall(expected))} words (first: {missing[0]!r})" if missing else "words in another order"
    raise ArchiveError(
        f"{source}: its AI summary would lose {lost} on the site, kept as {'HTML' if is_html_body(body) else 'Markdown'}",
        fix=f"in {source}, put the summary between its ai-summary markers inside <p>…</p> (or another block element such as <ul>), "
        "then rerun `python -m generator migrate`; nothing was written",
    )


_WORD = re.compile(r"[^\W_]+")


def _letters(text: str) -> str:
    return "".join(_WORD.findall(text))


def _math_as_text(source: str) -> str:
    """Math as v1 stored it: the TeX as written, escaped, in no element (the site marks it for KaTeX now)."""
    return escape_html(source, quote=False)


_BETWEEN_TAGS = re.compile(r">\s+<")


def _same_html(a: str, b: str) -> bool:
    return _BETWEEN_TAGS.sub("><", a.strip()) == _BETWEEN_TAGS.sub("><", b.strip())


def migrate(docs: Path, *, dry_run: bool = False) -> MigrationReport:
    """Upgrade every page of the archive in `docs` to the current format (see the module docstring)."""
    docs = Path(docs)
    report = MigrationReport()
    upgrades: list[tuple[PurePosixPath, str]] = []
    unshown: list[tuple[str, ArchiveError]] = []  # summaries the site would not show: reported together, nothing written
    archive = Archive(docs)
    for page in archive.pages("paper"):
        rel = page.relpath
        source = f"{docs.name}/{rel}"
        text = page.read_text()
        meta, v1_body = records.split_front_matter(text, source)
        if records.page_format(meta, source) == records.FORMAT:
            records.read_paper(text, source)
            report.current += 1
            continue
        v1_html = records.v1_summary_html(v1_body) or ""
        body, kept_as_html = summary_body(v1_html) if v1_html else ("", False)
        paper = records.read_paper_v1(text, source, lambda _: body)  # noqa: B023 (called here, in this iteration)
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
        if paper.summary is not None:
            try:
                check_summary_shown(paper.summary.markdown, v1_html, source, paper.arxiv_id)
            except ArchiveError as err:
                unshown.append((source, err))
                continue
            if kept_as_html:
                report.summaries_as_html.append(paper.arxiv_id)
            else:
                report.summaries += 1
        report.papers += 1
        upgrades.append((rel, upgraded))
    if unshown:  # one line: the first page and its fix, then how many more and which
        (_, first), others = unshown[0], [source for source, _ in unshown[1:]]
        more = f" (and {len(others)} more pages: {', '.join(others[:3])}{', …' if len(others) > 3 else ''})" if others else ""
        raise ArchiveError(first.message + more, fix=first.fix)
    day_upgrades = []
    for page in archive.pages("day"):
        rel = page.relpath
        source = f"{docs.name}/{rel}"
        text = page.read_text()
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
