"""Search over several segments in Chromium: what one index would answer, from bundles searched one by one.

A synthetic archive over three announcement years (benchmarks.synth) is built by `mkdocs build` with a
small segment cap (ARCHIVE_SEARCH_SEGMENT_PAPERS: 2024 goes in halves), so the site has four bundles, three of
them kept from the build of the night before (the archive without its last day; the second build is warm).
The oracle is one Pagefind bundle of the very same documents (the plugin's fingerprints of them match),
served beside the site and searched by the same pagefind.js: best-match results are the same papers,
merged by score; date order is the oracle's across bundles, both ways, also after More; counts and
filter counts are the archive's; a year searches its bundles only; a search without words reads the
newest bundle only; a bundle answering 404 is named in a warning while the others answer.
Requests are counted by the server (Pagefind fetches from the site's search workers). Common words are left
out of a query unless it is quoted; Pagefind runs in the site's workers, which get the words' index as they are
typed and drop a search replaced by another.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import functools
import hashlib
import http.server
import re
import shutil
import threading
from pathlib import Path

import pytest

from generator.archive import paths
from generator.website.catalog import read_catalog
from generator.website.outputs.search import SegmentedIndex, SegmentPlan, plan_segments, read_manifest
from generator.website.render import Renderer, environment
from tests.sitekit import DEMO_CONFIG, ROOT, Reader, build_site, last_day_removed

CAP = 450
ORACLE = "oracle"
"""The folder, inside the served site, of the one-bundle index of the same documents."""


class Logged(http.server.SimpleHTTPRequestHandler):
    """The site's files; every path asked for is logged; paths under `blocked` answer 404 (a bundle not deployed)."""

    log: list[str]
    blocked: tuple[str, ...] = ()

    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        self.log.append(self.path.split("?")[0])
        if self.blocked and self.path.startswith(self.blocked):
            self.send_error(404)
            return None
        return super().send_head()


@contextlib.contextmanager
def serve_logged(folder: Path, blocked: tuple[str, ...] = ()):
    log: list[str] = []
    handler = type("Handler", (Logged,), {"log": log, "blocked": blocked})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", log
    finally:
        server.shutdown()
        server.server_close()


class Archive:
    """The built site, its manifest and catalog, and queries drawn from its papers."""

    def __init__(self, docs: Path, site: Path):
        self.site = site
        self.catalog = read_catalog(docs)
        self.segments = read_manifest(site / "pagefind")
        self.papers = list(self.catalog.papers.values())
        self.by_url = {"/" + paths.page_url(p.path): p for p in self.papers}


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Archive:
    from benchmarks.synth import synthesize

    root = tmp_path_factory.mktemp("segmented")
    full = synthesize(1000, root / "full", start=dt.date(2023, 11, 1), per_day=1)
    # Built as a night does: the archive without its last day (in 2025), then the whole archive warm in the same folders,
    # so three of the four bundles searched below were kept from the first build.
    docs, site = root / "docs", root / "site"
    shutil.copytree(full, docs)
    last_day_removed(docs)
    environ = {"ARCHIVE_SEARCH_SEGMENT_PAPERS": str(CAP)}
    for night in ("n-1", "n"):
        if night == "n":
            shutil.rmtree(docs)
            shutil.copytree(full, docs)
        result = build_site(docs, DEMO_CONFIG, site, environ=environ)
        assert result.returncode == 0, result.stderr[-3000:]
    assert "warm build" in result.stderr and "in 4 segments: 3 kept, 1 built; 2025: " in result.stderr, result.stderr[-3000:]
    built = Archive(docs, site)
    assert [s["name"] for s in built.segments] == ["2025", "2024-2", "2024-1", "2023"]
    # The oracle: one bundle of the same documents, which the plugin's own fingerprints say are the ones it indexed.
    renderer = Renderer(environment([ROOT / "overrides"]))
    documents = {p.arxiv_id: ("/" + paths.page_url(p.path), renderer.search_document(p)) for p in built.papers}
    fingerprints = [(p.arxiv_id, p.announced, hashlib.sha256("\n".join(documents[p.arxiv_id]).encode()).hexdigest()) for p in built.papers]
    assert [p.fingerprint for p in plan_segments(fingerprints, cap=CAP)] == [s["fingerprint"] for s in built.segments]
    days = [p.announced for p in built.papers]
    whole = SegmentPlan("all", min(days), max(days), tuple(documents), "oracle")
    SegmentedIndex(site / ORACLE).update([whole], lambda plan: (documents[i] for i in plan.ids))
    return built


