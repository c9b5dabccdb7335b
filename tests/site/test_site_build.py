"""The archive site, built for real: `mkdocs build --strict` of a fixture archive the generator made.

One build per session (conftest.built_site) of the demo archive plus summaries, a
hostile paper and an old-style id (tests/sitekit.py); each test reads the built files.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlparse

import feedparser
import pytest
from lxml import html as lxml_html

from generator.archive import paths
from generator.arxiv.taxonomy import category_name
from generator.config import load_config
from generator.text.tex import tex_bibtex, tex_feed_html, tex_plain
from generator.website.catalog import read_catalog
from generator.website.cite import bibtex_key
from tests.sitekit import (
    HOSTILE_ABSTRACT,
    HOSTILE_AUTHORS,
    HOSTILE_ID,
    HOSTILE_REASON,
    HOSTILE_TITLE,
    OLD_STYLE_ID,
    SUMMARIZED,
    build_site,
    parse_page,
    read_archived_paper,
)  # fmt: skip

pytestmark = pytest.mark.slow  # runs `mkdocs build --strict` on the fixture archive (left out of `make test-fast`)

SITE_URL = "http://127.0.0.1:8000/"  # demo/config.yml's site.url


def page_file(site: Path, docs_path: PurePosixPath) -> Path:
    return site / paths.page_url(docs_path) / "index.html" if docs_path.name.endswith(".md") else site / str(docs_path)


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)


def url_of(site: Path, page: Path) -> str:
    rel = page.relative_to(site).as_posix()
    return rel.removesuffix("index.html")


def test_search_index_holds_the_papers_only(built_site, fixture_archive):
    """Pagefind indexed the paper pages (data-pagefind-body), not days, listings or the home page."""
    import json

    catalog = read_catalog(fixture_archive.docs)
    segments = json.loads((built_site / "pagefind" / "segments.json").read_text(encoding="utf-8"))
    assert [(s["name"], s["papers"]) for s in segments] == [
        (str(year), sum(p.announced.year == year for p in catalog.papers.values())) for year in (2026, 2025)
    ]
    counts = []
    for segment in segments:  # one bundle per announcement year (generator/website/outputs/search.py), each of its year's papers
        entry = json.loads((built_site / "pagefind" / segment["path"] / "pagefind-entry.json").read_text(encoding="utf-8"))
        counts += [language["page_count"] for language in entry["languages"].values()]
        assert len(list((built_site / "pagefind" / segment["path"] / "fragment").iterdir())) == segment["papers"]
    assert counts == [s["papers"] for s in segments] and sum(counts) == len(catalog.papers) == 46


def test_strict_build_logs_nothing_that_looks_like_a_problem(built_site):
    """Issue 14: a good build's log has no warning, error, skipped template or missing file in it."""
    log = (built_site.parent / "build.log").read_text(encoding="utf-8")
    assert "WARNING" not in log and "ERROR" not in log, log
    for problem in ("skipped", "Skipped", "not found", "not included", "does not", "deprecated", "Traceback"):
        assert problem not in log, (problem, log)
    assert "search index of 46 papers" in log  # Pagefind ran in the build


def test_every_page_kind_is_built(built_site, fixture_archive):
    catalog = read_catalog(fixture_archive.docs)
    assert len(catalog.papers) == 46 and len(catalog.days) == 5
    for derived in (paths.HOME_PATH, paths.ARCHIVE_PATH, paths.CATEGORIES_PATH, paths.TAGS_PATH, paths.STATS_PATH, paths.FEEDS_PATH):
        assert page_file(built_site, derived).is_file(), derived
    for paper in catalog.papers.values():
        assert page_file(built_site, paper.path).is_file(), paper.path
        for code in paper.categories:  # every category a paper page links to has its page
            assert page_file(built_site, paths.category_path(code)).is_file(), code
        for tag in paper.tags:
            assert page_file(built_site, paths.tag_path(tag)).is_file(), tag
    for day in catalog.days:
        assert page_file(built_site, day.path).is_file(), day.path
    assert (built_site / "papers" / "hep-th" / "9901001" / "index.html").is_file()  # old-style id, safe path


