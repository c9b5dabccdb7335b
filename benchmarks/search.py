"""Benchmark: the site's search in headless Chromium over loopback, and indexing at scale.

For an archive of N synthetic papers (benchmarks.synth; built with `mkdocs build`
as in benchmarks.site_build unless already built), serves the site on 127.0.0.1
and, in Debian's chromium, types queries into the header search box the way a
reader does (one key every 60 ms). For each query it reports the time from the last
keystroke to the first results on screen (which includes the box's 120 ms input
debounce) and the bytes fetched from pagefind/ for it: the first query of a fresh
browser (Pagefind's script, WebAssembly and metadata included), then further
queries in the same browser. `--index-only` builds the site and reports the index
size without a browser (the 50,000-paper run).

    python -m benchmarks.search --papers 10000
    python -m benchmarks.search --papers 50000 --index-only
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import statistics
import sys
import threading
from pathlib import Path

from benchmarks.site_build import OUT, archive, build, site_sizes

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DEBOUNCE_MS = 120  # overrides/assets/javascripts/search.js, header box


def queries(docs: Path) -> list[tuple[str, str]]:
    """(kind, query) pairs drawn from the archive: title words, a surname, arXiv ids, summary-only words."""
    from generator.website.catalog import read_catalog

    catalog = read_catalog(docs)
    papers = catalog.newest_first()
    picks = [papers[len(papers) // 3], papers[len(papers) // 2], papers[-10]]
    out = [("title words", "speculative decoding"), ("title word", "quantization"), ("title words", "mixture of experts")]
    out += [("arXiv id", p.arxiv_id) for p in picks[:2]]
    out += [("author surname", picks[0].authors[0].split()[-1]), ("author surname", picks[2].authors[-1].split()[-1])]
    out += [("summary-only word", f"synthsum{p.arxiv_id.replace('.', '')}") for p in picks if p.summary is not None][:2]
    return out


def serve(folder: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def measure(site: Path, cases: list[tuple[str, str]]) -> list[dict]:
    from playwright.sync_api import sync_playwright

    server, base = serve(site)
    results = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
            )
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            fetched: list[int] = []
            outside: list[str] = []
            page.on("requestfinished", lambda r: fetched.append(r.sizes()["responseBodySize"]) if "/pagefind/" in r.url else None)
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
            page.goto(base)
            for index, (kind, query) in enumerate(cases):
                page.evaluate(
                    "window.__lastKey = 0; document.addEventListener('keydown', () => { window.__lastKey = performance.now(); }, true)"
                )
                fetched.clear()
                box = page.locator(".asb-input")
                box.click()
                box.fill("")
                before = page.evaluate("document.querySelector('[data-archive-search-box]').dataset.resultsShown || ''")
                box.type(query, delay=60)
                page.wait_for_function(
                    f"(document.querySelector('[data-archive-search-box]').dataset.resultsShown || '') !== {before!r}", timeout=30000
                )
                shown = page.evaluate("Number(document.querySelector('[data-archive-search-box]').dataset.resultsShown) - window.__lastKey")
                page.wait_for_timeout(300)  # let trailing requests of this query finish before counting
                titles = page.locator(".asb-result .as-title").all_inner_texts()
                results.append(
                    {"kind": kind, "query": query, "ms": shown, "bytes": sum(fetched), "results": len(titles), "first": index == 0}
                )
                assert not outside, outside
            browser.close()
    finally:
        server.shutdown()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10000)
    parser.add_argument("--index-only", action="store_true", help="build and report the index size, no browser")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the site even if benchmarks/out has one")
    args = parser.parse_args()
    docs = archive(args.papers)
    site = OUT / f"site-{args.papers}"
    if args.rebuild or args.index_only or not (site / "pagefind" / "pagefind.js").exists():
        timing = build(docs, site, None)
        print(f"built {args.papers} papers in {timing['wall']:.1f} s (load before {timing['load']:.2f})")
        for line in timing["log"]:
            print("  " + line)
    index_bytes = sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file())
    index_files = sum(1 for p in (site / "pagefind").rglob("*") if p.is_file())
    sizes = site_sizes(site, args.papers)
    print(
        f"Pagefind index: {index_bytes / 1e6:.1f} MB in {index_files} files; whole site {sizes['bytes'] / 1e6:.0f} MB "
        f"({sizes['per_paper'] / 1000:.1f} KB per paper)"
    )
    if args.index_only:
        return
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium")
    cases = queries(docs)
    # Two passes: a fresh browser per pass, so the first query of each pass is a cold start.
    for run in (1, 2):
        results = measure(site, cases)
        print(f"\nrun {run} (load {os.getloadavg()[0]:.2f}):")
        print(f"  {'query':42} {'results':>7} {'ms after last key':>18} {'KB fetched':>10}")
        for r in results:
            label = f"{r['kind']}: {r['query']}" + (" (cold)" if r["first"] else "")
            print(f"  {label:42} {r['results']:>7} {r['ms']:>18.0f} {r['bytes'] / 1000:>10.1f}")
        warm = [r for r in results if not r["first"]]
        print(f"  warm queries: median {statistics.median(r['ms'] for r in warm):.0f} ms after the last key "
              f"({statistics.median(r['ms'] for r in warm) - DEBOUNCE_MS:.0f} ms after the debounce), "
              f"max {max(r['ms'] for r in warm):.0f} ms; median {statistics.median(r['bytes'] for r in warm) / 1000:.1f} KB, "
              f"max {max(r['bytes'] for r in warm) / 1000:.1f} KB fetched")  # fmt: skip


if __name__ == "__main__":
    main()
