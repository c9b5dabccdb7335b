"""Issue 15 on the built site: every recorded title and abstract, through every output the build writes.

The site is `mkdocs build --strict` of an archive holding every recorded arXiv paper of
tests/fixtures/arxiv plus one constructed `\\href` paper (tests/texsite.py). What is
checked is what the build wrote: each page's text outside math (`span.tex-math`), its
<title>, meta and citation tags, the Cite block's BibTeX title, every feed (parsed by
feedparser), the search documents Pagefind indexed, and, in Chromium, a paper page's link
and typeset math and a search for a word that the recordings hold only in `\\textbf{...}`.
tests/text/test_tex.py checks the text model itself, field by field.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import feedparser
import pytest
from lxml import html as lxml_html

from generator.archive import paths
from generator.text.tex import Math, parse, tex_bibtex, tex_plain
from generator.website.cite import bibtex
from generator.website.context import build_context
from generator.website.render import Renderer, environment
from generator.website.settings import load_site_config, site_info
from tests.browser.test_search_browser import header_search, ids
from tests.sitekit import DEMO_CONFIG, ROOT, Reader, serve
from tests.texsite import HREF_ID, HREF_URL, TEXTBF_ONLY, TexSite, build_tex_site
from tests.text.test_tex import bibtex_braces_balance, dollar_digits, links_in_source

RAW_TEX = re.compile(r"\\[A-Za-z]+|\\[%&_#$]|\\\\")
"""What must never show outside math: a macro (`\\textbf`, `\\href`), a TeX escape (`\\%`), `\\\\`."""
TEXT_MACROS = ("\\textbf{", "\\textit{", "\\emph{", "\\texttt{", "\\underline{", "\\textsc{", "\\href{", "\\url{")


@pytest.fixture(scope="module")
def tex_site(tmp_path_factory) -> TexSite:
    return build_tex_site(tmp_path_factory.mktemp("tex-site"))


def page_of(site: Path, arxiv_id: str) -> Path:
    return site / paths.page_url(paths.paper_path(arxiv_id)) / "index.html"


def text_outside_math(element) -> list[str]:
    """The text nodes a reader sees under `element`, except inside math elements, scripts and styles."""
    out: list[str] = []

    def walk(node, hidden: bool) -> None:
        classes = (node.get("class") or "").split()
        hidden = hidden or "tex-math" in classes or node.tag in ("script", "style")
        if node.text and not hidden:
            out.append(node.text)
        for child in node:
            if isinstance(child.tag, str):
                walk(child, hidden)
            if child.tail and not hidden:
                out.append(child.tail)

    walk(element, False)
    return out


def math_sources(element) -> list[str]:
    return [span.text_content() for span in element.iter() if isinstance(span.tag, str) and "tex-math" in (span.get("class") or "").split()]


def test_the_archive_holds_every_recorded_paper_and_the_cases(tex_site):
    texts = [p.announcement.abstract + p.announcement.title + (p.announcement.comment or "") for p in tex_site.papers.values()]
    assert len(tex_site.papers) > 250
    assert sum("\\textbf{" in t for t in texts) >= 2 and sum("\\href{" in t for t in texts) >= 1 and sum("\\url{" in t for t in texts) >= 1
    assert sum(any(d for _, d in dollar_digits(t)) for t in texts) >= 3  # dollar amounts: 2604.21953, 2104.12255, the constructed paper


def test_pages_show_no_tex_markup_outside_math(tex_site):
    """Every built page: text outside math, <title>, meta tags (description, citation_*, Open Graph) hold no TeX markup."""
    problems: list[str] = []
    pages = sorted(p for p in tex_site.site.rglob("*.html") if not {"pagefind", "assets"} & set(p.relative_to(tex_site.site).parts))
    for page in pages:
        where = page.relative_to(tex_site.site).as_posix()
        document = lxml_html.fromstring(page.read_bytes())
        if where == "about/index.html":  # the keywords' regular expressions from config.yml, shown as code
            for code in document.iter("code"):
                code.drop_tree()
        for text in text_outside_math(document.body):
            problems += [f"{where}: {m!r} in {text[:80]!r}" for m in RAW_TEX.findall(text)]
        for meta in document.iter("meta"):
            content = meta.get("content") or ""
            problems += [f"{where}: meta {meta.get('name') or meta.get('property')} shows {m!r}" for m in RAW_TEX.findall(content)]
        problems += [f"{where}: <title> shows {m!r}" for m in RAW_TEX.findall(document.findtext(".//title") or "")]
    assert len(pages) > len(tex_site.papers)
    assert problems == [], "\n".join(problems[:30])


def test_every_link_of_arxiv_text_is_a_link_on_the_paper_page(tex_site):
    checked = 0
    for arxiv_id, paper in tex_site.papers.items():
        ann = paper.announcement
        article = lxml_html.fromstring(page_of(tex_site.site, arxiv_id).read_bytes()).xpath("//article")[0]
        links = {a.get("href"): a.get("rel") for a in article.iter("a")}
        for field in (ann.title, ann.abstract, ann.comment or ""):
            for url in links_in_source(field):
                assert links.get(url) == "nofollow noopener", (arxiv_id, url)
                checked += 1
    assert checked >= 10
    # In lists a title is itself a link to the paper's page: its \href shows as text, no link in a link.
    day = lxml_html.fromstring((tex_site.site / "days" / "2026" / "2026-09-28" / "index.html").read_bytes())
    [entry] = [a for a in day.iter("a") if "EEG-DCNet-style" in a.text_content()]
    assert entry.get("href").endswith(f"/{HREF_ID}/") and not list(entry.iter("a"))[1:]


def test_dollar_amounts_stay_text_and_math_is_marked(tex_site):
    amounts = 0
    for arxiv_id, paper in tex_site.papers.items():
        article = lxml_html.fromstring(page_of(tex_site.site, arxiv_id).read_bytes())
        [abstract] = article.xpath("//div[@class='paper-abstract']")
        outside, maths = "".join(text_outside_math(abstract)), math_sources(abstract)
        for amount, is_dollar in dollar_digits(paper.announcement.abstract):
            if is_dollar:
                assert amount in outside and not any(m.startswith(amount) for m in maths), (arxiv_id, amount)
                amounts += 1
            else:
                assert any(m.startswith(amount) for m in maths), (arxiv_id, amount)
    assert amounts >= 3


def test_citation_tags_and_bibtex_titles(tex_site):
    for arxiv_id, paper in tex_site.papers.items():
        title = paper.announcement.title
        document = lxml_html.fromstring(page_of(tex_site.site, arxiv_id).read_bytes())
        [citation] = [m.get("content") for m in document.iter("meta") if m.get("name") == "citation_title"]
        assert citation == tex_plain(title) and document.findtext(".//title").startswith(citation), arxiv_id
        [code] = document.xpath("//code[contains(@class, 'language-bibtex')]")
        expected = tex_bibtex(title)
        assert (code.get("data-title") or citation) == expected, arxiv_id  # what cite.js writes as the title
        entry = bibtex(paper)
        assert f"title={{{expected}}}" in entry and bibtex_braces_balance(entry), arxiv_id
    constructed = bibtex(tex_site.papers[HREF_ID])
    assert "title={EEG-DCNet-style: a dilated CNN whose code is on GitHub}" in constructed


def test_feeds_are_readable_text_with_their_links(tex_site):
    feeds = sorted(p for p in (tex_site.site / "feeds").rglob("*.xml") if p.name != "sitemap.xml")
    entries = 0
    for feed in feeds:
        parsed = feedparser.parse(feed.read_bytes())
        assert not parsed.bozo and parsed.entries, feed
        for entry in parsed.entries:
            body = entry.content[0].value if parsed.version == "atom10" else entry.summary
            shown = lxml_html.fragment_fromstring(body, create_parent="div").text_content()
            for text in (entry.title, shown):
                assert not RAW_TEX.search(text) and not any(m in text for m in TEXT_MACROS), (feed.name, entry.title, RAW_TEX.findall(text))
            assert "tex-math" not in body and "$\\" not in body, feed.name  # readers typeset no math
            entries += 1
    assert entries > 100
    everything = feedparser.parse((tex_site.site / "feeds" / "all.atom.xml").read_bytes())
    entry = next(e for e in everything.entries if HREF_ID in e.link)
    body = entry.content[0].value
    assert entry.title == "EEG-DCNet-style: a dilated CNN whose code is on GitHub"
    assert f'open-sourced at <a href="{HREF_URL}" rel="nofollow noopener">here</a>.' in body  # the link kept
    assert "improves by 2.1% with 10× fewer parameters" in body and "less than $5 million" in body
    assert "O(n log n) cost, 10× smaller" in body and "Costs $5 million and $10 million less" in body  # the summary's math as text


def test_every_feed_item_and_search_document_is_plain_of_tex(tex_site):
    """Every paper's feed item and search document, as the build renders them (feeds hold only the latest papers)."""
    from generator.website.catalog import read_catalog

    catalog = read_catalog(tex_site.docs)
    renderer = Renderer(environment([ROOT / "overrides"]), build_context(catalog, site_info(load_site_config(DEMO_CONFIG))))
    for arxiv_id, entry in catalog.papers.items():
        for output, text in (("feed item", renderer.feed_item(entry)), ("search document", renderer.search_document(entry))):
            document = lxml_html.fromstring(text) if text.startswith("<html") else lxml_html.fragment_fromstring(text, create_parent="div")
            shown = "".join(document.itertext())
            assert not RAW_TEX.search(shown) and "tex-math" not in text, (arxiv_id, output, RAW_TEX.findall(shown))
        links = [a.get("href") for a in lxml_html.fragment_fromstring(renderer.feed_item(entry), create_parent="div").iter("a")]
        for url in links_in_source(entry.abstract):
            assert url in links, (arxiv_id, url)
    word, arxiv_id = TEXTBF_ONLY
    document = renderer.search_document(catalog.papers[arxiv_id])
    assert f"two requirements therefore become central: {word}, the ability" in html.unescape(document).lower()


