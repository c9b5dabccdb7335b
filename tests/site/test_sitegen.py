"""The site's pure parts: paths and links, splitting, the page shell, templates' escaping, sitemap, catalog errors."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import pytest

from generator.archive import paths
from generator.archive.models import Announcement, Paper, Score, Summary
from generator.archive.records import paper_page
from generator.errors import ArchiveError
from generator.text.markdown import summary_text
from generator.website.catalog import Catalog, PaperEntry, paper_entry, read_catalog
from generator.website.context import PAGE_SIZE, Links, build_context, json_for_script, topic_chunks, topic_pages
from generator.website.outputs.sitemap import sitemap_documents
from generator.website.render import Renderer, environment, toc_tokens
from generator.website.settings import SiteInfo, SummaryInfo
from generator.website.shell import Shell, ShellError, compact, page_values, sentinel
from tests.site.test_layout import HOSTILE_TITLE, announcement, make_paper

ROOT = Path(__file__).resolve().parents[2]
THEME = [ROOT / "overrides"]
SITE = SiteInfo("Archive", "https://example.org/a/", "d", ("cs.LG",), (("LLM", 1.0),), (), 2.0, 30)


def entry(
    arxiv_id: str, day: dt.date, *, title: str | None = None, authors=("A B",), abstract="x", doi=None, summary=None, tags=("LLM",)
) -> PaperEntry:
    ann = Announcement(
        arxiv_id=arxiv_id, version=1, title=title or f"Paper {arxiv_id}", abstract=abstract, authors=tuple(authors), categories=("cs.LG",),
        primary_category="cs.LG", announce_type="new", announced=day, doi=doi,
    )  # fmt: skip
    return PaperEntry.of(Paper(ann, Score(3.0, tuple(tags)), day, "new", summary=summary))


def papers_by_month(counts: dict[str, int]) -> list[PaperEntry]:
    """counts {YYYY-MM: n} -> that many papers per month, newest first."""
    out = []
    for month, count in counts.items():
        year, number = map(int, month.split("-"))
        for i in range(count):
            out.append(entry(f"{year % 100:02d}{number:02d}.{i + 1:05d}", dt.date(year, number, 1 + i % 28)))
    return sorted(out, key=lambda p: (-p.announced.toordinal(), p.arxiv_id))


def renderer(papers: list[PaperEntry], site: SiteInfo = SITE) -> Renderer:
    return Renderer(environment(THEME), build_context(Catalog({p.arxiv_id: p for p in papers}, ()), site))


class Meta(HTMLParser):
    """name → [content] of the <meta> tags, and the <link> tags, of an HTML fragment."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        if tag == "meta" and "name" in attributes:
            self.meta.setdefault(attributes["name"], []).append(attributes.get("content", ""))
        if tag == "link":
            self.links.append(attributes)


# -- paths and links -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "url", "flat"),
    [
        ("papers/2609/2609.26811.md", "papers/2609/2609.26811/", "papers/2609/2609.26811.html"),
        ("categories/cs.LG/index.md", "categories/cs.LG/", "categories/cs.LG/index.html"),
        ("index.md", "", "index.html"),
        ("feeds/all.rss.xml", "feeds/all.rss.xml", "feeds/all.rss.xml"),
    ],
)
def test_page_url_matches_mkdocs(page, url, flat):
    assert paths.page_url(PurePosixPath(page)) == url
    assert paths.page_url(PurePosixPath(page), directory_urls=False) == flat


def test_relative_url_between_pages():
    paper = paths.paper_path("2609.26811")
    assert paths.relative_url(paper, paths.category_path("cs.LG")) == "../../../categories/cs.LG/"
    assert paths.relative_url(paths.HOME_PATH, paper) == "papers/2609/2609.26811/"
    assert paths.relative_url(paths.category_month_path("cs.LG", "2026-04"), paths.category_path("cs.LG")) == "../"
    assert paths.relative_url(paths.HOME_PATH, paths.HOME_PATH) == "./"
    assert paths.relative_url(paper, paths.category_path("cs.LG"), directory_urls=False) == "../../categories/cs.LG/index.html"
    assert paths.relative_url(paths.HOME_PATH, paths.category_path("cs.LG"), directory_urls=False) == "categories/cs.LG/index.html"


