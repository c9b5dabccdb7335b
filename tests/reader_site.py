"""Fixture pages for the reader's browser tests, written as the site's templates must.

overrides/archive/READER.md is the contract between the site's templates and
assets/javascripts/reader.js; this module renders day, home, paper and reading-list
pages that follow it from real archive records (the fixture archive), with the real
reader.js and reader.css, the site's math.js, KaTeX and Material's own stylesheets, so
the tests exercise the script before the plugin's templates emit the same markup.
`reader_record` is the `data-paper` record the templates must compute.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import jinja2
import material
from markupsafe import Markup

from generator import paths, records
from generator.models import DayRecord, Paper
from generator.sanitize import render_summary_html
from sitegen.layout import bibtex

ROOT = Path(__file__).resolve().parent.parent
OVERRIDES = ROOT / "overrides"
MATERIAL_CSS = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"
LIST_AUTHORS = 10
"""Authors a list entry's record carries; the rest are counted in `more`."""
READING_LIST = PurePosixPath("reading-list", "index.md")
ABSTRACT_SHOWN = 420
"""Characters of an abstract a list entry carries (about two lines on a desktop); the rest is on the paper page."""

_env = jinja2.Environment(
    loader=jinja2.DictLoader({}),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_fragments = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(OVERRIDES)),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

PAGE = _env.from_string("""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{ title }} - arXiv daily archive</title>
<link rel="icon" href="{{ root }}assets/favicon.svg">
{% for css in ("main.min.css", "palette.min.css", "vendor/fonts/fonts.css", "vendor/katex/katex.min.css", "archive.css", "reader.css") %}
<link rel="stylesheet" href="{{ root }}assets/{{ "" if css.startswith("vendor") else "stylesheets/" }}{{ css }}">
{% endfor %}
{{ head }}
</head>
<body dir="ltr" data-md-color-scheme="default" data-md-color-primary="indigo" data-md-color-accent="indigo">
<header class="md-header md-header--shadow" data-md-component="header">
<nav class="md-header__inner md-grid" aria-label="Header">
<a class="md-header__button" href="{{ root }}">arXiv daily archive</a>
<form class="fixture-search" role="search" action="{{ root }}search/"><input type="search" name="q" aria-label="Search papers" placeholder="Search papers"></form>
</nav>
</header>
<div class="md-container">
<main class="md-main">
<div class="md-main__inner md-grid">
<div class="md-content">
<article class="md-content__inner md-typeset">
{{ body }}
</article>
</div>
</div>
</main>
</div>
<script id="__config" type="application/json">{{ config | tojson }}</script>
<script src="{{ root }}assets/vendor/katex/katex.min.js" defer></script>
<script src="{{ root }}assets/vendor/katex/contrib/auto-render.min.js" defer></script>
<script src="{{ root }}assets/javascripts/math.js" defer></script>
<script src="{{ root }}assets/javascripts/reader.js" defer></script>
</body>
</html>
""")

# What a paper in a list must emit (READER.md, "A paper in a list").
ENTRY = _env.from_string("""<li class="paper-entry" data-paper='{{ e.data | tojson }}'>
<a class="entry-title arxiv-tex" href="{{ e.href }}">{{ e.title }}</a>
<p class="entry-meta">{{ e.authors }}{% if e.cat %} · <a href="{{ e.cat_href }}">{{ e.cat }}</a>{% endif %} · score {{ e.score }} · {{ e.type }}</p>
<p class="entry-abstract arxiv-tex"{% if e.abstract_cut %} data-more{% endif %}>{{ e.abstract }}</p>
{% if e.gist %}
<p class="entry-gist arxiv-tex">{{ e.gist }}</p>
{% endif %}
<p class="entry-links"><a href="{{ e.links.abs }}">abs</a> · <a href="{{ e.links.pdf }}">PDF</a> · <a href="{{ e.links.html }}">HTML</a></p>
</li>
""")

DAY = _env.from_string("""<h1>{{ day.title }}</h1>
<p><strong>{{ day.counts.listed }}</strong> papers listed · {{ day.counts.matched }} matched the keywords · {{ day.counts.fetched }} announced</p>
{{ keys_help }}
<ol class="day-papers">
{% for e in entries %}{{ e }}{% endfor %}
</ol>
""")