# -- in the browser ---------------------------------------------------------------------------


def test_paper_page_links_its_href_and_typesets_only_its_math(tex_site, browser):
    with serve(tex_site.site) as base:
        reader = Reader(browser, base, viewport={"width": 1280, "height": 900})
        page = reader.page
        # The link leaves the site: answer it here, so clicking it shows that it works.
        page.route(HREF_URL, lambda route: route.fulfill(status=200, content_type="text/html", body="<title>EEG-DCNet code</title>"))
        page.goto(base + f"papers/2609/{HREF_ID}/")
        page.wait_for_selector(".paper-abstract .katex")
        abstract = page.locator(".paper-abstract")
        link = abstract.locator(f'a[href="{HREF_URL}"]')
        assert link.inner_text() == "here" and link.get_attribute("rel") == "nofollow noopener"
        assert abstract.locator("strong").inner_text() == "2.1%"
        assert abstract.locator(".katex").count() == 1  # 10$\times$; "$5 million" is a dollar amount
        assert "less than $5 million" in abstract.inner_text() and "\\" not in abstract.inner_text().replace(
            abstract.locator(".katex").inner_text(), ""
        )
        page.wait_for_selector("details.ai-summary .katex-display")  # the summary's $$\frac{a}{b}$$
        assert page.locator("details.ai-summary .katex").count() == 3  # $O(n \log n)$, 10$\times$, $$\frac{a}{b}$$
        assert "Costs $5 million and $10 million less" in page.locator("details.ai-summary").inner_text()
        page.locator("details.paper-cite > summary").click()
        assert "title={EEG-DCNet-style: a dilated CNN whose code is on GitHub}" in page.locator("details.paper-cite code").inner_text()
        reader.shot("tex-1-href-and-math")
        link.click()
        page.wait_for_url(HREF_URL)
        assert page.title() == "EEG-DCNet code"
        assert [u for u in reader.requests if not u.startswith(base)] == [HREF_URL]
        reader.requests = [u for u in reader.requests if u != HREF_URL]
        reader.assert_clean()
        reader.close()