@pytest.fixture
def reader(archive, browser):
    with serve_logged(archive.site) as (base, log):
        opened = Reader(browser, base, viewport={"width": 1280, "height": 900})
        opened.log = log
        opened.page.goto(base + "search/")
        opened.page.wait_for_function("window.archiveSearch && window.archiveSearchIndex")
        yield opened
        opened.close()


SEARCH = """async ([term, options, n]) => {
    const index = await window.archiveSearch.searchIndex();
    const found = await index.search(term, options);
    await found.more(n);
    const top = found.results.slice(0, n);
    const datas = await Promise.all(top.map(r => r.data()));
    return {ids: found.results.map(r => r.id), scores: found.results.map(r => r.score), segments: top.map(r => r.segment),
            urls: datas.map(d => d.url), dates: datas.map(d => d.meta.date), complete: found.complete, total: found.total,
            filters: found.filters, failed: found.failed.map(s => s.name), omitted: found.omitted};
}"""
ORACLE_SEARCH = """async ([term, options, n]) => {
    await (await window.archiveSearch.searchIndex()).ready();  // Pagefind's WebAssembly loaded: other instances may be made
    const pf = await import('/pagefind/pagefind.js');
    window.oracle = window.oracle || pf.createInstance({basePath: '/oracle/pagefind/all/', baseUrl: '/', excerptLength: 28});
    await window.oracle.filters();
    const found = await window.oracle.search(term, options);
    const datas = await Promise.all(found.results.slice(0, n).map(r => r.data()));
    return {ids: found.results.map(r => r.id), urls: datas.map(d => d.url), dates: datas.map(d => d.meta.date), filters: found.filters};
}"""


def extra_texts(reader: Reader, term: str, ids: list[str]) -> list[str]:
    """The plain text (lower case, no accents) of these results of `term`."""
    return reader.page.evaluate(
        """async ([term, ids]) => { const found = await window.archiveSearchIndex.search(term);
            const chosen = found.results.filter(r => ids.includes(r.id));
            return Promise.all(chosen.map(async r =>
                (await r.data()).content.toLowerCase().normalize('NFD').replace(/\\p{M}/gu, ''))); }""",
        [term, ids],
    )


def engine(reader: Reader, term: str | None, options: dict | None = None, n: int = 20) -> dict:
    return reader.page.evaluate(SEARCH, [term, options or {}, n])


def oracle(reader: Reader, term: str | None, options: dict | None = None, n: int = 20) -> dict:
    return reader.page.evaluate(ORACLE_SEARCH, [term, options or {}, n])


def title_word(archive: Archive) -> str:
    """The commonest long title word found in every segment's titles (with more than a page of papers in all)."""
    counts: collections.Counter = collections.Counter()
    segments: dict[str, set] = collections.defaultdict(set)
    for paper in archive.papers:
        for word in set(re.findall(r"[a-z]{7,}", paper.title.lower())):
            counts[word] += 1
            segments[word].add(next(s["name"] for s in archive.segments if s["first"] <= paper.announced.isoformat() <= s["last"]))
    return next(w for w, _ in counts.most_common() if len(segments[w]) == len(archive.segments))


def date_word(archive: Archive, reader: Reader) -> str:
    """A word whose first page by date, either way, crosses a segment: a few papers in the newest and oldest years, many in all."""
    counts = collections.Counter(w for p in archive.papers for w in set(re.findall(r"[a-z]{7,}", p.title.lower())))
    for word, _ in counts.most_common(60):
        years = oracle(reader, word, n=0)["filters"]["year"]
        if 3 <= years.get("2025", 0) <= 15 and 3 <= years.get("2023", 0) <= 15 and sum(years.values()) >= 60:
            return word
    raise AssertionError("no word of the synthetic archive crosses segments on its first page")