def test_no_internal_link_is_broken(built_site):
    pages = html_pages(built_site)
    ids = {}
    checked = 0
    for page in pages:
        parsed = parse_page(page)
        ids[page] = parsed
    for page, parsed in ids.items():
        base = "http://site.test/" + url_of(built_site, page)
        for attribute, value in parsed.links:
            assert not value.lower().startswith("javascript:"), (page, value)
            if value.startswith(SITE_URL):
                value = "/" + value[len(SITE_URL) :]
            target = urlparse(urljoin(base, value))
            if target.netloc != "site.test":
                continue  # arxiv.org, doi.org, Material's credit link
            local = built_site / unquote(target.path).lstrip("/")
            if target.path.endswith("/") or local.is_dir():
                local = local / "index.html"
            assert local.is_file(), f"{page.relative_to(built_site)}: {attribute}={value!r} points at a missing file"
            assert not target.path.endswith(".md"), f"{page}: unresolved Markdown link {value!r}"
            if target.fragment and local.suffix == ".html":
                target_ids = ids[local].ids if local in ids else parse_page(local).ids
                assert target.fragment in target_ids, f"{page}: {value!r} names a missing anchor"
            checked += 1
    assert checked > 2000


def test_paper_page_links_to_its_day_categories_and_tags(built_site, fixture_archive):
    paper = read_archived_paper(fixture_archive.docs, "2504.18298")
    here = paths.paper_path(paper.arxiv_id)
    hrefs = {v for k, v in parse_page(page_file(built_site, here)).links if k == "href"}
    assert paths.relative_url(here, paths.day_path(paper.announced)) in hrefs
    for code in paper.announcement.categories:
        assert paths.relative_url(here, paths.category_path(code)) in hrefs
    for tag in paper.tags:
        assert paths.relative_url(here, paths.tag_path(tag)) in hrefs


def test_citation_meta_tags_let_zotero_save_the_paper(built_site, fixture_archive):
    for arxiv_id in ("2504.18298", OLD_STYLE_ID, HOSTILE_ID):
        paper = read_archived_paper(fixture_archive.docs, arxiv_id)
        meta = parse_page(page_file(built_site, paths.paper_path(arxiv_id))).meta
        values = {}
        for name, content in meta:
            values.setdefault(name, []).append(content)
        ann = paper.announcement
        assert values["citation_title"] == [tex_plain(ann.title)]  # the title as plain text, once the HTML is parsed
        assert values["citation_author"] == list(ann.authors)
        assert values["citation_publication_date"] == [paper.announced.strftime("%Y/%m/%d")]
        assert values["citation_arxiv_id"] == [arxiv_id]
        assert values["citation_pdf_url"] == [f"https://arxiv.org/pdf/{arxiv_id}v{ann.version}"]
        assert values.get("citation_doi") == ([ann.doi] if ann.doi else None)


def test_bibtex_block_names_the_generators_key_and_the_page_carries_its_fields(built_site, fixture_archive):
    """The Cite block's entry is written in the browser from the page (test_site_browser checks the text)."""
    for arxiv_id in ("2504.18298", OLD_STYLE_ID, HOSTILE_ID):
        paper = read_archived_paper(fixture_archive.docs, arxiv_id)
        text = page_file(built_site, paths.paper_path(arxiv_id)).read_text(encoding="utf-8")
        code = re.search(r'<code class="language-bibtex" data-key="([^"]*)" data-class="([^"]*)"(?: data-title="([^"]*)")?></code>', text)
        assert code, arxiv_id
        assert (html.unescape(code.group(1)), html.unescape(code.group(2))) == (bibtex_key(paper), paper.announcement.primary_category)
        # The title BibTeX wants, when it is not the plain-text citation_title (math, `&`, braces).
        title = paper.announcement.title
        assert html.unescape(code.group(3) or "") == ("" if tex_bibtex(title) == tex_plain(title) else tex_bibtex(title)), arxiv_id
        assert f'<noscript><p><a href="https://arxiv.org/bibtex/{arxiv_id}">BibTeX from arXiv</a></p></noscript>' in text
    assert code.group(3)  # the hostile title: `&`, `$a<b$`


