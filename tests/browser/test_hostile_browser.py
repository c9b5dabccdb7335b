"""Hostile input, end to end: the hostile archive (tests/hostile.py: a hostile arXiv feed, API and
LLM on 127.0.0.1, through the real CLI) built into a real site (`mkdocs build --strict`) and
opened page by page in Chromium. Some summaries and the day's note are then hand-edited into
hostile HTML (tests/hostile.py HTML_BODIES), which the site shows as sanitized HTML.

Every script payload calls alert('xss-…') and every loading payload points at evil.example,
so a dialog or a request leaving 127.0.0.1 is text that ran. The static HTML of each page's
article goes through the same structural checks as the Markdown tests (no active content,
no element out of its block), and in the browser no paper block sticks out of the article.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html

from generator.archive import paths
from generator.text.tex import tex_plain
from tests.hostile import LLM_KEY, build_hostile_archive, hand_edit_html_bodies, problems_in_paper_html, read_page
from tests.sitekit import Reader, build_site, serve

ARTICLE = '//article[contains(concat(" ", normalize-space(@class), " "), " md-content__inner ")]'


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-site")
    archive = build_hostile_archive(root / "work")
    assert archive.exit_code == 0, archive.stderr
    # Some summaries and the day's note hand-edited into hostile HTML (the site shows HTML bodies: issue 20).
    archive.html_bodies = hand_edit_html_bodies(archive.docs)  # type: ignore[attr-defined]
    site = root / "site"
    built = build_site(archive.docs, archive.config, site)
    assert built.returncode == 0, built.stderr
    return archive, site


def page_url(docs_path: Path, docs: Path) -> str:
    return paths.page_url(paths.PurePosixPath(docs_path.relative_to(docs).as_posix()))


def test_built_paper_pages_are_inert_and_keep_their_shape(hostile_site):
    archive, site = hostile_site
    papers = sorted((archive.docs / "papers").rglob("*.md"))
    assert len(papers) == len(archive.papers)
    for path in papers:
        meta, _ = read_page(path)
        built = site / page_url(path, archive.docs) / "index.html"
        document = lxml_html.fromstring(built.read_bytes())
        [article] = document.xpath(ARTICLE)  # the paper's layout, rendered by overrides/archive/paper.html
        assert problems_in_paper_html(article, meta) == [], meta["arxiv_id"]
        # The front-matter title reaches <title> and the header escaped, as plain text (its TeX given its meaning).
        assert document.findtext(".//title").startswith(tex_plain(meta["title"])[:40].strip()), meta["arxiv_id"]
        # The header carries the title as text too (the topic Material shows once the heading scrolls away).
        [header] = document.xpath("//header")
        assert header.xpath("string(.//*[@data-md-component='header-topic'])").strip() == tex_plain(meta["title"]).strip(), meta["arxiv_id"]
        for part in (document.find(".//head"), header):
            for element in part.iter():
                if not isinstance(element.tag, str):
                    continue
                assert element.tag not in ("img", "svg", "iframe", "object", "embed"), (meta["arxiv_id"], element.tag)
                assert not any(name.lower().startswith("on") for name in element.attrib), (meta["arxiv_id"], element.attrib)
                if element.tag == "script":
                    assert "alert(" not in (element.text or "") and "evil.example" not in (element.get("src") or ""), meta["arxiv_id"]
        assert LLM_KEY not in built.read_text(encoding="utf-8")
        if meta["arxiv_id"] in archive.html_bodies:  # a hand-edited HTML body: shown, sanitized
            [summary] = article.xpath('.//details[contains(@class, "ai-summary")]')
            assert "kept words" in summary.text_content(), (meta["arxiv_id"], archive.html_bodies[meta["arxiv_id"]])


def test_no_built_file_holds_the_key_or_a_live_payload(hostile_site):
    _, site = hostile_site
    checked = 0
    for path in site.rglob("*"):
        if path.suffix not in (".html", ".xml", ".json", ".js") or "pagefind" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        assert LLM_KEY not in text, path
        if path.suffix == ".html":
            # Payloads exist only escaped: no raw tag from arXiv or the model in any page.
            for raw in ("<script>alert(", "<SCRIPT SRC=//evil", 'onerror="alert(', "<svg/onload", '<iframe src="https://evil'):
                assert raw not in text, (path, raw)
        checked += 1
    assert checked > 20


def test_every_hostile_page_in_the_browser_runs_nothing_and_loads_nothing_from_outside(hostile_site, browser):
    archive, site = hostile_site
    pages = [p for p in sorted(site.rglob("index.html")) if "pagefind" not in p.parts]
    with serve(site) as base:
        reader = Reader(browser, base, viewport={"width": 390, "height": 844})  # a phone: the narrowest layout
        page = reader.page
        for built in pages:
            url = base + built.parent.relative_to(site).as_posix() + "/"
            page.goto(url.replace("/./", "/"))
            page.wait_for_load_state("load")
            page.wait_for_timeout(50)  # KaTeX and the site's script run after load
            if "/papers/" in url:
                # No paper block sticks out of the article (long words, RTL text, unclosed markup).
                overflow = page.evaluate(
                    """() => {
                        const article = document.querySelector('article').getBoundingClientRect();
                        const blocks = ['.paper-title', '.paper-authors', '.paper-abstract', '.paper-meta', 'details']
                          .map(block => 'article ' + block).join(', ');
                        return [...document.querySelectorAll(blocks)]
                          .filter(el => {
                            const r = el.getBoundingClientRect();
                            return r.left < article.left - 1 || r.right > article.right + 1;
                          })
                          .map(el => el.className);
                    }"""
                )
                assert overflow == [], (url, overflow)
        reader.shot("hostile-last-page")
        reader.assert_clean()
        reader.close()
    assert len(pages) > 10


def test_searching_the_hostile_archive_shows_escaped_results(hostile_site, browser):
    archive, site = hostile_site
    with serve(site) as base:
        reader = Reader(browser, base, viewport={"width": 1280, "height": 900})
        page = reader.page
        page.goto(base + "search/")
        page.fill(".as-input", "alert")
        page.wait_for_selector(".as-results li", timeout=10_000)
        results = page.locator(".as-results li")
        assert results.count() >= 1
        # The payloads show as text in the results; none became an element.
        assert "alert(" in page.locator(".as-results").inner_text()
        assert (
            page.locator(
                ".as-results script, .as-results img, .as-results iframe, .as-results svg, .as-results [onerror], .as-results [onload]"
            ).count()
            == 0
        )
        reader.shot("hostile-search")
        reader.assert_clean()
        reader.close()