def phrase_with_of(archive: Archive) -> tuple[str, str]:
    """The commonest "x of y" of the titles (x and y words of four letters or more)."""
    counts = collections.Counter(pair for p in archive.papers for pair in re.findall(r"\b([a-z]{4,}) of ([a-z]{4,})\b", p.title.lower()))
    return counts.most_common(1)[0][0]


def chunk_requests(reader: Reader) -> set[str]:
    """The index chunks the page has read, of every bundle."""
    return {p for p in reader.log if re.match(r"/pagefind/[^/]+/index/", p)}


def segment_requests(reader: Reader) -> set[str]:
    """The bundles whose index the page has read (index chunks; a bundle's entry and metadata come with its instance)."""
    return {m.group(1) for m in (re.match(r"/pagefind/([^/]+)/index/", p) for p in reader.log) if m}


# -- best match --------------------------------------------------------------------------------------


def test_best_match_finds_what_one_index_finds_merged_by_score(archive, reader):
    word = title_word(archive)
    summarized = next(p for p in sorted(archive.papers, key=lambda p: p.arxiv_id) if p.summary is not None and p.announced.year == 2024)
    surname = collections.Counter(a.split()[-1] for p in archive.papers for a in p.authors if a.split()[-1].isalpha())
    rare = next(name for name, count in sorted(surname.items()) if 2 <= count <= 4 and len(name) >= 5)
    # A word, two, a word being typed (no paper holds its first letters as a word: longer words match), a surname
    # some segments lack (they would answer with shorter words), an arXiv id and a word of one summary (one segment).
    queries = [word, f"{word} quantum", word[:5], rare, summarized.arxiv_id, f"synthsum{summarized.arxiv_id.replace('.', '')}"]
    for query in queries:
        found, expected = engine(reader, query, n=50), oracle(reader, query, n=50)
        assert found["complete"] and found["failed"] == [] and found["total"] == len(found["ids"]), query
        assert found["scores"] == sorted(found["scores"], reverse=True), query
        if query != word[:5]:
            assert sorted(found["ids"]) == sorted(expected["ids"]), query  # the same papers (fragments are named by content)
            continue
        # Letters being typed: at least what one index finds. Where a segment holds no word whose stem begins with
        # them, Pagefind answers there with its longest word that begins them (testi -> test, the stem of testing),
        # as one index does when no word of the archive extends them (search-index.js says so).
        assert set(expected["ids"]) <= set(found["ids"]), query
        extra = [i for i in found["ids"] if i not in set(expected["ids"])]
        texts = extra_texts(reader, query, extra)
        assert len(texts) == len(extra) and all(query[:-1] in text for text in texts), query
    common = engine(reader, word, n=50)
    assert len(set(common["segments"])) >= 2, "the first results of a common word come from several segments, merged"
    assert engine(reader, summarized.arxiv_id)["urls"] == ["/" + paths.page_url(summarized.path)]
    # A word no paper holds finds nothing (one index would show Pagefind's guesses from shorter words).
    assert engine(reader, "zqxwvutsr")["ids"] == []
    # The page shows the merged order, and says how many.
    page = reader.page
    page.goto(reader.base + "search/?q=" + word)
    page.wait_for_function("document.querySelector('.as-status').textContent.endsWith('papers')")
    assert page.locator(".as-status").inner_text() == f"{common['total']} papers"
    hrefs = page.locator(".as-result a.as-title").evaluate_all("links => links.map(a => new URL(a.href).pathname)")
    assert hrefs == common["urls"][:20]
    assert page.locator(".as-warning").is_hidden()
    reader.assert_clean()


