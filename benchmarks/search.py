"""Benchmark: the site's search (an index in segments) in headless Chromium over loopback.

For an archive of N synthetic papers (benchmarks.synth), built by `mkdocs build` as in
benchmarks.site_build unless already built (`--rebuild` builds it again, cold), serves the site on
127.0.0.1 and, in Debian's chromium, measures what a reader waits for and what the browser fetches
from `pagefind/` (counted by the server: Pagefind fetches from the site's search workers):

- the header box: each query typed one key every 60 ms; the time from the last keydown to the
  results on screen (the box's 120 ms input debounce included) and the bytes fetched for it; the
  first query of a fresh browser also loads Pagefind's script, and each segment's WebAssembly and
  metadata as a search first needs it; two passes, each in a fresh browser; then the same queries
  pasted (one input event: nothing is fetched while typing, the search does it all) and the
  commonest words typed (COMMON_QUERIES: thousands of results in every segment);
- the search page by date (`?q=word&sort=date-desc`, and without words): the time from navigation
  to the first page, to the count (the other segments, searched in the background), the bytes, and
  the segments whose index was read;
- filters: the search page's filter panel (from the segments' manifest), and a query with a
  category filter.

`--compare` also indexes the same documents as one Pagefind bundle (as before segments; its memory
grows with the archive: about 7 GB at 50,000 papers) and compares, query by query: the same papers
found, the top 6 and 20 (ties are common: the synthetic archive reuses ~200 real titles, so also the
one index's own scores of the segments' top 20 as a share of its top 20's), date order and filter
counts. `--index-only` builds and reports the index without a browser; `--compare-only` skips the timings.

    python -m benchmarks.search --papers 200000 --work /work/scratch/search
    python -m benchmarks.search --papers 50000 --work /work/scratch/search --compare
    python -m benchmarks.search --papers 10000 --rebuild
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import ClassVar

from benchmarks.site_build import OUT, PROJECT, build, site_sizes
from benchmarks.synth import synthesize

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DEBOUNCE_MS = 120  # overrides/assets/javascripts/search.js, header box
COMMON_QUERIES = [("common word", "model"), ("common word", "learning"), ("common words", "neural network")]
"""Words in a large share of the papers: each segment finds thousands, the worst a reader is likely to type."""


def archive(papers: int, work: Path) -> Path:
    docs = work / f"archive-{papers}" / "docs"
    if not (docs / "days").is_dir():
        synthesize(papers, docs.parent)
    return docs


def queries(docs: Path, work: Path) -> list[tuple[str, str]]:
    """(kind, query) pairs drawn from the archive (cached beside it: reading 200,000 records takes minutes)."""
    cache = work / f"queries-{docs.parent.name}.json"
    if cache.exists():
        return [tuple(q) for q in json.loads(cache.read_text())]
    from generator.website.catalog import read_catalog

    papers = read_catalog(docs).newest_first()
    picks = [papers[len(papers) // 3], papers[len(papers) // 2], papers[-10]]
    out = [("title words", "speculative decoding"), ("title word", "quantization"), ("title words", "mixture of experts")]
    out += [("arXiv id", p.arxiv_id) for p in picks[:2]]
    out += [("author surname", picks[0].authors[0].split()[-1]), ("author surname", picks[2].authors[-1].split()[-1])]
    out += [("summary-only word", f"synthsum{p.arxiv_id.replace('.', '')}") for p in picks if p.summary is not None][:2]
    cache.write_text(json.dumps(out))
    return out


class Counting(http.server.SimpleHTTPRequestHandler):
    """The site's files; counts the bytes served under /pagefind/ and the segments whose index chunks were read."""

    served: ClassVar[dict] = {"bytes": 0, "requests": 0, "segments": set()}
    lock = threading.Lock()

    def log_message(self, *args) -> None:
        pass

    def copyfile(self, source, outputfile) -> None:
        data = source.read()
        outputfile.write(data)
        if self.path.startswith("/pagefind/"):
            with self.lock:
                self.served["bytes"] += len(data)
                self.served["requests"] += 1
                found = re.match(r"/pagefind/([^/]+)/index/", self.path)
                if found:
                    self.served["segments"].add(found.group(1))

    @classmethod
    def reset(cls) -> None:
        with cls.lock:
            cls.served.update(bytes=0, requests=0, segments=set())


def serve(folder: Path):
    http.server.ThreadingHTTPServer.request_queue_size = 1024  # a search may fetch a hundred chunks at once
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Counting, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])