HOME = _env.from_string("""<h1>arXiv daily archive</h1>
<p class="reader-new" data-reader-new data-days='{{ days | tojson }}' hidden></p>
{{ keys_help }}
{% for title, href, entries in sections %}
<h2><a href="{{ href }}">{{ title }}</a></h2>
<ol class="day-papers">
{% for e in entries %}{{ e }}{% endfor %}
</ol>
{% endfor %}
""")

PAPER_HEAD = _env.from_string("""<meta name="citation_title" content="{{ title }}">
{% for name in authors %}
<meta name="citation_author" content="{{ name }}">
{% endfor %}
<meta name="citation_publication_date" content="{{ date }}">
<meta name="citation_arxiv_id" content="{{ arxiv_id }}">
{% if doi %}
<meta name="citation_doi" content="{{ doi }}">
{% endif %}
""")

# What a paper page must emit for the reader (READER.md, "A paper page"), around the page's own text.
PAPER = _env.from_string("""<h1 class="paper-title arxiv-tex">{{ p.title }}</h1>
<div class="reader-paper" data-paper='{{ data | tojson }}'></div>
<p class="paper-authors">{{ p.authors | join(", ") }}</p>
<h2 id="abstract">Abstract</h2>
<div class="paper-abstract arxiv-tex">{{ p.abstract }}</div>
{% if summary %}
<h2 id="ai-summary">AI summary</h2>
<details class="tip ai-summary" open>
<summary>Summarized by {{ model }}</summary>
{{ summary }}
</details>
{% endif %}
<h2 id="cite">Cite</h2>
<details class="quote paper-cite">
<summary>BibTeX</summary>
<pre><code class="language-bibtex">{{ cite }}</code></pre>
</details>
""")


def reader_record(paper: Paper, in_list: bool) -> dict:
    """The `data-paper` record of READER.md: in a list at most LIST_AUTHORS authors, `more` counts the rest."""
    ann = paper.announcement
    entry = bibtex(paper)
    key = entry.split("\n", 1)[0].removeprefix("@misc{").removesuffix(",")
    cite_title = entry.split("\n")[1].removeprefix("      title={").removesuffix("},")
    authors = list(ann.authors[:LIST_AUTHORS] if in_list else ann.authors)
    data = {"id": ann.arxiv_id, "title": ann.title, "authors": authors, "date": paper.announced.isoformat()}
    if len(ann.authors) > len(authors):
        data["more"] = len(ann.authors) - len(authors)
    if ann.primary_category:
        data["cat"] = ann.primary_category
    if ann.doi:
        data["doi"] = ann.doi
    data["bibkey"] = key
    if cite_title != ann.title:
        data["bibtitle"] = cite_title
    return data


def gist(summary_markdown: str) -> str:
    """One line of an AI summary: its first bullet, as plain text, at most 160 characters."""
    match = re.search(r"^\s*[-*] (.+)$", summary_markdown, re.M)
    line = re.sub(r"[*_`]", "", match.group(1) if match else summary_markdown).strip()
    return line if len(line) <= 160 else line[:159].rstrip() + "…"


def abstract_start(abstract: str, limit: int = ABSTRACT_SHOWN) -> str:
    """The abstract's first `limit` characters or so, cut between words and outside $…$ math, with "…"."""
    if len(abstract) <= limit:
        return abstract
    words = abstract.split(" ")
    kept: list[str] = []
    for word in words:
        start = " ".join(kept)
        if len(start) >= limit and start.count("$") % 2 == 0 and start.count("\\(") == start.count("\\)"):
            break
        kept.append(word)
    start = " ".join(kept)
    return abstract if start == abstract else start.rstrip(",;:") + " …"


def page_url(page: PurePosixPath) -> str:
    return paths.page_url(page)


def _root(page: PurePosixPath) -> str:
    depth = page_url(page).count("/")
    return "../" * depth


def entry_html(page: PurePosixPath, paper: Paper) -> str:
    ann = paper.announcement
    shown = ", ".join(ann.authors[:6]) + (", et al." if len(ann.authors) > 6 else "")
    return ENTRY.render(
        e={
            "data": reader_record(paper, in_list=True),
            "href": paths.relative_url(page, paths.paper_path(ann.arxiv_id)),
            "title": ann.title,
            "authors": shown or "Unknown authors",
            "cat": ann.primary_category,
            "cat_href": paths.relative_url(page, paths.category_path(ann.primary_category)) if ann.primary_category else "",
            "score": f"{paper.score.value:g}",
            "type": paper.announce_type,
            "abstract": abstract_start(ann.abstract),
            "abstract_cut": abstract_start(ann.abstract) != ann.abstract,
            "gist": gist(paper.summary.markdown) if paper.summary else "",
            "links": records.paper_links(paper),
        }
    )


