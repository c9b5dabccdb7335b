"""Issue 11 on the site: related papers on every paper page, "More like this" (search/?like=),
"close to" on the papers the reader's own papers listed, and the About page's interest papers.

Real `mkdocs build --strict` of archives the real CLI wrote: the session's fixture archive
(the demo), and nights over the loopback arXiv replay with `interests` alone and combined
with keywords (tests/ranking/test_interests.py's recorded quant-ph day and interest paper). The
browser is Debian's Chromium.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest

from generator.archive import paths
from generator.archive.records import split_front_matter
from generator.config import load_config
from generator.text.tex import tex_html
from generator.website.catalog import read_catalog
from generator.website.related import RelatedDoc, related_for_archive
from tests.ranking.test_interests import DAY, day_ids, interest_config, serve_arxiv
from tests.sitekit import Reader, build_site, serve

pytestmark = pytest.mark.slow  # runs `mkdocs build` (left out of `make test-fast`)

RELATED = re.compile(r'<section id="related">(.*?)</section>', re.DOTALL)
ITEM = re.compile(r'<li><a href="([^"]+)">(.*?)</a><span>(\d{4}-\d\d-\d\d) · ([0-9.]+)</span></li>')
CLOSE_TO = re.compile(r'close to(?::|</strong>) <a class="close-to" href="([^"]+)">(.*?)</a>')
SITE = {"url": "http://127.0.0.1:8000/"}  # not the placeholder: the strict build would refuse it
INTEREST_TITLE = "Quantum Computers and Quantum Computer Languages"


def page_file(site: Path, docs_path) -> Path:
    return site / paths.page_url(docs_path) / "index.html"


def url_file(site: Path, page: Path, href: str) -> Path:
    """The built file a relative link of `page` points at."""
    base = "http://site/" + page.parent.relative_to(site).as_posix() + "/"
    target = urljoin(base, href).removeprefix("http://site/")
    return site / target / "index.html" if target.endswith("/") or not target else site / target


def related_items(site: Path, page: Path) -> list[tuple[str, str, str, float]]:
    section = RELATED.search(page.read_text(encoding="utf-8"))
    assert section is not None, page
    assert "<script>alert" not in section.group(1)  # titles from arXiv are text (tests.sitekit.HOSTILE_TITLE)
    return [(href, title, date, float(sim)) for href, title, date, sim in ITEM.findall(section.group(1))]


def tex_title(title: str) -> str:
    """A title as lists show it (the `tex_title` filter of generator/website/render.py: its TeX as readable text)."""
    return str(tex_html(title, links=False, math=False))


def text_of(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_every_paper_page_lists_its_related_papers_with_links_that_resolve(built_site, fixture_archive):
    catalog = read_catalog(fixture_archive.docs)
    config = load_config(fixture_archive.config, environ={})
    docs = [
        RelatedDoc(p.arxiv_id, p.version, p.title, p.abstract, p.record.summary.markdown if p.record.summary else "")
        for p in catalog.papers.values()
    ]
    index = related_for_archive(docs, config, fixture_archive.docs)
    by_path = {page_file(built_site, p.path): p for p in catalog.papers.values()}
    listed = 0
    for page, paper in by_path.items():
        items = related_items(built_site, page)
        assert len(items) <= 5
        # The build's related papers are the engine's, in its order, with its similarities.
        assert [(by_path[url_file(built_site, page, href)].arxiv_id, sim) for href, _, _, sim in items] == [
            (n.arxiv_id, n.similarity) for n in index.of(paper.arxiv_id)
        ]
        for href, title, date, similarity in items:
            other = by_path[url_file(built_site, page, href)]  # the link resolves to a built paper page
            assert other.arxiv_id != paper.arxiv_id and title == tex_title(other.title) and date == other.announced.isoformat()
            assert 0 < similarity <= 1
        assert [s for *_, s in items] == sorted((s for *_, s in items), reverse=True)
        listed += len(items)
    assert listed >= 4 * len(by_path)  # nearly every paper has five


def test_more_like_this_lists_the_related_papers_of_the_paper_on_the_search_page(built_site, browser):
    page_path = built_site / "papers" / "2504" / "2504.18298" / "index.html"
    expected = related_items(built_site, page_path)
    assert len(expected) == 5
    with serve(built_site) as base:
        reader = Reader(browser, base, viewport={"width": 1280, "height": 900})
        page = reader.page
        page.goto(base + "papers/2504/2504.18298/")
        page.locator("#related a:text-is('more like this')").click()
        page.wait_for_url("**/search/?like=2504.18298")
        results = page.locator(".as-results > li")
        results.first.wait_for()
        assert results.count() == 5
        status = page.locator(".as-status").inner_text()
        assert status.startswith("Papers like ") and "most similar first (5)" in status
        for i, (href, title, date, similarity) in enumerate(expected):
            result = results.nth(i)
            assert result.locator(".as-title").inner_text() == text_of(title)
            assert result.locator(".as-title").get_attribute("href") == urljoin(base + "papers/2504/2504.18298/", href)
            assert result.locator(".as-meta").inner_text().startswith(f"{date} · similarity {similarity:g} · arXiv:")
        # Walk on: the first result's own related papers.
        first_id = results.first.locator(".as-meta").inner_text().rsplit("arXiv:", 1)[1]
        results.first.locator(".as-like").click()
        page.wait_for_url(f"**/search/?like={first_id}")
        page.wait_for_function(f"document.getElementById('archive-search').dataset.likeShown === '{first_id}'")
        again = related_items(built_site, url_file(built_site, page_path, expected[0][0]))
        assert page.locator(".as-results > li .as-title").all_inner_texts() == [text_of(title) for _, title, _, _ in again]
        # Typing a query from there searches the index as usual.
        page.locator("#archive-search .as-input").fill("quantum")
        page.locator(".as-results > li").first.wait_for()
        page.wait_for_function("!/^Papers like/.test(document.querySelector('.as-status').textContent)")
        reader.assert_clean()
        reader.close()

        reader = Reader(browser, base)
        reader.page.goto(base + "search/?like=2101.99999")
        reader.page.wait_for_function("/not available/.test(document.querySelector('.as-status').textContent)")
        assert "no archived paper has the id 2101.99999" in reader.page.locator(".as-status").inner_text()
        reader.page.goto(base + "search/?like=not-an-id")
        reader.page.wait_for_function("/not an arXiv id/.test(document.querySelector('.as-status').textContent)")
        reader.close()


def interest_site(tmp_path, arxiv_env, write_config, run_cli, **overrides):
    """A night of the recorded quant-ph day with `interests`, then the strict site build: (docs, site, config path)."""
    serve_arxiv(arxiv_env, [])
    config = interest_config(write_config, site=SITE, **overrides)
    docs, site = tmp_path / "docs", tmp_path / "site"
    code, err = run_cli("update", "--config", config, "--docs", docs)
    assert code == 0, err
    result = build_site(docs, config, site)
    assert result.returncode == 0, result.stderr[-3000:]
    return docs, site, config


def interest_of(docs: Path, arxiv_id: str) -> dict | None:
    meta, _ = split_front_matter((docs / paths.paper_path(arxiv_id)).read_text(encoding="utf-8"), arxiv_id)
    return meta.get("interest")


def test_interests_alone_day_and_paper_pages_say_close_to_and_about_lists_the_papers(tmp_path, arxiv_env, write_config, run_cli):
    docs, site, _ = interest_site(tmp_path, arxiv_env, write_config, run_cli)
    listed = day_ids(docs)
    assert listed
    day = page_file(site, paths.day_path(DAY))
    entries = re.findall(r"<li>.*?</li>", day.read_text(encoding="utf-8"), re.DOTALL)
    near = [CLOSE_TO.search(entry) for entry in entries if "close to" in entry]
    assert len(near) == len(listed)  # every paper was listed for its similarity, and says so
    for match in near:  # the interest paper is not archived: its arXiv page
        assert match.group(1) == "https://arxiv.org/abs/quant-ph/0201082" and html.unescape(match.group(2)).startswith(INTEREST_TITLE)
    for arxiv_id in listed:
        text = page_file(site, paths.paper_path(arxiv_id)).read_text(encoding="utf-8")
        match = CLOSE_TO.search(text)
        assert match and html.unescape(match.group(2)).startswith(INTEREST_TITLE), arxiv_id
        assert f"(similarity {interest_of(docs, arxiv_id)['similarity']:g})" in text
        assert related_items(site, page_file(site, paths.paper_path(arxiv_id))) or "No other archived paper" in text
    about = (site / "about" / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="interests">Your papers</h2>' in about
    assert re.search(r'<a href="https://arxiv.org/abs/quant-ph/0201082">' + re.escape(INTEREST_TITLE), about)
    assert "(with no keywords, similarity alone)" in about and "keyword score + 20 × similarity" in about
    # docs/data/ holds the generator's caches: read by the build, never published.
    assert (docs / "data" / "interests.yml").is_file() and not (site / "data").exists()


def test_keywords_and_interests_combined_only_papers_close_enough_say_close_to(tmp_path, arxiv_env, write_config, run_cli):
    docs, site, _ = interest_site(
        tmp_path, arxiv_env, write_config, run_cli,
        keywords=["entanglement"], min_score=1.0, max_papers=40,
        interests={"papers": ["quant-ph/0201082"], "weight": 10, "min_similarity": 0.035},
    )  # fmt: skip
    listed = day_ids(docs)
    day = page_file(site, paths.day_path(DAY)).read_text(encoding="utf-8")
    said, unsaid = [], []
    for arxiv_id in listed:
        interest = interest_of(docs, arxiv_id)
        close = interest is not None and interest["similarity"] >= 0.035
        text = page_file(site, paths.paper_path(arxiv_id)).read_text(encoding="utf-8")
        assert bool(CLOSE_TO.search(text)) == close, arxiv_id
        entry = re.search(r"<li>(?:(?!</li>).)*?/" + re.escape(arxiv_id) + r"/.*?</li>", day, re.DOTALL).group(0)
        assert ("close to:" in entry) == close, arxiv_id
        (said if close else unsaid).append(arxiv_id)
    assert said and unsaid  # both kinds are on the day: similarity listed some, keywords alone others
    about = (site / "about" / "index.html").read_text(encoding="utf-8")
    assert "keyword score + 10 × similarity" in about and "(with no keywords" not in about
