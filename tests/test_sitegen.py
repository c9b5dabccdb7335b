"""The site's pure parts: paths, splitting, raw-HTML fast path, sitemap, head tags, catalog errors."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path, PurePosixPath

import markdown
import pytest

from generator import paths
from generator.errors import ArchiveError
from generator.records import paper_page, split_front_matter
from sitegen.catalog import PaperEntry, paper_entry, read_catalog
from sitegen.feeds import item_html
from sitegen.head import citation_tags, feed_links
from sitegen.layout import paper_body
from sitegen.pages import PAGE_SIZE, json_for_script, topic_chunks
from sitegen.parallel import plan_shares, worker_count
from sitegen.postprocess import collapse_indentation, search_document
from sitegen.rawhtml import resolve_md_links, restore, set_aside
from sitegen.settings import SiteInfo
from sitegen.sitemap import sitemap_documents
from tests.test_layout import HOSTILE_TITLE, announcement, make_paper

SITE = SiteInfo("Archive", "https://example.org/a/", "d", ("cs.LG",), (("LLM", 1.0),), (), 2.0, 30)


def entry(arxiv_id: str, day: dt.date, **fields) -> PaperEntry:
    base = dict(
        arxiv_id=arxiv_id, version=1, title=f"Paper {arxiv_id}", authors=("A B",), categories=("cs.LG",), primary_category="cs.LG",
        announced=day, announce_type="new", score=3.0, tags=("LLM",), abstract="x", links=(("pdf", "https://arxiv.org/pdf/x"),),
        doi=None, updated=None, summary_model=None, summary_input=None, path=paths.paper_path(arxiv_id),
    )  # fmt: skip
    base.update(fields)
    return PaperEntry(**base)


def papers_by_month(counts: dict[str, int]) -> list[PaperEntry]:
    """counts {YYYY-MM: n} -> that many papers per month, newest first."""
    out = []
    for month, count in counts.items():
        year, number = map(int, month.split("-"))
        for i in range(count):
            out.append(entry(f"{year % 100:02d}{number:02d}.{i + 1:05d}", dt.date(year, number, 1 + i % 28)))
    return sorted(out, key=lambda p: (-p.announced.toordinal(), p.arxiv_id))


# -- paths -------------------------------------------------------------------------------------


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


# -- raw HTML fast path --------------------------------------------------------------------------


def test_setting_raw_html_aside_renders_exactly_like_markdown():
    """Regression guard for the fast path: same HTML as Python-Markdown's own raw-HTML handling."""
    body = paper_body(make_paper(announcement(title=HOSTILE_TITLE)))
    converter = markdown.Markdown(extensions=["toc"])
    plain = converter.convert(body)
    converter.reset()
    lightened, regions = set_aside(body)
    assert len(regions) >= 5 and "<div" not in lightened.replace('<div data-sitegen-slot="', "")
    assert restore(converter.convert(lightened), regions) == plain


def test_unclosed_or_inline_html_stays_with_markdown():
    text = "<div>\nnot closed\n\n*para*\n\n<span>inline</span> text\n\n<p>ok</p>\ntrailing text\n\n```\n<div>in a fence</div>\n```\n"
    lightened, regions = set_aside(text)
    assert regions == [] and lightened == text


def test_md_links_in_raw_html_resolve_or_are_reported():
    found = {"categories/cs.LG/index.md": "../../categories/cs.LG/"}
    missing = []
    html = '<a href="../../categories/cs.LG/index.md">x</a> <a href="../../tags/none/index.md#top">y</a> <a href="https://x.org/a.md">z</a>'
    out = resolve_md_links(html, lambda target: found.get(target.replace("../../", "")), missing.append)
    assert out.startswith('<a href="../../categories/cs.LG/">') and "https://x.org/a.md" in out
    assert missing == ["../../tags/none/index.md#top"]