def test_feeds_parse_and_carry_abstracts_and_summaries(built_site, fixture_archive):
    catalog = read_catalog(fixture_archive.docs)
    feeds = sorted(p for p in (built_site / "feeds").rglob("*.xml") if p.name != "sitemap.xml")
    assert len(feeds) == 2 * (
        1
        + len({c for p in catalog.papers.values() for c in p.categories})
        + len({paths.slug(t) for p in catalog.papers.values() for t in p.tags})
    )
    summarized_seen = set()
    for feed_file in feeds:
        parsed = feedparser.parse(feed_file.read_bytes())
        assert not parsed.bozo, (feed_file, parsed.get("bozo_exception"))
        assert parsed.version in ("rss20", "atom10")
        assert parsed.entries, feed_file
        for entry in parsed.entries:
            arxiv_id = entry.link.removeprefix(SITE_URL + "papers/").rstrip("/")
            arxiv_id = arxiv_id.split("/", 1)[1] if not arxiv_id.startswith("hep-th") else arxiv_id
            paper = catalog.papers[arxiv_id]
            body = entry.content[0].value if parsed.version == "atom10" else entry.summary
            # The abstract, escaped, its TeX as readable text (generator.text.tex), whole.
            assert (
                lxml_html.fragment_fromstring(tex_feed_html(paper.abstract), create_parent="p").text_content()
                in lxml_html.fragment_fromstring(body, create_parent="div").text_content()
            )
            assert entry.title == tex_plain(paper.title)
            if paper.summary is not None:
                assert "AI summary" in body and "Contributions" in body
                summarized_seen.add(arxiv_id)
        if feed_file.parent.name == "categories":
            code = feed_file.name.split(".rss")[0].split(".atom")[0]
            assert all(
                code in catalog.papers[e.link.rstrip("/").split("/")[-1]].categories for e in parsed.entries if "hep-th" not in e.link
            )
    # The demo's own summaries (demo-replay) and the fixture's, each in the feeds with its summary.
    assert summarized_seen == {i for i, p in catalog.papers.items() if p.summary is not None} and set(SUMMARIZED) <= summarized_seen
    everything = feedparser.parse((built_site / "feeds" / "all.rss.xml").read_bytes())
    assert len(everything.entries) == 46  # fewer papers than the feed's cap: all of them
    assert everything.feed.link == SITE_URL
    dates = [e.published_parsed for e in everything.entries]
    assert dates == sorted(dates, reverse=True)  # newest first


def test_pages_advertise_their_feeds(built_site, fixture_archive):
    home = parse_page(built_site / "index.html").alternates
    assert {(a["type"], a["href"]) for a in home} == {
        ("application/rss+xml", "feeds/all.rss.xml"),
        ("application/atom+xml", "feeds/all.atom.xml"),
    }
    category = parse_page(built_site / "categories" / "cs.LG" / "index.html").alternates
    assert {a["href"] for a in category} >= {"../../feeds/categories/cs.LG.rss.xml", "../../feeds/categories/cs.LG.atom.xml"}
    # Issue 20: day and paper pages advertise the site feed, a paper page its primary category's feed first (RSS: 10,000 and more pages).
    day = parse_page(built_site / "days" / "2026" / "2026-09-24" / "index.html").alternates
    assert [(a["type"], a["href"]) for a in day] == [("application/rss+xml", "../../../feeds/all.rss.xml")]
    paper = parse_page(page_file(built_site, paths.paper_path("2504.18298"))).alternates
    primary = read_catalog(fixture_archive.docs).papers["2504.18298"].primary_category
    assert [a["href"] for a in paper] == [f"../../../feeds/categories/{primary}.rss.xml", "../../../feeds/all.rss.xml"]
    assert all((built_site / "feeds" / a["href"].split("feeds/")[1]).is_file() for a in paper)
    feeds_page = (built_site / "feeds" / "index.html").read_text(encoding="utf-8")
    assert 'href="categories/cs.LG.rss.xml"' in feeds_page and 'href="tags/training.atom.xml"' in feeds_page