def test_common_words_are_left_out_of_a_query_unless_it_is_quoted(archive, reader):
    x, y = phrase_with_of(archive)
    # Left out: the papers holding every other word, as one index finds them; "of" reads no index chunk.
    without = engine(reader, f"{x} {y}", n=0)
    reader.log.clear()
    found = engine(reader, f"{x} of {y}", n=0)
    assert chunk_requests(reader) == set(), "the index of a common word is read"
    assert found["omitted"] == ["of"] and without["omitted"] == [] and found["complete"] and found["ids"]
    assert sorted(found["ids"]) == sorted(without["ids"]) == sorted(oracle(reader, f"{x} {y}", n=0)["ids"])
    # In quotes: a phrase, every word kept, as one index finds it (fewer papers, each holding the phrase).
    phrase = engine(reader, f'"{x} of {y}"', n=0)
    assert phrase["omitted"] == [] and phrase["ids"] and sorted(phrase["ids"]) == sorted(oracle(reader, f'"{x} of {y}"', n=0)["ids"])
    assert set(phrase["ids"]) <= set(found["ids"])
    # Common words alone are kept (else nothing would be searched): nearly every paper holds them.
    only = engine(reader, "of the", n=0)
    assert only["omitted"] == [] and len(only["ids"]) > 0.9 * len(archive.papers)
    # The search page says what it left out, and how to keep it.
    page = reader.page
    page.goto(reader.base + f"search/?q={x}+of+{y}")
    page.wait_for_function("document.querySelector('#archive-search').dataset.countDone")
    assert page.locator(".as-status").inner_text() == (
        f"{len(found['ids'])} papers · “of” left out (too common; in quotes, the query keeps every word)"
    )
    reader.assert_clean()


def test_pagefind_runs_in_the_sites_workers_fed_as_the_reader_types(archive, reader):
    """Pagefind's own worker sent every result of every search to the page and each one back once dropped: 60,000
    messages for "Le" at 200,000 papers, which kept it busy under the next searches (BENCHMARKS.md). search-worker.js
    runs Pagefind and sends what a search shows; typing fetches the words' index of every bundle before the search."""
    word = title_word(archive)
    page = reader.page
    page.goto(reader.base)
    page.locator(".asb-input").focus()
    page.wait_for_function("window.archiveSearchIndex")
    page.evaluate("window.archiveSearchIndex.ready(true)")
    reader.log.clear()
    page.evaluate("([word]) => window.archiveSearchIndex.preload(word)", [word[:5]])
    assert {c.split("/")[2] for c in chunk_requests(reader)} == {s["name"] for s in archive.segments}
    reader.log.clear()
    found = page.evaluate("async ([word]) => (await window.archiveSearchIndex.search(word)).results.length", [word[:5]])
    assert found and chunk_requests(reader) == set(), "the search read more than the chunks fetched as it was typed"
    # What the header box shows, from the site's workers only.
    page.locator(".asb-input").fill(word)
    page.wait_for_function("([word]) => document.querySelector('[data-archive-search-box]').dataset.resultsFor === word", arg=[word])
    assert page.locator(".asb-result").count() == 6
    assert [u for u in reader.requests if "pagefind-worker.js" in u] == []
    assert [u for u in reader.requests if "/assets/javascripts/search-worker.js" in u]
    # A search replaced: what it had not begun is skipped, and its results are dropped.
    replaced = page.evaluate(
        """async ([word]) => { const index = window.archiveSearchIndex;
            const aborted = new AbortController(); aborted.abort();
            const skipped = await index.search(word, {signal: aborted.signal});
            const found = await index.search(word); found.stop();
            const data = await found.results[0].data().then(() => "its data", err => err.message);
            return {skipped: [skipped.results.length, skipped.failed.length], found: found.results.length > 20, data: data}; }""",
        [word],
    )
    assert replaced == {"skipped": [0, 0], "found": True, "data": "this search was replaced by another"}
    reader.assert_clean()


