"""Search (Pagefind) in a real browser over the fixture site: what a reader types, what they get.

The index comes from the session's strict build of the fixture archive (conftest.built_site),
served on 127.0.0.1 and searched in Debian's chromium through the header box and the
search page, as a reader does.
"""

from __future__ import annotations

import re

import pytest

from generator.website.catalog import read_catalog
from tests.sitekit import HOSTILE_ID, OLD_STYLE_ID, SUMMARIZED, SUMMARY_ONLY_WORD, Reader, serve


def header_search(reader: Reader, query: str) -> list[dict]:
    """Type into the header box (after the "/" shortcut); return the results shown."""
    page = reader.page
    box = page.locator("[data-archive-search-box]")
    before = box.get_attribute("data-results-shown") or ""
    page.keyboard.press("Escape")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.classList.contains('asb-input')"), "'/' did not focus the search box"
    page.keyboard.press("Control+A")
    page.keyboard.type(query, delay=20)
    # The results of the whole query: on a busy machine the box may first show those of a prefix typed so far.
    page.wait_for_function(
        "([before, query]) => { const box = document.querySelector('[data-archive-search-box]');"
        " return (box.dataset.resultsShown || '') !== before && box.dataset.resultsFor === query; }",
        arg=[before, query.strip()],
    )
    return page.eval_on_selector_all(
        ".asb-result",
        """items => items.map(item => ({
            href: item.querySelector('a.as-title').getAttribute('href'),
            title: item.querySelector('a.as-title').textContent,
            meta: item.querySelector('.as-meta').textContent,
            excerpt: item.querySelector('.as-excerpt').innerHTML,
            marks: item.querySelectorAll('.as-excerpt mark').length,
        }))""",
    )


def ids(results: list[dict]) -> list[str]:
    return [re.sub(r"^.*?/papers/(?:\d{4}/)?", "", r["href"]).rstrip("/") for r in results]


@pytest.fixture
def reader(built_site, browser):
    with serve(built_site) as base:
        reader = Reader(browser, base, viewport={"width": 1280, "height": 900}, color_scheme="light")
        reader.page.goto(base)
        yield reader
        reader.assert_clean()  # nothing fetched from outside 127.0.0.1, no errors, no script ran
        reader.close()


def test_title_words_find_the_paper_with_highlighted_excerpt(reader):
    results = header_search(reader, "entanglement purification")
    assert ids(results)[0] == "2504.18121"
    first = results[0]
    assert first["title"] == "Integrating Entanglement Purification into All-Photonic Quantum Repeaters"
    assert first["meta"].startswith("2025-04-28 · quant-ph · arXiv:2504.18121")
    assert first["marks"] >= 2 and "<mark>Entanglement</mark>" in first["excerpt"]
    reader.shot("search-1-title")


def test_titles_outrank_abstracts(reader, fixture_archive):
    """A word in one paper's title and only in other papers' abstracts: the title match comes first."""
    catalog = read_catalog(fixture_archive.docs)
    papers = list(catalog.papers.values())
    for paper in sorted(papers, key=lambda p: p.arxiv_id):
        for word in re.findall(r"[A-Za-z]{7,}", paper.title):
            w = word.lower()
            in_titles = [p for p in papers if w in p.title.lower()]
            in_abstracts = [p for p in papers if p is not paper and w in p.abstract.lower() and w not in p.title.lower()]
            if in_titles == [paper] and len(in_abstracts) >= 2:
                results = header_search(reader, word)
                assert ids(results)[0] == paper.arxiv_id, (word, ids(results))
                return
    pytest.fail("the fixture archive has no word for this test")


def test_author_surnames_and_accents(reader):
    assert ids(header_search(reader, "Dunson"))[0] == "2205.06398"
    accented = ids(header_search(reader, "Hajdušek"))
    assert "2504.18298" in accented and len(accented) >= 3
    assert ids(header_search(reader, "hajdusek")) == accented  # unaccented query, same papers
    assert ids(header_search(reader, "angstrom"))[0] == OLD_STYLE_ID  # Zoë Ångström
    assert ids(header_search(reader, "Gauntlett"))[0] == OLD_STYLE_ID


def test_arxiv_ids_new_and_old_style(reader):
    assert ids(header_search(reader, "2504.18298"))[0] == "2504.18298"
    assert ids(header_search(reader, "2604.26837"))[0] == "2604.26837"
    assert ids(header_search(reader, "hep-th/9901001"))[0] == OLD_STYLE_ID


def test_a_word_only_in_a_summary(reader):
    results = header_search(reader, SUMMARY_ONLY_WORD)
    assert ids(results) == [SUMMARIZED[1]]
    assert f"<mark>{SUMMARY_ONLY_WORD}</mark>" in results[0]["excerpt"]