def test_sitemap_lists_every_page(built_site):
    root = ET.parse(built_site / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {e.text for e in root.findall("s:url/s:loc", ns)}
    built = {SITE_URL + url_of(built_site, p) for p in html_pages(built_site) if p.name != "404.html"}
    assert listed == built
    assert SITE_URL + "papers/2504/2504.18298/" in listed and SITE_URL + "tags/training/" in listed
    lastmods = {e.findtext("s:loc", namespaces=ns): e.findtext("s:lastmod", namespaces=ns) for e in root.findall("s:url", ns)}
    assert lastmods[SITE_URL + "papers/2504/2504.18298/"] == "2025-04-28"
    assert lastmods[SITE_URL + "days/2026/2026-09-24/"] == "2026-09-24"


def test_hostile_title_abstract_and_authors_stay_text(built_site):
    page = page_file(built_site, paths.paper_path(HOSTILE_ID))
    text = page.read_text(encoding="utf-8")
    assert "<script>alert" not in text and "<img src=x" not in text and "</title><script>" not in text
    parsed = parse_page(page)
    assert parsed.title.startswith(tex_plain(HOSTILE_TITLE))  # <title> holds the whole title as text (math as text: a<b)
    assert not any(tag == "img" for tag, _ in parsed.tags)
    # No inline code on a paper page: Material's palette code comes from a file; its config is data (JSON), not code.
    assert re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>(.*?)</script>", text, re.DOTALL) == []
    shown = {html.unescape(t) for t in re.findall(r">([^<]+)<", text)}
    article = lxml_html.fromstring(text)
    for xpath, raw in (("//h1[@class='paper-title']", HOSTILE_TITLE), ("//div[@class='paper-abstract']", HOSTILE_ABSTRACT)):
        [element] = article.xpath(xpath)
        assert element.text_content() == raw, raw  # shown as text, whole (its math `$a<b$` as written, for KaTeX)
        assert [span.get("class") for span in element.iter() if span is not element] == ["tex-math"]
    assert ", ".join(HOSTILE_AUTHORS) in shown
    for listing in (
        built_site / "index.html",
        built_site / "categories" / "cs.CR" / "index.html",
        built_site / "days" / "2026" / "2026-09-25" / "index.html",
    ):
        content = listing.read_text(encoding="utf-8")
        assert "<script>alert" not in content and "<img src=x" not in content, listing
    for feed in (built_site / "feeds" / "all.rss.xml", built_site / "feeds" / "categories" / "cs.CR.atom.xml"):
        entry = next(e for e in feedparser.parse(feed.read_bytes()).entries if HOSTILE_ID in e.link)
        assert entry.title == tex_plain(HOSTILE_TITLE)
        body = entry.content[0].value if "atom" in feed.name else entry.summary
        assert "<script" not in body and "<img" not in body


def test_the_judges_reason_shows_as_text_on_the_day_entry_and_the_paper_page(built_site):
    # Issue 22: "Why: ..." on the day entry and the paper page; the reason is model output, printed escaped.
    paper = lxml_html.fromstring(page_file(built_site, paths.paper_path(HOSTILE_ID)).read_text(encoding="utf-8"))
    [why] = paper.xpath("//ul[@class='paper-meta']/li[@class='paper-why']")
    assert why.text_content() == f"Why {HOSTILE_REASON} (rated 8/10 by qwen-long)"
    assert [e.tag for e in why.iter()] == ["li", "strong", "span"]
    # The learned ranker's relevance says "close to", with the relevance.
    [meta] = paper.xpath("//ul[@class='paper-meta']/li[strong='Score']")
    assert "close to A paper of the reader's (relevance 0.93)" in " ".join(meta.text_content().split())
    day = page_file(built_site, paths.day_path(dt.date(2026, 9, 25))).read_text(encoding="utf-8")
    entry = next(li for li in lxml_html.fromstring(day).xpath("//ol[@data-papers]/li") if HOSTILE_ID in li.xpath("a/@href")[0])
    [line] = entry.xpath("p[@class='entry-why']")
    assert line.text_content() == f"Why: {HOSTILE_REASON}" and list(line) == []
    assert "close to: A paper of the reader's" in entry.xpath("p[@class='entry-meta']")[0].text_content()
    for text in (day, page_file(built_site, paths.paper_path(HOSTILE_ID)).read_text(encoding="utf-8")):
        assert 'alert("why")</script>' not in text and "<img src=x onerror=alert(5)>" not in text
    # Papers the judge did not rate have no such line.
    assert day.count('class="entry-why"') == 1


def test_category_and_tag_pages_list_their_papers_newest_first(built_site, fixture_archive):
    catalog = read_catalog(fixture_archive.docs)
    text = (built_site / "categories" / "cs.LG" / "index.html").read_text(encoding="utf-8")
    assert f"cs.LG — {category_name('cs.LG')}" in text
    index = (built_site / "categories" / "index.html").read_text(encoding="utf-8")
    assert index.index(">cs.AI<") < index.index(">cs.SE<")  # followed categories first
    for folder, wanted in (("categories/cs.LG", lambda p: "cs.LG" in p.categories), ("tags/training", lambda p: "Training" in p.tags)):
        page = (built_site / folder / "index.html").read_text(encoding="utf-8")
        expected = [p for p in catalog.newest_first() if wanted(p)]
        listed = re.findall(r'<li><a href="\.\./\.\./papers/([^"]+)/">', page)
        assert listed == [paths.page_url(p.path).removeprefix("papers/").rstrip("/") for p in expected], folder


def test_home_shows_the_configuration_and_the_latest_day(built_site):
    text = (built_site / "index.html").read_text(encoding="utf-8")
    config = load_config(Path(__file__).resolve().parents[2] / "demo" / "config.yml", environ={})
    assert "<strong>46</strong> papers" in text and "last updated <strong>2026-09-25</strong>" in text
    for code in config.categories:
        assert f">{code}<" in text
    for keyword in config.keywords:
        assert html.escape(keyword.name) in text
    assert "Latest: Friday, 25 September 2026" in text
    for target in ("archive/", "categories/", "tags/", "stats/", "feeds/"):
        assert f'href="{target}"' in text


def test_archive_index_goes_years_months_days_with_counts(built_site, fixture_archive):
    text = (built_site / "archive" / "index.html").read_text(encoding="utf-8")
    catalog = read_catalog(fixture_archive.docs)
    assert text.index("2026 · ") < text.index("2025 · ")
    assert "September 2026 · 5 papers" in text and "April 2025 · 26 papers" in text
    for day in catalog.days:
        assert f'href="../{paths.page_url(day.path)}"' in text


def test_stats_page_embeds_its_numbers_and_chart_code(built_site):
    text = (built_site / "stats" / "index.html").read_text(encoding="utf-8")
    assert 'id="chart-days"' in text and 'id="chart-categories"' in text and 'id="chart-tags"' in text
    assert "assets/vendor/chartjs/chart.umd.min.js" in text
    data = re.search(r'<script type="application/json" id="archive-stats">(.*?)</script>', text).group(1)
    import json

    numbers = json.loads(data)
    assert sum(numbers["days"]["listed"]) == 46 and len(numbers["days"]["labels"]) == 5


def test_no_page_asks_a_third_party_for_anything(built_site):
    for page in html_pages(built_site):
        parsed = parse_page(page)
        for tag, attrs in parsed.tags:
            for name in ("src", "href"):
                value = attrs.get(name, "")
                external = value.startswith(("http://", "https://", "//")) and not value.startswith(SITE_URL)
                if tag in ("script", "img", "iframe") or (
                    tag == "link" and attrs.get("rel") in ("stylesheet", "preconnect", "icon", "preload")
                ):
                    assert not external, f"{page}: <{tag} {name}={value}> loads from elsewhere"
    for css in built_site.rglob("*.css"):
        assert not re.search(r"url\((['\"]?)(https?:)?//", css.read_text(encoding="utf-8")), css


def test_no_page_is_too_big(built_site):
    for page in built_site.rglob("*"):
        if page.is_file() and page.suffix in (".html", ".xml"):
            assert page.stat().st_size < 1_000_000, page


def test_empty_archive_builds_strict(tmp_path):
    """A fresh fork, built by its first workflow run: docs/ holds no page yet, config.yml is as shipped."""
    docs = tmp_path / "docs"
    docs.mkdir()
    actions = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "ada-l/arxiv-daily"}
    result = build_site(docs, Path(__file__).resolve().parents[2] / "config.yml", tmp_path / "site", environ=actions)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "WARNING" not in result.stderr
    # Issue 14: the placeholder site.url becomes the fork's Pages address, and the log says so.
    assert "archive: site.url: left at the placeholder; this run uses https://ada-l.github.io/arxiv-daily/" in result.stderr
    assert re.search(r"archive: the site is \d+ MB: 0% of GitHub Pages' 1 GB", result.stderr)  # generator/website/sitesize.py
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://ada-l.github.io/arxiv-daily/">' in home
    assert "No papers yet" in home
    for page in ("archive", "categories", "tags", "stats", "feeds"):
        assert (tmp_path / "site" / page / "index.html").is_file()
    assert not feedparser.parse((tmp_path / "site" / "feeds" / "all.atom.xml").read_bytes()).bozo


