"""Rendering pages (pure): escaping of untrusted text, YAML safety, round trips."""

from __future__ import annotations

import datetime as dt
import html
import re

import markdown
import yaml

from generator.archive import paper_from_page, split_front_matter
from generator.models import Announcement, Day, DayCounts, Paper, Score, Summary
from generator.render import bibtex, md_inline, render_day, render_paper

HOSTILE_TITLE = 'Evil <script>alert(1)</script> *x* [click](javascript:alert(2)) {{ x }} {% raw %} --- "q": $a<b$'
HOSTILE_ABSTRACT = (
    "Line one <img src=x onerror=alert(3)> &amp; entity.\n\n# not a heading\n```\nfence\n"
    "<!-- comment --> [ref]: javascript:alert(4)\n---\nkey: value\n\u202eevil\u200b $x_1 < y$"
)


def announcement(**fields) -> Announcement:
    base = dict(
        arxiv_id="2609.26811", version=2, title="Spectral updates for $N_c$ layers", abstract="We study $x^2$ and \\(y\\).",
        authors=("Fabien Polly", "Jean Rémy"), categories=("cs.LG", "cs.AI"), primary_category="cs.LG",
        announce_type="new", announced=dt.date(2026, 9, 24), doi="10.1093/x(1)", journal_ref="J. Test 1 (2026)",
        comment="12 pages", affiliations=(("Jean Rémy", ("Inria",)),), license="http://creativecommons.org/licenses/by/4.0/",
    )  # fmt: skip
    base.update(fields)
    return Announcement(**base)


def make_paper(ann: Announcement | None = None, summary: Summary | None = None, updated=None) -> Paper:
    ann = ann or announcement()
    return Paper(ann, Score(3.5, ("Training", "Efficient"), ("Remy",)), dt.date(2026, 9, 24), "new", updated, summary)


def to_html(page: str) -> str:
    _, body = split_front_matter(page, "page")
    return markdown.markdown(body, extensions=["attr_list", "md_in_html", "tables", "toc"])


def test_round_trip_through_the_page():
    summary = Summary("qwen-long", "fulltext", "a" * 64, "2026-09-24T21:00:00Z", 2, "<p>Summary <strong>text</strong></p>")
    # A paper first listed on 09-24 whose v2 was announced on 10-01.
    paper = make_paper(announcement(announced=dt.date(2026, 10, 1)), summary=summary, updated=dt.date(2026, 10, 1))
    page = render_paper(paper)
    back = paper_from_page(page, "page")
    assert back == paper
    assert render_paper(back) == page


def test_front_matter_has_the_archive_format_keys():
    meta, _ = split_front_matter(render_paper(make_paper()), "page")
    for key in ("arxiv_id", "version", "title", "authors", "categories", "primary_category", "announced",
                "announce_type", "score", "matched_keywords", "tags", "links"):  # fmt: skip
        assert key in meta
    assert meta["arxiv_id"] == "2609.26811" and meta["version"] == 2
    assert meta["links"] == {
        "abs": "https://arxiv.org/abs/2609.26811",
        "pdf": "https://arxiv.org/pdf/2609.26811v2",
        "html": "https://arxiv.org/html/2609.26811v2",
        "doi": "https://doi.org/10.1093/x%281%29",
    }
    assert meta["announced"] == dt.date(2026, 9, 24)


def test_hostile_text_survives_yaml_and_renders_inert():
    ann = announcement(title=HOSTILE_TITLE, abstract=HOSTILE_ABSTRACT.replace("\n", " "), authors=("<b>Bold</b> Name", "O'Brien \"Q\""))
    page = render_paper(make_paper(ann))
    meta, _ = split_front_matter(page, "page")
    assert meta["title"] == HOSTILE_TITLE  # the data stays exact
    html = to_html(page)
    assert "<script" not in html and "<img" not in html and "javascript:alert(2)" not in html.replace("javascript:alert(2))", "")
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(3)&gt;" in html
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt; Name" in html
    assert "$a&lt;b$" in html  # math stays as text for KaTeX, escaped


def test_day_links_escape_markdown_in_titles():
    ann = announcement(title=HOSTILE_TITLE)
    day = Day(dt.date(2026, 9, 24), (make_paper(ann),), DayCounts(10, 3, 1, 0))
    html = to_html(render_day(day))
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert "<em>x</em>" not in html  # *x* is shown, not emphasised
    assert html.count("<a ") == 1 + 1 + 2 + 1  # paper, category, two keyword tags, one followed author


