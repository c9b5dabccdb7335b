"""Benchmark: `doctor`'s archive check (every page parsed once) on synthetic archives of N papers.

The anchor, measured in the same run on the same files, is the site build's own read
of the archive (`sitegen.catalog.read_catalog`: every page's front matter, once), so
the ratio says what the check adds next to a read every build already does. Archives
come from benchmarks.synth (cached under benchmarks/out/). Each figure is the best of
`--runs` runs, after one warm-up run that fills the page cache.

    python -m benchmarks.doctor_archive --papers 1000 10000 [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.synth import synthesize
from generator.doctor import ERROR, check_archive
from sitegen.catalog import read_catalog

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"


def archive(papers: int) -> Path:
    docs = OUT / f"archive-{papers}" / "docs"
    if not (docs / "days").is_dir():
        synthesize(papers, docs.parent)
    return docs


def best_of(runs: int, work: Callable[[], object]) -> tuple[float, object]:
    work()  # warm-up: the page cache, imports
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'papers':>7} {'pages':>7} {'doctor archive check':>21} {'anchor: read_catalog':>21} {'ratio':>6} {'load':>5}")
    for papers in args.papers:
        docs = archive(papers)
        load = os.getloadavg()[0]
        check_seconds, findings = best_of(args.runs, lambda: check_archive(docs))
        anchor_seconds, catalog = best_of(args.runs, lambda: read_catalog(docs))
        assert not any(f.level == ERROR for f in findings), findings
        pages = len(catalog.papers) + len(catalog.days)
        print(f"{papers:>7} {pages:>7} {check_seconds:>19.2f} s {anchor_seconds:>19.2f} s {check_seconds / anchor_seconds:>6.2f} {load:>5.2f}")


if __name__ == "__main__":
    main()
