"""Benchmark: `doctor`'s archive check (every page parsed once) on synthetic archives of N papers.

The anchor, measured in the same run on the same files, is the site build's own read
of the archive (`generator.website.catalog.read_catalog`: every page's front matter, once), so
the ratio says what the check adds next to a read every build already does. Archives
come from benchmarks.synth (cached under benchmarks/out/). Each figure is the best of
`--runs` runs, after one warm-up run that fills the page cache; wall time and this
process's CPU time (less sensitive to other work on a shared machine) are both given.

    python -m benchmarks.doctor_archive --papers 1000 10000 [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from benchmarks.synth import synthesize
from generator.config.addresses import ERROR
from generator.night.doctor import check_archive
from generator.website.catalog import read_catalog

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"


def archive(papers: int) -> Path:
    docs = OUT / f"archive-{papers}" / "docs"
    if not (docs / "days").is_dir():
        synthesize(papers, docs.parent)
    return docs


def best_of(runs: int, work: Callable[[], object]) -> tuple[float, float, object]:
    """(best wall seconds, best CPU seconds, result)."""
    work()  # warm-up: the page cache, imports
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = work()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'papers':>7} {'pages':>7} {'doctor check wall / CPU':>24} {'anchor read_catalog wall / CPU':>31} {'ratio (CPU)':>11} {'load':>5}"
    )
    for papers in args.papers:
        docs = archive(papers)
        load = os.getloadavg()[0]
        check_wall, check_cpu, findings = best_of(args.runs, partial(check_archive, docs))
        anchor_wall, anchor_cpu, catalog = best_of(args.runs, partial(read_catalog, docs))
        assert not any(f.level == ERROR for f in findings), findings
        pages = len(catalog.papers) + len(catalog.days)
        print(
            f"{papers:>7} {pages:>7} {check_wall:>11.2f} s / {check_cpu:>6.2f} s {anchor_wall:>18.2f} s / {anchor_cpu:>6.2f} s"
            f" {check_cpu / anchor_cpu:>11.2f} {load:>5.2f}"
        )


if __name__ == "__main__":
    main()