def test_katex_loads_only_where_there_is_math(tex_site, browser):
    with serve(tex_site.site) as base:
        reader = Reader(browser, base, viewport={"width": 1280, "height": 900})
        page = reader.page
        # A paper whose title, abstract and comment hold no math: no KaTeX at all.
        plain = next(
            i
            for i, p in tex_site.papers.items()
            if "$" not in p.announcement.title + p.announcement.abstract
            and "\\(" not in p.announcement.abstract
            and not p.summary
            and "/" not in i
        )
        page.goto(base + paths.page_url(paths.paper_path(plain)))
        page.wait_for_load_state("networkidle")
        assert page.locator(".tex-math").count() == 0
        assert [u for u in reader.requests if "katex" in u] == []
        # Math in a closed <details> (an entry's abstract shown in place) waits until it is opened.
        page.evaluate("""() => { const d = document.createElement('details'); d.id = 'folded';
            d.innerHTML = '<summary>more</summary><span class="tex-math">$y_1$</span>';
            document.querySelector('article').appendChild(d); window.archiveRenderMath(d); }""")
        page.wait_for_timeout(300)
        assert [u for u in reader.requests if "katex" in u] == []
        page.locator("#folded > summary").click()
        page.wait_for_selector("#folded .katex")
        # Math a script adds later (search results, an entry expanded in place) loads KaTeX then.
        page.evaluate("""() => { const p = document.createElement('p'); p.id = 'later';
            p.innerHTML = 'costs $5 and <span class="tex-math">$x^2$</span> and '
              + '<span class="tex-math tex-display">\\\\[\\\\frac{1}{2}\\\\]</span>';
            document.querySelector('article').appendChild(p); window.archiveRenderMath(p); }""")
        page.wait_for_selector("#later .katex-display")
        assert page.locator("#later .katex").count() == 2 and page.locator("#later").inner_text().startswith("costs $5 and")
        assert any(".min.js?v=" in u and "katex" in u for u in reader.requests) and any("katex.min.css?v=" in u for u in reader.requests)
        reader.assert_clean()
        reader.close()


