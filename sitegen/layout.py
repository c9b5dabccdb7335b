"""Paper and day pages laid out at build time from their records (Markdown and HTML bodies).

The archive stores records; their layout is decided here, when the site is built,
so a change reaches every page. Text from arXiv is untrusted and reaches the body
only through `html_text` (raw-HTML blocks) and `md_inline` (Markdown lines).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2

from generator import paths, records
from generator.arxiv_ids import abs_url
from generator.escape import html_text, md_inline
from generator.models import DayRecord, Paper, Summary
from generator.sanitize import render_summary_html
from generator.taxonomy import category_name
from generator.texclean import fold

_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("sitegen", "templates"),
    autoescape=False,  # values arrive escaped for their Markdown or HTML context
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def bibtex(paper: Paper) -> str:
    """BibTeX entry in arXiv's own export style (@misc with eprint and archivePrefix)."""
    ann = paper.announcement
    first = fold(ann.authors[0]).split()[-1] if ann.authors and ann.authors[0].split() else "anon"
    words = [w for w in re.findall(r"[a-z0-9]+", fold(ann.title)) if len(w) > 3]
    key = re.sub(r"[^a-z0-9]", "", first) + str(paper.announced.year) + (words[0] if words else "")
    fields = [
        ("title", ann.title),
        ("author", " and ".join(ann.authors)),
        ("year", str(paper.announced.year)),
        ("eprint", ann.arxiv_id),
        ("archivePrefix", "arXiv"),
        ("primaryClass", ann.primary_category),
        ("url", abs_url(ann.arxiv_id)),
    ]
    if ann.doi:
        fields.append(("doi", ann.doi))
    body = ",\n".join(f"      {name}={{{_bibtex_value(value)}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body},\n}}"


def _bibtex_value(value: str) -> str:
    # Unbalanced braces would break every entry after this one in a .bib file.
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    return value if depth == 0 else value.replace("{", "(").replace("}", ")")


def _category_links(page: PurePosixPath, codes: tuple[str, ...], primary: str, escape=md_inline) -> list[dict[str, str]]:
    return [
        {
            "label": escape(f"{code} — {category_name(code)}" if code == primary else code),
            "href": paths.relative_link(page, paths.category_path(code)),
            "primary": "yes" if code == primary else "",
        }
        for code in codes
    ]


def _tag_links(page: PurePosixPath, tags: tuple[str, ...], escape=md_inline) -> list[dict[str, str]]:
    return [{"label": escape(tag), "href": paths.relative_link(page, paths.tag_path(tag))} for tag in tags]


def _authors_html(paper: Paper) -> str:
    affiliations = dict(paper.announcement.affiliations)
    parts = []
    for name in paper.announcement.authors:
        affs = affiliations.get(name)
        text = html_text(name)
        if affs:
            text += f' <span class="paper-affiliation">({html_text("; ".join(affs))})</span>'
        parts.append(text)
    return ", ".join(parts) or "Unknown authors"


def paper_body(paper: Paper) -> str:
    """The Markdown body of a paper page, laid out from its record."""
    ann = paper.announcement
    page = paths.paper_path(ann.arxiv_id)
    links = records.paper_links(paper)
    body = _templates.get_template("paper.md.j2").render(
        title=html_text(ann.title),
        authors=_authors_html(paper),
        arxiv_id=ann.arxiv_id,
        version=ann.version,
        announced=paper.announced.isoformat(),
        announced_href=paths.relative_link(page, paths.day_path(paper.announced)),
        announce_type=paper.announce_type,
        updated=paper.updated.isoformat() if paper.updated else None,
        updated_href=paths.relative_link(page, paths.day_path(paper.updated)) if paper.updated else None,
        categories=_category_links(page, ann.categories, ann.primary_category, escape=html_text),
        score=_format_score(paper.score.value),
        keywords=_tag_links(page, paper.score.matched_keywords, escape=html_text),
        followed=_tag_links(page, paper.score.matched_authors, escape=html_text),
        links={kind: html_text(url) for kind, url in links.items()},
        abstract=html_text(ann.abstract),
        comment=html_text(ann.comment) if ann.comment else None,
        journal_ref=html_text(ann.journal_ref) if ann.journal_ref else None,
        summary=_summary_view(paper.summary),
        bibtex=html_text(bibtex(paper)),
    )
    return body


def _summary_view(summary: Summary | None) -> dict[str, str] | None:
    if summary is None:
        return None
    return {
        "model": html_text(summary.model),
        "input": "the full text" if summary.input == "fulltext" else "the abstract",
        "version": str(summary.version),
        "created": html_text(summary.created[:10]),
        "html": render_summary_html(summary.markdown),
    }


def _format_score(value: float) -> str:
    return f"{value:g}"


def _day_entry(page: PurePosixPath, rank: int, paper: Paper) -> dict[str, Any]:
    ann = paper.announcement
    authors = list(ann.authors[:6]) + (["et al."] if len(ann.authors) > 6 else [])
    meta = [f"score **{_format_score(paper.score.value)}**", paper.announce_type]
    if ann.primary_category:
        link = _category_links(page, (ann.primary_category,), "")[0]
        meta.insert(0, f"[{link['label']}]({link['href']})")
    if paper.score.matched_keywords:
        meta.append(", ".join(f"[{t['label']}]({t['href']})" for t in _tag_links(page, paper.score.matched_keywords)))
    if paper.score.matched_authors:
        meta.append("followed: " + ", ".join(f"[{t['label']}]({t['href']})" for t in _tag_links(page, paper.score.matched_authors)))
    return {
        "rank": rank,
        "title": md_inline(ann.title),
        "href": paths.relative_link(page, paths.paper_path(ann.arxiv_id)),
        "version": ann.version,
        "authors": md_inline(", ".join(authors)) or "Unknown authors",
        "meta": " · ".join(meta),
        "summarized": paper.summary is not None,
    }


def day_body(record: DayRecord, papers: dict[str, Paper]) -> str:
    """The Markdown body of a day page: ranked papers with their scores, or a note that nothing was announced."""
    page = paths.day_path(record.date)
    listed = [papers[i] for i in record.papers if i in papers]
    updated = [papers[i] for i in record.updated if i in papers]
    body = _templates.get_template("day.md.j2").render(
        heading=record.title,
        date=record.date.isoformat(),
        counts=record.counts,
        papers=[_day_entry(page, rank, p) for rank, p in enumerate(listed, 1)],
        updated=[_day_entry(page, rank, p) for rank, p in enumerate(updated, 1)],
    )
    return body + (f"\n{record.note}\n" if record.note else "")


def listed_papers(docs: Path, record: DayRecord) -> dict[str, Paper]:
    """The records of the papers a day lists and updated, read from the archive."""
    found = {}
    for arxiv_id in record.papers + record.updated:
        path = Path(docs).joinpath(*paths.paper_path(arxiv_id).parts)
        if path.is_file():
            found[arxiv_id] = records.read_paper(path.read_text(encoding="utf-8"), f"docs/{paths.paper_path(arxiv_id)}")
    return found


def rendered_body(docs: Path, relpath: PurePosixPath) -> str:
    """The Markdown body the site renders for the paper or day page at docs/relpath."""
    text = Path(docs).joinpath(*relpath.parts).read_text(encoding="utf-8")
    if relpath.parts[0] == "papers":
        return paper_body(records.read_paper(text, f"docs/{relpath}"))
    record = records.read_day(text, f"docs/{relpath}")
    return day_body(record, listed_papers(docs, record))
