"""What the pages give the reader (generator/website/reader.py, generator/website/meta.py) and how the templates print it.

The abstract's start and the summary's gist that a day's entry shows, the days the home
page counts for "new since your last visit", every page's own description, the paper
page's citation tags, and the markup
contract of overrides/archive/READER.md as the templates emit it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest

from generator.archive import paths
from generator.archive.models import Summary
from generator.text.cut import cut_plain
from generator.website import meta, reader
from generator.website.catalog import Catalog, DayEntry
from generator.website.cite import bibtex_key
from generator.website.context import build_context
from generator.website.render import Renderer, environment
from tests.site.test_sitegen import SITE, THEME, entry

DAY = dt.date(2026, 9, 24)
ABSTRACT = (
    "Local learning trains each layer with its own auxiliary loss and no global backward pass, which makes layer updates "
    "structurally parallel. Two problems have kept it marginal: accuracy degrades as depth grows, and hyperparameters are "
    "fragile. We apply Muon-style spectral update geometry (momentum orthogonalization with spectral step scaling) to "
    "per-layer local updates, an intersection not previously studied."
)


# -- the abstract's start and the summary's gist ----------------------------------------------------


def test_a_short_abstract_is_kept_whole():
    assert reader.abstract_start("  Short abstract.  ") == "Short abstract."
    assert reader.abstract_start("x" * reader.ABSTRACT_SHOWN) == "x" * reader.ABSTRACT_SHOWN


def test_abstract_start_is_at_most_its_limit_cut_at_a_space():
    # Issue 21: the start used to run to the first space after the limit (up to twice it, inside
    # math); it is the one prose cutter's now (generator/text/cut.py, tests/text/test_cut.py).
    start = reader.abstract_start(ABSTRACT)
    assert start.endswith(" …") and len(start) <= reader.ABSTRACT_SHOWN
    kept = start.removesuffix(" …")
    assert ABSTRACT.startswith(kept) and ABSTRACT[len(kept)] == " "
    assert " " not in ABSTRACT[len(kept) + 1 : reader.ABSTRACT_SHOWN - 1], "the last space that leaves room for the ellipsis"


def test_abstract_start_never_cuts_math():
    abstract = "word " * 26 + "$x + y = z$ holds, and more words follow here to pass the limit of the entry"
    start = reader.abstract_start(abstract)
    assert start == ("word " * 26).strip() + " …", "the span the limit falls in (characters 131 to 141) is left out whole"
    assert reader.abstract_start("costs $5 and more words " * 10).startswith("costs $5 and more"), "an unclosed dollar is text"


def test_gist_is_the_first_bullet_as_plain_text():
    markdown = (
        "> *Demo answer: written by hand.*\n\n## 1. Contributions and novelty\n"
        "- **Problem**: local learning with [links](https://x.org) and `code` and $x_1 + y_2$ math.\n- **Method**: second.\n"
    )
    assert reader.gist(markdown) == "Problem: local learning with links and code and x₁ + y₂ math."


def test_gist_is_one_line_of_at_most_120_characters():
    markdown = "- " + " ".join(f"word{i}" for i in range(100)) + "\n- next"
    line = reader.gist(markdown)
    assert len(line) <= reader.GIST_LENGTH and line.endswith(" …") and "\n" not in line
    assert reader.gist("A summary with no bullets,\nonly text.") == "A summary with no bullets, only text."


def test_recent_days_counts_the_latest_days_that_list_papers():
    days = [(dt.date(2026, 9, d), n) for d, n in ((21, 3), (22, 0), (23, 5), (24, 2))]
    assert reader.recent_days(days) == {"2026-09-24": 2, "2026-09-23": 5, "2026-09-21": 3}
    assert list(reader.recent_days(days, count=2)) == ["2026-09-24", "2026-09-23"]


# -- descriptions and links to other sites ----------------------------------------------------------


def test_descriptions_are_cut_at_a_word_to_150_characters():
    assert meta.paper_description(entry("2609.00001", DAY, abstract="short")) == "short"
    text = meta.paper_description(entry("2609.00001", DAY, abstract=ABSTRACT))
    assert len(text) <= meta.DESCRIPTION_LENGTH and text.endswith(" …") and ABSTRACT.startswith(text[:-2])
    math = meta.paper_description(entry("2609.00001", DAY, abstract="word " * 29 + "$x + y + z + w$ holds for all the rest"))
    assert math == ("word " * 29).strip() + " …", "math as readable text (x + y + z + w: characters 146 to 158) is never cut"


def test_a_day_is_described_by_its_date_and_top_titles():
    papers = [entry(f"2609.0000{i}", DAY, title=f"Title {i}") for i in range(1, 5)]
    day = DayEntry(_day_record(DAY, [p.arxiv_id for p in papers]), paths.day_path(DAY))
    assert meta.day_description(day, papers) == "2026-09-24: 4 papers. Title 1; Title 2; Title 3"
    empty = DayEntry(_day_record(DAY, [], fetched=0), paths.day_path(DAY))
    assert meta.day_description(empty, []) == "2026-09-24: no announcements (a weekend or a holiday)."


def _day_record(day: dt.date, ids: list[str], fetched: int = 10):
    from generator.archive.models import DayCounts, DayRecord
    from generator.archive.records import day_title

    return DayRecord(day, day_title(day), tuple(ids), DayCounts(fetched, len(ids), len(ids), 0))


# -- the templates: the contract of READER.md -------------------------------------------------------


class Tags(HTMLParser):
    """Start tags with their attributes, in order."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def find(self, tag: str, **attrs) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def _site(papers, days=()):
    catalog = Catalog({p.arxiv_id: p for p in papers}, tuple(days))
    return Renderer(environment(THEME), build_context(catalog, SITE))


