"""Paper and day layouts rendered at build time from records (overrides/archive/, pure): escaping of untrusted text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.archive import paths
from generator.archive.models import Announcement, DayCounts, DayRecord, Paper, Score, Summary
from generator.website.catalog import Catalog, DayEntry, PaperEntry
from generator.website.cite import bibtex
from generator.website.context import build_context
from generator.website.render import Renderer, environment
from generator.website.settings import SiteInfo

THEME = [Path(__file__).resolve().parents[2] / "overrides"]
SITE = SiteInfo("Archive", "https://example.org/a/", "d", ("cs.LG",), (("Training", 1.0),), (), 2.0, 30)

HOSTILE_TITLE = 'Evil <script>alert(1)</script> *x* [click](javascript:alert(2)) {{ x }} {% raw %} --- "q": $a<b$'
HOSTILE_ABSTRACT = (
    "Line one <img src=x onerror=alert(3)> &amp; entity.\n\n# not a heading\n```\nfence\n"
    "<!-- comment --> [ref]: javascript:alert(4)\n---\nkey: value\n\u202eevil\u200b $x_1 < y$"
)


def announcement(**fields) -> Announcement:
    base = {
        "arxiv_id": "2609.26811",
        "version": 2,
        "title": "Spectral updates for $N_c$ layers",
        "abstract": "We study $x^2$ and \\(y\\).",
        "authors": ("Fabien Polly", "Jean Rémy"),
        "categories": ("cs.LG", "cs.AI"),
        "primary_category": "cs.LG",
        "announce_type": "new",
        "announced": dt.date(2026, 9, 24),
        "doi": "10.1093/x(1)",
        "journal_ref": "J. Test 1 (2026)",
        "comment": "12 pages",
        "affiliations": (("Jean Rémy", ("Inria",)),),
        "license": "http://creativecommons.org/licenses/by/4.0/",
    }
    base.update(fields)
    return Announcement(**base)


def make_paper(ann: Announcement | None = None, summary: Summary | None = None, updated=None) -> Paper:
    ann = ann or announcement()
    return Paper(ann, Score(3.5, ("Training", "Efficient"), ("Remy",)), dt.date(2026, 9, 24), "new", updated, summary)


def renderer(papers: list[Paper], days: tuple[DayEntry, ...] = ()) -> Renderer:
    catalog = Catalog({p.arxiv_id: PaperEntry.of(p) for p in papers}, days)
    return Renderer(environment(THEME), build_context(catalog, SITE))


def paper_body(paper: Paper) -> str:
    """The article of the paper's page, as overrides/archive/paper.html lays it out."""
    return str(renderer([paper]).paper(PaperEntry.of(paper)).content)


DAY_COUNTS = DayCounts(10, 3, 1, 0)
"""Fetched, matched, listed, summarized of the days these tests render."""


def day_of(*papers: Paper, counts: DayCounts = DAY_COUNTS) -> str:
    record = DayRecord(dt.date(2026, 9, 24), "Thursday, 24 September 2026", tuple(p.arxiv_id for p in papers), counts)
    day = DayEntry(record, paths.day_path(record.date))
    return str(renderer(list(papers), (day,)).day(day).content)


def to_html(body: str) -> str:
    """The site's pages are HTML already (kept for the tests' shape: a body in, HTML out)."""
    return body


def test_hostile_text_survives_yaml_and_renders_inert():
    ann = announcement(title=HOSTILE_TITLE, abstract=HOSTILE_ABSTRACT.replace("\n", " "), authors=("<b>Bold</b> Name", 'O\'Brien "Q"'))
    html = to_html(paper_body(make_paper(ann)))
    assert "<script" not in html and "<img" not in html and "javascript:alert(2)" not in html.replace("javascript:alert(2))", "")
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(3)&gt;" in html
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt; Name" in html
    assert "$a&lt;b$" in html  # math stays as text for KaTeX, escaped


def test_day_links_escape_markdown_in_titles():
    ann = announcement(title=HOSTILE_TITLE)
    html = to_html(day_of(make_paper(ann)))
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert "<em>x</em>" not in html  # *x* is shown, not emphasised
    assert html.count("<a ") == 1  # the paper (its category and tags are text: the paper page links them)
    assert "Training, Efficient · followed: Remy</p>" in html


def test_empty_day_says_so():
    assert "No announcements" in day_of(counts=DayCounts())


def test_bibtex_matches_arxivs_export_style():
    entry = bibtex(make_paper())
    assert entry.startswith("@misc{polly2026spectral,\n")
    assert "      eprint={2609.26811},\n" in entry and "archivePrefix={arXiv}" in entry and "primaryClass={cs.LG}" in entry
    assert "author={Fabien Polly and Jean Rémy}" in entry
    # A brace arXiv's text shows as a character is written as BibTeX's character macro
    # (BibTeX counts even `\}`), so the entry stays readable after it (generator.text.tex.tex_bibtex).
    unbalanced = bibtex(make_paper(announcement(title="A } broken { title")))
    assert "title={A \\textbraceright{} broken \\textbraceleft{} title}" in unbalanced
    math = bibtex(make_paper(announcement(title="Rates $O(n^{-1})$ \\& \\textbf{bold} 50\\% of \\href{https://x.org}{it}")))
    assert "title={Rates {$O(n^{-1})$} \\& \\textbf{bold} 50\\% of it}" in math


def test_block_syntax_at_the_start_of_an_author_name_stays_text():
    # Regression (format v1, whose day pages were Markdown): a first author named `- x`, `1. x`,
    # `# x`, `--8<-- "file"` (a snippet include) or `??? note` became a list, heading, include or
    # details block inside the entry. Templates print names as text: the entry keeps its shape.
    from tests.hostile import LINE_START, SNIPPET_CANARY, parse_html

    for name, value in LINE_START.items():
        root = parse_html(day_of(make_paper(announcement(authors=(value, "Second Author")))))
        [item] = root.findall("ol/li")
        assert {el.tag for el in item.iter()} <= {"li", "p", "a"}, name
        assert f"{value}, Second Author" in item.text_content(), name
        assert SNIPPET_CANARY not in item.text_content()


def test_category_pages_stay_in_their_folder():
    # Regression: a feed category `..` gave categories/../index.md (docs/index.md, the home page).
    from generator.archive.paths import category_path

    for code in ("..", ".", "", "../..", "../../x", "/etc/passwd", ".hidden", "a/b", "x" * 300, "cs.LG"):
        path = category_path(code)
        assert len(path.parts) == 3 and path.parts[0] == "categories" and path.parts[2] == "index.md", code
        assert path.parts[1] not in ("", ".", "..") and not path.parts[1].startswith(".") and len(path.parts[1]) <= 100
    assert category_path("cs.LG").as_posix() == "categories/cs.LG/index.md"


def test_paper_metadata_links_the_built_pages_and_escapes_labels():
    """The metadata list links the day, category and tag pages at their built URLs; its labels are HTML-escaped."""
    paper = make_paper()
    paper = Paper(paper.announcement, Score(3.5, ("<b>x</b> *y*",), ()), paper.announced, "new")
    body = paper_body(paper)
    meta_list = body[body.index('<ul class="paper-meta">') : body.index("</ul>")]
    assert '<a href="../../../categories/cs.LG/">cs.LG — Machine Learning</a> (primary)' in meta_list
    assert '<a href="../../../tags/b-x-b-y/">&lt;b&gt;x&lt;/b&gt; *y*</a>' in meta_list
    assert '<a href="../../../days/2026/2026-09-24/">2026-09-24</a>' in meta_list
    assert "<b>" not in meta_list
