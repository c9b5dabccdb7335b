"""Benchmark: `mkdocs build` (search index included) of synthetic archives of N papers.

For each size, synthesizes the archive once (benchmarks.synth, cached under
benchmarks/out/), runs the real `mkdocs build` as a user does, and reports the
wall time, the CPU time, the build's own phase timings, the built site's bytes per
paper, its largest page and file, and the machine's load before the run (the
numbers are only comparable on an otherwise idle machine).

    python -m benchmarks.site_build --papers 1000 10000 [--runs 2] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.synth import synthesize

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
CONFIG = ROOT / "demo" / "config.yml"


def archive(papers: int) -> Path:
    docs = OUT / f"archive-{papers}" / "docs"
    if not (docs / "days").is_dir():
        synthesize(papers, docs.parent)
    return docs


def site_sizes(site: Path, papers: int) -> dict[str, object]:
    total = 0
    largest_page = (0, "")
    largest_file = (0, "")
    by_folder: dict[str, int] = {}
    for root, _, files in os.walk(site):
        for name in files:
            path = Path(root, name)
            size = path.stat().st_size
            total += size
            rel = path.relative_to(site).as_posix()
            by_folder[rel.split("/")[0]] = by_folder.get(rel.split("/")[0], 0) + size
            if name.endswith(".html") and size > largest_page[0]:
                largest_page = (size, rel)
            if size > largest_file[0]:
                largest_file = (size, rel)
    return {"bytes": total, "per_paper": total / papers, "largest_page": largest_page, "largest_file": largest_file, "folders": by_folder}


def build(docs: Path, site: Path, jobs: int | None) -> dict[str, object]:
    if site.exists():
        shutil.rmtree(site)
    env = {**os.environ, "ARCHIVE_DOCS": str(docs), "ARCHIVE_CONFIG": str(CONFIG), "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}
    if jobs:
        env["ARCHIVE_BUILD_JOBS"] = str(jobs)
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)], cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        sys.exit(f"mkdocs build failed:\n{result.stderr[-3000:]}")
    phases = re.findall(r"sitegen: .*", result.stderr)
    return {
        "wall": wall,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "load": load,
        "log": phases,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=None, help="ARCHIVE_BUILD_JOBS for the build (default: one process per core)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for papers in args.papers:
        docs = archive(papers)
        site = OUT / f"site-{papers}"
        for run in range(1, args.runs + 1):
            timing = build(docs, site, args.jobs)
            sizes = site_sizes(site, papers)
            print(f"\n{papers} papers, run {run}: {timing['wall']:.1f} s wall, {timing['cpu']:.1f} s CPU, load before {timing['load']:.2f}")
            for line in timing["log"]:
                print("  " + line)
            print(f"  site: {sizes['bytes'] / 1e6:.1f} MB, {sizes['per_paper'] / 1000:.1f} KB per paper")
            print(f"  largest page: {sizes['largest_page'][0] / 1000:.0f} KB ({sizes['largest_page'][1]}); largest file: {sizes['largest_file'][0] / 1000:.0f} KB ({sizes['largest_file'][1]})")
            folders = sorted(sizes["folders"].items(), key=lambda kv: -kv[1])[:7]
            print("  by folder: " + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in folders))


if __name__ == "__main__":
    main()