def test_links_are_the_relative_urls_paths_computes():
    """Regression: the old link cache was keyed by the page's folder, so a topic's listing pages
    (`categories/cs.LG/2026-04.md`, served one folder deeper) got the links of its index page."""
    pages = [
        paths.HOME_PATH, paths.paper_path("2504.18298"), paths.paper_path("hep-th/9901001"), paths.category_path("cs.LG"),
        paths.category_month_path("cs.LG", "2026-04"), paths.category_month_path("cs.LG", "2026-04", 2),
        paths.day_path(dt.date(2026, 1, 2)), paths.FEEDS_PATH, paths.tag_path("Mixture of Experts"),
    ]  # fmt: skip
    for directory_urls in (True, False):
        for here in pages:
            links = Links(here, directory_urls)
            for target in pages:
                assert links.page(target) == paths.relative_url(here, target, directory_urls), (here, target)
            assert links.category("cs.LG") == paths.relative_url(here, paths.category_path("cs.LG"), directory_urls)
            assert links.feed("tag", "LLM", "atom") == paths.relative_url(here, paths.feed_path("tag", "LLM", "atom"), directory_urls)


def test_feed_and_month_paths():
    assert str(paths.feed_path("all")) == "feeds/all.rss.xml"
    assert str(paths.feed_path("category", "cs.LG", "atom")) == "feeds/categories/cs.LG.atom.xml"
    assert str(paths.feed_path("tag", "Mixture of Experts")) == "feeds/tags/mixture-of-experts.rss.xml"
    assert str(paths.tag_month_path("LLM", "2026-04", 2)) == "tags/llm/2026-04-part-2.md"
    with pytest.raises(ValueError):
        paths.category_month_path("cs.LG", "2026-4")


# -- splitting large categories and tags -----------------------------------------------------------


def test_topic_pages_hold_whole_months_up_to_the_page_size():
    papers = papers_by_month({"2026-05": 30, "2026-04": 120, "2026-03": 90, "2026-02": 450, "2026-01": 10})
    chunks = topic_chunks(papers)
    assert all(len(c.papers) <= PAGE_SIZE for c in chunks)
    assert sum(len(c.papers) for c in chunks) == len(papers)
    assert [(c.months, c.part, len(c.papers)) for c in chunks] == [
        (("2026-04", "2026-05"), 1, 150),
        (("2026-03",), 1, 90),
        (("2026-02",), 3, 50),
        (("2026-02",), 2, 200),
        (("2026-02",), 1, 200),
        (("2026-01",), 1, 10),
    ]
    newest_first = [p for c in chunks for p in c.papers]
    assert newest_first == papers
    assert chunks[0].label == "April 2026 – May 2026" and chunks[2].label == "February 2026, part 3 of 3"


def test_topic_pages_only_grow_so_their_urls_stay_put():
    older = topic_chunks(papers_by_month({"2026-03": 90, "2026-02": 80, "2026-01": 70}))
    newer = topic_chunks(papers_by_month({"2026-05": 150, "2026-04": 40, "2026-03": 90, "2026-02": 80, "2026-01": 70}))
    assert [c.months for c in older] == [("2026-03",), ("2026-01", "2026-02")]
    assert [c.months for c in newer] == [("2026-05",), ("2026-03", "2026-04"), ("2026-01", "2026-02")]
    assert newer[-1] == older[-1]  # full pages never change
    assert newer[1].months[0] == older[0].months[0]  # the newest page grew in place: same first month, same URL


def test_a_split_topic_has_an_index_and_linked_listing_pages():
    papers = papers_by_month({"2026-03": 150, "2026-02": 150})
    topic = renderer(papers).ctx.categories[0]
    pages = topic_pages(topic)
    assert [str(p.path) for p in pages] == ["categories/cs.LG/index.md", "categories/cs.LG/2026-03.md", "categories/cs.LG/2026-02.md"]
    index = renderer(papers).topic_page(pages[0])
    assert index.content.count('<li><a href="../../papers/') == 20 and 'href="2026-03/"' in index.content
    march = renderer(papers).topic_page(pages[1])
    assert 'href="../"' in march.content and 'href="../2026-02/">older: February 2026' in march.content  # one folder deeper than the index
    assert march.content.count('<li><a href="../../../papers/') == 150 and march.lastmod == dt.date(2026, 3, 28)


# -- the page shell ------------------------------------------------------------------------------