def test_md_inline_neutralizes_inline_syntax():
    rendered = markdown.markdown(md_inline("a *b* _c_ `d` [e](f) ![g](h) <i> &amp; {: .x}"))
    assert rendered == "<p>a *b* _c_ `d` [e](f) ![g](h) &lt;i&gt; &amp;amp; {: .x}</p>"


def test_empty_day_says_so():
    page = render_day(Day(dt.date(2024, 11, 28), (), DayCounts()))
    meta, body = split_front_matter(page, "page")
    assert meta["papers"] == [] and meta["counts"] == {"fetched": 0, "matched": 0, "listed": 0, "summarized": 0}
    assert "No announcements" in body


def test_bibtex_matches_arxivs_export_style():
    entry = bibtex(make_paper())
    assert entry.startswith("@misc{polly2026spectral,\n")
    assert "      eprint={2609.26811},\n" in entry and "archivePrefix={arXiv}" in entry and "primaryClass={cs.LG}" in entry
    assert "author={Fabien Polly and Jean Rémy}" in entry
    unbalanced = bibtex(make_paper(announcement(title="A } broken { title")))
    assert "title={A ) broken ( title}" in unbalanced


def test_yaml_front_matter_is_safe_for_document_markers():
    page = render_paper(make_paper(announcement(title="---", abstract="--- \n...")))
    meta, body = split_front_matter(page, "page")
    assert meta["title"] == "---"
    assert yaml.safe_load(page.split("\n---\n", 1)[0][4:])["title"] == "---"
    assert body.lstrip().startswith('<h1 class="paper-title')


def test_block_syntax_at_the_start_of_an_inline_value_stays_text(tmp_path):
    # Regression: the day page starts a line with the authors; a first author named `- x`,
    # `1. x`, `# x`, `--8<-- "file"` (a snippet include: pulls a file into the page) or
    # `??? note` became a list, heading, include or details block inside the entry.
    from tests.hostile import LINE_START, SNIPPET_CANARY, parse_html, render_body

    for name, value in LINE_START.items():
        body = f"1. **[Title](x.md)**  \n    {md_inline(value)}, Second Author  \n    meta\n"
        root = parse_html(render_body(body, tmp_path))
        [item] = root.findall("ol/li")
        assert {el.tag for el in item.iter()} <= {"li", "p", "strong", "a", "br"}, (name, md_inline(value))
        assert f"{value}, Second Author" in item.text_content(), name
        assert SNIPPET_CANARY not in item.text_content()


def test_md_inline_shows_extension_syntax_as_written_with_or_without_the_extensions():
    text = "k=2 | a~b^c ==mark== :smile: line\nbreak"
    for extensions in ([], ["tables", "pymdownx.mark", "pymdownx.caret", "pymdownx.tilde", "pymdownx.emoji"]):
        rendered = markdown.markdown(md_inline(text), extensions=extensions)
        assert "\\" not in rendered and "<mark>" not in rendered and "<img" not in rendered
        assert html.unescape(re.sub("<[^>]+>", "", rendered)) == text.replace("\n", " ")


def test_category_pages_stay_in_their_folder():
    # Regression: a feed category `..` gave categories/../index.md (docs/index.md, the home page).
    from generator.paths import category_path

    for code in ("..", ".", "", "../..", "../../x", "/etc/passwd", ".hidden", "a/b", "x" * 300, "cs.LG"):
        path = category_path(code)
        assert len(path.parts) == 3 and path.parts[0] == "categories" and path.parts[2] == "index.md", code
        assert path.parts[1] not in ("", ".", "..") and not path.parts[1].startswith(".") and len(path.parts[1]) <= 100
    assert category_path("cs.LG").as_posix() == "categories/cs.LG/index.md"


def test_paper_metadata_is_html_with_md_links_and_escaped_labels():
    """The metadata list is raw HTML (the site sets it aside from the Markdown parser, see
    sitegen/rawhtml.py); its links still name .md pages, its labels are HTML-escaped."""
    paper = make_paper()
    paper = Paper(paper.announcement, Score(3.5, ("<b>x</b> *y*",), ()), paper.announced, "new")
    _, body = split_front_matter(render_paper(paper), "page")
    meta_list = body[body.index('<ul class="paper-meta">') : body.index("</ul>")]
    assert '<a href="../../categories/cs.LG/index.md">cs.LG — Machine Learning</a> (primary)' in meta_list
    assert '<a href="../../tags/b-x-b-y/index.md">&lt;b&gt;x&lt;/b&gt; *y*</a>' in meta_list
    assert '<a href="../../days/2026/2026-09-24.md">2026-09-24</a>' in meta_list
    assert "<b>" not in meta_list