def test_a_placeholder_site_url_outside_actions_is_one_warning_and_fails_a_strict_build(tmp_path):
    """Issue 14: the shipped site.url, built on the owner's machine, would send feeds and links to example.github.io."""
    docs = tmp_path / "docs"
    docs.mkdir()
    result = build_site(docs, Path(__file__).resolve().parents[2] / "config.yml", tmp_path / "site", environ={"GITHUB_ACTIONS": None})
    assert result.returncode == 1
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1, result.stderr
    assert "archive: site.url: https://example.github.io/arxiv-daily/ is the placeholder" in warnings[0]
    assert "fix: set site.url in config.yml to your site's address" in warnings[0]


def test_about_page_says_what_config_yml_makes_the_archive_collect(built_site):
    text = (built_site / "about" / "index.html").read_text(encoding="utf-8")
    config = load_config(Path(__file__).resolve().parents[2] / "demo" / "config.yml", environ={})
    assert "<h1" in text and "About this archive" in text
    for code in config.categories:
        assert f"<td>{code}</td><td>{html.escape(category_name(code))}</td>" in text
    for keyword in config.keywords:
        assert html.escape(keyword.name) in text
    regex = next(k for k in config.keywords if k.name == "Quantum computing")
    assert f"<code>{html.escape(regex.pattern.pattern)}</code>, weight 2" in text
    assert "left out: survey, review, tutorial." in text
    assert f"scoring under {config.min_score:g} are not" in text and f"at most {config.max_papers} papers" in text
    assert "new: papers announced for the first time; cross:" in text
    # The demo's summaries come from the loopback replay of hand-written answers (issue 14).
    assert "The 3 best papers of each day are summarized by <code>demo-replay</code>, in English" in text
    assert 'href="../runs/"' in text