def test_collapsing_indentation_keeps_preformatted_text():
    page = "<div>\n    <p>\n      text\n    </p>\n</div>\n<pre><code>@misc{x,\n      title={T},\n}</code></pre>\n  <p>end</p>"
    assert collapse_indentation(page) == "<div>\n<p>\ntext\n</p>\n</div>\n<pre><code>@misc{x,\n      title={T},\n}</code></pre>\n<p>end</p>"


# -- sitemap, head, feeds, scripts -----------------------------------------------------------------


def test_sitemap_is_one_file_then_an_index():
    entries = [(f"papers/{i}/", dt.date(2026, 1, 1 + i % 28)) for i in range(25)]
    single = sitemap_documents("https://example.org/a/", entries, limit=100)
    assert list(single) == ["sitemap.xml"]
    root = ET.fromstring(single["sitemap.xml"])
    assert len(root) == 25 and root[0][0].text.startswith("https://example.org/a/papers/")
    split = sitemap_documents("https://example.org/a/", entries, limit=10)
    assert sorted(split) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = ET.fromstring(split["sitemap.xml"])
    assert index.tag.endswith("sitemapindex") and [e[0].text for e in index] == [f"https://example.org/a/sitemap-{n}.xml" for n in (1, 2, 3)]
    assert sum(len(ET.fromstring(split[f"sitemap-{n}.xml"])) for n in (1, 2, 3)) == 25


def test_citation_tags_escape_what_they_quote():
    paper = entry("2609.26811", dt.date(2026, 9, 24), title='A "quoted" <b>title</b> & more', authors=('O\'Brien "Q"',), doi="10.1/x")
    tags = citation_tags(paper)
    assert '<meta name="citation_title" content="A &quot;quoted&quot; &lt;b&gt;title&lt;/b&gt; &amp; more">' in tags
    assert 'content="O&#x27;Brien &quot;Q&quot;"' in tags and 'name="citation_doi" content="10.1/x"' in tags
    assert '<meta name="citation_publication_date" content="2026/09/24">' in tags


def test_feed_links_point_at_the_feed_files():
    links = feed_links(paths.category_path("cs.LG"), "My <site>", ("category", "cs.LG", "cs.LG — Machine Learning"))
    assert 'href="../../feeds/categories/cs.LG.rss.xml"' in links and 'href="../../feeds/all.atom.xml"' in links
    assert 'title="My &lt;site&gt;: cs.LG — Machine Learning (RSS)"' in links


def test_feed_items_escape_arxiv_text_and_keep_summary_html():
    paper = entry("2609.26811", dt.date(2026, 9, 24), abstract="a <script>x</script> b", authors=("<i>A</i>",), summary_model="m", summary_input="fulltext")
    body = item_html(SITE, paper, "<p>The <strong>summary</strong></p>")
    assert "&lt;script&gt;" in body and "<script>" not in body and "&lt;i&gt;A&lt;/i&gt;" in body
    assert "<p>The <strong>summary</strong></p>" in body and "By m from the full text." in body


def test_json_for_script_cannot_close_the_script():
    text = json_for_script({"tag": "</script><script>alert(1)</script>", "amp": "a&b"})
    assert "</script" not in text and json.loads(text) == {"tag": "</script><script>alert(1)</script>", "amp": "a&b"}


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


def test_catalog_errors_name_the_file_and_the_fix(tmp_path):
    target = tmp_path / "papers" / "2609" / "2609.26811.md"
    target.parent.mkdir(parents=True)
    target.write_text(paper_page(make_paper()).replace("announced: 2026-09-24\n", ""), encoding="utf-8")
    with pytest.raises(ArchiveError) as err:
        read_catalog(tmp_path)
    assert "docs/papers/2609/2609.26811.md" in str(err.value) and "`announced`" in str(err.value) and "git checkout" in str(err.value)
    with pytest.raises(ArchiveError, match="does not belong at this path"):
        paper_entry(make_paper(), paths.paper_path("2609.26812"))
    with pytest.raises(ArchiveError, match="no front matter"):
        split_front_matter("# just text", "docs/papers/x.md")


# -- worker processes ------------------------------------------------------------------------------