def settle(page) -> None:
    page.wait_for_timeout(300)  # let trailing requests of this step finish before counting


def header_box(browser, base: str, cases: list[tuple[str, str]], typed: bool = True) -> list[dict]:
    """Each query typed (or pasted) into the home page's box in one fresh browser context (the first one cold)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    page.goto(base)
    rows = []
    for index, (kind, query) in enumerate(cases):
        page.evaluate("window.__lastKey = 0; document.addEventListener('keydown', () => { window.__lastKey = performance.now(); }, true)")
        box = page.locator(".asb-input")
        box.click()
        box.fill("")
        settle(page)
        Counting.reset()
        before = page.evaluate("document.querySelector('[data-archive-search-box]').dataset.resultsShown || ''")
        if typed:
            box.type(query, delay=60)
        else:
            page.evaluate("window.__lastKey = performance.now()")
            box.fill(query)
        page.wait_for_function(
            "([before, query]) => { const box = document.querySelector('[data-archive-search-box]');"
            " return (box.dataset.resultsShown || '') !== before && box.dataset.resultsFor === query; }",
            arg=[before, query],
            timeout=120000,
        )
        shown = page.evaluate("Number(document.querySelector('[data-archive-search-box]').dataset.resultsShown) - window.__lastKey")
        settle(page)
        more = page.locator(".asb-all").inner_text()
        total = re.search(r"All (\d+) results", more)
        served = dict(Counting.served)
        row = {"kind": kind, "query": query, "ms": shown, "kb": served["bytes"] / 1000, "requests": served["requests"], "cold": index == 0}
        row["results"], row["total"] = page.locator(".asb-result").count(), int(total.group(1)) if total else None
        rows.append(row)
    assert not outside, outside
    context.close()
    return rows


def search_page(browser, base: str, path: str, wait_count: bool) -> dict:
    """One search-page address in a fresh context: ms from navigation to the first page (and to the count), KB, segments read."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    Counting.reset()
    page.goto(base + path)
    page.wait_for_function("document.querySelector('#archive-search').dataset.resultsShown", timeout=300000)
    first = float(page.evaluate("document.querySelector('#archive-search').dataset.resultsShown"))
    first_kb = Counting.served["bytes"] / 1000
    first_segments = set(Counting.served["segments"])
    counted = None
    if wait_count:
        page.wait_for_function("document.querySelector('#archive-search').dataset.countDone", timeout=600000)
        counted = float(page.evaluate("document.querySelector('#archive-search').dataset.countDone"))
    settle(page)
    served = dict(Counting.served)
    row = {"path": path, "first_ms": first, "count_ms": counted, "first_kb": first_kb, "kb": served["bytes"] / 1000}
    row |= {"first_segments": len(first_segments), "segments": len(served["segments"]), "status": page.locator(".as-status").inner_text()}
    row["dates"] = [m[:10] for m in page.locator(".as-result .as-meta").all_inner_texts()]
    context.close()
    return row