# -- date order ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("sort", ["date-desc", "date-asc"])
def test_date_order_is_the_archives_across_segments_also_after_more(archive, reader, sort):
    word = date_word(archive, reader)
    expected = oracle(reader, word, {"sort": {"date": sort.split("-")[1]}}, n=200)
    page = reader.page
    page.goto(reader.base + f"search/?q={word}&sort={sort}")
    page.wait_for_selector(".as-result")
    dates = lambda: [m[:10] for m in page.locator(".as-result .as-meta").all_inner_texts()]  # noqa: E731
    first = dates()
    assert first == expected["dates"][:20] and first == sorted(first, reverse=sort == "date-desc")
    assert len({d[:4] for d in first}) >= 2, "the first page crosses a segment"
    # The count comes in from the other segments (in the background); More goes on in order.
    page.wait_for_function("document.querySelector('#archive-search').dataset.countDone")
    assert page.locator(".as-status").inner_text() == f"{len(expected['ids'])} papers"
    while page.locator(".as-more").is_visible() and len(dates()) < 60:
        shown = len(dates())
        page.locator(".as-more").click()
        page.wait_for_function(f"document.querySelectorAll('.as-result').length > {shown}")
    assert dates() == expected["dates"][: len(dates())] and len(dates()) > 20
    reader.assert_clean()


def test_a_search_without_words_reads_the_newest_segment_only(archive, reader):
    newest = sorted((p.announced.isoformat() for p in archive.papers), reverse=True)[:20]
    page = reader.page
    reader.log.clear()
    page.goto(reader.base + "search/?sort=date-desc")
    page.wait_for_selector(".as-result")
    assert [m[:10] for m in page.locator(".as-result .as-meta").all_inner_texts()] == newest
    assert page.locator(".as-status").inner_text() == f"{len(archive.papers)} papers"  # the manifest's count: nothing else read
    assert segment_requests(reader) == {"2025"}
    # Filtered by one category: the manifest still knows the count; the newest segments fill the page.
    category = collections.Counter(c for p in archive.papers for c in set(p.categories)).most_common(1)[0][0]
    reader.log.clear()
    page.goto(reader.base + f"search/?category={category}")
    page.wait_for_selector(".as-result")
    expected = sorted((p.announced.isoformat() for p in archive.papers if category in p.categories), reverse=True)
    assert page.locator(".as-status").inner_text() == f"{len(expected)} papers"
    assert [m[:10] for m in page.locator(".as-result .as-meta").all_inner_texts()] == expected[:20]
    assert segment_requests(reader) < {s["name"] for s in archive.segments}
    reader.assert_clean()


# -- filters and counts ------------------------------------------------------------------------------------


def shown_counts(page, group: str) -> dict[str, int]:
    labels = page.locator(f"fieldset[data-filter='{group}'] label").all()
    return {label.locator(".as-filter__name").inner_text(): int(label.locator(".as-filter__count").inner_text()) for label in labels}


def test_filters_and_counts_are_the_archives(archive, reader):
    page = reader.page
    page.wait_for_selector("fieldset[data-filter='category']")
    categories = collections.Counter(c for p in archive.papers for c in set(p.categories))
    tags = collections.Counter(t for p in archive.papers for t in set(p.tags))
    years = collections.Counter(str(p.announced.year) for p in archive.papers)
    assert shown_counts(page, "category") == dict(categories)
    assert shown_counts(page, "tag") == dict(tags)
    assert shown_counts(page, "year") == dict(years)
    assert segment_requests(reader) == set(), "the archive's counts come from the segments' list"
    # Within a search: the counts of the papers it finds, whichever segment holds them.
    word = title_word(archive)
    expected = oracle(reader, word)
    page.goto(reader.base + "search/?q=" + word)
    page.wait_for_function("document.querySelector('.as-status').textContent.endsWith('papers')")
    found = {group: {v: n for v, n in shown_counts(page, group).items() if n} for group in ("category", "tag", "year")}
    assert found == {group: {v: n for v, n in values.items() if n} for group, values in expected["filters"].items()}
    # A year: its segments only.
    reader.log.clear()
    page.locator("fieldset[data-filter='year'] input[value='2024']").check()
    page.wait_for_function(f"document.querySelector('.as-status').textContent === '{found['year']['2024']} papers'")
    assert segment_requests(reader) <= {"2024-1", "2024-2"}
    assert {m[:4] for m in page.locator(".as-result .as-meta").all_inner_texts()} == {"2024"}
    in_2024 = oracle(reader, word, {"filters": {"year": {"any": ["2024"]}}})
    assert sorted(engine(reader, word, {"filters": {"year": {"any": ["2024"]}}})["ids"]) == sorted(in_2024["ids"])
    reader.assert_clean()