def test_shell_puts_each_pages_values_into_its_slots():
    html = (
        f'<title>{sentinel("title")} - S</title><link href="{sentinel("canonical")}">{sentinel("head")}'
        f'<a href="#{sentinel("skip")}">x</a><h1>{sentinel("title")}</h1>{sentinel("content")}</body>'
    )
    shell = Shell.split(html)
    values = page_values(
        title='A <b>"T"</b>', description="d", canonical="https://x/p/", head="<meta name=a>", skip="abstract", content="<p>body</p>"
    )
    assert shell.fill(values) == (
        '<title>A &lt;b&gt;&#34;T&#34;&lt;/b&gt; - S</title><link href="https://x/p/"><meta name=a><a href="#abstract">x</a>'
        "<h1>A &lt;b&gt;&#34;T&#34;&lt;/b&gt;</h1><p>body</p></body>"
    )


def test_a_theme_that_drops_a_slot_fails_with_a_clear_error():
    with pytest.raises(ShellError, match="no longer prints the page's canonical"):
        Shell.split(f"<title>{sentinel('title')}</title>{sentinel('head')}{sentinel('content')}")
    with pytest.raises(ShellError, match="content 2 times"):
        Shell.split(f"{sentinel('title')}{sentinel('canonical')}{sentinel('head')}{sentinel('content')}{sentinel('content')}")


def test_compacting_keeps_preformatted_text():
    page = "<div>\n    <p>\n      text\n    </p>\n</div>\n<pre><code>@misc{x,\n      title={T},\n}</code></pre>\n  <p>end</p>"
    assert compact(page) == "<div><p>\ntext\n</p></div><pre><code>@misc{x,\n      title={T},\n}</code></pre><p>end</p>"


# -- templates: what they escape and link ----------------------------------------------------------


def test_paper_page_escapes_arxiv_text_and_links_its_day_categories_and_tags():
    paper = PaperEntry.of(make_paper())
    page = renderer([paper]).paper(paper)
    assert page.title == "Spectral updates for N_c layers" and page.lastmod == dt.date(2026, 9, 24)  # plain text: <title>, header
    assert '<h1 class="paper-title">Spectral updates for <span class="tex-math">$N_c$</span> layers</h1>' in page.content
    hostile = PaperEntry.of(make_paper(announcement(title=HOSTILE_TITLE)))
    content = renderer([hostile]).paper(hostile).content
    assert "<script>" not in content and "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert 'href="../../../days/2026/2026-09-24/"' in content and 'href="../../../categories/cs.AI/"' in content
    assert 'href="../../../tags/training/"' in content and 'href="https://doi.org/10.1093/x%281%29"' in content
    assert '<span class="paper-affiliation">(Inria)</span>' in content


def test_citation_tags_escape_what_they_quote():
    paper = entry("2609.26811", dt.date(2026, 9, 24), title='A "quoted" <b>title</b> & more', authors=('O\'Brien "Q"',), doi="10.1/x")
    head = renderer([paper]).head(paper.path, paper=paper)
    assert "<b>" not in head
    meta = Meta(head).meta
    assert meta["citation_title"] == ['A "quoted" <b>title</b> & more'] and meta["citation_author"] == ['O\'Brien "Q"']
    assert meta["citation_doi"] == ["10.1/x"] and meta["citation_publication_date"] == ["2026/09/24"]


def test_feed_links_point_at_the_feed_files():
    paper = entry("2609.26811", dt.date(2026, 9, 24))
    r = renderer([paper], SiteInfo("My <site>", "https://example.org/a/", "d", ("cs.LG",), (), (), 2.0, 30))
    topic = r.ctx.categories[0]
    links = Meta(r.head(topic.index, topic=topic)).links
    assert {link["href"] for link in links} >= {"../../feeds/categories/cs.LG.rss.xml", "../../feeds/all.atom.xml"}
    assert "My <site>: cs.LG — Machine Learning (RSS)" in {link["title"] for link in links}