def _keys_help() -> str:
    return _fragments.get_template("archive/partials/keys-help.html").render()


def reading_list_body() -> str:
    return _fragments.get_template("archive/reading-list.html").render(paper_url="papers/{path}/")


@dataclass(frozen=True)
class ReaderSite:
    """A fixture site on disk, and the records its pages were written from."""

    root: Path
    docs: Path
    days: dict[str, DayRecord]
    papers: dict[str, Paper]

    def write_page(self, page: PurePosixPath, title: str, body: str, head: str = "") -> None:
        url = page_url(page)
        target = self.root / url / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        root = _root(page)
        config = {"base": root.rstrip("/") or "."}  # as Material's __config
        target.write_text(PAGE.render(title=title, root=root, head=Markup(head), body=Markup(body), config=config), encoding="utf-8")

    def write_day(self, date: str, limit: int | None = None) -> list[str]:
        """The day's page with its first `limit` papers; their paper pages too. Returns the ids listed."""
        record = self.days[date]
        page = paths.day_path(record.date)
        ids = [i for i in record.papers if i in self.papers][:limit]
        entries = [Markup(entry_html(page, self.papers[i])) for i in ids]
        body = DAY.render(day=record, entries=entries, keys_help=Markup(_keys_help()))
        self.write_page(page, record.title, body)
        for arxiv_id in ids:
            self.write_paper(arxiv_id)
        return ids

    def write_paper(self, arxiv_id: str) -> None:
        paper = self.papers[arxiv_id]
        ann = paper.announcement
        summary = render_summary_html(paper.summary.markdown) if paper.summary else ""
        body = PAPER.render(
            p=ann, data=reader_record(paper, in_list=False), summary=Markup(summary),
            model=paper.summary.model if paper.summary else "", cite=bibtex(paper),
        )  # fmt: skip
        head = PAPER_HEAD.render(
            title=ann.title, authors=ann.authors, date=paper.announced.strftime("%Y/%m/%d"), arxiv_id=ann.arxiv_id, doi=ann.doi,
        )  # fmt: skip
        self.write_page(paths.paper_path(arxiv_id), ann.title, body, head)

    def write_home(self, dates: list[str]) -> None:
        """The home page listing every paper of these days (newest first), with their counts in `data-days`."""
        page = paths.HOME_PATH
        sections = []
        for date in sorted(dates, reverse=True):
            record = self.days[date]
            ids = [i for i in record.papers if i in self.papers]
            entries = [Markup(entry_html(page, self.papers[i])) for i in ids]
            sections.append((record.title, paths.relative_url(page, paths.day_path(record.date)), entries))
            for arxiv_id in ids:
                self.write_paper(arxiv_id)
        days = {date: len([i for i in self.days[date].papers if i in self.papers]) for date in dates}
        self.write_page(page, "Home", HOME.render(sections=sections, days=days, keys_help=Markup(_keys_help())))

    def write_reading_list(self) -> None:
        self.write_page(READING_LIST, "Reading list", reading_list_body())


def make_reader_site(docs: Path, out: Path) -> ReaderSite:
    """Assets and the reading-list page in `out`; pages are written by the ReaderSite methods."""
    days = {}
    for path in sorted((docs / "days").rglob("*.md")):
        record = records.read_day(path.read_text(encoding="utf-8"), str(path))
        days[record.date.isoformat()] = record
    papers = {}
    for path in sorted((docs / "papers").rglob("*.md")):
        paper = records.read_paper(path.read_text(encoding="utf-8"), str(path))
        papers[paper.arxiv_id] = paper
    assets = out / "assets"
    for folder in ("javascripts", "stylesheets", "vendor/katex", "vendor/fonts"):
        shutil.copytree(OVERRIDES / "assets" / folder, assets / folder, dirs_exist_ok=True)
    shutil.copyfile(OVERRIDES / "assets" / "favicon.svg", assets / "favicon.svg")
    for css in MATERIAL_CSS.glob("*.min.css"):
        shutil.copyfile(css, assets / "stylesheets" / (css.name.split(".")[0] + ".min.css"))
    site = ReaderSite(out, docs, days, papers)
    site.write_reading_list()
    return site