SUMMARY = Summary(
    "m", "abstract", "0" * 64, "2026-09-24T06:00:00Z", 1, "## 1. Contributions\n- **Problem**: the gist, with $x<y$ math.\n- more\n"
)


def test_a_days_entries_carry_the_abstracts_start_the_gist_and_arxiv_links():
    hostile = entry("2609.00002", DAY, title='<img src=x onerror=alert(1)> "T"', abstract="<script>alert(2)</script> " + ABSTRACT)
    summarized = entry("2609.00001", DAY, abstract="A short abstract.", summary=SUMMARY)
    day = DayEntry(_day_record(DAY, [summarized.arxiv_id, hostile.arxiv_id]), paths.day_path(DAY))
    page = _site([summarized, hostile], [day]).day(day)
    html = str(page.content)
    lists = re.findall(r'<ol class="day-papers" data-papers data-date="2026-09-24">', html)
    assert len(lists) == 1, "one list, marked for the keys, dated"
    items = re.findall(r"<li><a href=\"([^\"]+)\">(.*?)</a>\n(.*?)</li>", html, re.S)
    assert [href for href, _, _ in items] == ["../../../papers/2609/2609.00001/", "../../../papers/2609/2609.00002/"], (
        "the title link first"
    )
    first, second = items[0][2], items[1][2]
    assert '<p class="entry-abstract">A short abstract.</p>' in first, "a whole abstract, with no ' …'"
    assert '<p class="entry-gist">Problem: the gist, with x&lt;y math.</p>' in first, "TeX as readable text: a list loads no KaTeX"
    assert "arxiv.org" not in html, "the arXiv links come from the id, in the browser (the site's byte budget)"
    assert "entry-gist" not in second, "no gist without a summary"
    assert "<script>" not in html and "<img" not in html
    start = reader.abstract_start(hostile.abstract)
    assert start.endswith(" …")
    assert f'<p class="entry-abstract">{start.replace("<", "&lt;").replace(">", "&gt;")}</p>' in second
    assert page.description == '2026-09-24: 2 papers. Paper 2609.00001; <img src=x onerror=alert(1)> "T"', "raw text: escaped where printed"


def test_topic_lists_are_marked_for_the_keys_and_carry_no_per_paper_data():
    papers = [entry(f"2609.0000{i}", DAY) for i in range(1, 4)]
    site = _site(papers)
    topic = site.ctx.categories[0]
    from generator.website.context import topic_pages

    html = str(site.topic_page(topic_pages(topic)[0]).content)
    assert '<ul class="paper-list" data-papers>' in html
    assert "data-paper=" not in html, "a listed paper's id, title and page are its title link"
    assert '<p class="reader-keys-bar" data-reader-keys><button' in html, "the key help's button, in the page (no layout shift)"
    assert html.count('<p class="entry-links"></p></li>') == 3, "each entry's last line, filled by reader.js, keeps its place"


def test_paper_page_has_its_cite_key_and_its_own_address():
    paper = entry("2609.26811", DAY, abstract=ABSTRACT, doi="10.1/x")
    site = _site([paper])
    page = site.paper(paper)
    html = str(page.content)
    assert f'data-key="{bibtex_key(paper.record)}" data-class="cs.LG"' in html, (
        "the Cite block names its key and class (the reader reads them)"
    )
    head = Tags(str(page.head))
    assert head.find("meta", name="citation_abstract_html_url", content="https://example.org/a/papers/2609/2609.26811/")
    assert page.description == cut_plain(ABSTRACT, meta.DESCRIPTION_LENGTH)


def test_home_page_gives_the_recent_days_for_new_since_your_last_visit():
    days = [DayEntry(_day_record(dt.date(2026, 9, d), [f"2609.000{d}"]), paths.day_path(dt.date(2026, 9, d))) for d in (23, 24)]
    papers = [entry(f"2609.000{d}", dt.date(2026, 9, d)) for d in (23, 24)]
    home = next(p for p in _site(papers, days).nav_pages() if p.kind == "home")
    found = re.search(r"<p class=\"reader-new\" data-reader-new data-days='([^']*)' hidden></p>", str(home.content))
    assert found and json.loads(found.group(1).replace("&#34;", '"')) == {"2026-09-24": 1, "2026-09-23": 1}
    assert '<ol class="day-papers" data-papers data-date="2026-09-24">' in str(home.content)


def test_reading_list_page_is_in_the_nav():
    pages = {p.kind: p for p in _site([entry("2609.00001", DAY)]).nav_pages()}
    page = pages["reading-list"]
    assert page.path == paths.READING_LIST_PATH and page.title == "Reading list"
    # Paper pages' addresses come from core.js (the page's search address says the style), not from the page.
    assert '<div id="reading-list">' in str(page.content) and 'data-export="yaml"' in str(page.content)
    # Each page of the nav says what it is for, in its own words.
    descriptions = [p.description for p in pages.values()]
    assert len(set(descriptions)) == len(descriptions) and all(descriptions)


@pytest.mark.parametrize("directory_urls", [True, False])
def test_core_js_reads_paper_ids_from_the_addresses_the_site_builds(directory_urls):
    """core.js's PAPER_PAGE (the scripts' one id <-> address rule) must take the id back out of every paper page's address."""
    source = (THEME[0] / "assets" / "javascripts" / "core.js").read_text(encoding="utf-8")
    pattern = re.search(r"var PAPER_PAGE = /(.*)/;", source).group(1).replace("\\/", "/")
    for arxiv_id in ("2609.26811", "2501.00001", "hep-th/9901001", "math.GT/0309136"):
        url = paths.page_url(paths.paper_path(arxiv_id), directory_urls)
        found = re.match(pattern, url)
        assert found and found.group(1) == arxiv_id, url