def test_feed_items_escape_arxiv_text_and_keep_summary_html():
    summary = Summary("m", "fulltext", "0" * 64, "2026-09-24T06:00:00Z", 1, "The **summary**")
    paper = entry("2609.26811", dt.date(2026, 9, 24), abstract="a <script>x</script> b", authors=("<i>A</i>",), summary=summary)
    body = renderer([paper]).feed_item(paper)
    assert "&lt;script&gt;" in body and "<script>" not in body and "&lt;i&gt;A&lt;/i&gt;" in body
    assert "<p>The <strong>summary</strong></p>" in body and "By m from the full text." in body
    assert '<a href="https://example.org/a/papers/2609/2609.26811/">archive page</a>' in body


def test_search_document_is_the_paper_with_its_filters():
    summary = Summary(
        "m", "abstract", "0" * 64, "2026-09-24T06:00:00Z", 1, "## Idea\n\n- A **zygomorphic** idea, $x_1 < y$, <b>not bold</b>"
    )
    paper = entry("2609.26811", dt.date(2026, 9, 24), title="T <x>", authors=("A", "B", "C", "D"), summary=summary, tags=("LLM", "MoE"))
    document = renderer([paper]).search_document(paper)
    assert (
        '<h1 data-pagefind-weight="10">T &lt;x&gt;</h1>' in document
        and "<div>Idea\n\nA zygomorphic idea, x₁ &lt; y, &lt;b&gt;not bold&lt;/b&gt;</div>" in document
    )  # the words (math as text), escaped
    assert '<meta data-pagefind-filter="tag[content]" content="MoE">' in document
    assert '<meta data-pagefind-meta="authors[content]" content="A, B, C et al.">' in document
    assert '<p data-pagefind-weight="5">arXiv:2609.26811 2609.26811v1</p>' in document
    body = document[document.index("<div data-pagefind-body>") :]
    assert "Cite" not in body and "Abstract" not in body  # nothing every paper page shares is indexed


def test_summary_text_keeps_the_words_of_every_markdown_construct():
    markdown = (
        "## Idea\n\n> quoted *emphasis* and __strong__\n\n1. first `code` item\n- [a link](https://x.org) and ![alt](i.png)\n\n"
        "| a | b |\n|---|:-:|\n| c | d |\n\n```python\nprint(1)\n```\n~~~\nz\n~~~\nsnake_case_name stays, $\\alpha$ too"
    )
    assert summary_text(markdown) == (
        "Idea\n\nquoted emphasis and strong\n\nfirst  code  item\na link and alt\n\n"
        "  a   b  \n\n  c   d  \n\n\nprint(1)\n\n\nz\n\nsnake_case_name stays, α too"
    )
    assert summary_text("plain words, no marks") == "plain words, no marks"


def test_json_for_script_cannot_close_the_script():
    text = json_for_script({"tag": "</script><script>alert(1)</script>", "amp": "a&b"})
    assert "</script" not in text and json.loads(text) == {"tag": "</script><script>alert(1)</script>", "amp": "a&b"}


def test_toc_of_a_rendered_page_nests_h3_under_h2():
    tokens = toc_tokens('<h1>T</h1><h2 id="a">A &amp; b</h2><h3 id="a1">A1</h3><h2 id="b">B</h2>')
    assert [(t["id"], t["name"], [c["id"] for c in t["children"]]) for t in tokens] == [("a", "A &amp; b", ["a1"]), ("b", "B", [])]


def test_about_page_names_the_summary_model_and_escapes_config_text():
    site = SiteInfo(
        "Archive", "https://example.org/a/", "<b>desc</b>", ("cs.LG",), (("LLM", 1.0), ("<i>MoE</i>", 2.0)), ("A <b>B</b>",), 2.5, 30,
        keyword_regexes=(("<i>MoE</i>", r"\bMoE\b|<x>"),), exclude_keywords=("survey",), authors_exclude=("Z <z>",),
        announce_types=("new",), summary=SummaryInfo("qwen-<long>", "Chinese", 15, 30000),
    )  # fmt: skip
    about = next(p for p in renderer([], site).nav_pages() if p.kind == "about").content
    assert "<b>" not in about and "<i>" not in about and "<x>" not in about and "<long>" not in about
    assert "&lt;i&gt;MoE&lt;/i&gt;: <code>\\bMoE\\b|&lt;x&gt;</code>, weight 2" in about
    assert "The 15 best papers of each day are summarized by <code>qwen-&lt;long&gt;</code>, in Chinese" in about
    assert "30,000" in about and "Papers scoring under 2.5 are not" in about


# -- sitemap -----------------------------------------------------------------------------------


