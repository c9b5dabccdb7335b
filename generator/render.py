"""Render papers and days to Markdown pages (front matter + body). Pure: strings in, strings out.

Text from arXiv is untrusted. It reaches a page only through two doors:
`html_text` for raw-HTML blocks (Markdown leaves those alone, so escaping `<>&"'`
is enough) and `md_inline` for link texts inside Markdown lines (HTML-escaped and
with Markdown's inline syntax backslash-escaped). Math delimiters survive both
as literal text, for KaTeX to render in the browser. The templates only lay out
values prepared here; they never see raw arXiv text.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

import jinja2
import yaml

from . import paths
from .arxiv_ids import abs_url, html_url, pdf_url
from .models import Day, Paper, Summary
from .sanitize import sanitize_html
from .taxonomy import category_name
from .texclean import fold

SUMMARY_BEGIN = "<!-- ai-summary:begin -->"
SUMMARY_END = "<!-- ai-summary:end -->"
_MD_INLINE = re.compile(r"([\\`*_{}\[\]!])")
"""Inline syntax python-markdown itself lets us escape with a backslash."""
_MD_ENTITIES = {"|": "&#124;", "~": "&#126;", "^": "&#94;", "=": "&#61;"}
"""Extension syntax (tables, tilde, caret, mark, tabs) whose backslash escape exists only where
the extension is loaded; a character reference reads the same with any set of extensions."""
_LINE_BREAK = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")
# Block syntax that acts only at the start of a line (headings, lists, setext underlines,
# snippet includes `--8<--`, admonitions `!!!`, details `???`, definitions `: `, ...): an
# inline value can land there (the day page starts a line with the authors).
_BLOCK_START = re.compile(r"^(\s*)(?:([#+-])|(\d+)([.)])|([?:;%]))")
_EMOJI = re.compile(r":(?=[+\-\w]+:)")

_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("generator", "templates"),
    autoescape=False,  # values arrive escaped for their Markdown or HTML context
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def html_text(text: str) -> str:
    """Text for an HTML context: `<script>` shows as text."""
    return html.escape(text, quote=True)


def md_inline(text: str) -> str:
    """Text for an inline Markdown context (a link text, a list item): shown as written, never markup."""
    text = _LINE_BREAK.sub(" ", text)
    text = _MD_INLINE.sub(r"\\\1", html.escape(text, quote=False))
    text = "".join(_MD_ENTITIES.get(char, char) for char in text)
    text = _EMOJI.sub("&#58;", text)  # `:smile:` would become an emoji image
    return _BLOCK_START.sub(_escape_block_start, text, count=1)


def _escape_block_start(match: re.Match[str]) -> str:
    space, mark, number, after_number, other = match.groups()
    if mark:
        return f"{space}\\{mark}"
    if number:
        return f"{space}{number}\\{after_number}"
    return f"{space}&#{ord(other)};"


def front_matter(data: dict[str, Any]) -> str:
    """YAML front matter block; safe_dump quotes whatever needs quoting (`---`, `: `, `#`)."""
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False)
    return f"---\n{body}---\n"


def doi_url(doi: str) -> str:
    return "https://doi.org/" + quote(doi, safe="/:;._-")


def _links(paper: Paper) -> dict[str, str]:
    ann = paper.announcement
    links = {
        "abs": abs_url(ann.arxiv_id),
        "pdf": pdf_url(ann.arxiv_id, ann.version),
        "html": html_url(ann.arxiv_id, ann.version),
    }
    if ann.doi:
        links["doi"] = doi_url(ann.doi)
    return links


def paper_metadata(paper: Paper) -> dict[str, Any]:
    """Front matter of a paper page: the archive format of DESIGN.md (plus additive keys)."""
    ann = paper.announcement
    data: dict[str, Any] = {
        "arxiv_id": ann.arxiv_id,
        "version": ann.version,
        "title": ann.title,
        "authors": list(ann.authors),
        "categories": list(ann.categories),
        "primary_category": ann.primary_category,
        "announced": paper.announced,
        "announce_type": paper.announce_type,
        "score": paper.score.value,
        "matched_keywords": list(paper.score.matched_keywords),
        "tags": list(paper.tags),
        "links": _links(paper),
        "abstract": ann.abstract,
    }
    if paper.score.matched_authors:
        data["matched_authors"] = list(paper.score.matched_authors)
    if paper.updated:
        data["updated"] = paper.updated
    for key in ("comment", "journal_ref", "doi", "license"):
        value = getattr(ann, key)
        if value:
            data[key] = value
    if ann.affiliations:
        data["affiliations"] = {name: list(affs) for name, affs in ann.affiliations}
    if paper.summary:
        data["summary"] = summary_metadata(paper.summary)
    return data


def summary_metadata(summary: Summary) -> dict[str, Any]:
    return {
        "model": summary.model,
        "input": summary.input,
        "prompt_sha256": summary.prompt_sha256,
        "created": summary.created,
        "version": summary.version,
    }


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


def render_paper(paper: Paper) -> str:
    """The whole paper page: front matter, then the body."""
    ann = paper.announcement
    page = paths.paper_path(ann.arxiv_id)
    links = _links(paper)
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
        summary_begin=SUMMARY_BEGIN,
        summary_end=SUMMARY_END,
        bibtex=html_text(bibtex(paper)),
    )
    return front_matter(paper_metadata(paper)) + "\n" + body


def _summary_view(summary: Summary | None) -> dict[str, str] | None:
    if summary is None:
        return None
    return {
        "model": html_text(summary.model),
        "input": "the full text" if summary.input == "fulltext" else "the abstract",
        "version": str(summary.version),
        "created": html_text(summary.created[:10]),
        # Stored HTML was sanitized before it was stored; sanitizing is idempotent, so doing it
        # again here changes no byte and keeps a hand-edited or forged page inert.
        "html": sanitize_html(summary.html),
    }


def extract_summary_html(page_text: str) -> str | None:
    """The summary HTML stored in a paper page body, or None when it has none."""
    start = page_text.find(SUMMARY_BEGIN)
    end = page_text.find(SUMMARY_END, start + 1)
    if start < 0 or end < 0:
        return None
    return page_text[start + len(SUMMARY_BEGIN) : end].strip("\n")


def _format_score(value: float) -> str:
    return f"{value:g}"


def day_title(day: dt.date) -> str:
    return f"{day:%A}, {day.day} {day:%B %Y}"


def day_metadata(day: Day) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": day_title(day.date),
        "date": day.date,
        "papers": [p.arxiv_id for p in day.papers],
        "counts": {
            "fetched": day.counts.fetched,
            "matched": day.counts.matched,
            "listed": day.counts.listed,
            "summarized": day.counts.summarized,
        },
    }
    if day.updated:
        data["updated"] = [p.arxiv_id for p in day.updated]
    return data


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


def render_day(day: Day) -> str:
    """The day page: ranked papers with their scores, or a note that nothing was announced."""
    page = paths.day_path(day.date)
    body = _templates.get_template("day.md.j2").render(
        heading=day_title(day.date),
        date=day.date.isoformat(),
        counts=day.counts,
        papers=[_day_entry(page, rank, p) for rank, p in enumerate(day.papers, 1)],
        updated=[_day_entry(page, rank, p) for rank, p in enumerate(day.updated, 1)],
    )
    return front_matter(day_metadata(day)) + "\n" + body
