"""Benchmark: related papers (generator/website/related.py, TF-IDF) over synthetic archives of N papers.

For each size, a fresh Python process reads the archive's paper pages (as the site
build does: front matter, plus the AI summary's text), then computes every paper's 5
related papers, and reports the time of the computation (TF-IDF, then top-k), the
peak resident memory of the process (ru_maxrss) and its memory before the
computation, so the engine's own share is visible. Archives come from
benchmarks/synth.py (real recorded abstracts), cached under benchmarks/out/.

With --anchor, the same run also times the full `mkdocs build` of the 10,000-paper
archive (benchmarks/site_build.py) and reports the engine's cost as a share of it.

    python -m benchmarks.related_bench --papers 1000 10000 50000 [--anchor]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.site_build import OUT, archive, build

TAG = re.compile(r"<[^>]+>")


def read_docs(docs: Path):
    """RelatedDoc of every paper page (front matter, the summary's text without HTML tags)."""
    from generator.archive.records import split_front_matter, v1_summary_html
    from generator.website.related import RelatedDoc

    out = []
    for page in sorted((docs / "papers").rglob("*.md")):
        meta, body = split_front_matter(page.read_text(encoding="utf-8"), str(page))
        # Format v2: the body is the summary's Markdown; format v1 (archives synthesized before it): HTML in the layout.
        summary = body if meta.get("format") == 2 else (v1_summary_html(body) or "")
        out.append(
            RelatedDoc(
                str(meta["arxiv_id"]), int(meta["version"]), str(meta["title"]), str(meta.get("abstract", "")), TAG.sub(" ", summary)
            )
        )
    return out


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def one(papers: int) -> dict[str, float]:
    """Measure one size in this process (run in a child, so peak memory is this size's own)."""
    import sklearn.feature_extraction.text  # noqa: F401 - its import is measured on its own (main)

    from generator.ranking.similarity import paper_text, tfidf_vectors, top_k
    from generator.website.related import compute_related

    docs_dir = archive(papers)
    started = time.perf_counter()
    docs = read_docs(docs_dir)
    read = time.perf_counter() - started
    rss_before = rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    index = compute_related(docs, count=5)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The two phases again, separately, for the table.
    started = time.perf_counter()
    matrix = tfidf_vectors([paper_text(d.title, d.abstract, d.summary) for d in docs])
    tfidf = time.perf_counter() - started
    started = time.perf_counter()
    top_k(matrix, 5)
    topk = time.perf_counter() - started
    with_neighbours = sum(1 for d in docs if index.of(d.arxiv_id))
    return {
        "papers": len(docs), "read": read, "related": total, "related_cpu": cpu, "tfidf": tfidf, "topk": topk,
        "rss_before_mb": rss_before, "peak_rss_mb": peak, "vocabulary": matrix.shape[1],
        "nnz_per_paper": matrix.nnz / max(1, len(docs)), "with_neighbours": with_neighbours,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--anchor", action="store_true", help="also time the full mkdocs build of 10,000 papers in this run")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    # Importing the engine (scikit-learn, SciPy, NumPy) in a fresh process: paid once per build.
    load = os.getloadavg()[0]
    probe = (
        "import time; t, c = time.perf_counter(), time.process_time(); import generator.website.related, sklearn.feature_extraction.text; "
        "print(time.perf_counter() - t, time.process_time() - c)"
    )
    runs = [subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split() for _ in range(3)]
    wall, cpu = min(float(r[0]) for r in runs), min(float(r[1]) for r in runs)
    print(
        f"importing generator.website.related and scikit-learn in a fresh process: {wall:.2f} s wall, {cpu:.2f} s CPU (best of 3, load "
        f"before {load:.2f})"
    )
    results = {}
    for papers in args.papers:
        archive(papers)  # synthesize outside the measured child
        load = os.getloadavg()[0]
        child = subprocess.run(
            [sys.executable, "-m", "benchmarks.related_bench", "--one", str(papers)], capture_output=True, text=True, check=True
        )
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        results[papers] = figures
        print(
            f"{papers:>6} papers (load before {load:.2f}): related {figures['related']:.2f} s wall, "
            f"{figures.get('related_cpu', 0):.2f} s CPU "
            f"(TF-IDF {figures['tfidf']:.2f} s, top-5 {figures['topk']:.2f} s), reading pages {figures['read']:.1f} s, "
            f"memory {figures['rss_before_mb']:.0f} MB before, peak {figures['peak_rss_mb']:.0f} MB; "
            f"vocabulary {figures['vocabulary']}, {figures['nnz_per_paper']:.0f} terms per paper, "
            f"{figures['with_neighbours']} papers with related papers"
        )
    if args.anchor:
        # The build, then the 10,000-paper engine again right after it, so that both see
        # the same machine (others' load on a shared machine moves wall times 2-5x).
        load = os.getloadavg()[0]
        timing = build(archive(10000), OUT / "site-10000", None)
        print(f"anchor: full mkdocs build of 10,000 papers {timing['wall']:.1f} s wall, {timing['cpu']:.1f} s CPU (load before {load:.2f})")
        load = os.getloadavg()[0]
        child = subprocess.run(
            [sys.executable, "-m", "benchmarks.related_bench", "--one", "10000"], capture_output=True, text=True, check=True
        )
        after = json.loads(child.stdout.strip().splitlines()[-1])
        print(
            f"related papers at 10,000 right after the build (load before {load:.2f}): {after['related']:.2f} s wall, "
            f"{after['related_cpu']:.2f} s CPU"
        )
        walls = [r for r in (results.get(10000, {}).get("related"), after["related"]) if r is not None]
        cpus = [r for r in (results.get(10000, {}).get("related_cpu"), after["related_cpu"]) if r is not None]
        print(
            f"related papers at 10,000 = {min(walls) / timing['wall']:.1%} of the full build's wall time "
            f"({min(walls):.2f} s of {timing['wall']:.1f} s), {min(cpus) / timing['cpu']:.1%} of its CPU time ({min(cpus):.2f} s of "
            f"{timing['cpu']:.1f} s)"
        )


if __name__ == "__main__":
    main()