def test_sitemap_is_one_file_then_an_index():
    entries = [(f"papers/{i}/", dt.date(2026, 1, 1 + i % 28)) for i in range(25)]
    single = sitemap_documents("https://example.org/a/", entries, limit=100)
    assert list(single) == ["sitemap.xml"]
    root = ET.fromstring(single["sitemap.xml"])
    assert len(root) == 25 and root[0][0].text.startswith("https://example.org/a/papers/")
    split = sitemap_documents("https://example.org/a/", entries, limit=10)
    assert sorted(split) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = ET.fromstring(split["sitemap.xml"])
    assert index.tag.endswith("sitemapindex") and [e[0].text for e in index] == [
        f"https://example.org/a/sitemap-{n}.xml" for n in (1, 2, 3)
    ]
    assert sum(len(ET.fromstring(split[f"sitemap-{n}.xml"])) for n in (1, 2, 3)) == 25


# -- catalog -----------------------------------------------------------------------------------


def test_catalog_reads_what_the_generator_writes(tmp_path):
    page = paper_page(make_paper())
    target = tmp_path / "papers" / "2609" / "2609.26811.md"
    target.parent.mkdir(parents=True)
    target.write_text(page, encoding="utf-8")
    (tmp_path / "papers" / "2609" / ".tmp-abc").write_text("partial", encoding="utf-8")  # a killed run's temp file
    catalog = read_catalog(tmp_path)
    paper = catalog.papers["2609.26811"]
    assert paper.title == "Spectral updates for $N_c$ layers" and paper.authors == ("Fabien Polly", "Jean Rémy")
    assert paper.tags == ("Training", "Efficient", "Remy") and paper.link("doi") == "https://doi.org/10.1093/x%281%29"
    assert catalog.days == ()


def test_catalog_errors_name_the_file_and_the_fix():
    text = paper_page(make_paper())
    with pytest.raises(ArchiveError) as err:
        paper_entry(re.sub(r"\nannounced: .*", "", text), paths.paper_path("2609.26811"))
    assert "docs/papers/2609/2609.26811.md" in str(err.value) and "git checkout" in str(err.value)
    with pytest.raises(ArchiveError, match="does not belong at this path"):
        paper_entry(text, paths.paper_path("2609.26812"))
    with pytest.raises(ArchiveError, match="no front matter"):
        paper_entry("# just text", paths.paper_path("2609.26811"))


# -- without MkDocs ------------------------------------------------------------------------------


def test_the_whole_site_can_be_written_without_mkdocs(fixture_archive, tmp_path):
    """`python -m generator.website derive`: every page as Markdown holding its HTML, and the feeds (for generators without plugins)."""
    import subprocess
    import sys

    import markdown

    out = tmp_path / "derived"
    command = [
        sys.executable,
        "-m",
        "generator.website",
        "derive",
        "--docs",
        str(fixture_archive.docs),
        "--config",
        str(fixture_archive.config),
        "--out",
        str(out),
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    catalog = read_catalog(fixture_archive.docs)
    for paper in catalog.papers.values():
        assert (out / paper.path).is_file()
    assert (out / "categories" / "cs.LG" / "index.md").is_file() and (out / "feeds" / "all.atom.xml").is_file()
    home = (out / "index.md").read_text(encoding="utf-8")
    front, home_body = home.removeprefix("---\n").split("\n---\n\n", 1)
    assert front.startswith("description: "), "every page has its own description (generator/website/meta.py)"
    assert home_body.startswith('<div class="archive-page" markdown="0">\n<h1>') and "<strong>46</strong> papers" in home_body
    hostile = (out / paths.paper_path("2609.99901")).read_text(encoding="utf-8")
    body = hostile.split("\n---\n", 1)[1]
    assert markdown.markdown(body).strip() == body.strip()  # Markdown passes the page's HTML through untouched
    assert "<script>" not in body
    into_docs = subprocess.run(command[:-1] + [str(fixture_archive.docs)], capture_output=True, text=True, cwd=ROOT)
    assert into_docs.returncode == 1 and "would replace the records" in into_docs.stderr
    bad = subprocess.run(
        command[:-6] + ["--docs", str(fixture_archive.docs), "--config", str(tmp_path / "missing.yml"), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "missing.yml" in bad.stderr and "file not found" in bad.stderr