def test_search_finds_a_word_that_is_only_inside_textbf(tex_site, browser):
    word, arxiv_id = TEXTBF_ONLY
    with serve(tex_site.site) as base:
        reader = Reader(browser, base, viewport={"width": 1280, "height": 900})
        reader.page.goto(base)
        # Its paper first (others match by stem: adaptive, adapt); excerpts are plain text.
        results = header_search(reader, word)
        assert ids(results)[0] == arxiv_id and not [r for r in results if "\\" in r["excerpt"]]
        # What Pagefind indexed of it: the word as plain text in its sentence, no TeX anywhere.
        content = reader.page.evaluate(
            """async (word) => { const found = await window.archiveSearchIndex.search(word);  // loaded by the search above
                return (await found.results[0].data()).content; }""",
            word,
        )
        assert f"central: {word}, the ability" in content and not RAW_TEX.search(content)
        reader.assert_clean()
        reader.close()
    # The page itself shows the word in bold.
    article = lxml_html.fromstring(page_of(tex_site.site, arxiv_id).read_bytes())
    assert word in [s.text for s in article.xpath("//div[@class='paper-abstract']//strong")]


def test_a_day_page_with_math_in_its_titles_loads_no_katex_and_at_most_150_kb_of_script(tex_site, browser):
    """Issue 12 (weight): titles in lists show their math as readable text, so a day page loads no KaTeX."""
    with_math: dict = {}
    for paper in tex_site.papers.values():
        if any(isinstance(segment, Math) for segment in parse(paper.announcement.title)):
            with_math.setdefault(paper.announced, []).append(paper)
    day, papers = max(with_math.items(), key=lambda item: len(item[1]))
    with serve(tex_site.site) as base:
        reader = Reader(browser, base, viewport={"width": 1280, "height": 900})
        page = reader.page
        scripts: dict[str, int] = {}
        page.on("response", lambda r: scripts.__setitem__(r.url, len(r.body())) if r.request.resource_type == "script" else None)
        page.goto(base + paths.page_url(paths.day_path(day)))
        page.wait_for_load_state("networkidle")
        entries = page.locator("article ol").inner_text()
        for paper in papers:
            assert tex_plain(paper.announcement.title) in entries, paper.announcement.arxiv_id  # math as text: 𝒩=4, 10⁻³
        assert page.locator(".tex-math, .katex").count() == 0 and [u for u in reader.requests if "katex" in u] == []
        total = sum(scripts.values())
        assert 100_000 < total <= 150_000, sorted(scripts.items(), key=lambda item: -item[1])  # Material's bundle alone is ~114 KB
        reader.assert_clean()
        reader.close()
