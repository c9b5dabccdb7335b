"""The built site in a real browser (Debian's chromium through Playwright), served over 127.0.0.1.

Walks home → day → paper → category → tag as a reader does, checks that math is
typeset, that the light/dark toggle works, that hostile arXiv text stays text, and
that no request leaves 127.0.0.1. Screenshots go to tests/artifacts/ (gitignored).
A missing chromium fails the test: it is part of the suite (`make test` installs it).
"""

from __future__ import annotations

from generator.archive import paths
from generator.website.catalog import read_catalog
from generator.website.cite import bibtex
from tests.sitekit import HOSTILE_ID, OLD_STYLE_ID, Reader, read_archived_paper, serve


def test_reader_walks_home_day_paper_category_tag(built_site, browser):
    with serve(built_site) as base:
        reader = Reader(browser, base, viewport={"width": 1280, "height": 900}, color_scheme="light")
        page = reader.page
        page.goto(base)
        assert page.locator("h1").first.inner_text() == "arXiv daily archive (demo)"
        reader.shot("1-home")
        page.click("text=The day's page →")
        page.wait_for_url("**/days/2026/2026-09-25/")
        assert page.locator("h1").first.inner_text() == "Friday, 25 September 2026"
        page.locator("article ol > li").nth(1).locator("a").first.click()  # the old-style id: math in its title
        page.wait_for_url("**/papers/hep-th/9901001/")
        page.wait_for_selector("h1.paper-title .katex")
        assert page.locator("h1.paper-title .katex").count() == 3  # $\mathcal{N}=4$, \(SU(N_c)\), $N_c$
        assert page.locator(".paper-abstract .katex").count() == 3
        reader.shot("2-paper-math")
        page.click("a:has-text('hep-th — High Energy Physics - Theory')")
        page.wait_for_url("**/categories/hep-th/")
        assert "hep-th — High Energy Physics - Theory" in page.locator("h1").first.inner_text()
        # Titles in lists show their math as readable text (generator.text.tex.tex_html(math=False)): no KaTeX on a list.
        assert "Spectra of 𝒩=4 theories and SU(N_c) at large N_c" in page.locator(".paper-list").inner_text()
        assert page.locator(".paper-list .tex-math").count() == 0
        reader.shot("3-category")
        page.locator(".paper-list a", has_text="Spectra of").first.click()
        page.wait_for_url("**/papers/hep-th/9901001/")
        page.click(".paper-meta a:has-text('Training')")
        page.wait_for_url("**/tags/training/")
        assert page.locator("h1").first.inner_text() == "Training"
        assert page.locator(".paper-list > li").count() >= 10
        reader.shot("4-tag")
        reader.assert_clean()
        reader.close()


def test_summary_block_shows_model_input_and_typeset_math(built_site, browser):
    with serve(built_site) as base:
        reader = Reader(browser, base, viewport={"width": 1280, "height": 900})
        reader.page.goto(base + "papers/2504/2504.18298/")
        summary = reader.page.locator("details.ai-summary")
        assert summary.get_attribute("open") is not None
        assert "Summarized by qwen-long from the abstract of v1" in summary.locator("summary").inner_text()
        reader.page.wait_for_selector("details.ai-summary .katex")
        assert reader.page.locator(".paper-abstract .katex").count() >= 1  # $\frac{4}{3}$
        reader.page.locator("details.paper-cite > summary").click()
        assert "eprint={2504.18298}" in reader.page.locator("details.paper-cite code").inner_text()
        assert reader.page.locator("details.paper-cite button").count() == 1  # Material's copy button
        reader.shot("5-summary-and-cite")
        reader.assert_clean()
        reader.close()


def test_hostile_paper_stays_text_in_the_browser(built_site, browser):
    with serve(built_site) as base:
        reader = Reader(browser, base, viewport={"width": 1280, "height": 900})
        page = reader.page
        page.goto(base + f"papers/2609/{HOSTILE_ID}/")
        page.wait_for_selector("h1.paper-title .katex")  # $a<b$ is math, everything else is text
        title = page.locator("h1.paper-title").inner_text()
        assert '</title><script>alert("title")</script> <img src=x onerror=alert(1)> "q" &' in title
        assert page.title().startswith('Evil </title><script>alert("title")</script>')
        assert page.locator("article img, article script").count() == 0
        assert "<img src=x onerror=alert(3)> <script>alert(4)</script>" in page.locator(".paper-abstract").inner_text()
        assert "<b>Bold</b> O'Brien" in page.locator(".paper-authors").inner_text()
        page.goto(base + "categories/cs.CR/")
        assert page.locator("article img").count() == 0
        reader.shot("6-hostile")
        reader.assert_clean()
        reader.close()


def test_palette_toggle_and_phone_layout(built_site, browser):
    with serve(built_site) as base:
        reader = Reader(browser, base, viewport={"width": 390, "height": 844}, color_scheme="light", is_mobile=True, has_touch=True)
        page = reader.page
        page.goto(base + "papers/2504/2504.18298/")
        assert page.evaluate("document.body.dataset.mdColorScheme") == "default"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
        reader.shot("7-phone-light")
        page.locator("label[for='__palette_1']").click()
        assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
        reader.shot("8-phone-dark")
        page.locator("header label[for='__drawer']").click()
        page.wait_for_timeout(300)
        assert page.locator(".md-nav--primary a:has-text('Archive')").is_visible()  # the nav drawer opens
        page.goto(base)  # the choice persists across pages
        assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
        reader.assert_clean()
        reader.close()