def test_only_papers_are_indexed_not_the_page_around_them(reader, fixture_archive):
    words = ("Friday", "Subscribe", "weekday")  # a day page's title, the feeds page, the home page
    for paper in read_catalog(fixture_archive.docs).papers.values():
        assert not any(w.lower() in (paper.title + paper.abstract).lower() for w in words)
    for chrome_only in words:
        results = header_search(reader, chrome_only)
        # Pagefind falls back to shorter prefixes when a word is nowhere; it must not find the word itself.
        assert all("/papers/" in r["href"] for r in results)
        assert chrome_only.lower() not in " ".join(r["excerpt"] for r in results).lower()


def test_hostile_text_in_results_stays_text(reader):
    results = header_search(reader, "onerror")
    assert ids(results)[0] == HOSTILE_ID
    assert reader.page.locator(".asb-panel img, .asb-panel script").count() == 0
    shown = reader.page.locator(".asb-result .as-excerpt").first.inner_text()
    assert "<img src=x" in shown  # shown as the text it is
    assert results[0]["title"].startswith('Evil </title><script>alert("title")</script>')
    reader.shot("search-2-hostile")


def test_keyboard_picks_a_result_and_enter_opens_the_search_page(reader):
    page = reader.page
    header_search(reader, "Repeaters")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/papers/2504/2504.18121/")
    page.keyboard.press("Control+k")
    assert page.evaluate("document.activeElement.classList.contains('asb-input')")
    page.keyboard.type("quantum")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=quantum")
    page.wait_for_selector(".as-result")


def test_search_page_filters_narrow_and_sort_by_date(reader, fixture_archive):
    catalog = read_catalog(fixture_archive.docs)
    page = reader.page
    status = page.locator(".as-status")

    def shown() -> int:
        page.wait_for_function("document.querySelector('.as-status').textContent !== 'Searching…'")
        return int(status.inner_text().split()[0])

    def check(group: str, value: str) -> int:
        page.locator(f"fieldset[data-filter='{group}'] input[value='{value}']").check()
        return shown()

    page.goto(reader.base + "search/?q=efficient")
    page.wait_for_selector(".as-result")
    total = shown()
    years = {m[:4] for m in page.locator(".as-result .as-meta").all_inner_texts()}
    assert total > 10 and years == {"2025", "2026"}
    in_2026 = check("year", "2026")
    assert 0 < in_2026 < total and "year=2026" in page.url
    assert all(m.startswith("2026-") for m in page.locator(".as-result .as-meta").all_inner_texts())
    in_cs_lg = check("category", "cs.LG")
    assert 0 < in_cs_lg < in_2026 and "category=cs.LG" in page.url
    hrefs = page.locator(".as-result a.as-title").evaluate_all("links => links.map(a => ({href: a.getAttribute('href')}))")
    for arxiv_id in ids(hrefs):
        assert "cs.LG" in catalog.papers[arxiv_id].categories
    assert 0 < check("tag", "Training") <= in_cs_lg
    reader.shot("search-3-page")
    page.goto(reader.base + "search/?q=training&sort=date-desc")
    page.wait_for_selector(".as-result")
    shown()
    dates = [m[:10] for m in page.locator(".as-result .as-meta").all_inner_texts()]
    assert len(dates) >= 5 and dates == sorted(dates, reverse=True) and dates[0] != dates[-1]
    page.select_option(".as-sort select", "date-asc")
    shown()
    ascending = [m[:10] for m in page.locator(".as-result .as-meta").all_inner_texts()]
    assert ascending == sorted(ascending) and "sort=date-asc" in page.url


def test_filters_alone_browse_without_a_query(reader, fixture_archive):
    expected = {p.title for p in read_catalog(fixture_archive.docs).papers.values() if "hep-th" in p.categories}
    page = reader.page
    page.goto(reader.base + "search/?category=hep-th")
    page.wait_for_selector(".as-result")
    page.wait_for_function("document.querySelector('.as-status').textContent !== 'Searching…'")
    assert page.locator(".as-status").inner_text() == f"{len(expected)} papers"
    assert len(page.locator(".as-result").all()) == len(expected) >= 2


def test_dark_palette_and_phone(built_site, browser):
    with serve(built_site) as base:
        reader = Reader(browser, base, viewport={"width": 390, "height": 844}, color_scheme="dark", is_mobile=True, has_touch=True)
        page = reader.page
        page.goto(base)
        page.locator(".asb-open").click()  # on a phone the box opens over the header
        page.keyboard.type("quantum")
        page.wait_for_selector(".asb-result")
        background = page.evaluate("getComputedStyle(document.querySelector('.asb-panel')).backgroundColor")
        assert background != "rgb(255, 255, 255)"  # the panel follows the dark palette
        reader.shot("search-4-phone-dark")
        reader.assert_clean()
        reader.close()