def test_run_history_page_lists_every_recorded_run(built_site, fixture_archive):
    from generator.archive.store import Archive

    records = Archive(fixture_archive.docs).read_run_records()
    assert len(records) == 4  # the demo's three updates and one backfill
    text = (built_site / "runs" / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr>\s*<td>(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)</td>\s*<td>(\w+)</td>", text)
    assert sorted(rows, reverse=True) == rows and len(rows) == len(records)
    assert {command for _, command in rows} == {"update", "backfill"}
    night = max((r for r in records if r.command == "update"), key=lambda r: r.started)
    assert f"<strong>Last successful night: {night.date.isoformat()}</strong>" in text
    assert not list(built_site.glob("runs/*/*.yml"))  # records are data for the page, not published files


def test_a_day_filled_from_the_api_says_so(built_site, fixture_archive):
    """Issue 13: a day caught up or backfilled from the arXiv API (its record's `source: api`) lacks what only the feed carries."""
    catalog = read_catalog(fixture_archive.docs)
    sources = {day.date.isoformat(): day.source for day in catalog.days}
    assert sources["2026-04-30"] == "api"  # the demo's backfill
    for day in catalog.days:
        text = page_file(built_site, day.path).read_text(encoding="utf-8")
        assert ('class="day-source"' in text) == (day.source == "api"), day.path
    text = page_file(built_site, paths.day_path(dt.date(2026, 4, 30))).read_text(encoding="utf-8")
    assert "Filled from the arXiv API: no nightly run read this day's announcement feed" in text