def test_shares_split_the_papers_evenly():
    assert plan_shares(10, 2) == [5, 5] and plan_shares(7, 3) == [3, 2, 2] and sum(plan_shares(10001, 4)) == 10001


def test_workers_only_for_large_archives_built_once(monkeypatch):
    assert worker_count("serve", False, 10_000, environ={}) == 0
    assert worker_count("gh-deploy", False, 10_000, environ={"ARCHIVE_BUILD_JOBS": "3"}) == 2
    assert worker_count("build", True, 10_000, environ={}) == 0
    assert worker_count("build", False, 100, environ={}) == 0
    assert worker_count("build", False, 100, environ={"ARCHIVE_BUILD_JOBS": "2"}) == 1
    assert worker_count("build", False, 10_000, environ={"ARCHIVE_BUILD_JOBS": "1"}) == 0


def test_search_document_is_the_indexed_body_with_its_search_tags():
    page = '<html><head><title>T</title></head><body><nav>chrome</nav><div data-pagefind-body>\n<h1>T</h1>\n</div><!-- /data-pagefind-body --><footer>f</footer></body></html>'
    document = search_document(page, '<meta data-pagefind-filter="year[content]" content="2026">')
    assert document == '<html><head><title>T</title><meta data-pagefind-filter="year[content]" content="2026"></head><body><div data-pagefind-body>\n<h1>T</h1>\n</div><!-- /data-pagefind-body --></body></html>'
    assert search_document("<html><head></head><body>no markers</body></html>", "") is None
    with_id = search_document(page, "", "<p>arXiv:2609.26811</p>")
    assert with_id.endswith("<h1>T</h1>\n<p>arXiv:2609.26811</p></div><!-- /data-pagefind-body --></body></html>")


def test_derived_pages_can_be_written_without_mkdocs(fixture_archive, tmp_path):
    """`python -m sitegen derive`: the same pages and feeds, as files (for generators without plugins)."""
    import subprocess
    import sys

    out = tmp_path / "derived"
    command = [sys.executable, "-m", "sitegen", "derive", "--docs", str(fixture_archive.docs), "--config", str(fixture_archive.config), "--out", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 0, result.stderr
    assert (out / "index.md").read_text(encoding="utf-8").startswith("---\nsitegen:\n  kind: home\n")
    assert (out / "categories" / "cs.LG" / "index.md").is_file() and (out / "feeds" / "all.atom.xml").is_file()
    bad = subprocess.run(command[:-6] + ["--docs", str(fixture_archive.docs), "--config", str(tmp_path / "missing.yml"), "--out", str(out)], capture_output=True, text=True)
    assert bad.returncode == 2 and "missing.yml" in bad.stderr and "file not found" in bad.stderr


def test_about_page_names_the_summary_model_and_escapes_config_text():
    from sitegen.catalog import Catalog
    from sitegen.pages import about_page, build_context
    from sitegen.settings import SummaryInfo

    site = SiteInfo(
        "Archive", "https://example.org/a/", "<b>desc</b>", ("cs.LG",), (("LLM", 1.0), ("<i>MoE</i>", 2.0)), ("A <b>B</b>",), 2.5, 30,
        keyword_regexes=(("<i>MoE</i>", r"\bMoE\b|<x>"),), exclude_keywords=("survey",), authors_exclude=("Z <z>",),
        announce_types=("new",), summary=SummaryInfo("qwen-<long>", "Chinese", 15, 30000),
    )  # fmt: skip
    page = about_page(build_context(Catalog(papers={}, days=()), site))
    rendered = markdown.markdown(page.split("\n---\n", 1)[1], extensions=["tables"])
    assert "<b>" not in rendered and "<i>" not in rendered and "<x>" not in rendered and "<long>" not in rendered
    assert "&lt;i&gt;MoE&lt;/i&gt;: <code>\\bMoE\\b|&lt;x&gt;</code>, weight 2" in rendered
    assert "The 15 best papers of each day are summarized by <code>qwen-&lt;long&gt;</code>, in Chinese" in rendered
    assert "30,000" in rendered and "Papers scoring under 2.5 are not" in rendered