def test_stats_page_draws_its_charts(built_site, browser):
    with serve(built_site) as base:
        reader = Reader(browser, base, viewport={"width": 1280, "height": 1400}, color_scheme="dark")
        reader.page.goto(base + "stats/")
        reader.page.wait_for_function("document.body.dataset.chartsDrawn === '4'")
        width = reader.page.evaluate("document.getElementById('chart-days').getBoundingClientRect().width")
        assert width > 600  # the chart fills the column
        reader.shot("9-stats-dark")
        reader.assert_clean()
        reader.close()


def test_bibtex_entries_are_the_generators(built_site, fixture_archive, browser):
    """The Cite block, written in the browser from the citation_* tags (cite.js), is generator.render.bibtex's entry."""
    with serve(built_site) as base:
        reader = Reader(browser, base)
        for paper in read_catalog(fixture_archive.docs).papers.values():
            reader.page.goto(base + paths.page_url(paper.path))
            reader.page.wait_for_function("document.querySelector('code.language-bibtex').textContent.length > 0")
            assert reader.page.locator("code.language-bibtex").text_content() == bibtex(
                read_archived_paper(fixture_archive.docs, paper.arxiv_id)
            ), paper.arxiv_id
        reader.assert_clean()
        reader.close()


CHROME = """() => {
  // The page around the article, as the reader's browser holds it: links resolved, whitespace dropped.
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll("article, script, .md-sidebar--secondary, [data-md-component=skip]").forEach(node => node.remove());
  copy.querySelectorAll("[href]").forEach(node => node.setAttribute("href", new URL(node.getAttribute("href"), location.href).href));
  copy.querySelectorAll("[action]").forEach(node => node.setAttribute("action", new URL(node.getAttribute("action"), location.href).href));
  copy.querySelector("[data-md-component=header-topic]").remove();
  copy.querySelectorAll("[style]").forEach(node => node.removeAttribute("style"));  // sizes Material's script sets for the layout
  const walker = document.createTreeWalker(copy, NodeFilter.SHOW_TEXT);
  const blank = [];
  while (walker.nextNode()) {
    const text = walker.currentNode;
    if (text.textContent.trim()) text.textContent = text.textContent.trim();
    else blank.push(text);
  }
  blank.forEach(node => node.remove());
  const config = JSON.parse(document.getElementById("__config").textContent);
  config.base = new URL(config.base, location.href).href;
  const archive = JSON.parse(document.getElementById("__archive").textContent);
  archive.search = new URL(archive.search, location.href).href;
  const scripts = [...document.scripts].filter(s => s.src).map(s => s.src.split("/").pop());
  return {body: copy.innerHTML, config, search: archive.search, scripts};
}"""


def test_pages_outside_the_nav_get_the_same_page_around_them_as_material_renders(built_site, browser):
    """Paper, day, category and tag pages are rendered once per kind and depth and filled per page
    (generator/website/shell.py): around their article, the browser holds what a page MkDocs built holds."""
    with serve(built_site) as base:
        reader = Reader(browser, base, viewport={"width": 1280, "height": 900})
        reader.page.goto(base + "404.html")  # built by MkDocs through Material's templates, no nav item active
        material = reader.page.evaluate(CHROME)
        for url in ("papers/2504/2504.18298/", "papers/hep-th/9901001/", "days/2026/2026-09-25/", "categories/cs.LG/", "tags/training/"):
            reader.page.goto(base + url)
            ours = reader.page.evaluate(CHROME)
            assert ours["body"] == material["body"], url
            assert ours["config"] == material["config"] and ours["search"] == material["search"], url
            # The same scripts, in the same order; math.js loads KaTeX where there is math; a paper page
            # adds its own two (math.js, cite.js: overrides/main.html), no other page has them.
            site_scripts = [s.split("?")[0] for s in ours["scripts"] if "katex" not in s]
            own = ["math.js", "cite.js"] if url.startswith("papers/") else []
            assert [s for s in site_scripts if s in ("math.js", "cite.js")] == own, url
            assert [s for s in site_scripts if s not in own] == [s.split("?")[0] for s in material["scripts"]], url
        reader.assert_clean()
        reader.close()


def test_the_header_shows_the_paper_title_once_its_heading_is_scrolled_away(built_site, browser):
    with serve(built_site) as base:
        reader = Reader(browser, base, viewport={"width": 1280, "height": 500})
        reader.page.goto(base + "papers/" + OLD_STYLE_ID + "/")
        topic = reader.page.locator("[data-md-component=header-topic] .md-ellipsis")
        assert topic.text_content().strip() == "Spectra of 𝒩=4 theories and SU(N_c) at large N_c"  # as plain text, the page's title
        reader.page.mouse.wheel(0, 600)
        reader.page.wait_for_selector(".md-header__title--active")
        assert topic.is_visible()
        reader.assert_clean()
        reader.close()