def filters_panel(browser, base: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    Counting.reset()
    page.goto(base + "search/")
    page.wait_for_selector("fieldset[data-filter='year']", timeout=120000)
    ms = page.evaluate("performance.now()")
    settle(page)
    row = {"ms": ms, "kb": Counting.served["bytes"] / 1000, "segments": len(Counting.served["segments"]),
           "values": page.locator(".as-filter__value").count()}  # fmt: skip
    context.close()
    return row


def timings(browser, base: str, cases: list[tuple[str, str]]) -> None:
    """The header box's and the search page's figures (the module's docstring)."""
    passes = [(f"run {run}", cases, True) for run in (1, 2)]  # a fresh browser context per pass: its first query is cold
    passes += [
        ("pasted: one input event, nothing fetched while typing", cases, False),
        ("the commonest words", cases[:1] + COMMON_QUERIES, True),
    ]
    for name, asked, typed in passes:
        rows = header_box(browser, base, asked, typed)
        print(f"\nheader box, {name} (load {os.getloadavg()[0]:.2f}):")
        print("| query | results | ms after last key | KB fetched | requests |")
        print("|---|---:|---:|---:|---:|")
        for r in rows:
            label = f"{r['kind']}: {r['query']}" + (" (first query: cold)" if r["cold"] else "")
            print(f"| {label} | {r['total'] or r['results']:,} | {r['ms']:.0f} | {r['kb']:.1f} | {r['requests']} |")
        warm = [r for r in rows if not r["cold"]]
        median = statistics.median(r["ms"] for r in warm)
        print(f"warm queries: median {median:.0f} ms after the last key ({median - DEBOUNCE_MS:.0f} ms after the debounce), "
              f"max {max(r['ms'] for r in warm):.0f} ms; median {statistics.median(r['kb'] for r in warm):.1f} KB, "
              f"max {max(r['kb'] for r in warm):.1f} KB")  # fmt: skip
    print(f"\nsearch page, each in a fresh browser context (load {os.getloadavg()[0]:.2f}):")
    print("| address | first page ms | KB | segments read | count ms | KB in all | segments in all | status | first page's dates |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")
    for path, wait in [("search/?q=quantization&sort=date-desc", True), ("search/?q=speculative+decoding&sort=date-asc", True),
                       ("search/?sort=date-desc", False), ("search/?category=hep-th", False),
                       ("search/?q=quantization&category=cs.CL", False), ("search/?q=quantization&year=2030", False)]:  # fmt: skip
        r = search_page(browser, base, path, wait)
        dates = r["dates"]
        by_date = "sort=" in path or "q=" not in path  # best match otherwise: no date order to check
        ordered = not by_date or dates == sorted(dates, reverse="asc" not in path)
        counted = "" if r["count_ms"] is None else f"{r['count_ms']:.0f}"
        span = f"{dates[0]} … {dates[-1]}" if dates else ""
        print(f"| `{path}` | {r['first_ms']:.0f} | {r['first_kb']:.1f} | {r['first_segments']} | {counted} | {r['kb']:.1f} | "
              f"{r['segments']} | {r['status']} | {span}{'' if ordered else ' (NOT in order)'} |")  # fmt: skip
    panel = filters_panel(browser, base)
    print(f"\nfilter panel of the search page: {panel['values']} values shown {panel['ms']:.0f} ms after navigation, "
          f"{panel['kb']:.1f} KB from pagefind/ (the manifest), {panel['segments']} segments' index read")  # fmt: skip


# -- relevance against one index -----------------------------------------------------------------------


def one_bundle(docs: Path, site: Path) -> Path:
    """The same documents as the build's, in one Pagefind bundle at <site>/oracle/pagefind/all/ (as before segments)."""
    from generator.archive import paths
    from generator.website.catalog import read_catalog
    from generator.website.outputs.search import SegmentedIndex, SegmentPlan
    from generator.website.render import Renderer, environment

    folder = site / "oracle"
    if (folder / "pagefind" / "all" / "pagefind-entry.json").exists():
        return folder
    renderer = Renderer(environment([Path(__file__).resolve().parent.parent / "overrides"]))
    papers = read_catalog(docs).papers
    days = [p.announced for p in papers.values()]
    plan = SegmentPlan("all", min(days), max(days), tuple(papers), "one index")
    started = time.monotonic()
    report = SegmentedIndex(folder, parallel=1).update(
        [plan], lambda plan: (("/" + paths.page_url(papers[i].path), renderer.search_document(papers[i])) for i in plan.ids)
    )
    print(f"one bundle of {len(papers):,} documents: {time.monotonic() - started:.0f} s; {report.summary()}", flush=True)
    return folder


COMPARE = """async ([term, options, n]) => {
    const index = await window.archiveSearch.searchIndex();
    await index.ready();
    // The same search in the site's terms: its sort by name, and the filters' counts loaded (as the search page asks).
    const asked = Object.assign({}, options, {counts: true, sort: options.sort ? 'date-' + options.sort.date : ''});
    const found = await index.search(term, asked);
    await found.more(Infinity);
    const pf = await import('/pagefind/pagefind.js');
    window.oracle = window.oracle || pf.createInstance({basePath: '/oracle/pagefind/all/', baseUrl: '/', excerptLength: 28});
    await window.oracle.filters();
    const gold = await window.oracle.search(term, options);
    const data = async (list) => Promise.all(list.slice(0, n).map(r => r.data()));
    const [a, b] = [await data(found.results), await data(gold.results)];
    return {segmented: {ids: found.results.map(r => r.id), urls: a.map(d => d.url), dates: a.map(d => d.meta.date), filters: found.filters},
            one: {ids: gold.results.map(r => r.id), scores: Object.fromEntries(gold.results.map(r => [r.id, r.score])),
                  urls: b.map(d => d.url), dates: b.map(d => d.meta.date), filters: gold.filters}};
}"""


def compare(browser, base: str, cases: list[tuple[str, str]]) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "search/")
    page.wait_for_function("window.archiveSearch && window.archiveSearchIndex", timeout=60000)
    print("\nrelevance against one index of the same documents (best match):")
    print("| query | results (segments / one index) | same papers | top 6 | top 20 | one index's scores of the top 20 |")
    print("|---|---:|---|---:|---:|---:|")
    for kind, query in cases:
        r = page.evaluate(COMPARE, [query, {}, 20])
        s, o = r["segmented"], r["one"]
        same = sorted(s["ids"]) == sorted(o["ids"])
        top6 = len(set(s["urls"][:6]) & set(o["urls"][:6]))
        top20 = len(set(s["urls"]) & set(o["urls"]))
        ideal = sum(o["scores"][i] for i in o["ids"][:20])
        got = sum(o["scores"].get(i, 0) for i in s["ids"][:20])
        print(f"| {kind}: {query} | {len(s['ids']):,} / {len(o['ids']):,} | {'yes' if same else 'no'} | {top6}/{min(6, len(o['urls']))} | "
              f"{top20}/{len(o['urls'])} | {got / ideal if ideal else 1:.3f} |")  # fmt: skip
        if not same:
            extra, lacking = set(s["ids"]) - set(o["ids"]), set(o["ids"]) - set(s["ids"])
            print(f"|   (only in segments: {len(extra)}; only in one index: {len(lacking)}) | | | | | |")
    print("\ndate order and filter counts against one index:")
    cl = {"category": {"any": ["cs.CL"]}}
    for term, options in [
        ("quantization", {"sort": {"date": "desc"}}),
        ("speculative decoding", {"sort": {"date": "asc"}}),
        ("quantization", {"filters": cl, "sort": {"date": "desc"}}),
        ("quantization", {}),
    ]:
        r = page.evaluate(COMPARE, [term, options, 60])
        s, o = r["segmented"], r["one"]
        dated = "sort" in options
        print(f"  {term!r} {json.dumps(options)}: {len(s['ids']):,} / {len(o['ids']):,} results; "
              + (f"first 60 dates the same: {s['dates'] == o['dates']}; " if dated else "")
              + f"filter counts the same: {s['filters'] == o['filters']}")  # fmt: skip
    context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10000)
    parser.add_argument("--work", type=Path, default=OUT, help="where the archive and the site go (benchmarks/out by default)")
    parser.add_argument("--index-only", action="store_true", help="build and report the index, no browser")
    parser.add_argument("--compare-only", action="store_true", help="with --compare: the comparison alone, no timings")
    parser.add_argument("--rebuild", action="store_true", help="build the site again, cold, even if the work folder has one")
    parser.add_argument("--compare", action="store_true", help="also one Pagefind bundle of the same documents: relevance")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    docs = archive(args.papers, args.work)
    site = args.work / f"site-{args.papers}"
    if args.rebuild or not (site / "pagefind" / "segments.json").exists():
        timing = build(PROJECT, docs, site)
        print(f"built {args.papers:,} papers in {timing['wall']:.1f} s, CPU {timing['cpu']:.1f} s (load before {timing['load']:.2f})")
        for line in timing["log"]:
            print("  " + line)
    segments = json.loads((site / "pagefind" / "segments.json").read_text())
    index_bytes = sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file() and "oracle" not in p.parts)
    index_files = sum(1 for p in (site / "pagefind").rglob("*") if p.is_file())
    sizes = site_sizes(site, args.papers)
    smallest, largest = min(s["papers"] for s in segments), max(s["papers"] for s in segments)
    manifest_kb = (site / "pagefind" / "segments.json").stat().st_size / 1000
    print(f"search index: {len(segments)} segments of {smallest:,} to {largest:,} papers, {index_bytes / 1e6:.1f} MB in {index_files:,} "
          f"files; manifest {manifest_kb:.1f} KB; whole site {sizes['bytes'] / 1e6:.0f} MB "
          f"({sizes['per_paper'] / 1000:.1f} KB a paper)")  # fmt: skip
    if args.index_only:
        return
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium")
    cases = queries(docs, args.work)
    if args.compare:
        one_bundle(docs, site)
    from playwright.sync_api import sync_playwright

    server, base = serve(site)
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            if not args.compare_only:
                timings(browser, base, cases)
            if args.compare:  # also the commonest words, and two letters (searched as a whole word: not one index's answer)
                compare(browser, base, cases + COMMON_QUERIES + [("two letters", "AI")])
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