def test_a_filter_reads_only_the_segments_that_hold_its_values(archive, reader):
    held = {
        (group, value): {s["name"] for s in archive.segments if s["filters"].get(group, {}).get(value)}
        for s in archive.segments
        for group in ("category", "tag")
        for value in s["filters"].get(group, {})
    }
    (group, value), segments = min(((k, v) for k, v in held.items() if v), key=lambda item: (len(item[1]), item[0]))
    assert segments < {s["name"] for s in archive.segments}, "every filter value is in every segment"
    papers = [p for p in archive.papers if value in (p.categories if group == "category" else p.tags)]
    reader.log.clear()
    found = engine(reader, None, {"filters": {group: {"any": [value]}}}, n=len(papers))
    assert found["total"] == len(papers) and sorted(found["ids"]) == sorted(oracle(reader, None, {"filters": {group: {"any": [value]}}},
                                                                                     n=len(papers))["ids"])  # fmt: skip
    assert segment_requests(reader) <= segments
    # A value no paper holds: no bundle is read, nothing is found.
    reader.log.clear()
    page = reader.page
    page.goto(reader.base + "search/?category=no-such.category")
    page.wait_for_function("document.querySelector('.as-status').textContent === '0 papers'")
    assert [p for p in reader.log if p.startswith("/pagefind/") and p.count("/") > 2] == []
    reader.assert_clean()


# -- a segment missing ----------------------------------------------------------------------------------------


def test_a_missing_segment_is_named_and_the_others_answer(archive, browser):
    word = title_word(archive)
    missing = next(s for s in archive.segments if s["name"] == "2024-1")
    with serve_logged(archive.site, blocked=(f"/pagefind/{missing['path']}",)) as (base, log):
        reader = Reader(browser, base, viewport={"width": 1280, "height": 900})
        reader.log = log
        page = reader.page
        page.goto(base + f"search/?q={word}")
        page.wait_for_selector(".as-warning:not([hidden])")
        warning = page.locator(".as-warning").inner_text()
        assert f"{missing['first']} to {missing['last']}" in warning and "missing from these results" in warning
        page.wait_for_function("document.querySelector('.as-status').textContent.endsWith('papers')")
        everywhere = oracle(reader, word, n=2000)["dates"]
        elsewhere = [d for d in everywhere if not missing["first"] <= d <= missing["last"]]
        assert page.locator(".as-status").inner_text() == f"{len(elsewhere)} papers" and len(elsewhere) < len(everywhere)
        shown = page.locator(".as-result .as-meta").all_inner_texts()
        assert shown and not any(missing["first"] <= m[:10] <= missing["last"] for m in shown)
        # Newest first, across the gap.
        page.goto(base + f"search/?q={word}&sort=date-desc")
        page.wait_for_selector(".as-warning:not([hidden])")
        dates = [m[:10] for m in page.locator(".as-result .as-meta").all_inner_texts()]
        assert dates == sorted(dates, reverse=True) and dates
        # The header box says so too.
        page.goto(base)
        page.locator(".asb-input").focus()
        page.keyboard.type(word)
        page.wait_for_selector(".asb-result")
        assert "missing from these results" in page.locator(".asb-warning").inner_text()
        # What failed is that bundle, as the server answered, and nothing else.
        expected_failures = [f for f in reader.failures if f"/pagefind/{missing['path']}" in f]
        assert expected_failures and expected_failures == reader.failures
        assert all("404" in e or "Pagefind" in e or "pagefind" in e.lower() for e in reader.errors), reader.errors
        reader.close()
